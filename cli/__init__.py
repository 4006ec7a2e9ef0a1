"""The ``thv`` command line: the engine for operators, testers and scripts."""

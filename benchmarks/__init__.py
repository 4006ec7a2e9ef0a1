"""Performance benchmarks for the case engine (``make bench``).

They exist to check, with numbers measured side by side in one run, the claims
the engine's design rests on: a task step through the engine costs no more than
the naive SpiffWorkflow load-run-save round trip, worklist queries and the timer
sweep do not slow down as the number of stored cases grows, and how SQLite and
PostgreSQL compare. A missed target is reported, not raised: the command exits
non-zero only when something crashed.
"""

"""Demo and training data: the demo bundle deployed, users and example cases.

May import everything in the engine.
"""

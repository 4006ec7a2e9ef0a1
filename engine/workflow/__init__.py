"""A case's running workflow: loading and saving it, reading its state, acts in time order,
timers, the worklist of human tasks, instructions and what each role may see.

May import: engine.base, engine.storage, engine.accounts, engine.rihg, engine.modeling.
"""

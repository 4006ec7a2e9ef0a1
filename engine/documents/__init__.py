"""Documents of a case: templates, generation, proof of service (betekening, uitreiking) and the dossier.

May import every package below it: engine.base, engine.storage, engine.accounts, engine.rihg,
engine.modeling, engine.workflow.
"""

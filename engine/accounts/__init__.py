"""Who may log in: local user accounts and API tokens.

May import: engine.base, engine.storage.
"""

"""The database: tables, connections, Alembic migrations and the one transaction helper.

May import: engine.base.
"""

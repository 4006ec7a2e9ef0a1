"""Alembic environment: migrations run on the engine handed over by engine.storage.db."""

from alembic import context

from engine.storage.tables import Base  # also registers the analysis and document tables

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from engine.base.settings import Settings
        from engine.storage.db import database_url, make_engine

        engine = make_engine(database_url(Settings.from_env()))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table (copy, drop, rename); with foreign keys on, dropping a
            # table that other rows refer to fails. The switch only works outside a transaction, and
            # the references are checked before the migration commits instead.
            with connection.begin():  # pysqlite sends no BEGIN for a PRAGMA: it takes effect
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=sqlite)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"de migratie laat {len(broken)} verwijzing(en) zonder doel achter")
        finally:
            if sqlite and connection.in_transaction():
                connection.invalidate()  # never back to the pool with foreign keys off
            elif sqlite:
                with connection.begin():
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations_online()

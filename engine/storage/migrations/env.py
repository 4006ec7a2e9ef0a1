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
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=connection.dialect.name == "sqlite"
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()

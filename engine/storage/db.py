"""Database connection and schema setup, shared by the CLI, the web app and tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from engine.base.paths import PROJECT_ROOT
from engine.base.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_INSTANCE = PROJECT_ROOT / "instance"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The database is unwell (unreachable, restarting, failing over), not the work: worth trying again later.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def database_url(settings: Settings, instance_path: Path = DEFAULT_INSTANCE) -> str:
    """The SQLAlchemy URL of ``THV_DATABASE_URL`` (checked by Settings), or the SQLite file in ``instance_path``."""
    url = settings.database_url
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'thv.sqlite'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def engine_options(url: str) -> dict[str, Any]:
    """Options for create_engine, shared with Flask-SQLAlchemy."""
    if url.startswith("sqlite"):
        options: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            # One shared connection, or every connection sees its own empty database.
            options["poolclass"] = StaticPool
        return options
    return {"pool_pre_ping": True}


def configure_engine(engine: Engine) -> Engine:
    """SQLite: foreign keys, a busy timeout instead of instant 'database is locked', and WAL."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if engine.url.database not in (None, "", ":memory:"):
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
    return engine


def make_engine(url: str) -> Engine:
    return configure_engine(create_engine(url, **engine_options(url)))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to the newest migration, or to ``revision`` (idempotent)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def stamp_schema(engine: Engine, revision: str = "head") -> None:
    """Record ``revision`` as the schema's migration without running it.

    For a schema made from the tables' metadata, as the tests make their template databases; that is
    the schema the migrations build (tests/engine/test_migrations.py compares the two).
    """
    from alembic import command

    command.stamp(_alembic_config(engine), revision)


def ping(session: Session) -> bool:
    """True when the database answers."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        session.rollback()
        return False

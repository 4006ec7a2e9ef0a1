"""Shared fixtures: databases (in-memory SQLite and a real PostgreSQL server), a
runtime with a fixed clock, the sample bundle and users.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session

from engine.accounts.users import add_user
from engine.base.clock import FixedClock
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import ModelRegistry, deploy_bundle
from engine.runtime import Runtime
from engine.storage.db import make_engine, make_session_factory
from engine.storage.tables import Base, User
from tests import pg_server
from tests.mail_server import SmtpServer
from tests.tls_certs import TestCa, make_ca

FIXTURES = Path(__file__).parent / "fixtures"
BUNDLES = FIXTURES / "bundles"
TEST_FORMS = FIXTURES / "forms"
PROJECT_ROOT = Path(__file__).parent.parent
START = datetime(2026, 2, 2, 20, 15, tzinfo=UTC)  # 21:15 in Amsterdam
PASSWORD = "geheim-wachtwoord"


def pytest_collection_modifyitems(config, items):
    # Every test that uses the db_url fixture runs on SQLite and on PostgreSQL.
    for item in items:
        if "postgres" in item.name:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(autouse=True)
def root_logging_restored() -> Iterator[None]:
    """A test that configures logging as ``thv serve`` does (a handler on the captured, later closed stderr)
    leaves the root logger as it found it, so later tests' log lines do not fail to write."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("engine.accounts.users.PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pg_server.PostgresServer]:
    if not pg_server.available():
        if os.environ.get("THV_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL-binaries ontbreken, maar THV_REQUIRE_POSTGRES is gezet")
        pytest.skip("PostgreSQL is niet geïnstalleerd")
    server = pg_server.PostgresServer()
    admin_url = server.start()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE thv_test"))
    admin.dispose()
    engine = make_engine(server.url("thv_test"))
    Base.metadata.create_all(engine)
    engine.dispose()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tls_ca(tmp_path_factory) -> TestCa:
    """A test CA and server certificates it signs (tests/tls_certs.py), made once per session."""
    return make_ca(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives (tests/mail_server.py)."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request) -> Iterator[str]:
    if request.param == "sqlite":
        yield "sqlite://"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.url("thv_test")
    yield url
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def runtime_for(db_url: str, clock: FixedClock, forms_dir: Path) -> Iterator[Runtime]:
    """A test runtime; in-memory SQLite gets its tables here (PostgreSQL has them per session)."""
    engine = make_engine(db_url)
    if db_url.startswith("sqlite"):
        Base.metadata.create_all(engine)
    yield Runtime(
        engine=engine,
        sessions=make_session_factory(engine),
        registry=ModelRegistry(forms_dir),
        clock=clock,
        url=db_url,
        mode="test",
    )
    engine.dispose()


@pytest.fixture
def rt(db_url: str, clock: FixedClock) -> Iterator[Runtime]:
    yield from runtime_for(db_url, clock, TEST_FORMS)


@pytest.fixture
def session(rt: Runtime) -> Iterator[Session]:
    with rt.sessions() as s:
        yield s


@pytest.fixture
def sample_files() -> dict[str, bytes]:
    return collect_bundle(BUNDLES / "sample")


@pytest.fixture
def deployed(session: Session, rt: Runtime, sample_files):
    return deploy_bundle(
        session, rt.registry, sample_files, region="basis", variant="sample", actor="test", now=rt.clock.now()
    ).version


@pytest.fixture
def people(session: Session, clock: FixedClock) -> dict[str, User]:
    """One user per role the sample process needs, plus outsiders."""
    specs = {
        "pol": (["politie"], ["basis"]),
        "bm": (["burgemeester"], ["basis"]),
        "hovj": (["hulpofficier"], ["basis"]),
        "ovj": (["om"], ["basis"]),
        "pol_elders": (["politie"], ["pilot1"]),
        "vt": (["veilig_thuis"], ["basis"]),
    }
    return {
        name: add_user(session, name, roles, regions, password=PASSWORD, now=clock.now())[0]
        for name, (roles, regions) in specs.items()
    }


def short_busy_timeout(engine: Engine, milliseconds: int = 50) -> None:
    """Let the engine's SQLite connections wait only briefly for a lock (instead of ten seconds).

    The setting is applied after the engine's own pragmas to every new connection; the
    pooled ones are closed, so the next checkout is a new connection.
    """

    def _pragma(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={milliseconds}")

    event.listen(engine, "connect", _pragma)
    engine.dispose()


@contextmanager
def sqlite_write_lock(path: Path) -> Iterator[None]:
    """A second connection holds the SQLite file's write lock until the block ends."""
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        yield
        blocker.execute("ROLLBACK")
    finally:
        blocker.close()

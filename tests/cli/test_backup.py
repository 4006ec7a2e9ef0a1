"""``thv backup``: a consistent, checked, private copy of the SQLite database while the application writes to it."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from engine.storage.db import make_engine
from engine.storage.schema_state import schema_state
from tests.cli.test_cli import _refused
from tests.conftest import BUNDLES, PASSWORD


@pytest.fixture
def with_case(thv, tmp_path) -> str:
    assert thv("user-add", "pol", "--roles", "politie", "--regions", "basis", "--password-stdin",
               stdin=PASSWORD + "\n").code == 0  # fmt: skip
    assert thv("deploy", str(BUNDLES / "sample"), "--region", "basis").code == 0
    return thv("start", "--region", "basis", "--as", "pol").out.strip()


def test_a_backup_is_a_private_copy_that_works_as_the_database(thv, with_case, tmp_path, monkeypatch):
    target = tmp_path / "kopie.sqlite"
    made = thv("backup", str(target), "--json")
    assert made.code == 0, made.err
    data = made.json()
    assert (data["path"], data["cases"]) == (str(target), 1)
    copy = make_engine(f"sqlite:///{target}")
    try:
        state = schema_state(copy)
    finally:
        copy.dispose()
    assert data["schema"] == state.current == state.expected  # at the newest migration, as the database
    assert data["bytes"] == target.stat().st_size > 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # personal data: the owner only
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".deel")] == []
    text = thv("backup", str(tmp_path / "tweede.sqlite")).out.strip()
    assert text.startswith(f"back-up geschreven naar {tmp_path / 'tweede.sqlite'}: 1 zaken, ")
    # The copy is the database: the application runs on it as it is.
    monkeypatch.setenv("THV_DATABASE_URL", f"sqlite:///{target}")
    assert thv("case", with_case, "--json").json()["id"] == int(with_case)


def test_a_backup_takes_what_is_committed_while_a_write_is_under_way(thv, with_case, tmp_path):
    writer = sqlite3.connect(tmp_path / "thv.sqlite", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # the application's write lock is held, its change not yet committed
        writer.execute("UPDATE thv_case SET region = 'pilot1'")
        target = tmp_path / "midden.sqlite"
        assert thv("backup", str(target)).code == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT region FROM thv_case").fetchall() == [("basis",)]
    copy.close()


def test_refusals_write_nothing(thv, with_case, tmp_path, monkeypatch):
    existing = tmp_path / "al.sqlite"
    existing.write_bytes(b"oud")
    _refused(thv("backup", str(existing)), "bestaat al; een back-up overschrijft niets")
    assert existing.read_bytes() == b"oud"
    _refused(thv("backup", str(tmp_path / "geen" / "map.sqlite")), "de map", "bestaat niet")
    _refused(thv("backup", str(tmp_path / "thv.sqlite")), "niet naar het databasebestand zelf")
    monkeypatch.setenv("THV_DATABASE_URL", "sqlite://")
    _refused(thv("backup", str(tmp_path / "leeg.sqlite")), "staat alleen in het geheugen")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".sqlite", ".deel")) == ["al.sqlite", "thv.sqlite"]


def test_a_file_that_is_no_database_of_this_application_is_refused(thv, tmp_path, monkeypatch):
    other = tmp_path / "ander.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE iets (x)").connection.close()
    monkeypatch.setenv("THV_DATABASE_URL", f"sqlite:///{other}")
    _refused(thv("backup", str(tmp_path / "kopie.sqlite")), "geen database van het zaaksysteem")
    assert not (tmp_path / "kopie.sqlite").exists()
    assert [p for p in os.listdir(tmp_path) if p.endswith(".deel")] == []


def test_postgresql_is_pointed_to_its_own_tools(thv, tmp_path, postgres_server, monkeypatch):
    monkeypatch.setenv("THV_DATABASE_URL", postgres_server.url("thv_test"))
    _refused(thv("backup", str(tmp_path / "pg.sqlite")), "pg_dump")
    assert not (tmp_path / "pg.sqlite").exists()

"""A consistent copy of an SQLite database while the application runs (``thv backup``).

Copying the file itself is not a backup: in WAL mode (engine.storage.db) the latest commits may sit in the
``-wal`` file, and a copy taken during a write can be torn. SQLite's online backup copies a committed state
page by page while others go on writing. The copy holds personal data: only its owner may read it (0600).
PostgreSQL has its own tools (pg_dump, the server's backups), so this refuses it.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from engine.base.errors import InvalidInput


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int  # bytes
    cases: int
    schema: str | None  # the migration the copy is at (alembic_version)


def backup_sqlite(engine: Engine, destination: Path) -> Backup:
    """Write a checked copy of the database to ``destination``, which must not exist yet."""
    if engine.dialect.name != "sqlite":
        raise InvalidInput(
            "thv backup is voor een SQLite-database; maak een back-up van PostgreSQL met pg_dump "
            "of met de back-ups van de databaseserver"
        )
    source_file = engine.url.database
    if not source_file or source_file == ":memory:":
        raise InvalidInput("deze database staat alleen in het geheugen; er is niets om te bewaren")
    destination = destination.expanduser()
    if not destination.parent.is_dir():
        raise InvalidInput(f"de map {destination.parent} bestaat niet")
    if destination.resolve() == Path(source_file).resolve():
        raise InvalidInput("de back-up kan niet naar het databasebestand zelf")
    if destination.exists() or destination.is_symlink():
        raise InvalidInput(f"{destination} bestaat al; een back-up overschrijft niets, kies een nieuwe naam")
    partial = destination.with_name(f".{destination.name}.{os.getpid()}.deel")
    try:
        _copy(engine, partial)
        result = _checked(partial)
        if destination.exists():  # appeared while copying: still never overwrite
            raise InvalidInput(f"{destination} bestaat al; een back-up overschrijft niets, kies een nieuwe naam")
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(destination, destination.stat().st_size, *result)


def _copy(engine: Engine, target: Path) -> None:
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private before a byte is written
    os.close(descriptor)
    raw = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(copy)  # type: ignore[union-attr]
        finally:
            copy.close()
    finally:
        raw.close()


def _checked(target: Path) -> tuple[int, str | None]:
    """The copy opens, passes SQLite's integrity check, and holds the application's tables."""
    copy = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise InvalidInput("de kopie is niet in orde (integrity_check); er is geen back-up geschreven")
        try:
            cases = copy.execute("SELECT count(*) FROM thv_case").fetchone()[0]
            schema = copy.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            raise InvalidInput("dit is geen database van het zaaksysteem (thv init-db is nog niet gedaan)") from None
    finally:
        copy.close()
    return int(cases), schema[0] if schema else None

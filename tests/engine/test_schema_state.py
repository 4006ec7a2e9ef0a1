"""A node refuses to run on a schema its code was not written for, and says in Dutch what to do."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.base.errors import ConfigurationError
from engine.storage.db import upgrade_schema
from engine.storage.schema_state import require_current_schema, schema_state


def _set_version(engine, version: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})


def test_the_schema_state_follows_the_migrations(fresh_engine):
    empty = schema_state(fresh_engine)
    assert empty.current is None and not empty.up_to_date
    assert empty.problem() == "de database heeft nog geen schema: draai eerst 'thv init-db'"

    upgrade_schema(fresh_engine)
    current = schema_state(fresh_engine)
    assert current.up_to_date and current.problem() is None
    require_current_schema(fresh_engine)  # passes

    _set_version(fresh_engine, "0019")
    behind = schema_state(fresh_engine)
    assert behind.known and behind.problem() == (
        f"het databaseschema staat op 0019, deze versie heeft {current.expected} nodig: draai eerst 'thv init-db'"
    )
    with pytest.raises(ConfigurationError, match="draai eerst 'thv init-db'"):
        require_current_schema(fresh_engine)

    _set_version(fresh_engine, "9999")  # migrated by a newer version on another node
    ahead = schema_state(fresh_engine)
    assert not ahead.known and "is nieuwer dan deze versie kent" in (ahead.problem() or "")

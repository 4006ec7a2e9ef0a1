"""Whether the database's schema is the one this version of the code was written for.

Code and schema change together (engine/storage/migrations). A node started on a schema that
``thv init-db`` has not brought up to date, or kept running after another node upgraded it, would
fail on its first query that touches what changed; instead it refuses to start and its readiness
check says why (web/health.py), so the load balancer takes it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine, inspect, text

from engine.base.errors import ConfigurationError
from engine.storage.db import MIGRATIONS


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # the migration the database is at; None: no schema yet
    expected: str  # the newest migration of this code
    known: bool  # this code knows ``current`` (a newer node's migration is unknown to it)

    @property
    def up_to_date(self) -> bool:
        return self.current == self.expected

    def problem(self) -> str | None:
        """In Dutch, what is wrong and what to do; None when the schema fits."""
        if self.up_to_date:
            return None
        if self.current is None:
            return "de database heeft nog geen schema: draai eerst 'thv init-db'"
        if self.known:
            return (
                f"het databaseschema staat op {self.current}, deze versie heeft {self.expected} nodig: "
                "draai eerst 'thv init-db'"
            )
        return (
            f"het databaseschema ({self.current}) is nieuwer dan deze versie kent ({self.expected}): "
            "werk deze node bij naar de versie die het schema heeft bijgewerkt"
        )


@lru_cache(maxsize=1)
def _migrations() -> tuple[str, frozenset[str]]:
    """The newest migration and all migrations of this code (read once per process)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(MIGRATIONS))
    head = scripts.get_current_head()
    assert head is not None
    return head, frozenset(script.revision for script in scripts.walk_revisions())


def schema_state(engine: Engine) -> SchemaState:
    """Where the database's schema stands against this code; database errors pass through."""
    head, known = _migrations()
    with engine.connect() as connection:
        current = (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if inspect(connection).has_table("alembic_version")
            else None  # a database nobody has set up
        )
    return SchemaState(current, head, current is None or current in known)


def require_current_schema(engine: Engine) -> None:
    """Refuse, in one Dutch line, to run on a schema this code was not written for."""
    problem = schema_state(engine).problem()
    if problem is not None:
        raise ConfigurationError(problem)

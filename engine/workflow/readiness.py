"""Whether this installation can do its work now: the one judgement behind /health/ready and ``thv status``.

Ready means: the database answers, its schema is the one this code was written for
(engine.storage.schema_state), and, where timers run in their own processes (production), a
timer worker swept within the last two minutes (engine.workflow.heartbeats).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from engine.storage.db import DATABASE_UNAVAILABLE, ping
from engine.storage.schema_state import schema_state
from engine.workflow.heartbeats import STALE_AFTER, TimerHealth, timer_health


@dataclass(frozen=True)
class Readiness:
    database: bool  # the database answers
    schema_problem: str | None = None  # in Dutch; None: the schema fits this code
    timers: TimerHealth | None = None  # None: not known (the database or the schema is not right)
    timer_problem: str | None = None  # in Dutch; None: timers run (or this process may run them itself)

    @property
    def ready(self) -> bool:
        return self.database and self.schema_problem is None and self.timer_problem is None

    def reasons(self) -> list[str]:
        """What stands in the way, in Dutch; empty when ready."""
        if not self.database:
            return ["de database is niet bereikbaar"]
        return [problem for problem in (self.schema_problem, self.timer_problem) if problem]


def readiness(session: Session, now: datetime, *, timers_elsewhere: bool) -> Readiness:
    """How things stand now; ``timers_elsewhere``: timers must run in their own workers (production)."""
    if not ping(session):
        return Readiness(database=False)
    try:
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        schema = schema_state(engine).problem()
        if schema is not None:
            return Readiness(database=True, schema_problem=schema)
        timers = timer_health(session, now)
    except DATABASE_UNAVAILABLE:
        return Readiness(database=False)
    problem = None
    if timers_elsewhere and not timers.fresh(now):
        minutes = int(STALE_AFTER.total_seconds() // 60)
        problem = f"geen timersweep in de laatste {minutes} minuten: draait 'thv timers --loop'?"
    return Readiness(database=True, timers=timers, timer_problem=problem)

"""Timer workers report each successful sweep; readiness checks and metrics read the reports.

One row per worker (host and process), overwritten after every sweep that reached the
database: the time, how many timer events fired and how long it took. Several web nodes
and timer workers share one PostgreSQL, so this is how a web node knows timers run at all.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.base.clock import Clock
from engine.base.observe import emit
from engine.modeling.registry import ModelRegistry
from engine.notify.sender import Mailer
from engine.storage.tables import Case, TimerHeartbeat
from engine.storage.transaction import discard, in_transaction
from engine.workflow.timers import fire_due_timers

# A worker that has not swept for this long is taken as stopped (the loop sweeps every few seconds;
# after database errors it waits at most --max-pause, 60 s by default).
STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class TimerHealth:
    latest_sweep: datetime | None  # of any worker
    workers: int  # workers that swept within STALE_AFTER
    due: int  # cases whose next timer is due and not yet fired (the backlog)

    def fresh(self, now: datetime) -> bool:
        return self.latest_sweep is not None and now - self.latest_sweep <= STALE_AFTER


def record_sweep(session: Session, worker: str, *, at: datetime, fired: int, duration_ms: int) -> None:
    """Record a successful sweep of ``worker`` (one transaction)."""

    def work() -> None:
        row = session.get(TimerHeartbeat, worker)
        if row is None:
            session.add(TimerHeartbeat(worker=worker[:200], swept_at=at, fired=fired, duration_ms=duration_ms))
        else:
            row.swept_at, row.fired, row.duration_ms = at, fired, duration_ms

    in_transaction(session, work)


def sweep(session: Session, registry: ModelRegistry, clock: Clock, worker: str, mailer: Mailer | None = None) -> int:
    """One timer sweep as a worker runs it: fire what is due, report it (heartbeat, ``sweep`` event).

    With a ``mailer`` the sweep then sends the due notification mails (after the timers, so the mails of the
    tasks the timers made ready go out at once); a failing mail server is logged there and stops nothing.
    """
    started = time.perf_counter()
    fired = fire_due_timers(session, registry, clock)
    duration = time.perf_counter() - started
    record_sweep(session, worker, at=clock.now(), fired=fired, duration_ms=round(duration * 1000))
    emit("sweep", duration_seconds=duration, fired=fired)
    if mailer is not None:
        mailer.run(session)
    return fired


def worker_name(thread: str | None = None) -> str:
    """This process as a timer worker: host and process id (and thread, for the web app's own sweeper)."""
    return f"{socket.gethostname()}:{os.getpid()}" + (f"/{thread}" if thread else "")


def timer_health(session: Session, now: datetime) -> TimerHealth:
    """How the timers stand: the latest sweep, the live workers and the due backlog (reads only)."""
    latest = session.scalar(select(func.max(TimerHeartbeat.swept_at)))
    workers = session.scalar(select(func.count()).where(TimerHeartbeat.swept_at >= now - STALE_AFTER)) or 0
    due = session.scalar(select(func.count()).where(Case.status == "active", Case.next_timer_at <= now)) or 0
    discard(session)
    return TimerHealth(latest, int(workers), int(due))

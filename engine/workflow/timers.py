"""The timer sweep: fire what is due, one case per transaction.

Only cases whose indexed ``next_timer_at`` has passed are loaded. On PostgreSQL
each case is claimed with ``FOR UPDATE SKIP LOCKED``, so several workers can
sweep at once and a timer never fires twice. SQLite has no row locks: there the
case's version column makes the slower of two workers get a conflict, and a
conflict only skips the case.

A case whose timer cannot run (a failing expression or script, one over its budget) is
parked (engine.workflow.parking); the sweep goes on with the other cases.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from engine.base.clock import Clock
from engine.base.errors import Conflict, ScriptStopped, ThvError
from engine.base.log_context import bind_case
from engine.modeling.registry import ModelRegistry
from engine.storage.tables import Case
from engine.storage.transaction import discard, in_transaction
from engine.workflow.acts import fire_due
from engine.workflow.case_store import open_workflow
from engine.workflow.parking import park_case

log = logging.getLogger(__name__)


def fire_due_timers(session: Session, registry: ModelRegistry, clock: Clock, *, max_cases: int = 10_000) -> int:
    """Fire every timer due at ``clock.now()``; returns how many timer events fired."""
    now = clock.now()
    fired = 0
    after: tuple[datetime | None, int] | None = None  # keyset position (next_timer_at, id): each case once per position
    for _ in range(max_cases):
        query = (
            select(Case)
            .where(Case.status == "active", Case.next_timer_at <= now)
            .order_by(Case.next_timer_at, Case.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )  # the locked row, not a cached copy
        if after is not None:
            query = query.where(
                or_(Case.next_timer_at > after[0], and_(Case.next_timer_at == after[0], Case.id > after[1]))
            )
        case = session.scalars(query).first()
        if case is None:
            discard(session)
            break
        case_id, version = case.id, case.lock_version
        bind_case(case_id)
        after = (case.next_timer_at, case_id)
        try:
            fired += in_transaction(session, partial(_fire_case, session, registry, clock, case))
        except Conflict as exc:
            # Someone else changed the case between load and save (SQLite has no row
            # locks). Not the case's fault: leave it to the next sweep.
            log.info("timer van zaak %s overgeslagen: %s", case_id, exc.message)
        except (OperationalError, InterfaceError):
            raise  # the database is unwell, not the case; stop this sweep
        except ThvError as exc:
            log.error("timer van zaak %s mislukt: %s", case_id, exc.message)
            park_case(
                session, case_id, version, exc.message, now, getattr(exc, "element", None),
                budget=isinstance(exc, ScriptStopped),
            )  # fmt: skip
        except Exception as exc:
            log.exception("timer van zaak %s mislukt", case_id)
            park_case(session, case_id, version, f"de timer liep vast: {exc}", now)
    bind_case(None)
    return fired


def _fire_case(session: Session, registry: ModelRegistry, clock: Clock, case: Case) -> int:
    _, workflow = open_workflow(session, registry, case)
    return fire_due(session, case, workflow, clock.now())

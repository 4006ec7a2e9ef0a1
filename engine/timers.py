"""The timer sweep: fire what is due, one case per transaction.

Only cases whose indexed ``next_timer_at`` has passed are loaded. On PostgreSQL
each case is claimed with ``FOR UPDATE SKIP LOCKED``, so several workers can
sweep at once and a timer never fires twice.
"""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import workflow_state as ws
from engine.case_store import SYSTEM_ACTOR, open_workflow, record_event, save_case
from engine.cases import _transaction
from engine.clock import Clock, engine_time
from engine.errors import ThvError
from engine.models import Case
from engine.registry import ModelRegistry

log = logging.getLogger(__name__)


def fire_due_timers(session: Session, registry: ModelRegistry, clock: Clock, *, max_cases: int = 10_000) -> int:
    """Fire every timer due at ``clock.now()``; returns how many timer events fired."""
    now = clock.now()
    fired = 0
    seen: set[int] = set()
    while len(seen) < max_cases:
        query = (select(Case).where(Case.status == "active", Case.next_timer_at <= now)
                 .order_by(Case.next_timer_at).limit(1).with_for_update(skip_locked=True))
        if seen:
            query = query.where(Case.id.not_in(seen))
        case = session.scalars(query).first()
        if case is None:
            session.rollback()
            break
        seen.add(case.id)
        try:
            fired += _transaction(session, lambda: _fire_case(session, registry, clock, case))
        except ThvError as exc:
            _mark_error(session, case.id, exc.message, now)
    return fired


def _fire_case(session: Session, registry: ModelRegistry, clock: Clock, case: Case) -> int:
    _, workflow = open_workflow(session, registry, case)
    now = clock.now()
    with engine_time(clock):
        due = ws.due_timer_count(workflow, now)
        completed_before = ws.completed_ids(ws.all_tasks(workflow))
        workflow.refresh_timers()
        workflow.do_engine_steps()
    save_case(session, case, workflow, actor=SYSTEM_ACTOR, now=now, action="timer",
              element=None, completed_before=completed_before, detail={"timers": due})
    return due


def _mark_error(session: Session, case_id: int, message: str, now) -> None:
    """A case whose timer cannot run is parked as 'error' so the sweep does not retry it forever."""
    log.error("timer van zaak %s mislukt: %s", case_id, message)
    case = session.get(Case, case_id)
    case.status = "error"
    case.error = message
    case.updated_at = now
    record_event(session, case, actor=SYSTEM_ACTOR, action="fout", now=now, detail={"fout": message})
    session.commit()

"""Parking a case: a case whose model cannot go on (a failing timer, a script over its
budget) gets status 'error' and a 'fout' event naming the element, so no sweep or
caseworker keeps hitting the same wall. A designer fixes the model and migrates the case
to the corrected version, which makes it active again (engine.design.case_migration).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.base.errors import Conflict
from engine.base.vocabulary import PARKED_STATUS, Action
from engine.storage.tables import Case, CaseEvent
from engine.storage.transaction import in_transaction
from engine.workflow.case_store import SYSTEM_ACTOR, record_event

log = logging.getLogger(__name__)


def park_case(
    session: Session,
    case_id: int,
    version: int,
    message: str,
    now: datetime,
    element: str | None = None,
    *,
    budget: bool = False,
) -> bool:
    """Park the case in its own transaction; returns whether it was parked.

    The failed attempt was rolled back (and its row lock released), so the case is locked
    again and parked only if nobody changed it in between: another worker may already
    have handled it.
    """

    def work() -> bool:
        case = session.scalars(
            select(Case).where(Case.id == case_id).with_for_update().execution_options(populate_existing=True)
        ).first()
        if case is None or case.status != "active" or case.lock_version != version:
            return False
        case.status = PARKED_STATUS
        case.error = message
        case.updated_at = now
        detail = {"fout": message, **({"element": element} if element else {}), **({"budget": True} if budget else {})}
        record_event(session, case, actor=SYSTEM_ACTOR, action=Action.ERROR, element=element, now=now, detail=detail)
        return True

    try:
        return in_transaction(session, work)
    except Conflict as exc:
        # Changed under our feet after all, or the database is busy: whoever comes next looks again.
        log.info("zaak %s niet geparkeerd: %s", case_id, exc.message)
        return False


# What the designer reads for a stop other than a budget stop: an error text of model code may quote case data.
UNSPECIFIED = "het model liep vast; de foutmelding staat bij de zaak (alleen voor wie de zaak mag inzien)"


@dataclass(frozen=True)
class ParkedCase:
    """A parked case on the designer's version page: where the model stopped and why (no case data)."""

    case_id: int
    element: str | None
    reason: str
    since: datetime


def parked_cases(session: Session, model_version_id: int, limit: int = 50) -> list[ParkedCase]:
    """The parked cases on a version, newest first, with the element of their last 'fout' event."""
    last_error = (
        select(CaseEvent.case_id, func.max(CaseEvent.id).label("event_id"))
        .where(CaseEvent.action == Action.ERROR.value)
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    rows = session.execute(
        select(Case.id, Case.error, Case.updated_at, CaseEvent.element, CaseEvent.detail)
        .outerjoin(last_error, last_error.c.case_id == Case.id)
        .outerjoin(CaseEvent, CaseEvent.id == last_error.c.event_id)
        .where(Case.model_version_id == model_version_id, Case.status == PARKED_STATUS)
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return [
        ParkedCase(case_id, element, (error or "") if _budget_stop(detail) else UNSPECIFIED, since)
        for case_id, error, since, element, detail in rows
    ]


def _budget_stop(detail: str | None) -> bool:
    try:
        return bool(detail) and json.loads(detail or "{}").get("budget") is True
    except ValueError:
        return False

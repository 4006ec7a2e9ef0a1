"""Retention that destroys (Wth art. 10(1)): the beschikkingen are kept five years "en vervolgens
vernietigd"; cases that ended without a ban are kept for the period their model states.

``thv retention`` first shows what is due (:func:`retention_plan`, nothing changes); with
``--destroy`` it destroys each due case in its own transaction (:func:`destroy_due`):

* the workflow (the case row's text, its replay state and the archived subprocesses), the
  documents with their PDFs, the service records and the persons (engine.cases.persons) are deleted;
* the case events keep what happened when (action, element, milestone, time, actor) for the
  dashboard's anonymous figures, but lose their details (except the start's model version, role
  and route, which name no one); break-the-glass reasons are blanked;
* the case row stays as a husk (region, variant, status, dates) marked ``destroyed_at``;
* a destruction report without personal data is recorded (``destruction_report``).

The processing log (engine.workflow.processing_log) holds no case content and stays.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from engine.base.clock import add_legal_term, parse_instant
from engine.base.errors import InvalidInput
from engine.base.vocabulary import PROPERTY_RETENTION_WITHOUT_BAN, REGION_CODES, Action
from engine.cases.operations import details_of
from engine.modeling.registry import ModelRegistry
from engine.storage.document_tables import Document, ServiceRecord
from engine.storage.tables import Case, CaseAccessGrant, CaseArchive, CaseEvent, DestructionReport, Person
from engine.storage.transaction import in_transaction
from engine.workflow import state as ws
from engine.workflow.ban_state import record_ban
from engine.workflow.case_store import open_workflow

log = logging.getLogger(__name__)

BAN_RETENTION = "P5Y"  # Wth art. 10(1)
ENDED = ("completed", "terminated")
DESTROYED_TEXT = "[vernietigd]"
HUSK = json.dumps({"vernietigd": True})


@dataclass(frozen=True)
class RetentionItem:
    """An ended case and when it is to be destroyed: ``due`` None when no rule applies (``rule`` says why)."""

    case_id: int
    region: str
    variant: str
    ended_at: datetime | None
    rule: str
    due: datetime | None
    is_due: bool


def _rule(session: Session, registry: ModelRegistry, case: Case) -> tuple[str, datetime | None]:
    model, workflow = open_workflow(session, registry, case)
    variables: dict[str, Any] = details_of(session, case, workflow)["variables"]
    ban = variables.get("huisverbod")
    last = ban.get("laatste_beschikking_op") if isinstance(ban, dict) else None
    if isinstance(last, str):
        return "Wth 10(1): vijf jaar na de laatste beschikking", add_legal_term(parse_instant(last), BAN_RETENTION)
    period = ws.start_event_properties(model.spec).get(PROPERTY_RETENTION_WITHOUT_BAN)
    if period and case.ended_at is not None:
        return (
            f"model: {period} na het einde van een zaak zonder huisverbod",
            add_legal_term(case.ended_at, period),
        )
    return "het model noemt geen bewaartermijn voor een zaak zonder huisverbod", None


def retention_plan(
    session: Session, registry: ModelRegistry, now: datetime, region: str | None = None
) -> list[RetentionItem]:
    """Every ended case not yet destroyed, with its rule and whether it is due at ``now`` (changes nothing)."""
    if region is not None and region not in REGION_CODES:
        raise InvalidInput(f"regio '{region}' bestaat niet")
    query = select(Case).where(Case.status.in_(ENDED), Case.destroyed_at.is_(None)).order_by(Case.id)
    if region is not None:
        query = query.where(Case.region == region)
    items = []
    for case in session.scalars(query).all():
        rule, due = _rule(session, registry, case)
        items.append(
            RetentionItem(case.id, case.region, case.variant, case.ended_at, rule, due, due is not None and due <= now)
        )
    return items


def destroy_due(
    session: Session, registry: ModelRegistry, now: datetime, actor: str, region: str | None = None
) -> list[DestructionReport]:
    """Destroy every case that is due; one transaction per case; returns the destruction reports."""
    reports = []
    for item in retention_plan(session, registry, now, region):
        if item.is_due:
            reports.append(in_transaction(session, partial(_destroy, session, item, now, actor)))
            log.warning("zaak %s vernietigd (%s)", item.case_id, item.rule)
    return reports


def _count(session: Session, model: Any, case_id: int) -> int:
    return session.scalar(select(func.count()).select_from(model).where(model.case_id == case_id)) or 0


def _destroy(session: Session, item: RetentionItem, now: datetime, actor: str) -> DestructionReport:
    case = session.scalars(
        select(Case).where(Case.id == item.case_id).with_for_update().execution_options(populate_existing=True)
    ).one()
    counts = {
        "documents": _count(session, Document, case.id),
        "service_records": _count(session, ServiceRecord, case.id),
        "events": _count(session, CaseEvent, case.id),
        "archive": _count(session, CaseArchive, case.id),
        "persons": _count(session, Person, case.id),
    }
    session.execute(delete(ServiceRecord).where(ServiceRecord.case_id == case.id))
    session.execute(delete(Document).where(Document.case_id == case.id))
    session.execute(delete(CaseArchive).where(CaseArchive.case_id == case.id))
    session.execute(delete(Person).where(Person.case_id == case.id))
    # The start event's detail (model version, role, route) feeds the dashboard and names no one; the rest may.
    session.execute(
        update(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.action != Action.CASE_STARTED.value)
        .values(detail=None)
    )
    session.execute(update(CaseAccessGrant).where(CaseAccessGrant.case_id == case.id).values(reason=DESTROYED_TEXT))
    case.workflow_json = HUSK
    case.replay_json = None
    case.replay_event_id = None
    case.error = None
    case.set_address(None)
    record_ban(case, None)
    case.destroyed_at = now
    report = DestructionReport(
        case_id=case.id,
        region=case.region,
        variant=case.variant,
        rule=item.rule,
        due=item.due or now,
        destroyed_at=now,
        destroyed_by=actor[:80],
        counts=json.dumps(counts, sort_keys=True),
    )
    session.add(report)
    return report

"""Proof of service (uitreiking): how each document reached each person, and what it proves.

``record_service`` stores one service record and the audit event ``uitgereikt`` in one
transaction. ``service_status`` says whether the ban counts as served: only a service
record of the current beschikking (and, after an extension, of a verlengingsbeschikking
that covers the latest extension) to the uithuisgeplaatste counts. For a besluit an oral
notice ("mondeling aangezegd") is recorded but does not count: the written decision must
follow (Wth 2(7)). ``require_service`` is the hook engine.cases.operations.complete_task calls for a
user task with the property ``requiresService``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any, TypedDict

from SpiffWorkflow.task import Task
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.clock import Clock, parse_instant
from engine.base.errors import ConfigurationError, Conflict, Forbidden, InvalidInput, NotFound
from engine.base.vocabulary import CASE_ROLE_CODES, PROPERTY_REQUIRES_SERVICE, Action
from engine.documents.generation import documents_for_case, latest, readable, reader_roles, source_of
from engine.documents.read_models import (
    DecisionServiceStatus,
    DocumentVersion,
    ExtensionServiceStatus,
    ServiceRecordView,
    ServiceStatus,
)
from engine.modeling.document_rules import (
    KINDS,
    METHODS,
    RECIPIENT_NOUNS,
    RECIPIENT_ROLES,
    required_services,
)
from engine.storage.document_tables import Document, ServiceRecord
from engine.storage.tables import Case, CaseEvent, User
from engine.storage.transaction import in_transaction
from engine.workflow import state as ws
from engine.workflow.case_store import lock_case, record_event
from engine.workflow.need_to_know import case_access
from engine.workflow.processing_log import READ, log_processing

NOTE_MAX = 2000


def kind_title(kind: str) -> str:
    from engine.documents.templates import load_spec, lower_first

    try:
        return lower_first(load_spec(kind).title)
    except ConfigurationError:
        return kind


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _recipient_name(document: Document, recipient_role: str, given: str | None) -> str:
    source = source_of(document)
    name = " ".join((given or "").split())
    expected: str | None = source.get("uithuisgeplaatste_naam") if recipient_role == "uithuisgeplaatste" else None
    if recipient_role == "uithuisgeplaatste" and expected:
        if not name:
            return expected
        if not _same_name(name, expected):
            raise InvalidInput(f"de uithuisgeplaatste in deze zaak is {expected}, niet {name}", "recipient_name")
    if recipient_role == "achterblijver" and source.get("achterblijvers") and name:
        known = [a.get("naam", "") for a in source["achterblijvers"] if isinstance(a, dict)]
        if not any(_same_name(name, k) for k in known):
            raise InvalidInput(f"{name} is geen achterblijver in deze zaak (wel: {', '.join(known)})", "recipient_name")
    if not name:
        raise InvalidInput("vul de naam van de ontvanger in", "recipient_name")
    if len(name) > 200:
        raise InvalidInput("de naam van de ontvanger is te lang (maximaal 200 tekens)", "recipient_name")
    return name


def _served_at(value: datetime | str, document: Document, method: str, now: datetime) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInput("tijdstip van uitreiken: geef de tijdzone mee", "served_at")
        moment = value
    else:
        try:
            moment = parse_instant(value)
        except (TypeError, ValueError, AttributeError, OverflowError):
            raise InvalidInput("tijdstip van uitreiken: geef een datum en tijd (ISO 8601)", "served_at") from None
    if moment > now:
        raise InvalidInput("het tijdstip van uitreiken ligt in de toekomst", "served_at")
    if method != "mondeling_aangezegd" and moment < document.generated_at:
        # A form gives the minute; a document made at 21:15:37 and handed over "at 21:15" was served
        # in that minute, after it was made: it counts from the moment it was made.
        if moment >= document.generated_at.replace(second=0, microsecond=0):
            return document.generated_at
        raise InvalidInput(
            "het tijdstip van uitreiken ligt vóór het maken van dit document "
            f"(versie {document.version}); leg de uitreiking vast bij het document dat is uitgereikt",
            "served_at",
        )
    return moment


def record_service(
    session: Session,
    clock: Clock,
    *,
    document_id: int,
    recipient_role: str,
    method: str,
    served_at: datetime | str,
    user: User,
    recipient_name: str | None = None,
    note: str | None = None,
    role: str | None = None,
) -> ServiceRecord:
    """Record that a document version reached a recipient; one transaction with the audit event.

    For the uithuisgeplaatste the name defaults to, and must match, the name in the document.
    Refusing to sign needs a note on the circumstances.
    """

    def work() -> ServiceRecord:
        document = session.get(Document, document_id)
        if document is None or document.region not in user.regions:
            raise NotFound(f"document {document_id} bestaat niet")
        case = lock_case(session, document.case_id, regions=user.regions)
        kind, title = KINDS[document.kind], kind_title(document.kind)
        if method not in METHODS:
            raise InvalidInput(f"onbekende wijze van uitreiken '{method}'; kies uit {', '.join(METHODS)}", "method")
        way = METHODS[method]
        if recipient_role not in kind.recipients:
            allowed = ", ".join(RECIPIENT_NOUNS[r] for r in kind.recipients)
            raise InvalidInput(f"een {title} gaat niet naar '{recipient_role}'; wel naar: {allowed}", "recipient_role")
        if recipient_role not in way.recipients:
            raise InvalidInput(f"'{way.label}' kan niet bij {RECIPIENT_NOUNS[recipient_role]}", "method")
        may = [r for r in sorted(kind.servers & way.recorders) if r in user.roles and (role is None or r == role)]
        if not may:
            raise Forbidden(
                f"'{way.label}' van een {title} leggen alleen vast: {', '.join(sorted(kind.servers & way.recorders))}"
            )
        text = (note or "").strip() or None
        if text and len(text) > NOTE_MAX:
            raise InvalidInput(f"de toelichting is te lang (maximaal {NOTE_MAX} tekens)", "note")
        if method == "in_persoon_geweigerd" and not text:
            raise InvalidInput("beschrijf bij een geweigerde handtekening de omstandigheden in de toelichting", "note")
        now = clock.now()
        record = ServiceRecord(
            document_id=document.id,
            case_id=case.id,
            region=case.region,
            recipient_name=_recipient_name(document, recipient_role, recipient_name),
            recipient_role=recipient_role,
            method=method,
            served_at=_served_at(served_at, document, method, now),
            recorded_at=now,
            recorded_by=user.name,
            recorded_role=may[0],
            note=text,
        )
        session.add(record)
        session.flush()
        record_event(
            session,
            case,
            actor=user.name,
            action=Action.SERVED,
            element=document.kind,
            now=now,
            detail={
                "document_id": document.id,
                "soort": document.kind,
                "versie": document.version,
                "sha256": document.sha256,
                "ontvanger": record.recipient_name,
                "rol": recipient_role,
                "wijze": method,
                "uitgereikt_op": record.served_at.isoformat(),
            },
        )
        return record

    return in_transaction(session, work)


def service_record(record: ServiceRecord) -> ServiceRecordView:
    """A stored service record as the pages, the API and the CLI show it."""
    way = METHODS[record.method]
    return ServiceRecordView(
        id=record.id,
        document_id=record.document_id,
        recipient_name=record.recipient_name,
        recipient_role=record.recipient_role,
        recipient_role_label=RECIPIENT_ROLES.get(record.recipient_role, record.recipient_role),
        method=record.method,
        method_label=way.label,
        proof=way.proof,
        served_at=record.served_at.isoformat(),
        recorded_at=record.recorded_at.isoformat(),
        recorded_by=record.recorded_by,
        recorded_role=record.recorded_role,
        note=record.note,
    )


def records_of(session: Session, document_ids: list[int]) -> dict[int, list[ServiceRecord]]:
    found: dict[int, list[ServiceRecord]] = {i: [] for i in document_ids}
    if document_ids:
        for record in session.scalars(
            select(ServiceRecord)
            .where(ServiceRecord.document_id.in_(document_ids))
            .order_by(ServiceRecord.served_at, ServiceRecord.id)
        ):
            found[record.document_id].append(record)
    return found


def counts(document: Document, record: ServiceRecord, recipient_role: str) -> bool:
    """Whether a record makes the document count as served to ``recipient_role``."""
    return record.recipient_role == recipient_role and (
        METHODS[record.method].written or not KINDS[document.kind].decision
    )


def _case(session: Session, case_id: int, user: User | None) -> Case:
    case = session.get(Case, case_id)
    if case is None or (user is not None and case.region not in user.regions):
        raise NotFound(f"zaak {case_id} bestaat niet")
    return case


def documents_of_case(session: Session, case_id: int, user: User, now: datetime) -> list[DocumentVersion]:
    """Every document version of a case the user may see (need-to-know, then reader rules), with its service.

    The read is logged (engine.workflow.processing_log).
    """
    roles = reader_roles(session, case_id, user, now)
    case = _case(session, case_id, user)
    log_processing(
        session, actor=user.name, roles=roles, region=case.region, case_id=case_id,
        activity="documenten_inzien", operation=READ, now=now,
    )  # fmt: skip
    return versions_for_roles(session, case_id, roles)


def versions_for_roles(session: Session, case_id: int, roles: frozenset[str]) -> list[DocumentVersion]:
    """The document versions of a case that ``roles`` may read, for a caller that already applied
    need-to-know (``roles`` from reader_roles); neither checked nor logged here."""
    documents = [d for d in documents_for_case(session, case_id) if readable(d, roles)]
    newest = {d.kind: d.version for d in documents}
    records = records_of(session, [d.id for d in documents])
    return [
        DocumentVersion(
            id=d.id,
            case_id=d.case_id,
            kind=d.kind,
            title=kind_title(d.kind),
            version=d.version,
            current=d.version == newest[d.kind],
            template_version=d.template_version,
            generated_at=d.generated_at.isoformat(),
            generated_by=d.generated_by,
            generated_role=d.generated_role,
            sha256=d.sha256,
            pdf_sha256=d.pdf_sha256,
            service=tuple(service_record(r) for r in records[d.id]),
            served_to=tuple(sorted({r.recipient_role for r in records[d.id] if counts(d, r, r.recipient_role)})),
        )
        for d in documents
    ]


def _latest_extension_end(session: Session, case_id: int) -> datetime | None:
    detail = session.scalars(
        select(CaseEvent.detail)
        .where(
            CaseEvent.case_id == case_id, CaseEvent.milestone == "huisverbod_verlengd", CaseEvent.revoked_by.is_(None)
        )
        .order_by(CaseEvent.id.desc())
        .limit(1)
    ).first()
    end = (json.loads(detail).get("huisverbod") or {}).get("einde") if detail else None
    return parse_instant(end) if isinstance(end, str) else None


class _StatusFields(TypedDict):
    """The fields of a DecisionServiceStatus, for it and for ExtensionServiceStatus to be built from."""

    document_id: int | None
    version: int | None
    served: bool
    service: tuple[ServiceRecordView, ...]
    proof: ServiceRecordView | None


def _status(session: Session, document: Document | None, recipient_role: str = "uithuisgeplaatste") -> _StatusFields:
    """The fields of a DecisionServiceStatus of ``document`` for ``recipient_role``."""
    if document is None:
        return {"document_id": None, "version": None, "served": False, "service": (), "proof": None}
    records = records_of(session, [document.id])[document.id]
    valid = [r for r in records if counts(document, r, recipient_role)]
    strongest = min(valid, key=lambda r: list(METHODS).index(r.method)) if valid else None
    return {
        "document_id": document.id,
        "version": document.version,
        "served": bool(valid),
        "service": tuple(service_record(r) for r in records if r.recipient_role == recipient_role),
        "proof": service_record(strongest) if strongest else None,
    }


def _announced_end(document: Document) -> datetime | None:
    end = source_of(document).get("nieuw_einde")
    return parse_instant(end) if isinstance(end, str) else None


def service_status(
    session: Session, case_id: int, user: User | None = None, now: datetime | None = None
) -> ServiceStatus:
    """Whether the current beschikking and verlengingsbeschikking reached the uithuisgeplaatste.

    ``served`` is True only when the latest beschikking has a counting service record and,
    once the ban was extended, the latest verlengingsbeschikking covers the latest extension
    and has one too. ``reasons`` says in Dutch what is still missing.
    """
    case = _case(session, case_id, user)
    if user is not None:
        if now is None:
            raise TypeError("service_status for a user needs now (need-to-know)")
        access = case_access(session, case, user, now)  # a case role without a relation: 403
        log_processing(
            session, actor=user.name, roles=access.roles or user.roles, region=case.region, case_id=case.id,
            activity="betekening_inzien", operation=READ, now=now,
        )  # fmt: skip
    beschikking = DecisionServiceStatus(**_status(session, latest(session, case_id, "beschikking")))
    extension_doc = latest(session, case_id, "verlengingsbeschikking")
    extended_to = _latest_extension_end(session, case_id)
    announced = _announced_end(extension_doc) if extension_doc else None
    extension = ExtensionServiceStatus(
        **_status(session, extension_doc),
        needed=extended_to is not None or extension_doc is not None,
        # Current: it announces an end at least as late as the latest recorded extension.
        current=extension_doc is not None
        and (extended_to is None or (announced is not None and announced >= extended_to)),
    )
    reasons = []
    if beschikking.document_id is None:
        reasons.append("er is nog geen beschikking gemaakt")
    elif not beschikking.served:
        reasons.append(
            f"de uitreiking van de beschikking (versie {beschikking.version}) "
            "aan de uithuisgeplaatste is niet vastgelegd"
        )
    if extension.needed:
        if extension_doc is None:
            reasons.append("het huisverbod is verlengd, maar er is geen verlengingsbeschikking gemaakt")
        elif not extension.current:
            reasons.append(
                f"de verlengingsbeschikking (versie {extension_doc.version}) dekt de laatste verlenging niet"
            )
        elif not extension.served:
            reasons.append(
                f"de uitreiking van de verlengingsbeschikking (versie {extension_doc.version}) "
                "aan de uithuisgeplaatste is niet vastgelegd"
            )
    if user is not None and not user.roles & CASE_ROLE_CODES:
        # Designer and beheerder see whether the ban reached the uithuisgeplaatste, never who received it or who
        # recorded it (AVG art. 5(1)(c)).
        beschikking = replace(
            beschikking, service=_nameless(beschikking.service), proof=_nameless_one(beschikking.proof)
        )
        extension = replace(extension, service=_nameless(extension.service), proof=_nameless_one(extension.proof))
    return ServiceStatus(
        served=not reasons, reasons=tuple(reasons), beschikking=beschikking, verlengingsbeschikking=extension
    )


def _nameless_one(record: ServiceRecordView | None) -> ServiceRecordView | None:
    return replace(record, recipient_name="", recorded_by="", note=None) if record is not None else None


def _nameless(records: tuple[ServiceRecordView, ...]) -> tuple[ServiceRecordView, ...]:
    return tuple(replace(r, recipient_name="", recorded_by="", note=None) for r in records)


def service_instant(session: Session, case: Case, task_spec: Any) -> datetime | None:
    """When the documents a ``requiresService`` step waits for reached their recipient.

    The step's act happened then, not when it was recorded: the latest of the first
    counting service of each required kind. None when the step needs no service or
    something is not served yet (then :func:`require_service` refuses it).
    """
    value = ws.properties(task_spec).get(PROPERTY_REQUIRES_SERVICE)
    if not value:
        return None
    instants = []
    for kind, recipient in required_services(value):
        document = latest(session, case.id, kind) if kind in KINDS else None
        if document is None:
            return None
        served = [
            r.served_at for r in records_of(session, [document.id])[document.id] if counts(document, r, recipient)
        ]
        if not served:
            return None
        instants.append(min(served))
    return max(instants) if instants else None


def require_service(session: Session, case: Case, task: Task, title: str) -> None:
    """Hook for engine.cases.operations.complete_task: refuse a task with ``requiresService`` until served.

    The property names one or more document kinds (comma-separated); for each, the latest
    version must have a counting service record to the kind's first recipient (for a
    beschikking: the uithuisgeplaatste). A verlengingsbeschikking must also announce the end
    the task is extending to (``nieuw_einde`` in the task's data). Raises Conflict.
    """
    value = ws.properties(task.task_spec).get(PROPERTY_REQUIRES_SERVICE)
    if not value:
        return
    problems = []
    for kind, recipient in required_services(value):
        if kind not in KINDS:
            raise ConfigurationError(f"'{PROPERTY_REQUIRES_SERVICE}' noemt onbekende documentsoort '{kind}'")
        document = latest(session, case.id, kind)
        if document is None:
            problems.append(f"er een {kind_title(kind)} is gemaakt")
            continue
        if kind == "verlengingsbeschikking" and isinstance(task.data.get("nieuw_einde"), str):
            if _announced_end(document) != parse_instant(task.data["nieuw_einde"]):
                problems.append(
                    f"de verlengingsbeschikking het einde van deze verlenging noemt "
                    f"(versie {document.version} noemt een ander einde; maak een nieuwe versie)"
                )
                continue
        if not _status(session, document, recipient)["served"]:
            problems.append(
                f"de uitreiking van de {kind_title(kind)} (versie {document.version}) aan "
                f"{RECIPIENT_NOUNS[recipient]} is vastgelegd"
            )
    if problems:
        raise Conflict(f"taak '{title}' kan pas worden afgerond als " + " en als ".join(problems))

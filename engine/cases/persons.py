"""The persons in a case as data: the uithuisgeplaatste, the achterblijvers, the children and the
persons a contactverbod protects, as rows linked to the case (``person``).

Forms hold them as fields (:data:`PERSON_FIELDS`, the one list of where a person's name stands);
every act that brings form data (start, task, message) records the persons in it. With persons as
rows, a subject-access request (AVG art. 15) finds every case about one person
(:func:`subject_access`), the processing log can be read per person, and the retention sweep
proves their destruction (engine.cases.retention deletes the rows).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.errors import Forbidden, InvalidInput
from engine.storage.document_tables import Document
from engine.storage.tables import Case, CaseEvent, Person, User
from engine.workflow.case_title import ADDRESS_FIELD, NAME_FIELD, NAMED_ROLE
from engine.workflow.processing_log import FG_ROLE, READ, log_entries, log_processing

# (form field, key of the name inside each list item or None for a plain value, the person's role in the case)
PERSON_FIELDS: tuple[tuple[str, str | None, str], ...] = (
    (NAME_FIELD, None, NAMED_ROLE),  # also the name in the case's title
    ("achterblijvers", "naam", "achterblijver"),
    ("kinderen", "voornaam", "kind"),
    ("contactverbod_namen", None, "beschermd"),  # the persons the contactverbod protects (Wth 2(4))
)
_DETAIL_KEYS = ("relatie", "leeftijd")
MIN_QUERY = 3


name_key = Person.key_of


def persons_in(data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(role, name, detail) of every person named in form data."""
    found = []
    for field, key, role in PERSON_FIELDS:
        value = data.get(field)
        items = value if isinstance(value, list) else [value]
        for item in items:
            name = item.get(key) if key and isinstance(item, dict) else item
            if isinstance(name, str) and name.strip():
                detail = {k: item[k] for k in _DETAIL_KEYS if isinstance(item, dict) and k in item}
                found.append((role, " ".join(name.split())[:200], detail))
    return found


def record_address(case: Case, data: dict[str, Any]) -> None:
    """The case's title: the address ``data`` names, as the latest act gave it; part of the act's transaction."""
    value = data.get(ADDRESS_FIELD)
    if isinstance(value, str) and value.strip():
        case.set_address(" ".join(value.split())[:200])


def record_persons(session: Session, case: Case, data: dict[str, Any], now: datetime) -> None:
    """Add the persons ``data`` names to the case (each role and name once); part of the act's transaction."""
    people = persons_in(data)
    if not people:
        return
    known = {
        (p.role, p.name_key)
        for p in session.scalars(select(Person).where(Person.case_id == case.id))
    }  # fmt: skip
    for role, name, detail in people:
        if (role, name_key(name)) in known:
            continue
        known.add((role, name_key(name)))
        session.add(
            Person(
                case_id=case.id,
                region=case.region,
                role=role,
                name=name,
                name_key=name_key(name),
                detail=json.dumps(detail, ensure_ascii=False) if detail else None,
                recorded_at=now,
            )
        )


@dataclass(frozen=True)
class SubjectCase:
    """One case about the person, with everything stored about it."""

    case_id: int
    region: str
    variant: str
    status: str
    roles: tuple[str, ...]  # the person's roles in this case
    started_at: datetime
    ended_at: datetime | None
    events: tuple[dict[str, Any], ...]
    documents: tuple[dict[str, Any], ...]
    processing: tuple[dict[str, Any], ...]


def subject_access(session: Session, user: User, name: str, now: datetime) -> list[SubjectCase]:
    """Everything about one person in the regions of ``user`` (the FG), for an AVG art. 15 request.

    Refuses a name that matches no person; the request itself is logged.
    """
    if FG_ROLE not in user.roles:
        raise Forbidden("alleen de functionaris gegevensbescherming behandelt een inzageverzoek")
    key = name_key(name or "")
    if len(key) < MIN_QUERY:
        raise InvalidInput(f"geef de naam van de persoon (minstens {MIN_QUERY} tekens)", field="name")
    rows = session.scalars(
        select(Person).where(Person.name_key == key, Person.region.in_(sorted(user.regions))).order_by(Person.case_id)
    ).all()
    if not rows:
        raise InvalidInput("er is geen persoon met die naam in de zaken van je regio's", field="name")
    roles_by_case: dict[int, set[str]] = {}
    for person in rows:
        roles_by_case.setdefault(person.case_id, set()).add(person.role)
    result = []
    for case_id, roles in sorted(roles_by_case.items()):
        case = session.get(Case, case_id)
        assert case is not None  # the person's foreign key
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
        documents = session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id))
        result.append(
            SubjectCase(
                case_id=case.id,
                region=case.region,
                variant=case.variant,
                status=case.status,
                roles=tuple(sorted(roles)),
                started_at=case.started_at,
                ended_at=case.ended_at,
                events=tuple(
                    {"at": e.at.isoformat(), "action": e.action, "element": e.element, "detail": e.detail}
                    for e in events
                ),
                documents=tuple(
                    {
                        "kind": d.kind,
                        "version": d.version,
                        "generated_at": d.generated_at.isoformat(),
                        "source": d.source,
                    }
                    for d in documents
                ),
                processing=tuple(
                    {"at": p.at.isoformat(), "actor": p.actor, "activity": p.activity, "legal_ground": p.legal_ground}
                    for p in log_entries(session, user, case_id=case.id)
                ),
            )
        )
        log_processing(
            session, actor=user.name, roles=(FG_ROLE,), region=case.region, case_id=case.id,
            activity="inzageverzoek", operation=READ, now=now,
        )  # fmt: skip
    return result

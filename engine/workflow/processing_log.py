"""The processing log (after Logius' Logboek Dataverwerkingen): who processed which personal data of
which case, when, in which processing activity and on which legal ground.

Every read of case data (case page and API, task page and API, documents, PDF, service status,
dossier, a break-the-glass) and every write (each case event) adds one row to ``processing_log``,
an append-only table: nothing updates or deletes it (a test checks the code). A row holds no case
content: the actor, the roles (organisations) used, the case, the activity, its data category and
legal ground, the operation and the trace id of the request.

The activities are :data:`ACTIVITIES`, the one place where their data category and legal ground
are stated. The grounds are those of the Wet tijdelijk huisverbod and the AVG as the Leidraad
describes the chain; the functionaris gegevensbescherming confirms them per region (ASSUMPTION,
processes/README.md "Who sees what").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.errors import Forbidden, InvalidInput
from engine.base.log_context import request_id
from engine.storage.tables import Person, ProcessingLog, User
from engine.storage.transaction import in_transaction

FG_ROLE = "fg"  # the functionaris gegevensbescherming reads the log of their regions, nothing else
MAX_ROWS = 500

READ = "lezen"
WRITE = "schrijven"

_WTH = "Wet tijdelijk huisverbod; AVG art. 6 lid 1 onder e (taak van algemeen belang)"


@dataclass(frozen=True)
class Activity:
    """A processing activity (verwerkingsactiviteit): what is done, with which data, on which ground."""

    code: str
    label: str
    data_category: str
    legal_ground: str


ACTIVITIES: dict[str, Activity] = {
    a.code: a
    for a in (
        Activity("zaak_inzien", "Zaak inzien", "zaakgegevens", _WTH),
        Activity("taak_inzien", "Taak inzien", "zaakgegevens", _WTH),
        Activity("documenten_inzien", "Documenten van een zaak inzien", "documenten", _WTH),
        Activity("document_downloaden", "Document downloaden (PDF)", "documenten", _WTH),
        Activity("betekening_inzien", "Betekening inzien", "betekening", _WTH),
        Activity("dossier_exporteren", "Dossier exporteren", "zaakgegevens en documenten", _WTH),
        Activity(
            "doorbreken",
            "Zaak inzien zonder taak (doorbreken)",
            "zaakgegevens",
            "AVG art. 6 lid 1 onder e; uitzondering op need-to-know met vastgelegde reden",
        ),
        Activity("zaak_behandelen", "Zaak behandelen (vastleggen)", "zaakgegevens", _WTH),
        Activity("zaken_zoeken", "Zaak gevonden bij zoeken (adres)", "adres en namen", _WTH),
        Activity(
            "inzageverzoek",
            "Inzageverzoek van een betrokkene behandelen",
            "alle gegevens over de betrokkene",
            "AVG art. 15 (recht van inzage)",
        ),
    )
}


def log_processing(
    session: Session,
    *,
    actor: str,
    roles: Iterable[str],
    region: str,
    case_id: int | None,
    activity: str,
    operation: str,
    now: datetime,
    commit: bool = True,
) -> None:
    """Add one row to the processing log; with ``commit`` in its own transaction (a read has none).

    Without ``commit`` the row joins the running transaction of a write, so it stands or falls with it.
    """
    if activity not in ACTIVITIES:
        raise ValueError(f"onbekende verwerkingsactiviteit {activity}")
    kind = ACTIVITIES[activity]
    row = ProcessingLog(
        at=now,
        actor=actor[:80],
        roles_csv=",".join(sorted(roles))[:400],
        region=region,
        case_id=case_id,
        activity=activity,
        data_category=kind.data_category,
        legal_ground=kind.legal_ground,
        operation=operation,
        trace_id=(request_id.get() or "")[:64] or None,
    )
    if commit:
        in_transaction(session, lambda: session.add(row))
    else:
        session.add(row)


@dataclass(frozen=True)
class LogEntry:
    """One row of the processing log as the FG's page shows it."""

    at: datetime
    actor: str
    roles: tuple[str, ...]
    region: str
    case_id: int | None
    activity: str
    activity_label: str
    data_category: str
    legal_ground: str
    operation: str
    trace_id: str | None


def log_entries(
    session: Session,
    user: User,
    *,
    case_id: int | None = None,
    actor: str | None = None,
    person: str | None = None,
    limit: int = MAX_ROWS,
) -> list[LogEntry]:
    """The log of the regions where ``user`` is functionaris gegevensbescherming, newest first.

    By case, by actor, or by person: the cases in which that name stands (engine.cases.persons).
    """
    if FG_ROLE not in user.roles:
        raise Forbidden("alleen de functionaris gegevensbescherming ziet het verwerkingenlogboek")
    if case_id is not None and (not isinstance(case_id, int) or case_id < 1):
        raise InvalidInput("het zaaknummer moet een positief getal zijn", field="case_id")
    query = select(ProcessingLog).where(ProcessingLog.region.in_(sorted(user.regions)))
    if case_id is not None:
        query = query.where(ProcessingLog.case_id == case_id)
    if actor:
        query = query.where(ProcessingLog.actor == actor.strip()[:80])
    if person:
        about = select(Person.case_id).where(Person.name_key == Person.key_of(person[:200]))
        query = query.where(ProcessingLog.case_id.in_(about))
    rows = session.scalars(query.order_by(ProcessingLog.id.desc()).limit(max(1, min(limit, MAX_ROWS))))
    return [
        LogEntry(
            at=r.at,
            actor=r.actor,
            roles=tuple(filter(None, r.roles_csv.split(","))),
            region=r.region,
            case_id=r.case_id,
            activity=r.activity,
            activity_label=ACTIVITIES[r.activity].label if r.activity in ACTIVITIES else r.activity,
            data_category=r.data_category,
            legal_ground=r.legal_ground,
            operation=r.operation,
            trace_id=r.trace_id,
        )
        for r in rows
    ]

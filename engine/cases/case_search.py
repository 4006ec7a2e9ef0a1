"""Finding a case without a task (issue 16, item 2): by number, the address of the home or a person's name.

Need-to-know holds here as on the case page (engine.workflow.need_to_know): a user finds only the cases of
their regions that one of their case roles has a relation to, worked out in the query itself: a task
(in any state), having started the case, a document served to the role, or a break-the-glass grant of the
user that still holds, or being its regiehouder (a column of the case row).
The names searched are the persons of the case (engine.cases.persons), which every form shows to the whole
chain, as it does the address (tests/engine/test_case_titles.py); so a hit never shows more than the
case page would. Roles that work no cases (designer, beheerder) do not search cases. Destroyed cases are
not found. Each case a search shows is a read in the processing log (AVG art. 30), as opening it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import CompoundSelect, func, or_, select, union
from sqlalchemy.orm import Session

from engine.base.clock import dutch_midnight
from engine.base.errors import Forbidden, InvalidInput
from engine.base.paging import PagePosition
from engine.base.vocabulary import CASE_ROLE_CODES, Action
from engine.storage.document_tables import ServiceRecord
from engine.storage.tables import Case, CaseAccessGrant, CaseEvent, HumanTask, Person, User
from engine.storage.transaction import in_transaction
from engine.workflow.processing_log import READ, log_processing

CASE_STATUSES = ("active", "completed", "error")
MAX_QUERY = 100  # characters: a number, an address or a name, not a text
MAX_VARIANT = 80
PER_PAGE = 25
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class CaseHit:
    """A case as a search shows it: what it is and which home it is about."""

    id: int
    region: str
    variant: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    address: str | None
    ban_status: str | None = None  # opgelegd, verlengd, ingetrokken, ... (engine.workflow.ban_state)
    ban_end: datetime | None = None


@dataclass(frozen=True)
class BanEndRange:
    """Cases whose ban ends on one of these Dutch calendar days (both included; either may be open)."""

    first_day: date | None = None
    last_day: date | None = None

    def __post_init__(self) -> None:
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise InvalidInput("de eerste dag van 'huisverbod eindigt' ligt na de laatste", field="einde_tot")

    @classmethod
    def from_text(cls, first: str | None, last: str | None) -> BanEndRange:
        """From two dates as a form or the API gives them (YYYY-MM-DD, empty for open); Dutch errors."""
        return cls(_day(first, "einde_van"), _day(last, "einde_tot"))

    @property
    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[start, end) as instants: from midnight of the first day to midnight after the last (Amsterdam)."""
        start = dutch_midnight(self.first_day) if self.first_day else None
        end = dutch_midnight(self.last_day + timedelta(days=1)) if self.last_day else None
        return start, end


@dataclass(frozen=True)
class CaseSearch(PagePosition):
    """One page of hits and where it lies in the whole (pages count from 1)."""

    hits: list[CaseHit]
    total: int
    page: int
    per_page: int
    query: str

    @property
    def on_page(self) -> int:
        return len(self.hits)


def case_hit(hit: CaseHit) -> dict[str, object]:
    """A hit as the API answers it (instants as ISO 8601)."""
    return {
        "id": hit.id,
        "region": hit.region,
        "variant": hit.variant,
        "status": hit.status,
        "started_at": hit.started_at.isoformat(),
        "ended_at": hit.ended_at.isoformat() if hit.ended_at else None,
        "address": hit.address,
        "ban_status": hit.ban_status,
        "ban_end": hit.ban_end.isoformat() if hit.ban_end else None,
    }


def _related_cases(user: User, roles: set[str], now: datetime) -> CompoundSelect[tuple[int]]:
    """The ids of the cases one of ``roles`` has a relation to (need_to_know.relations_of, as a query)."""
    # The role that started the case is a party to it; the start event's detail is our own json.dumps of {"rol": ...}.
    started = or_(*(CaseEvent.detail.like(f'%"rol": "{role}"%') for role in sorted(roles)))
    return union(
        select(HumanTask.case_id).where(HumanTask.role.in_(sorted(roles))),
        select(CaseEvent.case_id).where(CaseEvent.action == Action.CASE_STARTED.value, started),
        select(ServiceRecord.case_id).where(ServiceRecord.recipient_role.in_(sorted(roles))),
        select(Case.id).where(Case.regiehouder.in_(sorted(roles))),
        select(CaseAccessGrant.case_id).where(CaseAccessGrant.user_name == user.name, CaseAccessGrant.expires_at > now),
    )


def _day(text: str | None, field: str) -> date | None:
    """A calendar day written YYYY-MM-DD (a date input's value); nothing else."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or len(value) != 10:
        raise InvalidInput("geef een datum als jjjj-mm-dd, bijvoorbeeld 2026-12-24", field=field)
    return day


def _like(text: str) -> str:
    """A LIKE pattern that finds ``text`` anywhere, with its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def clean_query(q: str | None) -> str:
    """The search text, tidied; refused in Dutch when it is too long or holds control characters."""
    text = " ".join((q or "").split())
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"de zoekvraag is te lang: hoogstens {MAX_QUERY} tekens", field="q")
    if any(ord(c) < 32 for c in text):
        raise InvalidInput("de zoekvraag bevat tekens die niet in een nummer, adres of naam staan", field="q")
    return text


def search_cases(
    session: Session,
    user: User,
    now: datetime,
    *,
    q: str | None = None,
    status: str | None = None,
    variant: str | None = None,
    ban_end: BanEndRange | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> CaseSearch:
    """The cases ``user`` may see that match: a number finds that case, other text the address or a name."""
    roles = set(user.roles & CASE_ROLE_CODES)
    if not roles:
        raise Forbidden("zaken zoeken kan alleen wie zaken behandelt; procesontwerp en beheer zien geen zaakgegevens")
    text = clean_query(q)
    if status is not None and status not in CASE_STATUSES:
        raise InvalidInput(f"status '{status[:40]}' bestaat niet; kies uit {', '.join(CASE_STATUSES)}", field="status")
    if variant is not None and len(variant) > MAX_VARIANT:
        raise InvalidInput("de variant is te lang", field="variant")
    if page < 1:
        raise InvalidInput("paginanummer moet 1 of hoger zijn", field="page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"aantal per pagina moet tussen 1 en {MAX_PER_PAGE} liggen", field="per_page")

    # Only the columns a hit shows: never the stored workflow of each case.
    columns = (Case.id, Case.region, Case.variant, Case.status, Case.started_at, Case.ended_at, Case.adres)
    query = select(*columns, Case.huisverbod_status, Case.huisverbod_einde).where(
        Case.region.in_(sorted(user.regions)),
        Case.destroyed_at.is_(None),
        Case.id.in_(_related_cases(user, roles, now)),
    )
    if status is not None:
        query = query.where(Case.status == status)
    if variant:
        query = query.where(Case.variant == variant)
    start, end = (ban_end or BanEndRange()).bounds
    if start is not None:
        query = query.where(Case.huisverbod_einde >= start)
    if end is not None:
        query = query.where(Case.huisverbod_einde < end)
    if text.isdigit():
        query = query.where(Case.id == int(text)) if len(text) < 12 else query.where(Case.id.is_(None))
    elif text:
        pattern = _like(text.casefold())
        named = select(Person.case_id).where(Person.name_key.like(pattern, escape="\\"))
        query = query.where(or_(Case.adres_key.like(pattern, escape="\\"), Case.id.in_(named)))

    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Case.started_at.desc(), Case.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    hits = [CaseHit(*row) for row in rows]
    if hits:
        _log_hits(session, user, roles, hits, now)
    return CaseSearch(hits, total, page, per_page, text)


def _log_hits(session: Session, user: User, roles: set[str], hits: list[CaseHit], now: datetime) -> None:
    """Each case a search showed (its address) is a read of that case in the processing log, in one transaction."""

    def work() -> None:
        for hit in hits:
            log_processing(
                session, actor=user.name, roles=roles, region=hit.region, case_id=hit.id,
                activity="zaken_zoeken", operation=READ, now=now, commit=False,
            )  # fmt: skip

    in_transaction(session, work)

"""Need-to-know: which of a user's roles may read a case's data, and why.

Working in a region is not enough to read its cases. A role reads a case when it has a
relation to it (Leidraad: information is shared with those who work the case; AVG art. 5(1)(c),
data minimisation):

* ``taak``: the role has or had a task in the case (a worklist row, in any state);
* ``partij``: the role asked for the case (the verzoeker's role) or is its regiehouder (the care
  organisation that stays responsible after the ban, Leidraad principle 10; a column of the case row,
  so that a search finds the case too);
* ``gevraagd``: a document of the case was served to the role (the kennisgeving to Veilig
  Thuis, say): the chain asked it in.

Anyone else with a case role may **break the glass**: give a reason, which is recorded
(``case_access_grant``), shown to the burgemeester's office of the region, and lets the
user's case roles read the case for ``GLASS_HOURS``. Roles that work no cases (designer,
beheerder) never read case data; they see the process, not its content.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.errors import Forbidden, InvalidInput
from engine.base.vocabulary import CASE_ROLE_CODES, PARTY_LANES, REGIEHOUDER, Action
from engine.storage.document_tables import ServiceRecord
from engine.storage.tables import Case, CaseAccessGrant, CaseEvent, HumanTask, User
from engine.storage.transaction import in_transaction
from engine.workflow.processing_log import READ, log_processing

log = logging.getLogger(__name__)

GLASS_HOURS = 8  # ASSUMPTION: one working shift; after that a new reason is needed
MIN_REASON = 10  # characters: a reason, not "x"
MAX_REASON = 1000


class Relation(StrEnum):
    TASK = "taak"
    PARTY = "partij"
    ASKED = "gevraagd"
    GLASS = "doorbraak"


class NeedToKnow(Forbidden):
    """A case role without a relation to the case; the caller may offer to break the glass."""

    def __init__(self, case_id: int):
        super().__init__(
            f"je hebt geen taak of rol in zaak {case_id}; inzien kan alleen met een reden (doorbreken), "
            "die wordt vastgelegd en aan het kabinet van de burgemeester getoond"
        )
        self.case_id = case_id


@dataclass(frozen=True)
class CaseAccess:
    """What a user may read of one case: ``roles`` filter its data; ``relations`` say why per role."""

    roles: frozenset[str]
    relations: Mapping[str, tuple[Relation, ...]]

    @property
    def by_glass(self) -> bool:
        return any(Relation.GLASS in why for why in self.relations.values())


def record_regiehouder(case: Case, data: Mapping[str, Any]) -> None:
    """Copy the regiehouder an act names into the case row; part of the act's transaction.

    Only a case role counts: the form offers nothing else, and text from before it did names no role.
    """
    named = PARTY_LANES[REGIEHOUDER].named_role(data)
    if named is not None:
        case.regiehouder = named


def relations_of(
    session: Session, case: Case, roles: frozenset[str], now: datetime, user: str
) -> dict[str, tuple[Relation, ...]]:
    """Per role of ``roles`` (case roles only) the relations it has to ``case``."""
    found: dict[str, list[Relation]] = {}
    mine = roles & CASE_ROLE_CODES
    if not mine:
        return {}
    for role in session.scalars(
        select(HumanTask.role).where(HumanTask.case_id == case.id, HumanTask.role.in_(mine)).distinct()
    ):
        found.setdefault(role, []).append(Relation.TASK)
    for role in _party_roles(session, case) & mine:
        found.setdefault(role, []).append(Relation.PARTY)
    for role in session.scalars(
        select(ServiceRecord.recipient_role)
        .where(ServiceRecord.case_id == case.id, ServiceRecord.recipient_role.in_(mine))
        .distinct()
    ):
        found.setdefault(role, []).append(Relation.ASKED)
    granted = session.scalars(
        select(CaseAccessGrant.roles_csv).where(
            CaseAccessGrant.case_id == case.id, CaseAccessGrant.user_name == user, CaseAccessGrant.expires_at > now
        )
    ).all()
    for role in {r for csv in granted for r in csv.split(",")} & mine:
        found.setdefault(role, []).append(Relation.GLASS)
    return {role: tuple(why) for role, why in sorted(found.items())}


def _party_roles(session: Session, case: Case) -> set[str]:
    roles: set[str] = set()
    started = session.scalars(
        select(CaseEvent.detail).where(CaseEvent.case_id == case.id, CaseEvent.action == Action.CASE_STARTED.value)
    ).first()
    try:
        starter = json.loads(started).get("rol") if started else None
    except (ValueError, AttributeError):
        starter = None
    if isinstance(starter, str):
        roles.add(starter)
    if case.regiehouder:
        roles.add(case.regiehouder)
    return roles


def case_access(session: Session, case: Case, user: User, now: datetime) -> CaseAccess:
    """The roles with which ``user`` reads ``case``; raises :class:`NeedToKnow` for a case role without relation.

    A user without case roles (designer, beheerder) gets no roles: the process, not its data.
    """
    relations = relations_of(session, case, user.roles, now, user.name)
    if not relations and user.roles & CASE_ROLE_CODES:
        raise NeedToKnow(case.id)
    return CaseAccess(frozenset(relations), relations)


def break_the_glass(session: Session, case_id: int, user: User, reason: str, now: datetime) -> datetime:
    """Record a reason to read a case without a relation; returns until when it holds.

    The grant covers the user's case roles in the case's region, for ``GLASS_HOURS``.
    """
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise InvalidInput(f"geef een reden van minstens {MIN_REASON} tekens", field="reason")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"de reden is te lang (maximaal {MAX_REASON} tekens)", field="reason")
    roles = user.roles & CASE_ROLE_CODES
    if not roles:
        raise Forbidden(f"{user.name} werkt geen zaken en kan niet doorbreken")

    def work() -> datetime:
        case = session.get(Case, case_id)
        if case is None or case.region not in user.regions:
            raise InvalidInput(f"zaak {case_id} bestaat niet", field="case_id")
        until = now + timedelta(hours=GLASS_HOURS)
        session.add(
            CaseAccessGrant(
                case_id=case.id,
                region=case.region,
                user_name=user.name,
                roles_csv=",".join(sorted(roles)),
                reason=reason,
                granted_at=now,
                expires_at=until,
            )
        )
        log_processing(
            session, actor=user.name, roles=roles, region=case.region, case_id=case.id,
            activity="doorbreken", operation=READ, now=now, commit=False,
        )  # fmt: skip
        return until

    until = in_transaction(session, work)
    log.warning("doorbraak: inzage zonder taak in zaak %s (rollen %s)", case_id, ",".join(sorted(roles)))
    return until


@dataclass(frozen=True)
class GlassEntry:
    """One break-the-glass on the burgemeester's overview."""

    case_id: int
    user_name: str
    roles: tuple[str, ...]
    reason: str
    granted_at: datetime
    expires_at: datetime


def glass_entries(session: Session, user: User, limit: int = 200) -> list[GlassEntry]:
    """The break-the-glass grants in the regions where ``user`` works as burgemeester (their office), newest first."""
    if "burgemeester" not in user.roles:
        raise Forbidden("alleen het kabinet van de burgemeester ziet de doorbraken")
    rows = session.scalars(
        select(CaseAccessGrant)
        .where(CaseAccessGrant.region.in_(sorted(user.regions)))
        .order_by(CaseAccessGrant.granted_at.desc(), CaseAccessGrant.id.desc())
        .limit(limit)
    )
    return [
        GlassEntry(g.case_id, g.user_name, tuple(g.roles_csv.split(",")), g.reason, g.granted_at, g.expires_at)
        for g in rows
    ]

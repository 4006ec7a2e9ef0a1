"""Model versions side by side: the live pointer, rollback, and which cases run on which version.

A deploy stores a new immutable version and makes it live (:func:`mark_live`,
called by ``engine.modeling.registry.deploy_bundle`` inside its transaction). A designer
may point a variant back to an earlier version, or forward again
(:func:`rollback_live_version`); new cases start on the live version, running
cases keep theirs. Everything here is SQL on the version, pointer and case
tables: no case is deserialised.

This module imports no registry or case code, so ``engine.modeling.registry`` can use it.
The read models below go out as JSON unchanged (``thv versions``, ``versions-rollback``,
``versions-history``, ``cases-per-version`` with ``--json``): TypedDicts with English keys;
the actions (``uitrol``, ``terugdraaien``, ``vooruitzetten``) are Dutch values.
"""

from __future__ import annotations

from datetime import datetime
from typing import NotRequired, TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.base.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.base.vocabulary import CASE_STATUSES, OPEN_CASE_STATUSES, REGION_CODES
from engine.storage.analysis_tables import LiveVersion, LiveVersionChange
from engine.storage.tables import Case, ModelVersion, User
from engine.storage.transaction import in_transaction

DESIGNER_ROLE = "designer"
ADMIN_ROLE = "beheerder"
ACTION_DEPLOY = "uitrol"
ACTION_ROLLBACK = "terugdraaien"
ACTION_FORWARD = "vooruitzetten"


class VersionRow(TypedDict):
    """A deployed model version, as ``thv versions --json`` lists it (``engine.modeling.registry.list_versions``).

    ``live`` says new cases of the variant start on it; ``region_default`` that its variant is the
    region's default (the variant deployed there first); ``files`` the paths in its bundle.
    """

    id: int
    region: str
    variant: str
    version: int
    sha256: str
    main_process: str
    created_at: str
    created_by: str
    live: bool
    region_default: bool
    files: list[str]


class LiveVersionSet(TypedDict):
    """The live pointer of a variant moved by a designer: which version is live now and which was before.

    ``action`` is ``terugdraaien`` (to an earlier version) or ``vooruitzetten`` (to a later one).
    """

    region: str
    variant: str
    version: int
    model_version_id: int
    previous_version: int | None
    action: str
    set_at: str
    set_by: str


class LiveHistoryEntry(TypedDict):
    """One change of a variant's live version: a deploy (``uitrol``) or a designer's rollback or forward move."""

    region: str
    variant: str
    version: int | None
    previous_version: int | None
    action: str
    at: str
    actor: str


class VersionCaseCount(TypedDict):
    """How many cases run on a deployed version, per case status (every status, zero included).

    ``active_case_ids`` (the open cases, active or parked, by number) is left out when they were not asked for.
    """

    model_version_id: int
    region: str
    variant: str
    version: int
    live: bool
    total: int
    by_status: dict[str, int]
    active_case_ids: NotRequired[list[int]]


def may_design(user: User, region: str) -> bool:
    """A process designer or beheerder of the region: every role works only in its own regions."""
    return bool({ADMIN_ROLE, DESIGNER_ROLE} & user.roles) and region in user.regions


def require_designer(user: User, region: str) -> None:
    if not may_design(user, region):
        raise Forbidden(f"{user.name} is geen procesontwerper in regio '{region}'")


def check_region(region: str | None) -> None:
    if region is not None and region not in REGION_CODES:
        raise InvalidInput(f"regio '{region}' bestaat niet; kies uit {', '.join(sorted(REGION_CODES))}")


# --- the live pointer ---------------------------------------------------------


def _highest(session: Session, region: str, variant: str, *, excluding: int | None = None) -> ModelVersion | None:
    query = select(ModelVersion).where(ModelVersion.region == region, ModelVersion.variant == variant)
    if excluding is not None:
        query = query.where(ModelVersion.id != excluding)
    return session.scalars(query.order_by(ModelVersion.version.desc()).limit(1)).first()


def live_version_of(session: Session, region: str, variant: str) -> ModelVersion | None:
    """The version new cases of ``variant`` in ``region`` start on.

    Without a pointer (a database from before the pointer existed) the highest
    version number is live, as it always was.
    """
    # One query for pointer and version: every start pays it.
    pointed = session.scalars(
        select(ModelVersion)
        .join(LiveVersion, LiveVersion.model_version_id == ModelVersion.id)
        .where(LiveVersion.region == region, LiveVersion.variant == variant)
    ).first()
    if pointed is not None:
        return pointed
    return _highest(session, region, variant)


def live_version_ids(session: Session, region: str | None = None) -> dict[tuple[str, str], int]:
    """(region, variant) -> id of the live version, for every variant with a version."""
    highest = select(
        ModelVersion.region, ModelVersion.variant, func.max(ModelVersion.version).label("number")
    ).group_by(ModelVersion.region, ModelVersion.variant)
    if region is not None:
        highest = highest.where(ModelVersion.region == region)
    top = highest.subquery()
    rows = session.execute(
        select(ModelVersion.region, ModelVersion.variant, ModelVersion.id).join(
            top,
            (top.c.region == ModelVersion.region)
            & (top.c.variant == ModelVersion.variant)
            & (top.c.number == ModelVersion.version),
        )
    ).all()
    live = {(r, v): i for r, v, i in rows}
    pointers = select(LiveVersion)
    if region is not None:
        pointers = pointers.where(LiveVersion.region == region)
    for pointer in session.scalars(pointers):
        live[(pointer.region, pointer.variant)] = pointer.model_version_id
    return live


def mark_live(
    session: Session, version: ModelVersion, *, actor: str, now: datetime, action: str = ACTION_DEPLOY
) -> None:
    """Point the variant at ``version`` and record it; the caller commits.

    ``version`` must be flushed (have an id).
    """
    if version.id is None:
        session.flush()
    pointer = session.scalars(
        select(LiveVersion)
        .where(LiveVersion.region == version.region, LiveVersion.variant == version.variant)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    previous = pointer.model_version_id if pointer is not None else None
    if pointer is None:
        old = _highest(session, version.region, version.variant, excluding=version.id)
        previous = old.id if old is not None else None
    if pointer is None:
        pointer = LiveVersion(region=version.region, variant=version.variant)
        session.add(pointer)
    pointer.model_version_id = version.id
    pointer.set_at = now
    pointer.set_by = actor
    session.add(
        LiveVersionChange(
            region=version.region,
            variant=version.variant,
            model_version_id=version.id,
            previous_version_id=previous,
            action=action,
            at=now,
            actor=actor,
        )
    )


def rollback_live_version(
    session: Session, *, user: User, region: str, variant: str, version: int, now: datetime
) -> LiveVersionSet:
    """Make version number ``version`` of ``variant`` live in ``region`` again; one transaction.

    Usually an earlier version (rollback); a later one is allowed too, to undo a
    rollback. Running cases are not touched.
    """
    check_region(region)
    require_designer(user, region)

    def work() -> tuple[ModelVersion, ModelVersion | None, str]:
        target = session.scalars(
            select(ModelVersion).where(
                ModelVersion.region == region, ModelVersion.variant == variant, ModelVersion.version == version
            )
        ).first()
        if target is None:
            known = session.scalars(
                select(ModelVersion.version)
                .where(ModelVersion.region == region, ModelVersion.variant == variant)
                .order_by(ModelVersion.version)
            ).all()
            if not known:
                raise NotFound(f"variant '{variant}' is niet uitgerold in regio '{region}'")
            raise NotFound(
                f"variant '{variant}' heeft in regio '{region}' geen versie {version} "
                f"(wel: {', '.join(map(str, known))})"
            )
        current = live_version_of(session, region, variant)
        if current is not None and current.id == target.id:
            raise Conflict(f"versie {version} van '{variant}' is al live in regio '{region}'")
        action = ACTION_ROLLBACK if current is None or target.version < current.version else ACTION_FORWARD
        mark_live(session, target, actor=user.name, now=now, action=action)
        return target, current, action

    target, current, action = in_transaction(session, work)
    return {
        "region": region,
        "variant": variant,
        "version": target.version,
        "model_version_id": target.id,
        "previous_version": current.version if current is not None else None,
        "action": action,
        "set_at": now.isoformat(),
        "set_by": user.name,
    }


def live_history(session: Session, region: str, variant: str | None = None) -> list[LiveHistoryEntry]:
    """Every change of the live pointer in a region, newest first."""
    check_region(region)
    query = select(LiveVersionChange).where(LiveVersionChange.region == region)
    if variant is not None:
        query = query.where(LiveVersionChange.variant == variant)
    changes = session.scalars(query.order_by(LiveVersionChange.id.desc())).all()
    numbers: dict[int | None, int] = dict(
        session.execute(select(ModelVersion.id, ModelVersion.version).where(ModelVersion.region == region)).all()
    )
    return [
        {
            "region": c.region,
            "variant": c.variant,
            "version": numbers.get(c.model_version_id),
            "previous_version": numbers.get(c.previous_version_id),
            "action": c.action,
            "at": c.at.isoformat(),
            "actor": c.actor,
        }
        for c in changes
    ]


# --- cases per version --------------------------------------------------------


def cases_per_version(
    session: Session, region: str | None = None, *, include_ids: bool = True
) -> list[VersionCaseCount]:
    """Per deployed version: how many cases run on it, by status, and the ids of the open ones (active or parked)."""
    check_region(region)
    versions_query = select(ModelVersion).order_by(ModelVersion.region, ModelVersion.variant, ModelVersion.version)
    counts_query = select(Case.model_version_id, Case.status, func.count(Case.id)).group_by(
        Case.model_version_id, Case.status
    )
    active_query = select(Case.model_version_id, Case.id).where(Case.status.in_(OPEN_CASE_STATUSES)).order_by(Case.id)
    if region is not None:
        versions_query = versions_query.where(ModelVersion.region == region)
        counts_query = counts_query.where(Case.region == region)
        active_query = active_query.where(Case.region == region)
    counts: dict[int, dict[str, int]] = {}
    for version_id, status, count in session.execute(counts_query):
        counts.setdefault(version_id, {})[status] = count
    active_ids: dict[int, list[int]] = {}
    if include_ids:
        for version_id, case_id in session.execute(active_query):
            active_ids.setdefault(version_id, []).append(case_id)
    live = live_version_ids(session, region)
    result: list[VersionCaseCount] = []
    for v in session.scalars(versions_query):
        by_status = {status: counts.get(v.id, {}).get(status, 0) for status in CASE_STATUSES}
        row: VersionCaseCount = {
            "model_version_id": v.id,
            "region": v.region,
            "variant": v.variant,
            "version": v.version,
            "live": live.get((v.region, v.variant)) == v.id,
            "total": sum(by_status.values()),
            "by_status": by_status,
        }
        if include_ids:
            row["active_case_ids"] = active_ids.get(v.id, [])
        result.append(row)
    return result

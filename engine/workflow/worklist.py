"""Worklist queries and claims on the indexed task table; they never deserialise a case.

Claims: a user of the task's role and region may claim a ready task ("in
behandeling"). While it is claimed, nobody else can complete it (the engine
refuses with a conflict when ``complete_task`` is called with
``respect_claims=True``, as the web and the API do). The claimer releases it,
and so may any other user of the same role and region, for example when a
colleague went home; every claim and release is in the case's audit trail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.base.clock import AMSTERDAM, dutch_midnight
from engine.base.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.base.vocabulary import REGION_CODES, ROLE_CODES, Action
from engine.storage.tables import Case, HumanTask, User
from engine.storage.transaction import in_transaction
from engine.workflow.case_store import record_event
from engine.workflow.case_title import title_name

TASK_STATES = ("ready", "completed", "cancelled")
DUE_FILTERS = ("te_laat", "vandaag", "week")
CLAIM_FILTERS = ("mijn", "vrij")


class TaskRow(TypedDict):
    """A user task on the worklist: one row of the task table, as the pages, the API and ``thv tasks`` show it.

    ``state`` is ``ready``, ``completed`` or ``cancelled``; instants are ISO 8601 strings; ``end_reason``
    says in Dutch why a cancelled task closed without being done.
    """

    id: str
    case_id: int
    region: str
    element: str
    title: str
    role: str
    form: str | None
    state: str
    due_at: str | None
    acute: bool
    created_at: str
    claimed_by: str | None
    completed_by: str | None
    completed_at: str | None
    end_reason: str | None
    # The case's title (engine.workflow.case_title), visible to every role in the chain.
    case_address: str | None  # the address of the home
    case_name: str | None  # the uithuisgeplaatste


class TaskStep(TypedDict):
    """A step (BPMN element) of the user's ready tasks, an option of the worklist's step filter."""

    element: str
    title: str


def task_row(task: HumanTask, case_address: str | None = None, case_name: str | None = None) -> TaskRow:
    return {
        "id": task.id,
        "case_id": task.case_id,
        "region": task.region,
        "element": task.element,
        "title": task.title,
        "role": task.role,
        "form": task.form,
        "state": task.state,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "acute": task.acute,
        "created_at": task.created_at.isoformat(),
        "claimed_by": task.claimed_by,
        "completed_by": task.completed_by,
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
        "end_reason": task.end_reason,
        "case_address": case_address,
        "case_name": case_name,
    }


def task_rows(session: Session, tasks: list[HumanTask]) -> list[TaskRow]:
    """Rows with their case titles: one query for the titles of all their cases, however many rows."""
    ids = sorted({t.case_id for t in tasks})
    rows = session.execute(select(Case.id, Case.adres, title_name()).where(Case.id.in_(ids))).all() if ids else []
    titles = {case_id: (address, name) for case_id, address, name in rows}
    return [task_row(t, *titles.get(t.case_id, (None, None))) for t in tasks]


def due_window(due: str, now: datetime) -> tuple[datetime | None, datetime]:
    """The (from, before) instants of a deadline filter, on the Amsterdam calendar.

    ``te_laat``: before now; ``vandaag``: from now to midnight tonight;
    ``week``: from now to the end of the seventh day (today and the six after).
    """
    if due not in DUE_FILTERS:
        raise InvalidInput(f"termijnfilter '{due}' bestaat niet; kies uit {', '.join(DUE_FILTERS)}")
    if due == "te_laat":
        return None, now
    today = now.astimezone(AMSTERDAM).date()
    days = 1 if due == "vandaag" else 7
    end = dutch_midnight(today + timedelta(days=days))
    return now, end


def task_query(
    *,
    case_id: int | None = None,
    role: str | None = None,
    region: str | None = None,
    state: str = "ready",
    user: User | None = None,
    element: str | None = None,
    due: str | None = None,
    now: datetime | None = None,
    claimed: str | None = None,
) -> Select[HumanTask]:
    """The worklist's filters as one query on the task table (not yet ordered); bad filters are refused in Dutch.

    A user sees only their roles and regions. Optional filters: ``element`` (the step),
    ``due`` (one of DUE_FILTERS, needs ``now``) and ``claimed`` (``mijn``: claimed by
    ``user``; ``vrij``: unclaimed).
    """
    if role is not None and role not in ROLE_CODES:
        raise InvalidInput(f"rol '{role}' bestaat niet")
    if region is not None and region not in REGION_CODES:
        raise InvalidInput(f"regio '{region}' bestaat niet")
    if state not in TASK_STATES:
        raise InvalidInput(f"status '{state}' bestaat niet; kies uit {', '.join(TASK_STATES)}")
    query = select(HumanTask).where(HumanTask.state == state)
    if case_id is not None:
        query = query.where(HumanTask.case_id == case_id)
    if role is not None:
        query = query.where(HumanTask.role == role)
    if region is not None:
        query = query.where(HumanTask.region == region)
    if user is not None:
        query = query.where(HumanTask.role.in_(sorted(user.roles)), HumanTask.region.in_(sorted(user.regions)))
    if element is not None:
        query = query.where(HumanTask.element == element)
    if due is not None:
        if now is None:
            raise InvalidInput("een termijnfilter heeft het huidige tijdstip nodig")
        start, end = due_window(due, now)
        query = query.where(HumanTask.due_at.is_not(None), HumanTask.due_at < end)
        if start is not None:
            query = query.where(HumanTask.due_at >= start)
    if claimed is not None:
        if claimed not in CLAIM_FILTERS:
            raise InvalidInput(f"filter '{claimed}' bestaat niet; kies uit {', '.join(CLAIM_FILTERS)}")
        if claimed == "vrij":
            query = query.where(HumanTask.claimed_by.is_(None))
        elif user is None:
            raise InvalidInput("'mijn' vraagt om een gebruiker")
        else:
            query = query.where(HumanTask.claimed_by == user.name)
    return query


# Due date first (no deadline last), then age.
DEADLINE_ORDER = (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at)
# The same, made total by the id, so paging never shows a task twice or skips one.
WORKLIST_ORDER = (*DEADLINE_ORDER, HumanTask.id)


def list_tasks(session: Session, *, limit: int = 500, **filters: Any) -> list[TaskRow]:
    """Tasks by due date (no deadline last), at most ``limit``; the filters are those of :func:`task_query`.

    Tasks with the same deadline and age come in the order they were stored (as the database
    returns them); a paged list uses :data:`WORKLIST_ORDER`.
    """
    query = task_query(**filters).order_by(*DEADLINE_ORDER).limit(limit)
    return task_rows(session, list(session.scalars(query)))


def task_steps(session: Session, user: User) -> list[TaskStep]:
    """The distinct steps (element and title) of the user's ready tasks: the options of the step filter."""
    rows = session.execute(
        select(HumanTask.element, HumanTask.title)
        .distinct()
        .where(
            HumanTask.state == "ready",
            HumanTask.role.in_(sorted(user.roles)),
            HumanTask.region.in_(sorted(user.regions)),
        )
        .order_by(HumanTask.title, HumanTask.element)
    ).all()
    return [{"element": element, "title": title} for element, title in rows]


def _task_for(session: Session, task_id: str, user: User) -> HumanTask:
    """The task row if ``user`` may act on it: outside their regions it does not exist (404),
    without its role it is forbidden (403)."""
    row = session.get(HumanTask, task_id) if isinstance(task_id, str) and len(task_id) <= 36 else None
    if row is None or row.region not in user.regions:
        raise NotFound(f"taak {task_id} bestaat niet")
    if row.role not in user.roles:
        raise Forbidden(f"deze taak is voor de rol '{row.role}'; {user.name} heeft die rol niet")
    return row


def get_task(session: Session, task_id: str, user: User) -> TaskRow:
    """One task as :func:`task_row`, checked against the user's roles and regions."""
    return task_rows(session, [_task_for(session, task_id, user)])[0]


def _claim_change(session: Session, task_id: str, user: User, now: datetime, claim: bool) -> TaskRow:
    def work() -> TaskRow:
        row = _task_for(session, task_id, user)
        # Lock the task row (PostgreSQL) so two claims cannot both win.
        row = session.scalars(
            select(HumanTask).where(HumanTask.id == row.id).with_for_update().execution_options(populate_existing=True)
        ).one()
        if row.state != "ready":
            raise Conflict(f"taak '{row.title}' is al {'afgerond' if row.state == 'completed' else 'vervallen'}")
        if claim:
            if row.claimed_by not in (None, user.name):
                raise Conflict(f"taak '{row.title}' is al in behandeling bij {row.claimed_by}")
            changed = row.claimed_by is None
            row.claimed_by = user.name
        else:
            changed = row.claimed_by is not None
            previous, row.claimed_by = row.claimed_by, None
        if changed:
            case = session.get(Case, row.case_id)
            assert case is not None  # the task row's foreign key
            detail = {"taak": row.title} if claim else {"taak": row.title, "was_van": previous}
            record_event(
                session,
                case,
                actor=user.name,
                action=Action.TASK_CLAIMED if claim else Action.TASK_RELEASED,
                element=row.element,
                now=now,
                detail=detail,
            )
        return task_rows(session, [row])[0]

    return in_transaction(session, work)


def claim_task(session: Session, task_id: str, *, user: User, now: datetime) -> TaskRow:
    """Claim a ready task for ``user`` (idempotent for the claimer); one transaction."""
    return _claim_change(session, task_id, user, now, claim=True)


def release_task(session: Session, task_id: str, *, user: User, now: datetime) -> TaskRow:
    """Release a claim; the claimer or any user of the task's role and region may; one transaction."""
    return _claim_change(session, task_id, user, now, claim=False)

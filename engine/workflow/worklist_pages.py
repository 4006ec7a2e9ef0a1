"""The worklist a page at a time, with its counts: the cost of a page does not grow with the open tasks.

A page is one indexed COUNT and one query with OFFSET/LIMIT on the task table that reads index
ix_task_page in the page's order and stops after the page; the counts above the list (all open,
overdue, claimed by me) are one query of conditional sums. Nothing loads every open task.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.base.errors import InvalidInput
from engine.base.paging import PagePosition
from engine.storage.tables import Case, HumanTask, User
from engine.workflow.case_title import title_name
from engine.workflow.worklist import WORKLIST_ORDER, TaskRow, task_query, task_row

PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class WorklistPage(PagePosition):
    """One page of the worklist: its rows and where it lies in the whole (pages count from 1)."""

    rows: list[TaskRow]
    total: int  # tasks that match the filters, on all pages
    page: int
    per_page: int

    @property
    def on_page(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class WorklistCounts:
    """The figures above a user's worklist, over all their open tasks."""

    open: int
    overdue: int
    claimed_by_me: int


def check_paging(page: int, per_page: int) -> None:
    if page < 1:
        raise InvalidInput("paginanummer moet 1 of hoger zijn")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"aantal per pagina moet tussen 1 en {MAX_PER_PAGE} liggen")


def task_page(
    session: Session, *, page: int = 1, per_page: int = PER_PAGE, clamp: bool = False, **filters: Any
) -> WorklistPage:
    """Page ``page`` of the tasks :func:`engine.workflow.worklist.task_query` selects, by due date.

    With ``clamp`` a page past the end gives the last page (a link that outlived the tasks
    it counted); without it that page is simply empty.
    """
    check_paging(page, per_page)
    query = task_query(**filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if clamp:
        page = min(page, max(1, -(-total // per_page)))
    # The case's title comes with the page's rows in the same query.
    titled = query.add_columns(Case.adres, title_name()).join(Case, Case.id == HumanTask.case_id)
    rows = session.execute(titled.order_by(*WORKLIST_ORDER).offset((page - 1) * per_page).limit(per_page)).all()
    return WorklistPage([task_row(task, address, name) for task, address, name in rows], total, page, per_page)


def worklist_counts(session: Session, user: User, now: datetime) -> WorklistCounts:
    """All open tasks of the user's roles and regions, the overdue ones and those claimed by the user."""
    query = task_query(user=user).subquery()
    overdue = case((query.c.due_at < now, 1), else_=0)
    mine = case((query.c.claimed_by == user.name, 1), else_=0)
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(overdue), 0), func.coalesce(func.sum(mine), 0)).select_from(query)
    ).one()
    return WorklistCounts(open=int(row[0]), overdue=int(row[1]), claimed_by_me=int(row[2]))

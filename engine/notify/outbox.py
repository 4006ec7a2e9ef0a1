"""Writing notification mails to the outbox, inside the engine operation's own transaction.

Who gets a mail for a new task: every active user with the task's role in the case's region who has
an e-mail address and wants a mail per task, except whoever made the task ready (they are at the
screen and see what comes next). One mail per user per task: a task a late act brings back is not
announced again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.notify.texts import TaskNotice, task_body, task_subject
from engine.storage.mail_tables import MailOutbox
from engine.storage.tables import HumanTask, User
from engine.storage.transaction import discard

TASK, DIGEST, TEST = "task", "digest", "test"
PENDING, SENT, DROPPED, FAILED = "pending", "sent", "dropped", "failed"


def wants(user: User, kind: str) -> bool:
    """Whether ``user`` is to get a mail of ``kind`` now (active, an address, and the choice allows it).

    A test mail is asked for by the user, so it goes whatever they chose to receive.
    """
    if not user.active or not user.email:
        return False
    return kind == TEST or user.notify == "all" or (user.notify == "digest" and kind == DIGEST)


def queue_task_mails(session: Session, rows: Sequence[HumanTask], *, actor: str, now: datetime) -> int:
    """Outbox rows for the tasks an engine operation made ready; the caller's transaction commits them."""
    notices = [_notice(row) for row in rows if row.role]
    if not notices:
        return 0
    # Without flushing the act's pending changes: that would write the case row twice (two version steps).
    # The outbox refers to no row of the act (only to the user), so it may be written before them.
    with session.no_autoflush:
        candidates = session.scalars(
            select(User).where(
                User.active,
                User.email.is_not(None),
                User.notify == "all",  # wants(u, TASK) in SQL
                # Only users of a role and a region of these tasks: an act never reads every user of the installation.
                or_(*(_lists(User.roles_csv, role) for role in {n.role for n in notices})),
                or_(*(_lists(User.regions_csv, region) for region in {n.region for n in notices})),
            )
        ).all()
        recipients = [u for u in candidates if wants(u, TASK)]
        return insert_new(session, _task_rows(notices, recipients, actor, now))


def _lists(column: Any, code: str) -> Any:
    """``column`` (a comma-separated list of codes) holds ``code``: the same on SQLite and PostgreSQL."""
    return (literal(",") + column + literal(",")).contains(f",{code},", autoescape=True)


def _task_rows(notices: list[TaskNotice], recipients: list[User], actor: str, now: datetime) -> list[dict[str, Any]]:
    return [
        outbox_row(user, TASK, f"task:{notice.task_id}:{user.id}", task_subject(notice), task_body(notice), now)
        | {"task_id": notice.task_id, "case_id": notice.case_id}
        for notice in notices
        for user in recipients
        if notice.role in user.roles and notice.region in user.regions and user.name != actor
    ]


def _notice(row: HumanTask) -> TaskNotice:
    return TaskNotice(row.id, row.case_id, row.title, row.role, row.region, row.due_at, bool(row.acute))


def outbox_row(user: User, kind: str, key: str, subject: str, body: str, now: datetime) -> dict[str, Any]:
    return {
        "user_id": user.id,
        "kind": kind,
        "dedup_key": key,
        "task_id": None,
        "case_id": None,
        "subject": subject,
        "body": body,
        "state": PENDING,
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
    }


def insert_new(session: Session, values: Iterable[dict[str, Any]]) -> int:
    """Insert outbox rows whose dedup key is new; a key already there (another act, another worker) is skipped."""
    rows = list(values)
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(MailOutbox).values(rows).on_conflict_do_nothing(index_elements=["dedup_key"])
    return len(session.execute(statement.returning(MailOutbox.id)).all())  # only the rows inserted come back


@dataclass(frozen=True)
class MailBacklog:
    """How the outbox stands (for ``thv mail status`` and /metrics); reads only."""

    pending: int  # waiting to be sent (also those waiting for their next try)
    retrying: int  # of those, tried at least once
    oldest_pending: datetime | None
    failed_last_day: int  # given up in the last 24 hours


def mail_backlog(session: Session, now: datetime) -> MailBacklog:
    pending, retrying, oldest = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((MailOutbox.attempts > 0, 1), else_=0)), 0),
            func.min(MailOutbox.created_at),
        ).where(MailOutbox.state == PENDING)
    ).one()
    failed = session.scalar(
        select(func.count()).where(MailOutbox.state == FAILED, MailOutbox.done_at >= now - timedelta(days=1))
    )
    discard(session)
    return MailBacklog(int(pending), int(retrying), oldest, int(failed or 0))

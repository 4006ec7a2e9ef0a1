"""The daily digest: once a day, at THV_DIGEST_TIME on the Amsterdam clock, one mail per user with overdue tasks.

Overdue: a ready task of one of the user's roles in one of the user's regions whose due time has passed.
The day is claimed by writing its row in mail_digest_day in the same transaction as the mails, so with
several timer workers the digest of a day is made once; a worker that loses the race gets a conflict
and leaves it. A day whose digest time was missed altogether (no worker ran) is not made up later.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.clock import AMSTERDAM
from engine.notify.outbox import DIGEST, insert_new, outbox_row, wants
from engine.notify.texts import OverdueTask, digest_body, digest_subject
from engine.storage.mail_tables import MailDigestDay
from engine.storage.tables import HumanTask, User
from engine.storage.transaction import discard, in_transaction


def digest_day(now: datetime, at: time) -> date | None:
    """The Amsterdam day whose digest is due at ``now``: today once its digest time has come, else None."""
    local = now.astimezone(AMSTERDAM)
    return local.date() if local.time().replace(tzinfo=None) >= at else None


def queue_digest(session: Session, now: datetime, at: time) -> int | None:
    """Write today's digest mails if they are due and not made yet; returns how many (None: not due or done)."""
    day = digest_day(now, at)
    if day is None:
        return None
    done = session.get(MailDigestDay, day) is not None
    discard(session)
    if done:
        return None
    return in_transaction(session, lambda: _make(session, day, now))


def _make(session: Session, day: date, now: datetime) -> int:
    session.add(MailDigestDay(day=day, made_at=now, mails=0))
    session.flush()  # the claim of the day: a second worker stops here (unique key) until this one commits
    overdue = session.scalars(
        select(HumanTask).where(HumanTask.state == "ready", HumanTask.due_at < now, HumanTask.role != "")
    ).all()
    per_user: dict[int, list[OverdueTask]] = defaultdict(list)
    users = [u for u in session.scalars(select(User).where(User.active, User.email.is_not(None))) if wants(u, DIGEST)]
    for task in overdue:
        if task.due_at is None:  # excluded by the query; here for the type
            continue
        item = OverdueTask(task.case_id, task.title, task.role, task.region, task.due_at)
        for user in users:
            if task.role in user.roles and task.region in user.regions:
                per_user[user.id].append(item)
    by_id = {u.id: u for u in users}
    made = insert_new(
        session,
        (
            outbox_row(by_id[user_id], DIGEST, f"digest:{day.isoformat()}:{user_id}", digest_subject(len(items)),
                 digest_body(items, now), now)
            for user_id, items in sorted(per_user.items())
        ),
    )  # fmt: skip
    session.get_one(MailDigestDay, day).mails = made
    return made

"""A test mail a user asks for on their account page: does mail reach the address they gave?

It goes through the outbox as every notification does (the timer worker sends it), so it also shows
that the worker and the server work. One per user per minute: asking again within the minute queues
nothing new. The account page shows how the last one stands (:func:`last_trial_mail`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.errors import InvalidInput, NotFound
from engine.notify.outbox import TEST, insert_new, outbox_row
from engine.notify.texts import TRIAL_SUBJECT, trial_body
from engine.storage.mail_tables import MailOutbox
from engine.storage.tables import User
from engine.storage.transaction import discard, in_transaction


@dataclass(frozen=True)
class TrialMail:
    """How the user's last test mail stands."""

    state: str  # pending, sent, dropped, failed (engine.notify.outbox)
    asked_at: datetime
    done_at: datetime | None
    last_error: str | None  # a code (engine.notify.smtp), never a server's text


def request_trial_mail(session: Session, name: str, now: datetime) -> str:
    """Queue a test mail to ``name``'s address; returns the address. Refused without an address."""

    def work() -> str:
        user = session.scalars(select(User).where(User.name == name)).first()
        if user is None:
            raise NotFound(f"gebruiker '{name}' bestaat niet")
        if not user.active or not user.email:
            raise InvalidInput("sla eerst een e-mailadres op; daar gaat het testbericht heen", "email")
        key = f"test:{user.id}:{now.strftime('%Y%m%d%H%M')}"  # asking twice within a minute queues one
        insert_new(session, [outbox_row(user, TEST, key, TRIAL_SUBJECT, trial_body(), now)])
        return user.email

    return in_transaction(session, work)


def last_trial_mail(session: Session, user_id: int) -> TrialMail | None:
    row = session.scalars(
        select(MailOutbox)
        .where(MailOutbox.user_id == user_id, MailOutbox.kind == TEST)
        .order_by(MailOutbox.created_at.desc(), MailOutbox.id.desc())
        .limit(1)
    ).first()
    found = None if row is None else TrialMail(row.state, row.created_at, row.done_at, row.last_error)
    discard(session)
    return found

"""Sending the outbox from the timer worker: row by row, retried with a growing pause, never raising.

Each due row is claimed with a compare-and-set on its attempt count (an UPDATE that works alike on
SQLite and PostgreSQL), so with several workers a mail is sent by one of them; the claim already moves
the next attempt out by the back-off, so a worker that dies mid-send leaves the row for a later try.
The SMTP conversation happens outside any transaction: no row stays locked while a server is slow.
A mail is sent at least once; a worker that dies between the server's acceptance and the recording of
it sends that mail again.

Before sending, the row is checked against the present: a task already done or taken up by a colleague,
or a user who no longer wants mail, drops the row instead. A mail that could not be sent within a day
(GIVE_UP_AFTER) is given up with its last error code; the digest still counts the task if it is overdue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import partial

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from engine.base.clock import AMSTERDAM, Clock
from engine.base.errors import Conflict
from engine.base.mail_settings import MailSettings
from engine.base.observe import emit
from engine.notify.digest import queue_digest
from engine.notify.outbox import DROPPED, FAILED, PENDING, SENT, TASK, wants
from engine.notify.smtp import SendFailed, SmtpTransport
from engine.notify.texts import BASE
from engine.storage.mail_tables import MailOutbox
from engine.storage.tables import HumanTask, User
from engine.storage.transaction import discard, in_transaction

log = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
GIVE_UP_AFTER = timedelta(hours=24)
SERVER_PAUSE = timedelta(minutes=1)  # after the server itself failed, no round tries it again before this
PER_ROUND = 50  # mails per round at most: a timer sweep is not held up by a long queue
KEEP_FINISHED = timedelta(days=30)  # sent, dropped and given-up rows are removed after this


def backoff(attempt: int) -> timedelta:
    """The pause after the ``attempt``-th try (1-based): 1, 5 and 15 minutes, then every hour."""
    return BACKOFF[min(max(attempt, 1), len(BACKOFF)) - 1]


@dataclass
class MailRound:
    digests: int = 0  # digest mails written this round
    sent: int = 0
    retried: int = 0
    failed: int = 0  # given up
    dropped: int = 0


class Mailer:
    """The outbox's sender for one worker process; holds the pause after a server failure."""

    def __init__(
        self,
        settings: MailSettings,
        clock: Clock,
        transport: Callable[[MailSettings], SmtpTransport] = SmtpTransport,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.transport = transport
        self.paused_until: datetime | None = None
        self._purged_on: date | None = None

    def run(self, session: Session) -> MailRound:
        """One round: today's digest when its time has come, then the due mails. Logs every failure, raises none."""
        now = self.clock.now()
        result = MailRound()
        if self.settings.digest_at is not None:
            try:
                result.digests = queue_digest(session, now, self.settings.digest_at) or 0
            except Conflict:
                log.info("overzicht van vandaag is door een andere worker gemaakt")
            except Exception:
                log.exception("overzichtsmails niet gemaakt; volgende ronde opnieuw")
        try:
            self._purge(session, now)
            self._drain(session, now, result)
        except Exception:
            discard(session)
            log.exception("mailronde mislukt; volgende ronde opnieuw")
        return result

    def _purge(self, session: Session, now: datetime) -> None:
        today = now.astimezone(AMSTERDAM).date()
        if self._purged_on == today:
            return
        cutoff = now - KEEP_FINISHED
        in_transaction(
            session,
            lambda: session.execute(delete(MailOutbox).where(MailOutbox.state != PENDING, MailOutbox.done_at < cutoff)),
        )
        self._purged_on = today

    def _drain(self, session: Session, now: datetime, result: MailRound) -> None:
        if self.paused_until is not None and now < self.paused_until:
            return
        due = session.execute(
            select(MailOutbox.id, MailOutbox.attempts)
            .where(MailOutbox.state == PENDING, MailOutbox.next_attempt_at <= now)
            .order_by(MailOutbox.next_attempt_at, MailOutbox.id)
            .limit(PER_ROUND)
        ).all()
        discard(session)
        if not due:
            return
        transport = self.transport(self.settings)
        try:
            for mail_id, attempts in due:
                if not in_transaction(session, partial(_claim, session, mail_id, attempts, now)):
                    continue  # another worker has it
                if not self._send_one(session, transport, mail_id, attempts + 1, now, result):
                    self.paused_until = now + SERVER_PAUSE
                    break
        finally:
            transport.close()

    def _send_one(
        self, session: Session, transport: SmtpTransport, mail_id: int, attempt: int, now: datetime, result: MailRound
    ) -> bool:
        """Send one claimed mail and record how it went; False when the server itself failed."""
        prepared = in_transaction(session, lambda: _prepare(session, self.settings, mail_id, now))
        if prepared == FAILED:
            result.failed += 1
            emit("mail", outcome="failed")
            log.error("mail %s opgegeven: na een dag nog niet verzonden (te_oud)", mail_id)
            return True
        if prepared == DROPPED:
            result.dropped += 1
            emit("mail", outcome="dropped")
            return True
        assert isinstance(prepared, tuple)
        message, to = prepared
        try:
            transport.send(message, to)
        except SendFailed as failure:
            return self._failed(session, mail_id, failure, attempt, now, result)
        in_transaction(session, lambda: _finish(session, mail_id, SENT, None, now))
        result.sent += 1
        emit("mail", outcome="sent")
        log.info("mail %s verzonden", mail_id)
        return True

    def _failed(
        self, session: Session, mail_id: int, failure: SendFailed, attempt: int, now: datetime, result: MailRound
    ) -> bool:
        given_up = in_transaction(session, lambda: _record_failure(session, mail_id, failure, attempt, now))
        if given_up:
            result.failed += 1
            emit("mail", outcome="failed")
            log.error("mail %s opgegeven na %s pogingen (%s)", mail_id, attempt, failure.code)
        else:
            result.retried += 1
            emit("mail", outcome="retry")
            log.warning("mail %s niet verzonden (%s), poging %s; volgt opnieuw", mail_id, failure.code, attempt)
        return not failure.server


def _claim(session: Session, mail_id: int, attempts: int, now: datetime) -> bool:
    claimed = session.execute(
        update(MailOutbox)
        .where(
            MailOutbox.id == mail_id,
            MailOutbox.state == PENDING,
            MailOutbox.attempts == attempts,
            MailOutbox.next_attempt_at <= now,
        )
        .values(attempts=attempts + 1, next_attempt_at=now + backoff(attempts + 1))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(claimed, "rowcount", 0) or 0) == 1


def _prepare(session: Session, settings: MailSettings, mail_id: int, now: datetime) -> tuple[EmailMessage, str] | str:
    """The message and its address; or DROPPED or FAILED after finishing a mail the present has overtaken."""
    row = session.get_one(MailOutbox, mail_id, populate_existing=True)
    user = session.get_one(User, row.user_id, populate_existing=True)
    if now - row.created_at > GIVE_UP_AFTER:  # waited a day (no server configured, a long outage): news no longer
        _finish(session, mail_id, FAILED, "te_oud", now)
        return FAILED
    reason = None
    if not wants(user, row.kind):
        reason = "afgemeld"
    elif row.kind == TASK:
        task = session.get(HumanTask, row.task_id, populate_existing=True) if row.task_id else None
        if task is None or task.state != "ready":
            reason = "taak_afgehandeld"
        elif task.claimed_by is not None and task.claimed_by != user.name:
            reason = "opgepakt"
    if reason is not None:
        _finish(session, mail_id, DROPPED, reason, now)
        return DROPPED
    assert user.email is not None  # wants() checked it
    return compose(settings, row, user.email, now), user.email


def compose(settings: MailSettings, row: MailOutbox, to: str, now: datetime) -> EmailMessage:
    return new_message(settings, row.subject, row.body.replace(BASE, settings.base_url), to, now)


def new_message(settings: MailSettings, subject: str, body: str, to: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=settings.sender_address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to this
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(body)
    return message


def _record_failure(session: Session, mail_id: int, failure: SendFailed, attempt: int, now: datetime) -> bool:
    """Keep the error code; give the mail up when it is permanent or the next try would come too late."""
    row = session.get_one(MailOutbox, mail_id, populate_existing=True)
    too_late = now + backoff(attempt) - row.created_at > GIVE_UP_AFTER
    if failure.permanent or too_late:
        _finish(session, mail_id, FAILED, failure.code, now)
        return True
    row.last_error = failure.code
    return False


def _finish(session: Session, mail_id: int, state: str, code: str | None, now: datetime) -> None:
    row = session.get_one(MailOutbox, mail_id, populate_existing=True)
    row.state, row.done_at = state, now
    if code is not None:
        row.last_error = code

"""Tables of the e-mail notifications (engine.notify): the outbox and the days whose digest was made.

An outbox row is written in the transaction of the engine operation that makes a task ready, so a
rolled-back operation sends nothing and a committed one is never forgotten; the timer worker sends it
afterwards. A row holds no case content: the case number, the step's name from the model, its due time
and a link (see engine.notify.texts). The recipient's address is read when the mail is sent.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.tables import Base, UtcDateTime


class MailOutbox(Base):
    """One mail to one user: waiting, sent, dropped (no longer relevant) or given up."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("thv_user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # task, digest
    # One mail per user per task, and per user per day for the digest: "task:<task id>:<user id>".
    dedup_key: Mapped[str] = mapped_column(String(120), unique=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # no foreign key: only read at sending
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)  # "{base}" stands for the application's address (THV_BASE_URL)
    state: Mapped[str] = mapped_column(String(10))  # pending, sent, dropped, failed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(40), nullable=True)  # a code, never a server's text


class MailDigestDay(Base):
    """That the digest of a day (Amsterdam calendar) was made: whoever writes the row makes it, once."""

    __tablename__ = "mail_digest_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    made_at: Mapped[datetime] = mapped_column(UtcDateTime)
    mails: Mapped[int] = mapped_column(Integer)

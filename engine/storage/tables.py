"""Database tables of the engine (SQLAlchemy 2, no Flask).

Timestamps are stored as naive UTC and handed out as aware UTC datetimes.
The serialized workflow is text, zlib-compressed (CompressedText), never PostgreSQL
``jsonb``: SpiffWorkflow 3.2.0 depends on the key order of its task map.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from engine.storage import compression

if TYPE_CHECKING:
    from sqlalchemy import Dialect


class CompressedText(TypeDecorator[str]):
    """Text stored zlib-compressed (engine.storage.compression): a str in Python, bytes in the database.

    A running ban's workflow text is some 80 kB of JSON (ids and keys repeated task after task)
    that level 1 packs to about a sixth in a quarter of a millisecond. Text written once and read
    rarely (the archive) takes the tighter level 6 and a dictionary of typical archived text.
    """

    impl = LargeBinary
    cache_ok = True

    def __init__(self, level: int = 1, dictionary: str | None = None) -> None:
        super().__init__()
        self.level, self.dictionary = level, dictionary

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else compression.pack(value, self.level, self.dictionary)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        return None if value is None else compression.unpack(value)


class UtcDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime passed to the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "thv_user"
    __table_args__ = (Index("ux_user_sso_subject", "sso_subject", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    roles_csv: Mapped[str] = mapped_column(String(400))
    regions_csv: Mapped[str] = mapped_column(String(400))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Raised at logout and password change: a web session of an earlier generation has ended.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The optional second factor (RFC 6238): its secret, and the last time step used (a code works once).
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The person behind the login, for documents (the signature) and the case history.
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    job_title: Mapped[str | None] = mapped_column(String(200), nullable=True)  # "functie": hulpofficier van justitie
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Single sign-on (engine.accounts.sso): the provider's issuer and subject this account is bound to.
    sso_subject: Mapped[str | None] = mapped_column(String(400), nullable=True)
    # E-mail notifications (engine.notify): where they go, and which the user wants (NOTIFY_CHOICES:
    # every new task and the daily digest, the digest only, or none). No address: no mail.
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    notify: Mapped[str] = mapped_column(String(10), default="all", server_default="all")

    @property
    def signs_in_with_sso(self) -> bool:
        return self.sso_subject is not None

    @property
    def person_label(self) -> str:
        """How the person is named to others: "Anna de Vries (hulpofficier van justitie, Politie Utrecht)"."""
        extra = ", ".join(part for part in (self.job_title, self.organisation) if part)
        name = self.display_name or self.name
        return f"{name} ({extra})" if extra else name

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(filter(None, self.roles_csv.split(",")))

    @property
    def regions(self) -> frozenset[str]:
        return frozenset(filter(None, self.regions_csv.split(",")))


class LoginFailure(Base):
    """Failed logins per account name (hashed; unknown names too), for the lockout of engine.accounts.login."""

    __tablename__ = "login_failure"

    name_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class CaseAccessGrant(Base):
    """A break-the-glass: someone without a relation to a case gave a reason to read it (engine.workflow.need_to_know).

    Append-only; the burgemeester's office of the region sees every row.
    """

    __tablename__ = "case_access_grant"
    __table_args__ = (
        Index("ix_grant_case_user", "case_id", "user_name", "expires_at"),
        Index("ix_grant_region", "region", "granted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("thv_case.id"))
    region: Mapped[str] = mapped_column(String(40))
    user_name: Mapped[str] = mapped_column(String(80))
    roles_csv: Mapped[str] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(Text)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProcessingLog(Base):
    """Append-only log of every processing of personal data (engine.workflow.processing_log); no case content."""

    __tablename__ = "processing_log"
    __table_args__ = (
        Index("ix_processing_case", "case_id", "id"),
        Index("ix_processing_region", "region", "id"),
        Index("ix_processing_actor", "actor", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    roles_csv: Mapped[str] = mapped_column(String(400))
    region: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # no foreign key: the log outlives the case
    activity: Mapped[str] = mapped_column(String(40))
    data_category: Mapped[str] = mapped_column(String(80))
    legal_ground: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(20))
    trace_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Person(Base):
    """A person named in a case (engine.cases.persons): for subject-access requests and provable destruction."""

    __tablename__ = "person"
    __table_args__ = (Index("ix_person_name", "region", "name_key"), Index("ix_person_case", "case_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("thv_case.id"))
    region: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(40))  # uithuisgeplaatste, achterblijver, kind, beschermd
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: relatie, leeftijd
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @staticmethod
    def key_of(name: str) -> str:
        """How names are matched: case and spacing do not count."""
        return " ".join(name.split()).casefold()


class DestructionReport(Base):
    """That a case was destroyed, when, by which rule and how much: no personal data (engine.cases.retention)."""

    __tablename__ = "destruction_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    region: Mapped[str] = mapped_column(String(40))
    variant: Mapped[str] = mapped_column(String(80))
    rule: Mapped[str] = mapped_column(String(200))
    due: Mapped[datetime] = mapped_column(UtcDateTime)
    destroyed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    destroyed_by: Mapped[str] = mapped_column(String(80))
    counts: Mapped[str] = mapped_column(Text)  # JSON: how many documents, service records, events, archived parts


class ModelVersion(Base):
    """An immutable deployed bundle: the BPMN/DMN files plus the forms they use."""

    __tablename__ = "model_version"
    __table_args__ = (UniqueConstraint("region", "variant", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(40), index=True)
    variant: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    main_process: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(80))
    # Loaded when asked for (a model is parsed once per process, see ModelRegistry): starting a case or
    # showing one needs the version's row, not its files.
    files: Mapped[list[ModelFile]] = relationship(back_populates="model_version", order_by="ModelFile.path")


class ModelFile(Base):
    __tablename__ = "model_file"
    __table_args__ = (UniqueConstraint("model_version_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"))
    path: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    model_version: Mapped[ModelVersion] = relationship(back_populates="files")


class Case(Base):
    __tablename__ = "thv_case"
    __table_args__ = (Index("ix_case_timer_due", "status", "next_timer_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(40), index=True)
    variant: Mapped[str] = mapped_column(String(80))
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    # The workflow's JSON text (engine.modeling.serialization), stored compressed in column workflow_zlib.
    # Loaded when read: an act on a workflow kept in memory (engine.modeling.workflow_cache) only writes it.
    workflow_json: Mapped[str] = mapped_column("workflow_zlib", CompressedText(), deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(20))
    lock_version: Mapped[int] = mapped_column(Integer)
    next_timer_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The instant of the latest act (a decision, a service, a message) applied to the case. A later
    # recorded act may not lie before it: the case has been worked on since.
    acted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The workflow as it stood after that act, kept while only timers have fired since. An act that
    # happened before a timer fired but is recorded after it (a service that was in time) is then
    # applied to this state at its own instant and the timers are fired again behind it.
    replay_json: Mapped[str | None] = mapped_column("replay_zlib", CompressedText(), nullable=True)
    replay_event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The earliest instant a timer fired at since that act: an act recorded later whose instant lies
    # before it is judged on the state after the previous act, not on the state the timers left.
    replay_after: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The address of the home the ban concerns (form field ``adres``, visible to the whole chain): the case's
    # title on worklist rows, so two cases of one step can be told apart (engine.cases.persons.record_address).
    adres: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # How the address is searched (Person.key_of): case and spacing do not count, on SQLite as on PostgreSQL
    # (SQLite's lower() folds only ASCII letters).
    adres_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The ban's status and end as its latest milestone left them (engine.workflow.ban_state): cases are
    # found by when their ban ends without reading each workflow.
    huisverbod_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    huisverbod_einde: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    # The role code of the organisation that stays responsible after the ban (engine.workflow.need_to_know):
    # a party to the case, that reads and finds it without a task in it.
    regiehouder: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # When the retention sweep destroyed its content (engine.cases.retention); the row stays as a husk.
    destroyed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __mapper_args__ = {"version_id_col": lock_version}

    def set_address(self, address: str | None) -> None:
        """The case's title and its search key together."""
        self.adres = address
        self.adres_key = Person.key_of(address) if address else None


class CaseArchive(Base):
    """Finished subprocesses and settled history of a case, moved out of its hot workflow text (written once
    each; a cut of settled history has "h" and the hex of its first task as key, see engine.modeling.settled_history).

    A completion loads and saves only what can still change, so its cost does not grow with
    the case's history; views and migrations that need the whole workflow put the parts
    back together (engine.workflow.case_store).
    """

    __tablename__ = "case_archive"

    case_id: Mapped[int] = mapped_column(ForeignKey("thv_case.id"), primary_key=True)
    subprocess_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the task that ran it, or "h..."
    # Its JSON text: written once, read only for views and migrations, so packed tighter.
    workflow_json: Mapped[str] = mapped_column(
        "workflow_zlib", CompressedText(level=6, dictionary=compression.ARCHIVE_DICTIONARY)
    )
    archived_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TimerHeartbeat(Base):
    """The latest successful sweep of each timer worker, so any web node can tell timers are running."""

    __tablename__ = "timer_heartbeat"

    worker: Mapped[str] = mapped_column(String(200), primary_key=True)  # host:pid, or host/thread for the web thread
    swept_at: Mapped[datetime] = mapped_column(UtcDateTime)
    fired: Mapped[int] = mapped_column(Integer)  # timer events fired in that sweep
    duration_ms: Mapped[int] = mapped_column(Integer)


class HumanTask(Base):
    """The worklist: one row per user task, kept in sync after every engine step."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_task_worklist", "state", "region", "role", "due_at"),
        Index("ix_task_case", "case_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the SpiffWorkflow task id
    case_id: Mapped[int] = mapped_column(ForeignKey("thv_case.id"))
    region: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(40))
    element: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    form: Mapped[str | None] = mapped_column(String(200), nullable=True)
    state: Mapped[str] = mapped_column(String(20))  # ready, completed, cancelled
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # The case is on the acute route (engine.workflow.state.is_acute): the worklist marks it.
    acute: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(400), nullable=True)  # why it closed without being done


# A page of one role's worklist in one region read in its order (engine.workflow.worklist.WORKLIST_ORDER) and
# stopped after the page: no sort of every open task. Most users have one role in one region.
Index(
    "ix_task_page",
    HumanTask.state,
    HumanTask.role,
    HumanTask.region,
    HumanTask.due_at.is_(None),
    HumanTask.due_at,
    HumanTask.created_at,
    HumanTask.id,
)


class CaseEvent(Base):
    """Append-only audit trail: who did what, when, and which milestone it reached."""

    __tablename__ = "case_event"
    __table_args__ = (
        Index("ix_event_case", "case_id", "id"),
        Index("ix_event_milestone", "milestone", "region", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("thv_case.id"))
    region: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    element: Mapped[str | None] = mapped_column(String(200), nullable=True)
    milestone: Mapped[str | None] = mapped_column(String(60), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Set once, when a late-recorded act undid what timers did after it happened: the id of the
    # 'herzien' event that says so. Nothing else of an event ever changes.
    revoked_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ApiToken(Base):
    """A personal API token: only the sha256 of the secret is stored; revocable, optional expiry."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_user", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("thv_user.id"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, to recognise a token in the list
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


# The tables of other areas live in their own modules; importing them here puts every table on
# Base.metadata wherever the models are used (create_all, Alembic).
from engine.storage import analysis_tables, document_tables, mail_tables  # noqa: E402,F401

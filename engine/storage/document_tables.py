"""Tables of the documents of a case and of how each one reached each person.

Append-only: the engine has functions to add rows and none to change or remove
them. A regenerated document is a new version next to the old one; a correction
of a service record is a new record. The rows are registered on the shared
``Base`` of engine.storage.tables, so ``create_all`` and the Alembic comparison see them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.tables import Base, UtcDateTime


class Document(Base):
    """One generated version of a document: the HTML as rendered, its PDF and its checksum."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "version", name="uq_document_case_kind_version"),  # also the lookup index
        Index("ix_document_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("thv_case.id"))
    region: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    template_version: Mapped[str] = mapped_column(String(80))
    generated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    generated_by: Mapped[str] = mapped_column(String(80))
    generated_role: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(
        String(64)
    )  # of the HTML with the checksum left out, see engine.documents.generation
    html: Mapped[str] = mapped_column(Text, deferred=True)  # loaded when used: lists stay light
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)  # JSON: the case data the required parts were filled from


class ServiceRecord(Base):
    """How one document version reached one recipient: when, how, recorded by whom."""

    __tablename__ = "service_record"
    __table_args__ = (
        Index("ix_service_document", "document_id", "id"),
        Index("ix_service_case", "case_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("thv_case.id"))
    region: Mapped[str] = mapped_column(String(40))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_role: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(40))
    served_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_role: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

"""Tables of the process designer: the live pointer per region and variant, and its history.

A deploy makes the new version live; a designer may point a variant back to an
earlier version (rollback) or forward again. New cases start on the live
version; running cases keep the version they started on (or were migrated to).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.storage.tables import Base, UtcDateTime


class LiveVersion(Base):
    """Which version of a variant new cases in a region start on."""

    __tablename__ = "live_version"

    region: Mapped[str] = mapped_column(String(40), primary_key=True)
    variant: Mapped[str] = mapped_column(String(80), primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime)
    set_by: Mapped[str] = mapped_column(String(80))


class LiveVersionChange(Base):
    """Append-only history of the live pointer: every deploy, rollback and roll-forward."""

    __tablename__ = "live_version_change"
    __table_args__ = (Index("ix_live_change_variant", "region", "variant", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str] = mapped_column(String(40))
    variant: Mapped[str] = mapped_column(String(80))
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id"))
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_version.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(20))  # uitrol, terugdraaien, vooruitzetten
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(80))

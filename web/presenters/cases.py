"""What the case page shows of a case's audit trail: one row per history entry, newest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from engine.base.vocabulary import Action
from web.documents_texts import document_title, method_label, recipient_label
from web.i18n import moment
from web.presentation import action_label, humanize

# Their element is the main process (a case start) or nothing worth naming (a dossier export).
_WITHOUT_SUBJECT = frozenset({Action.CASE_STARTED, Action.DOSSIER_EXPORTED})
_ABOUT_A_DOCUMENT = frozenset({Action.DOCUMENT_MADE, Action.SERVED})
# Acts that can be recorded after they happened: their detail holds the instant they happened.
_WITH_INSTANT = frozenset({Action.TASK_COMPLETED, Action.MESSAGE, Action.REVISED})


@dataclass(frozen=True)
class HistoryRow:
    at: Any  # the instant; the template formats it (|moment)
    actor: str
    label: str  # what happened ("Taak afgerond")
    subject: str  # what it happened to: a milestone, a document, a task; "" for none
    milestone: bool  # the subject is a milestone (shown bold)
    document_note: str  # version and checksum of a made document, or to whom and how it was served
    revoked: bool  # a later 'herzien' event revoked it
    happened_note: str  # "gebeurd op …" for an act recorded later than it happened
    reason: str  # why a task lapsed, or the reason an engine step recorded
    error: str  # the error of a case that got stuck


def _field(entry: Any, name: str) -> Any:
    """A field of a history entry, whether the read model is a mapping or an object."""
    return entry.get(name) if isinstance(entry, Mapping) else getattr(entry, name, None)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _subject(action: str, entry: Any) -> str:
    if _field(entry, "milestone"):
        return humanize(_field(entry, "milestone"))
    if action in _ABOUT_A_DOCUMENT:
        return document_title(_field(entry, "element"))
    if action not in _WITHOUT_SUBJECT:
        return _text(_field(entry, "element_title"))
    return ""


def _document_note(action: str, detail: Mapping[str, Any]) -> str:
    if action == Action.DOCUMENT_MADE:
        checksum = (detail.get("sha256") or "")[:12]
        return _("versie %(num)s, controlegetal %(sha)s", num=_text(detail.get("versie")), sha=checksum) + "…"
    if action == Action.SERVED:
        return _(
            "versie %(num)s aan %(name)s (%(role)s): %(method)s, %(when)s",
            num=_text(detail.get("versie")),
            name=_text(detail.get("ontvanger")),
            role=recipient_label(detail.get("rol") or ""),
            method=method_label(detail.get("wijze") or "").lower(),
            when=moment(detail.get("uitgereikt_op")),
        )
    return ""


def history_row(entry: Any) -> HistoryRow:
    action = _text(_field(entry, "action"))
    detail = _field(entry, "detail") or {}
    instant = detail.get("tijdstip") if action in _WITH_INSTANT else None
    return HistoryRow(
        at=_field(entry, "at"),
        actor=_text(_field(entry, "actor")),
        label=action_label(action),
        subject=_subject(action, entry),
        milestone=bool(_field(entry, "milestone")),
        document_note=_document_note(action, detail),
        revoked=bool(_field(entry, "revoked")),
        happened_note=_("gebeurd op %(when)s", when=moment(instant)) if instant else "",
        reason=_text(detail.get("reden") or ""),
        error=_text(detail.get("fout") or ""),
    )


def history_rows(history: Iterable[Any]) -> list[HistoryRow]:
    """The case history as the page lists it: newest first."""
    return [history_row(entry) for entry in reversed(list(history))]

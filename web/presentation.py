"""Template helpers: labels for codes (roles, regions, statuses, history actions) and case values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from engine.base.vocabulary import ACTION_LABELS, REGIONS, ROLES
from engine.cases.read_models import FieldTexts
from web.i18n import moment

_ROLE_LABELS = {r.code: r.label for r in ROLES}
_REGION_NAMES = {r.code: r.name for r in REGIONS}
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

# Case variables shown first on task and case pages (the rest is behind "alle zaakgegevens").
IMPORTANT_VARIABLES = (
    "adres",
    "uithuisgeplaatste_naam",
    "omschrijving",
    "achterblijvers",
    "kinderen",
    "aanhouding",
    "vermoeden_kindermishandeling",
    "woonsituatie",
    "besluit_door",
    "contactverbod_namen",
)
STATUS_LABELS = {
    "active": _l("Actief"),
    "completed": _l("Afgerond"),
    "terminated": _l("Beëindigd"),
    "error": _l("Fout: vastgelopen"),
    "ready": _l("Open"),
    "cancelled": _l("Vervallen"),
}
RELATION_LABELS = {
    "taak": _l("taak in de zaak"),
    "partij": _l("partij (verzoeker of regiehouder)"),
    "gevraagd": _l("erbij gevraagd (document ontvangen)"),
    "doorbraak": _l("doorbraak met reden"),
}
TOKEN_STATES = {"actief": _l("actief"), "verlopen": _l("verlopen"), "ingetrokken": _l("ingetrokken")}
BAN_STATUS_LABELS = {
    "opgelegd": _l("Opgelegd"),
    "verlengd": _l("Verlengd"),
    "opgeschort": _l("Opgeschort"),
    "hervat": _l("Hervat"),
    "verlopen": _l("Verlopen"),
    "geschorst": _l("Geschorst door de rechter"),
    "vernietigd": _l("Vernietigd door de rechter"),
    "ingetrokken": _l("Ingetrokken"),
}


def role_label(code: str | None) -> str:
    return _ROLE_LABELS.get(code or "", code or "")


def region_name(code: str | None) -> str:
    return _REGION_NAMES.get(code or "", code or "")


_ACRONYMS = {"rihg": "RIHG", "zsm": "ZSM", "pv": "PV", "rvdk": "RvdK"}


def humanize(code: str | None) -> str:
    """'huisverbod_opgelegd' -> 'Huisverbod opgelegd'; 'rihg_afgenomen' -> 'RIHG afgenomen'."""
    words = [_ACRONYMS.get(word, word) for word in (code or "").split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def action_label(code: str | None) -> str:
    """The label of an audit-trail action in the page's language (the Dutch is in engine.base.vocabulary)."""
    label = ACTION_LABELS.get(code or "")
    return gettext(label) if label else humanize(code)


def role_list(codes: Iterable[str]) -> str:
    """Role labels for reading: 'Politie, Burgemeester'."""
    return ", ".join(role_label(code) for code in codes)


def region_list(codes: Iterable[str]) -> str:
    return ", ".join(region_name(code) for code in codes)


def label_of(labels: FieldTexts, key: str) -> str:
    return labels.title(key) or humanize(key)


def field_value_text(labels: FieldTexts, key: str | None, value: Any) -> str:
    """A scalar value of field ``key``: the title of a choice (``In persoon``, not ``in_persoon``), else value_text."""
    return labels.choice(key, value) or value_text(value)


def value_text(value: Any) -> str:
    """A scalar case value as text: yes/no, dates in Amsterdam time, the rest as is."""
    if value is True:
        return str(_l("Ja"))
    if value is False:
        return str(_l("Nee"))
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and _ISO_INSTANT.match(value):
        try:
            datetime.fromisoformat(value)
            return moment(value)
        except ValueError:
            return value
    return str(value)


def is_mapping(value: Any) -> bool:
    return isinstance(value, dict)


def is_list(value: Any) -> bool:
    return isinstance(value, list)


def access_summary(relations: Mapping[str, Iterable[str]]) -> str:
    """Why the user sees a case: 'Politie (taak in de zaak, partij …); Veilig Thuis (…)'."""
    return "; ".join(
        f"{role_label(role)} ({', '.join(str(RELATION_LABELS.get(r, r)) for r in why)})"
        for role, why in relations.items()
    )


# The project's states as NL Design System status badges (utrecht-status-badge): each state's kind of badge.
# The class badge-<state> stays beside it for pages and tests that pick one badge out.
_BADGE_KINDS = {
    "danger": "danger",  # a task past its due time
    "acute": "warning",
    "ban": "warning",
    "active": "active",
    "completed": "inactive",
    "terminated": "inactive",
    "error": "error",
    "live": "success",
    "current": "success",
    "warn": "warning",
    "added": "success",
    "changed": "warning",
    "removed": "danger",
    "migrated": "success",
    "safe": "safe",
    "refused": "danger",
}


def status_badge(state: str = "") -> str:
    """The classes of a status badge for ``state`` (a neutral badge for a state without a kind)."""
    kind = _BADGE_KINDS.get(state, "neutral")
    return f"utrecht-status-badge utrecht-status-badge--{kind}" + (f" badge-{state}" if state else "")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        role_label=role_label,
        region_name=region_name,
        role_list=role_list,
        region_list=region_list,
        humanize=humanize,
        action_label=action_label,
        label_of=label_of,
        field_value_text=field_value_text,
        STATUS_LABELS=STATUS_LABELS,
        TOKEN_STATES=TOKEN_STATES,
        access_summary=access_summary,
        IMPORTANT_VARIABLES=IMPORTANT_VARIABLES,
        BAN_STATUS_LABELS=BAN_STATUS_LABELS,
        status_badge=status_badge,
    )
    app.jinja_env.filters["value_text"] = value_text
    app.jinja_env.tests["mapping_value"] = is_mapping
    app.jinja_env.tests["list_value"] = is_list

"""The two document forms of the web pages: making a document and recording its service (uitreiking).

The web checks the shape of a post (required fields, choices offered, lengths, a readable
date and time) and puts each error next to its field. Everything about the law (who may,
which name, whether a note is needed, whether the moment is possible) is the engine's;
its refusals are placed next to the field they are about (see ``place_engine_error``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from engine.base.clock import AMSTERDAM, parse_instant
from engine.documents.service import NOTE_MAX

SERVICE_FIELDS = ("ontvanger_rol", "ontvanger_naam", "wijze", "uitgereikt_op", "toelichting")
NAME_MAX = 200
INPUT_PREFIX = "invoer."
# Engine refusals of engine.documents.service.record_service, by a phrase in the message, and the field they are about.
_ENGINE_PHRASES = (
    ("toelichting", "toelichting"),
    ("tijdstip van uitreiken", "uitgereikt_op"),
    ("naam van de ontvanger", "ontvanger_naam"),
    ("de uithuisgeplaatste in deze zaak is", "ontvanger_naam"),
    ("geen achterblijver", "ontvanger_naam"),
    ("gaat niet naar", "ontvanger_rol"),
    ("kan niet bij", "wijze"),
    ("wijze van uitreiken", "wijze"),
)


@dataclass
class ServiceInput:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors


def local_now(now: datetime) -> str:
    """An instant as the value of a datetime-local field, in Amsterdam time (to the minute)."""
    return now.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")


def service_defaults(options: dict[str, Any], now: datetime) -> dict[str, str]:
    """The service form before anything is typed: the first recipient, the name the document names, now."""
    recipient = options["ontvangers"][0] if options["ontvangers"] else ""
    names = options["namen"].get(recipient) or [""]
    return {
        "ontvanger_rol": recipient,
        "ontvanger_naam": names[0] if len(names) == 1 else "",
        "wijze": "",
        "uitgereikt_op": local_now(now),
        "toelichting": "",
    }


def readable_instant(text: str) -> bool:
    """Whether the engine can read ``text`` as an instant (an ISO date and time; far-off years overflow)."""
    try:
        parse_instant(text)
    except (ValueError, OverflowError, TypeError, AttributeError):
        return False
    return True


def parse_service(form: Mapping[str, str], options: dict[str, Any]) -> ServiceInput:
    """The posted service form, with an error per field for what is missing, unknown or too long."""
    # Cut just past the longest allowed text: enough to tell it is too long, never echoing a huge post back.
    values = {name: (form.get(name) or "").strip()[: NOTE_MAX + 1] for name in SERVICE_FIELDS}
    errors: dict[str, str] = {}
    methods = {m["code"]: m for m in options["wijzen"]}
    if not values["ontvanger_rol"]:
        errors["ontvanger_rol"] = _("Kies de ontvanger.")
    elif values["ontvanger_rol"] not in options["ontvangers"]:
        errors["ontvanger_rol"] = _("Kies een ontvanger uit de lijst.")
    if not values["wijze"]:
        errors["wijze"] = _("Kies hoe het document is uitgereikt.")
    elif values["wijze"] not in methods:
        errors["wijze"] = _("Kies een wijze van uitreiken uit de lijst.")
    elif "ontvanger_rol" not in errors and values["ontvanger_rol"] not in methods[values["wijze"]]["ontvangers"]:
        errors["wijze"] = _("Deze wijze van uitreiken kan niet bij deze ontvanger.")
    if len(values["ontvanger_naam"]) > NAME_MAX:
        errors["ontvanger_naam"] = _("Maximaal %(num)d tekens.", num=NAME_MAX)
    if len(values["toelichting"]) > NOTE_MAX:
        errors["toelichting"] = _("Maximaal %(num)d tekens.", num=NOTE_MAX)
    if not values["uitgereikt_op"]:
        errors["uitgereikt_op"] = _("Vul de datum en tijd van uitreiken in.")
    else:
        if not readable_instant(values["uitgereikt_op"]):
            errors["uitgereikt_op"] = _("Vul een datum en tijd in (Nederlandse tijd).")
    return ServiceInput(values, errors)


def place_engine_error(message: str) -> tuple[str, str]:
    """(field, message) for a refusal of the engine; field '' when it is about the form as a whole."""
    lowered = message.casefold()
    for phrase, name in _ENGINE_PHRASES:
        if phrase in lowered:
            return name, message[:1].upper() + message[1:]
    return "", message[:1].upper() + message[1:]


def parse_make(
    form: Mapping[str, str], inputs: list[dict[str, Any]], roles: list[str]
) -> tuple[dict[str, str], str | None, dict[str, str]]:
    """(typed inputs, chosen role, errors by field) of the form that makes a document."""
    values, errors = {}, {}
    for spec in inputs:
        value = (form.get(INPUT_PREFIX + spec["naam"]) or "").strip()
        if len(value) > spec["max"]:
            errors[INPUT_PREFIX + spec["naam"]] = _("Maximaal %(num)d tekens.", num=spec["max"])
            value = value[: spec["max"] + 1]
        values[spec["naam"]] = value
    role = (form.get("rol") or "").strip() or None
    if len(roles) > 1 and role not in roles:
        errors["rol"] = _("Kies de rol waarin je dit document maakt.")
    if len(roles) <= 1:
        role = None
    return values, role, errors

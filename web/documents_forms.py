"""The two document forms of the web pages: making a document and recording its service (uitreiking).

The web checks the shape of a post (required fields, choices offered, lengths, a readable
date and time) and puts each error next to its field. Everything about the law (who may,
which name, whether a note is needed, whether the moment is possible) is the engine's;
its refusals are placed next to the field they are about (see ``place_engine_error``, by the ``field``
of engine.base.errors.InvalidInput).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from engine.base.clock import AMSTERDAM, parse_instant
from engine.base.errors import InvalidInput
from engine.documents.read_models import DocumentInput, ServiceOptions
from engine.documents.service import NOTE_MAX

SERVICE_FIELDS = ("ontvanger_rol", "ontvanger_naam", "wijze", "uitgereikt_op", "toelichting")
NAME_MAX = 200
INPUT_PREFIX = "invoer."
# The form field of each parameter of engine.documents.service.record_service a refusal can be about.
_FORM_FIELDS = {
    "note": "toelichting",
    "served_at": "uitgereikt_op",
    "recipient_name": "ontvanger_naam",
    "recipient_role": "ontvanger_rol",
    "method": "wijze",
}


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


def service_defaults(options: ServiceOptions, now: datetime) -> dict[str, str]:
    """The service form before anything is typed: the first recipient, the name the document names, now."""
    recipient = options.recipients[0] if options.recipients else ""
    names = options.names.get(recipient) or [""]
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


def parse_service(form: Mapping[str, str], options: ServiceOptions) -> ServiceInput:
    """The posted service form, with an error per field for what is missing, unknown or too long."""
    # Cut just past the longest allowed text: enough to tell it is too long, never echoing a huge post back.
    values = {name: (form.get(name) or "").strip()[: NOTE_MAX + 1] for name in SERVICE_FIELDS}
    errors: dict[str, str] = {}
    methods = {m.code: m for m in options.methods}
    if not values["ontvanger_rol"]:
        errors["ontvanger_rol"] = _("Kies de ontvanger.")
    elif values["ontvanger_rol"] not in options.recipients:
        errors["ontvanger_rol"] = _("Kies een ontvanger uit de lijst.")
    if not values["wijze"]:
        errors["wijze"] = _("Kies hoe het document is uitgereikt.")
    elif values["wijze"] not in methods:
        errors["wijze"] = _("Kies een wijze van uitreiken uit de lijst.")
    elif "ontvanger_rol" not in errors and values["ontvanger_rol"] not in methods[values["wijze"]].recipients:
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


def place_engine_error(exc: InvalidInput) -> tuple[str, str]:
    """(form field, message) for a refusal of the engine; field '' when it is about the form as a whole."""
    return _FORM_FIELDS.get(exc.field or "", ""), exc.message[:1].upper() + exc.message[1:]


def parse_make(
    form: Mapping[str, str], inputs: Sequence[DocumentInput], roles: Sequence[str]
) -> tuple[dict[str, str], str | None, dict[str, str]]:
    """(typed inputs, chosen role, errors by field) of the form that makes a document."""
    values, errors = {}, {}
    for spec in inputs:
        value = (form.get(INPUT_PREFIX + spec.name) or "").strip()
        if len(value) > spec.max_length:
            errors[INPUT_PREFIX + spec.name] = _("Maximaal %(num)d tekens.", num=spec.max_length)
            value = value[: spec.max_length + 1]
        values[spec.name] = value
    role = (form.get("rol") or "").strip() or None
    if len(roles) > 1 and role not in roles:
        errors["rol"] = _("Kies de rol waarin je dit document maakt.")
    if len(roles) <= 1:
        role = None
    return values, role, errors

"""Form data for a synthetic case: what a caseworker would type, made from the task's own JSON schema.

The profile gives the fields that matter (the decisions and any fixed data); every other field a
form requires is filled with the plainest valid value its schema allows: the first option of a
choice, ``false``, the minimum of a number, a short text, the act's instant for a date-time. The
schema's ``if``/``then`` rules add the fields a choice makes required (extending needs a number of
days), so the data always passes the engine's own form validation, which is run on it too.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator

from engine.base.errors import FormInvalid, InvalidInput
from engine.modeling.forms import field_choices, validate_form_data

TEXT = "Gesimuleerd"
_MAX_ROUNDS = 8  # if/then rules that keep adding fields: more rounds than any form needs


def choices(prop: dict[str, Any]) -> list[Any]:
    if "const" in prop:
        return [prop["const"]]
    return [choice.code for choice in field_choices(prop) or ()]


def plain_value(prop: dict[str, Any], instant: datetime) -> Any:
    """The plainest valid value of one field."""
    options = choices(prop)
    if options:
        return options[0]
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        low = prop.get("minimum", prop.get("exclusiveMinimum", -1) + 1 if "exclusiveMinimum" in prop else 0)
        return int(low) if kind == "integer" else low
    if kind == "array":
        count = int(prop.get("minItems", 0))
        item: dict[str, Any] = prop["items"] if isinstance(prop.get("items"), dict) else {}
        return [plain_value(item, instant) for _ in range(count)]
    if kind == "object":
        return fill(prop, {}, instant)
    if prop.get("format") == "date-time":
        return instant.isoformat()
    if prop.get("format") == "date":
        return instant.date().isoformat()
    text = TEXT
    if "minLength" in prop:
        text = text.ljust(int(prop["minLength"]), ".")
    if "maxLength" in prop:
        text = text[: int(prop["maxLength"])]
    return text


def _required(schema: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """The fields required now: the schema's own plus those of every ``if`` the data meets."""
    names = list(schema.get("required") or [])
    rules = [schema] + [r for r in schema.get("allOf") or [] if isinstance(r, dict)]
    for rule in rules:
        condition, then = rule.get("if"), rule.get("then")
        if isinstance(condition, dict) and isinstance(then, dict):
            if Draft202012Validator(condition).is_valid(data):
                names.extend(then.get("required") or [])
            elif isinstance(rule.get("else"), dict):
                names.extend(rule["else"].get("required") or [])
    return names


def fill(schema: dict[str, Any], given: dict[str, Any], instant: datetime) -> dict[str, Any]:
    """``given`` plus the plainest valid value of every field the schema requires."""
    data = dict(given)
    properties = schema.get("properties") or {}
    for _ in range(_MAX_ROUNDS):
        missing = [n for n in _required(schema, data) if n not in data]
        if not missing:
            break
        for name in missing:
            data[name] = plain_value(properties.get(name) or {}, instant)
    # A diligent caseworker also writes the optional explanations (a decision that departs from the
    # advice must say why); choices, dates and patterned fields that are optional stay empty.
    for name, prop in properties.items():
        if name not in data and prop.get("type") == "string" and not choices(prop):
            if "format" not in prop and "pattern" not in prop:
                data[name] = plain_value(prop, instant)
    return data


def datetime_fields(schema: dict[str, Any]) -> frozenset[str]:
    """Top-level fields holding an instant: set to the act's instant in every act."""
    return frozenset(n for n, p in (schema.get("properties") or {}).items() if p.get("format") == "date-time")


class FormFiller:
    """Fills and checks form data; each distinct shape of data is validated once (instants aside)."""

    def __init__(self) -> None:
        self._checked: set[tuple[str, str]] = set()

    def data(
        self, form: str, schema: dict[str, Any], given: dict[str, Any], instant: datetime, where: str
    ) -> dict[str, Any]:
        if schema.get("additionalProperties") is False:
            # The profile's data is shared by variants whose forms differ (the start form of V2 asks a route).
            given = {k: v for k, v in given.items() if k in (schema.get("properties") or {})}
        stamped = {name: instant.isoformat() for name in datetime_fields(schema) if name not in given}
        data = fill(schema, {**given, **stamped}, instant)
        key = (form, json.dumps({k: v for k, v in data.items() if k not in stamped}, sort_keys=True, default=str))
        if key not in self._checked:
            try:
                validate_form_data(schema, data)
            except FormInvalid as exc:
                raise InvalidInput(
                    f"{where}: de gesimuleerde gegevens passen niet in formulier {form} ({exc.message}); "
                    "geef de ontbrekende velden in het profiel (gegevens)"
                ) from None
            self._checked.add(key)
        return data

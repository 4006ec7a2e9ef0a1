"""Turn an HTML form post into JSON data of the schema's types, before the engine validates it.

Only fields the schema names are read; anything else in the post is ignored.
An empty input means "not given" (the key is left out, so a required field gets
"Dit veld is verplicht."); a value that does not convert (``"abc"`` for a
number, a malformed date) is passed on as the text typed, so the engine reports
it next to the field and the page shows it again. An unchecked checkbox is
``false``; a list is always sent (``[]`` when empty). Empty rows of a list, and
optional groups with nothing filled in, are left out.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.base.clock import AMSTERDAM
from web.form_rendering import MAX_DEPTH, choices, schema_type

MAX_ROWS = 100  # rows read per list, whatever indices a post invents
_INT = re.compile(r"^[+-]?\d{1,15}$")
_NUMBER = re.compile(r"^[+-]?(\d{1,15}([.,]\d{0,15})?|[.,]\d{1,15})$")
_MISSING = object()


def parse_form(schema: dict[str, Any], form: MultiDict) -> dict[str, Any]:
    """The data of an object schema from a form post."""
    value = _object(schema, "", form, 0, required=True)
    return value if isinstance(value, dict) else {}


def _object(schema: dict[str, Any], prefix: str, form: MultiDict, depth: int, required: bool) -> Any:
    result: dict[str, Any] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        value = _value(prop, f"{prefix}{name}", form, depth + 1, name in (schema.get("required") or []))
        if value is not _MISSING:
            result[name] = value
    if not required and _blank(result):
        return _MISSING
    return result


def _value(schema: dict[str, Any], path: str, form: MultiDict, depth: int, required: bool) -> Any:
    if depth > MAX_DEPTH:
        return _MISSING
    kind = schema_type(schema)
    if kind == "object":
        return _object(schema, path + ".", form, depth, required)
    if kind == "array":
        return _array(schema, path, form, depth)
    if kind == "boolean":
        return form.get(path) in ("true", "on", "1", "ja")
    return _scalar(schema, kind, form.get(path, ""))


def _scalar(schema: dict[str, Any], kind: str, raw: str) -> Any:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return _MISSING
    if kind in ("integer", "number"):
        return _number(text, kind)
    if schema.get("format") == "date-time":
        return _datetime(text)
    return text


def _number(text: str, kind: str) -> Any:
    if kind == "integer":
        return int(text) if _INT.match(text) else text
    if _NUMBER.match(text):
        normal = text.replace(",", ".")
        number = float(normal)
        return int(number) if number.is_integer() and "." not in normal else number
    return text


def _datetime(text: str) -> str:
    """A datetime-local value (Amsterdam wall-clock time) as an ISO instant with offset."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=AMSTERDAM)
    return parsed.isoformat()


def _indices(path: str, form: MultiDict) -> list[int]:
    """Row indices present in the post for a list field (``path.<n>`` or ``path.<n>.<field>``)."""
    prefix = path + "."
    found = set()
    for key in form.keys():
        if key.startswith(prefix):
            head = key[len(prefix) :].split(".", 1)[0]
            if head.isdigit() and len(head) <= 4:
                found.add(int(head))
    return sorted(found)[:MAX_ROWS]


def _array(schema: dict[str, Any], path: str, form: MultiDict, depth: int) -> Any:
    items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
    if choices(items) is not None:
        values = [v for v in form.getlist(path) if isinstance(v, str) and v][:MAX_ROWS]
        if schema_type(items) in ("integer", "number"):
            return [_number(v, schema_type(items)) for v in values]
        return values
    rows = []
    for index in _indices(path, form):
        row_path = f"{path}.{index}"
        if schema_type(items) == "object":
            value = _object(items, row_path + ".", form, depth + 1, required=False)
        else:
            value = _value(items, row_path, form, depth + 1, False)
        if value is not _MISSING:
            rows.append(value)
    return rows


def _blank(value: dict[str, Any]) -> bool:
    """Nothing filled in: only unchecked checkboxes, empty lists and empty groups."""
    return all(v is False or v == [] or (isinstance(v, dict) and _blank(v)) for v in value.values())

"""Turn a JSON Schema form into a tree of fields that the template macros render.

Supported: text, textarea (``"x-widget": "textarea"``), integer and number,
date and date-time, choices (``oneOf`` of ``{const, title}`` or ``enum``) as
radio buttons (up to five) or a select, booleans as a checkbox, arrays of
choices as checkboxes, arrays of strings and of objects as rows that can be
added and removed, and nested objects as fieldsets. Field names are dotted
paths (``kinderen.0.leeftijd``), the same paths the engine uses in its field
errors, so an error lands next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.base.clock import AMSTERDAM
from engine.modeling.forms import field_choices

RADIO_LIMIT = 5  # more choices than this become a select
EMPTY_ROWS = 2  # empty rows offered for arrays (the no-JavaScript fallback)
MAX_DEPTH = 8
INDEX = "__INDEX__"  # placeholder in the row template that JavaScript copies


@dataclass
class Field:
    name: str
    label: str
    kind: str
    required: bool = False
    description: str | None = None
    value: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    children: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)
    template: list[Field] = field(default_factory=list)
    error: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return "f-" + self.name.replace(".", "-")


def choices(schema: dict[str, Any]) -> list[tuple[str, str]] | None:
    """(value, label) pairs of a choice field, or None when the field is free input."""
    found = field_choices(schema)
    return None if found is None else [(str(c.code), c.title or str(c.code)) for c in found]


def schema_type(schema: dict[str, Any]) -> str:
    """The JSON type of a schema node (the first non-null one of a list; string by default)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return kind if isinstance(kind, str) else "string"


def local_datetime_value(value: Any) -> str:
    """An ISO instant as the value of a datetime-local input, in Amsterdam time."""
    if not isinstance(value, str):
        return ""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(AMSTERDAM)
    return parsed.strftime("%Y-%m-%dT%H:%M")


def _scalar_text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    return str(value)


def build_fields(
    schema: dict[str, Any], values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> list[Field]:
    """The fields of an object schema, filled with ``values`` and the engine's field ``errors``."""
    return _object_children(schema, "", values if isinstance(values, dict) else {}, errors or {}, 0)


def _object_children(
    schema: dict[str, Any], prefix: str, values: dict[str, Any], errors: dict[str, str], depth: int
) -> list[Field]:
    required = set(schema.get("required") or [])
    fields = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        path = f"{prefix}{name}"
        fields.append(_field(prop, path, name, name in required, values.get(name), errors, depth))
    return fields


def _field(
    schema: dict[str, Any], path: str, name: str, required: bool, value: Any, errors: dict[str, str], depth: int
) -> Field:
    kind = schema_type(schema)
    f = Field(
        name=path,
        label=str(schema.get("title") or name),
        kind="text",
        required=required,
        description=schema.get("description"),
        error=errors.get(path),
    )
    options = choices(schema)
    if depth >= MAX_DEPTH:
        f.kind = "unsupported"
    elif kind == "object":
        f.kind = "object"
        f.children = _object_children(schema, path + ".", value if isinstance(value, dict) else {}, errors, depth + 1)
    elif kind == "array":
        _array(f, schema, value, errors, depth)
    elif kind == "boolean":
        f.kind = "checkbox"
        f.value = "true" if value is True else ""
        f.attrs["must_check"] = schema.get("const") is True
    elif options is not None:
        f.kind = "radio" if len(options) <= RADIO_LIMIT else "select"
        f.options = options
        f.value = _scalar_text(value)
    elif kind in ("integer", "number"):
        f.kind = "number"
        f.value = _scalar_text(value)
        f.attrs = {k: schema[k] for k in ("minimum", "maximum") if isinstance(schema.get(k), (int, float))}
        f.attrs["step"] = "1" if kind == "integer" else "any"
    elif schema.get("format") == "date":
        f.kind, f.value = "date", _scalar_text(value)
    elif schema.get("format") == "date-time":
        f.kind, f.value = "datetime", local_datetime_value(value)
    else:
        f.kind = "textarea" if schema.get("x-widget") == "textarea" else "text"
        f.value = _scalar_text(value)
        if isinstance(schema.get("maxLength"), int):
            f.attrs["maxlength"] = schema["maxLength"]
    return f


def _array(f: Field, schema: dict[str, Any], value: Any, errors: dict[str, str], depth: int) -> None:
    items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
    values = value if isinstance(value, list) else []
    options = choices(items)
    max_items: int = schema["maxItems"] if isinstance(schema.get("maxItems"), int) else 50
    if options is not None:
        f.kind, f.options = "checkboxes", options
        f.checked = {str(v) for v in values}
        return
    item_kind = schema_type(items)
    f.kind = "rows" if item_kind == "object" else "list"
    count = min(max(len(values) + EMPTY_ROWS, EMPTY_ROWS), max(max_items, len(values)))
    f.attrs["max_items"] = max_items
    for index in range(count):
        row_value = values[index] if index < len(values) else None
        f.rows.append(_row(items, f"{f.name}.{index}", row_value, errors, depth))
    f.template = _row(items, f"{f.name}.{INDEX}", None, {}, depth)


def _row(items: dict[str, Any], path: str, value: Any, errors: dict[str, str], depth: int) -> list[Field]:
    if schema_type(items) == "object":
        return _object_children(items, path + ".", value if isinstance(value, dict) else {}, errors, depth + 1)
    label = str(items.get("title") or "")
    return [_field(items, path, label, False, value, errors, depth + 1)]


def all_paths(fields: list[Field]) -> set[str]:
    """Every field name in the tree, to tell which errors have no field of their own."""
    paths: set[str] = set()
    for f in fields:
        paths.add(f.name)
        paths |= all_paths(f.children)
        for row in f.rows:
            paths |= all_paths(row)
    return paths


def labels_by_path(fields: list[Field], parent: str = "") -> dict[str, str]:
    """Each field's label, prefixed with its group's, for the error summary."""
    labels: dict[str, str] = {}
    for f in fields:
        label = f"{parent} › {f.label}" if parent and f.label else (f.label or parent)
        labels[f.name] = label
        labels.update(labels_by_path(f.children, label))
        for number, row in enumerate(f.rows, start=1):
            labels.update(labels_by_path(row, f"{label} {number}"))
    return labels


def unplaced_errors(fields: list[Field], errors: dict[str, str]) -> dict[str, str]:
    """Errors whose path is no rendered field (shown above the form)."""
    paths = all_paths(fields)
    return {path: message for path, message in errors.items() if path not in paths}

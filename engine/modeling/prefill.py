"""Form fields that start from what the case already knows: ``"x-prefill": "adres"`` on a form property.

A hulpofficier at night should not type the address and the names of the melding again in the
beschikking, nor the contactverbod again in the verlenging. A property names a case variable by a
dotted path; ``[]`` takes every item of a list (``"achterblijvers[].naam"``: the names of all
achterblijvers). The value only fills the empty form (the person can change it) and comes from the
case data the person may see (engine.workflow.visibility), so a prefill never shows more than the
case page does. A value that does not fit the field (not text for a text field, not a list of texts for
a list) is left out.
"""

from __future__ import annotations

import re
from typing import Any

PREFILL = "x-prefill"
_PATH = re.compile(r"^[a-z_][a-z0-9_]*(\[\])?(\.[a-z_][a-z0-9_]*(\[\])?)*$")


def check_prefill(schema: dict[str, Any]) -> None:
    """Every ``x-prefill`` of the form's fields is a path the engine can follow; raise ValueError in Dutch."""
    for name, prop in (schema.get("properties") or {}).items():
        path = prop.get(PREFILL) if isinstance(prop, dict) else None
        if path is not None and (not isinstance(path, str) or not _PATH.match(path)):
            raise ValueError(
                f"{PREFILL} bij '{name}' moet een pad naar zaakgegevens zijn, zoals 'adres' of 'achterblijvers[].naam'"
            )


def _follow(value: Any, segments: list[str]) -> Any:
    if not segments:
        return value
    segment, rest = segments[0], segments[1:]
    each = segment.endswith("[]")
    key = segment[:-2] if each else segment
    inner = value.get(key) if isinstance(value, dict) else None
    if not each:
        return _follow(inner, rest)
    if not isinstance(inner, list):
        return None
    found = [_follow(item, rest) for item in inner]
    return [item for item in found if item is not None]


def _fits(value: Any, prop: dict[str, Any]) -> bool:
    if prop.get("type") == "string":
        return isinstance(value, str) and bool(value.strip())
    if prop.get("type") == "array" and (prop.get("items") or {}).get("type") == "string":
        return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)
    return False


def prefill_values(schema: dict[str, Any] | None, variables: dict[str, Any]) -> dict[str, Any]:
    """The starting values of a form from ``variables`` (the case data its user may see)."""
    values: dict[str, Any] = {}
    for name, prop in ((schema or {}).get("properties") or {}).items():
        path = prop.get(PREFILL) if isinstance(prop, dict) else None
        if isinstance(path, str) and _PATH.match(path):
            value = _follow(variables, path.split("."))
            if _fits(value, prop):
                values[name] = value
    return values

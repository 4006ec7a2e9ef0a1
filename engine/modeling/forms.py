"""Task forms: JSON Schema 2020-12 files in ``forms/``, validated per field in Dutch."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError

from engine.base.errors import FieldCode, FormInvalid
from engine.base.paths import FORMS_DIR as FORMS_DIR  # re-exported: the default forms folder
from engine.base.vocabulary import VISIBLE_TO, audience_roles
from engine.modeling.prefill import check_prefill

FORM_SUFFIX = ".schema.json"
FORMS_PREFIX = "forms/"  # where a bundle and a stored version keep their forms

_format_checker = FormatChecker()


@_format_checker.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@_format_checker.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("tijdzone ontbreekt")
    return True


def load_schema_text(text: str) -> dict[str, Any]:
    """Parse and check a form schema; raise ValueError with a Dutch reason."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"geen geldige JSON (regel {exc.lineno}): {exc.msg}") from None
    if not isinstance(schema, dict):
        raise ValueError("een formulier moet een JSON-object zijn")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise ValueError(f"geen geldig JSON Schema 2020-12: {exc.message}") from None
    if schema.get("type") != "object":
        raise ValueError('een formulier moet "type": "object" hebben')
    _check_visible_to(schema, "")
    check_prefill(schema)
    return schema


def _check_visible_to(schema: dict[str, Any], where: str) -> None:
    """Every ``x-visible-to`` names known audiences or case roles (a typo must not hide or show data)."""
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        declared = prop.get(VISIBLE_TO)
        if declared is not None:
            if not isinstance(declared, list) or not declared or not all(isinstance(n, str) for n in declared):
                raise ValueError(f"{VISIBLE_TO} bij '{where}{name}' moet een niet-lege lijst van namen zijn")
            try:
                audience_roles(declared)
            except ValueError as exc:
                raise ValueError(f"{VISIBLE_TO} bij '{where}{name}': {exc}") from None
        _check_visible_to(prop, f"{where}{name}.")


@dataclass(frozen=True)
class Choice:
    """One option of a choice field: the code the case stores, and the title the form shows (if any)."""

    code: Any
    title: str | None


def field_choices(prop: Mapping[str, Any]) -> list[Choice] | None:
    """The options a form field offers, in the form's order; None for free input.

    A choice field lists ``{const, title}`` options under ``oneOf`` (or ``anyOf``), or plain values
    under ``enum``. A ``oneOf`` whose options are not all constants is a choice between schemas, not
    between values. Every reader of a field's choices (the form, the case page, the
    werkprocesbeschrijving, conditions in words, lanes, the simulation) asks here.
    """
    for key in ("oneOf", "anyOf"):
        options = prop.get(key)
        if isinstance(options, list) and options:
            if not all(isinstance(o, dict) and "const" in o for o in options):
                return None
            return [Choice(o["const"], str(o["title"]) if o.get("title") else None) for o in options]
    values = prop.get("enum")
    return [Choice(value, None) for value in values] if isinstance(values, list) else None


def item_choices(prop: Mapping[str, Any]) -> list[Choice] | None:
    """The options of a choice field, or of each item of a list field (a set of checkboxes)."""
    found = field_choices(prop)
    items = prop.get("items")
    if found is None and isinstance(items, Mapping):
        found = field_choices(items)
    return found


def read_form_file(name: str, forms_dir: Path = FORMS_DIR) -> str:
    """The text of ``forms/<name>``; ``name`` may not leave the folder."""
    if "/" in name or "\\" in name or name.startswith(".") or not name.endswith(FORM_SUFFIX):
        raise ValueError(f"ongeldige formuliernaam '{name}' (verwacht <naam>{FORM_SUFFIX})")
    path = forms_dir / name
    if not path.is_file():
        raise FileNotFoundError(name)
    return path.read_text(encoding="utf-8")


def _field_path(error: ValidationError) -> str:
    path = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path.append(missing)
    elif error.validator == "additionalProperties" and "'" in error.message:
        path.append(error.message.split("'")[1])
    return ".".join(path) or "(formulier)"


_FORMAT_MESSAGES = {"date": "Verwacht een datum (JJJJ-MM-DD).", "date-time": "Verwacht een tijdstip met tijdzone."}


def _message(error: ValidationError) -> str:
    # Both are set on every error a validator reports (jsonschema types them as possibly unset).
    v: Any = error.validator
    arg: Any = error.validator_value
    if v == "required":
        return "Dit veld is verplicht."
    if v == "type":
        return f"Verwacht {_type_nl(arg)}."
    if v == "enum":
        return "Kies een van: " + ", ".join(str(x) for x in arg) + "."
    if v == "format":
        return _FORMAT_MESSAGES.get(arg, "Het formaat klopt niet.")
    if v == "minLength":
        return "Dit veld is verplicht." if arg == 1 else f"Minimaal {arg} tekens."
    templates = {
        "const": "Moet {arg!r} zijn.",
        "additionalProperties": "Onbekend veld.",
        "maxLength": "Maximaal {arg} tekens.",
        "minimum": "Minimaal {arg}.",
        "maximum": "Maximaal {arg}.",
        "maxItems": "Maximaal {arg} keuzes.",
        "minItems": "Minimaal {arg} keuze(s).",
        "uniqueItems": "Elke keuze mag maar één keer voorkomen.",
        "pattern": "Het formaat klopt niet.",
        "maxProperties": "Te veel velden.",
    }
    return templates.get(v, "Ongeldige waarde.").format(arg=arg)


_CODES = {
    "required": FieldCode.REQUIRED,
    "type": FieldCode.TYPE,
    "enum": FieldCode.CHOICE,
    "format": FieldCode.FORMAT,
    "pattern": FieldCode.FORMAT,
    "additionalProperties": FieldCode.UNKNOWN_FIELD,
    "minLength": FieldCode.TOO_SHORT,
    "maxLength": FieldCode.TOO_LONG,
    "minimum": FieldCode.TOO_SMALL,
    "maximum": FieldCode.TOO_LARGE,
    "minItems": FieldCode.TOO_FEW,
    "maxItems": FieldCode.TOO_MANY,
    "maxProperties": FieldCode.TOO_MANY,
    "uniqueItems": FieldCode.NOT_UNIQUE,
}


def _code(error: ValidationError) -> FieldCode:
    """The kind of ``error``; it says the same as :func:`_message`, for code rather than people."""
    v, arg = error.validator, error.validator_value
    if v == "const":
        return FieldCode.MUST_BE_TRUE if arg is True else FieldCode.MUST_EQUAL
    if v == "minLength" and arg == 1:
        return FieldCode.REQUIRED
    return _CODES.get(str(v), FieldCode.INVALID)


def _type_nl(type_name: Any) -> str:
    names = {
        "string": "tekst",
        "integer": "een geheel getal",
        "number": "een getal",
        "boolean": "ja of nee",
        "object": "een groep velden",
        "array": "een lijst",
        "null": "leeg",
    }
    if isinstance(type_name, list):
        return " of ".join(str(names.get(t, t)) for t in type_name)
    return names.get(type_name, str(type_name))


def validate_form_data(schema: dict[str, Any], data: Any) -> None:
    """Raise FormInvalid listing every field that does not satisfy the schema."""
    if not isinstance(data, dict):
        raise FormInvalid(
            "De gegevens moeten een JSON-object zijn.",
            {"(formulier)": "Verwacht een groep velden."},
            {"(formulier)": FieldCode.TYPE},
        )
    validator = Draft202012Validator(schema, format_checker=_format_checker)
    fields: dict[str, str] = {}
    codes: dict[str, FieldCode] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = _field_path(error)
        if path not in fields:
            fields[path], codes[path] = _message(error), _code(error)
    if fields:
        raise FormInvalid(f"{len(fields)} veld(en) kloppen niet: " + ", ".join(fields), fields, codes)

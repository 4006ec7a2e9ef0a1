"""Shared handling of a schema form post: parse, hand to the engine, or show the errors again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_babel import gettext as _

from engine.base.errors import FieldCode, FormInvalid
from web.form_parsing import parse_form
from web.form_rendering import Field, build_fields, labels_by_path, unplaced_errors


def friendly_errors(exc: FormInvalid) -> dict[str, str]:
    """The engine's field messages, with the few that read oddly on a web page rewritten (by their code)."""
    return {
        path: (_("Vink dit aan om te bevestigen.") if exc.codes.get(path) == FieldCode.MUST_BE_TRUE else message)
        for path, message in exc.fields.items()
    }


def form_context(
    schema: dict[str, Any] | None, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    errors = errors or {}
    fields: list[Field] = build_fields(schema, values, errors) if schema else []
    return {
        "fields": fields,
        "errors": errors,
        "unplaced": unplaced_errors(fields, errors),
        "field_labels": labels_by_path(fields),
    }


def submit(schema: dict[str, Any] | None, action: Callable[[dict[str, Any]], Any]) -> tuple[bool, dict[str, Any]]:
    """Parse the post and run ``action(data)``.

    Returns (True, {}) when it succeeded, or (False, form context) with the
    field errors and the input kept when the engine refused the data.
    """
    data = parse_form(schema, request.form) if schema else {}
    try:
        action(data)
    except FormInvalid as exc:
        return False, form_context(schema, data, friendly_errors(exc))
    return True, {}

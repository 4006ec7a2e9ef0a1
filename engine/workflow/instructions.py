"""Instructions for the person doing a task, with the case's own terms filled in.

A designer may write ``{{ huisverbod.uiterste_einde | datumtijd }}`` in a task's
``instructionsForEndUser``, so the form states the latest allowed end in Dutch time.
Templates run in Jinja's sandbox on the case data the user may see; a template that
does not render shows its text unchanged rather than failing the page.
"""

from __future__ import annotations

from typing import Any

from jinja2 import ChainableUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from engine.base.clock import dutch_instant, parse_instant

MAX_LENGTH = 4000


def _datumtijd(value: Any) -> str:
    try:
        return dutch_instant(parse_instant(str(value)))
    except (TypeError, ValueError, OverflowError):
        return "" if value is None else str(value)


def _datum(value: Any) -> str:
    text = _datumtijd(value)
    return text.split(" om ")[0]


_ENV = SandboxedEnvironment(undefined=ChainableUndefined, autoescape=False)
_ENV.filters.update({"datumtijd": _datumtijd, "datum": _datum})


def render_instructions(text: str | None, variables: dict[str, Any]) -> str | None:
    """The instructions with ``{{ … }}`` filled from ``variables`` (already filtered for the user)."""
    if not text or "{{" not in text:
        return text or None
    try:
        rendered = _ENV.from_string(text).render(**variables)
    except (TemplateError, TypeError, ValueError, ArithmeticError, AttributeError, KeyError):
        return text
    return rendered[:MAX_LENGTH]

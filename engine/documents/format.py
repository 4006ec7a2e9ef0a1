"""Dutch formatting for documents: the filters and functions templates use.

Instants are shown in Europe/Amsterdam time ("2 februari 2026 om 21:15"), whatever
form the case data holds them in (ISO text, aware or naive datetime, date).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from engine.base.clock import AMSTERDAM, MONTHS
from engine.base.vocabulary import REGIONS, ROLES
from engine.modeling.document_rules import RECIPIENT_ROLES
from engine.rihg.instrument import signal

_LABELS = {**{r.code: r.label for r in ROLES}, **RECIPIENT_ROLES}


def instant(value: Any) -> datetime | date | None:
    """A datetime in Amsterdam time, a date for a date-only value, None for nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=AMSTERDAM)
        return moment.astimezone(AMSTERDAM)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)).astimezone(AMSTERDAM)


def _instant_or_text(value: Any) -> datetime | date | str | None:
    try:
        return instant(value)
    except (TypeError, ValueError):
        return str(value)  # not a date: show what was entered rather than fail the document


def datum(value: Any) -> str:
    """'2 februari 2026' in Amsterdam."""
    moment = _instant_or_text(value)
    if moment is None or isinstance(moment, str):
        return moment or ""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def datumtijd(value: Any) -> str:
    """'2 februari 2026 om 21:15' in Amsterdam; a date alone is shown without time."""
    moment = _instant_or_text(value)
    if moment is None or isinstance(moment, str):
        return moment or ""
    if not isinstance(moment, datetime):
        return datum(moment)
    return f"{datum(moment)} om {moment:%H:%M}"


def dagen(start: Any, end: Any) -> int:
    """Calendar days between two instants, counted on the Amsterdam calendar."""
    a, b = _instant_or_text(start), _instant_or_text(end)
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return 0
    a_day = a.date() if isinstance(a, datetime) else a
    b_day = b.date() if isinstance(b, datetime) else b
    return (b_day - a_day).days


def namen(values: Iterable[Any] | None, key: str | None = None) -> str:
    """'A', 'A en B', 'A, B en C'; ``key`` picks a field from dicts (achterblijvers|namen('naam'))."""
    items = [str(v.get(key, "") if key and isinstance(v, dict) else v) for v in (values or [])]
    items = [i for i in items if i.strip()]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"


def rol_naam(code: Any) -> str:
    return _LABELS.get(str(code), str(code))


def regio_naam(code: Any) -> str:
    return next((r.name for r in REGIONS if r.code == code), str(code))


def signaal(code: Any) -> str:
    """The Dutch label of a RiHG signal code ("2c.4" -> "verwurging")."""
    try:
        return signal(str(code)).label
    except KeyError:
        return str(code)

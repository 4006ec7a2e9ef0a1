"""Language and time on screen: Dutch by default, English on request; always Europe/Amsterdam.

The language is a choice stored in the session (the switch in the header);
without one it is Dutch. Deadlines are shown as a date and as time left
("nog 3 uur", "2 dagen te laat"), measured against the engine's clock, so a
fixed test clock gives fixed pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, session
from flask_babel import format_datetime, gettext, ngettext

from engine.base.clock import AMSTERDAM, parse_instant
from web.extensions import babel, thv

LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "nl"
SOON_HOURS = 24


def select_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Europe/Amsterdam")
    app.jinja_env.filters["moment"] = moment
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["time_left"] = time_left
    app.jinja_env.filters["urgency"] = urgency
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = select_locale


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=AMSTERDAM)
    if isinstance(value, str) and value:
        try:
            return parse_instant(value)
        except ValueError:
            return None
    return None


def moment(value: Any) -> str:
    """An instant as 'ma 2 feb 2026 21:15' (Amsterdam time, in the page's language)."""
    instant = _instant(value)
    return format_datetime(instant, "EEE d MMM y HH:mm") if instant else ""


def day(value: Any) -> str:
    instant = _instant(value)
    return format_datetime(instant, "d MMM y") if instant else ""


def now() -> datetime:
    return thv.ctx.clock.now()


def _span(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 60:
        return ngettext("%(num)d minuut", "%(num)d minuten", max(minutes, 1))
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(num)d uur", "%(num)d uur", hours)
    return ngettext("%(num)d dag", "%(num)d dagen", hours // 24)


def time_left(value: Any) -> str:
    """'nog 3 uur' before the instant, '2 dagen te laat' after it."""
    instant = _instant(value)
    if instant is None:
        return ""
    seconds = (instant - now()).total_seconds()
    if seconds >= 0:
        return gettext("nog %(span)s", span=_span(seconds))
    return gettext("%(span)s te laat", span=_span(-seconds))


def urgency(value: Any) -> str:
    """A CSS class: 'te-laat' after the deadline, 'binnenkort' within a day, else ''."""
    instant = _instant(value)
    if instant is None:
        return ""
    seconds = (instant - now()).total_seconds()
    if seconds < 0:
        return "te-laat"
    return "binnenkort" if seconds <= SOON_HOURS * 3600 else ""

"""Time for the engine: one clock object, legal terms in Dutch wall-clock time.

:func:`engine_time` binds the clock that "now" means while the engine runs a
workflow; the timers of engine.modeling.legal_timers read it through
:func:`current_now`. SpiffWorkflow's own modules are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

if TYPE_CHECKING:
    from engine.base.settings import Settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to: for tests, training and fast-forward."""

    def __init__(self, start: datetime):
        self._now = to_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = to_utc(instant)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def to_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("tijdstip zonder tijdzone")
    return instant.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a value without offset is read as Amsterdam time."""
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=AMSTERDAM)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"tijdstip buiten het bereik: {text}") from None


def dutch_midnight(day: date) -> datetime:
    """The instant (UTC) a calendar day begins in the Netherlands: day bounds of searches, filters and terms."""
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)


def clock_from_env(settings: Settings) -> Clock:
    """The clock the settings ask for: ``THV_CLOCK`` fixes time (only in test or training
    mode, which :class:`~engine.base.settings.Settings` checks), otherwise real time."""
    return FixedClock(settings.clock) if settings.clock is not None else SystemClock()


def add_legal_term(start: datetime, duration: str) -> datetime:
    """Add an ISO 8601 duration the way Dutch legal terms run.

    The date part (years, months, weeks, days) is counted on the Amsterdam
    calendar from the same minute: ten days from 21:15 ends at 21:15, also
    across a DST change. The time part (hours, minutes, seconds) is elapsed
    time: 24 hours is 24 real hours.
    """
    parts = spiff_timer.TimerEventDefinition.parse_iso_duration(duration)
    if any(parts.get(unit, 0) != int(parts.get(unit, 0)) for unit in ("years", "months")):
        # A month has no fixed length; "P1.5M" would silently become one month.
        raise ValueError(f"termijn {duration}: jaren en maanden moeten hele getallen zijn")
    local = start.astimezone(AMSTERDAM)
    months = int(parts.get("years", 0)) * 12 + int(parts.get("months", 0))
    if months:
        month_index = local.month - 1 + months
        year, month = local.year + month_index // 12, month_index % 12 + 1
        day = min(local.day, _days_in_month(year, month))
        local = local.replace(year=year, month=month, day=day)
    days = parts.get("weeks", 0) * 7 + parts.get("days", 0)
    # Wall-clock arithmetic: aware datetime + timedelta keeps the local time.
    local = (local + timedelta(days=days)).replace(fold=0)
    elapsed = timedelta(hours=parts.get("hours", 0), minutes=parts.get("minutes", 0), seconds=parts.get("seconds", 0))
    return (local.astimezone(UTC) + elapsed).astimezone(UTC)


def subtract_legal_term(end: datetime, duration: str) -> datetime:
    """The instant ``duration`` before ``end``, counted like :func:`add_legal_term`."""
    parts = spiff_timer.TimerEventDefinition.parse_iso_duration(duration)
    if parts.get("years") or parts.get("months"):
        raise ValueError("terugrekenen kan alleen in weken, dagen en uren")
    local = end.astimezone(AMSTERDAM)
    elapsed = timedelta(hours=parts.get("hours", 0), minutes=parts.get("minutes", 0), seconds=parts.get("seconds", 0))
    local = (local.astimezone(UTC) - elapsed).astimezone(AMSTERDAM)
    days = parts.get("weeks", 0) * 7 + parts.get("days", 0)
    return (local - timedelta(days=days)).replace(fold=0).astimezone(UTC)


MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_instant(instant: datetime) -> str:
    """'12 februari 2027 om 21:15' in Amsterdam time: how every legal instant is told to a person."""
    local = instant.astimezone(AMSTERDAM)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} om {local:%H:%M}"


def _days_in_month(year: int, month: int) -> int:
    from calendar import monthrange

    return monthrange(year, month)[1]


# --- the clock that "now" means while the engine runs a workflow -------------
# SpiffWorkflow's timers ask it through the event definitions of engine.modeling.legal_timers;
# scripts ask it through nu() (engine.modeling.sandbox). A ContextVar, so each thread and each
# nested engine_time sees its own clock.

_current_clock: ContextVar[Clock | None] = ContextVar("thv_clock", default=None)


def current_now() -> datetime:
    """The bound clock's now inside :func:`engine_time`, the system clock outside it."""
    clock = _current_clock.get()
    return clock.now() if clock is not None else datetime.now(UTC)


@contextmanager
def engine_time(clock: Clock) -> Iterator[None]:
    """Run SpiffWorkflow code with ``clock`` as the source of 'now'."""
    token = _current_clock.set(clock)
    try:
        yield
    finally:
        _current_clock.reset(token)

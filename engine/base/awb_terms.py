"""Terms of the Algemene wet bestuursrecht: whole days, counted as the Awb and the Atw count them.

The Wth's own terms run from the minute (ten days from 21:15 end at 21:15, and the
Algemene termijnenwet does not apply to them, Wth 13). The term to lodge an appeal
is an Awb term and counts differently:

* it begins on the day after the decision was made known (Awb 6:8), so it runs in
  whole days and ends at midnight (24:00 Amsterdam) of its last day;
* when that last day is a Saturday, Sunday or public holiday, it runs on to the end
  of the next day that is none of these (Algemene termijnenwet, art. 1 and 3).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from engine.base.clock import AMSTERDAM, dutch_midnight


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year: int) -> frozenset[date]:
    """The days the Algemene termijnenwet treats as public holidays in ``year``.

    Atw 3(1): Nieuwjaarsdag, tweede Paas- en Pinksterdag, beide Kerstdagen,
    Hemelvaartsdag, the King's birthday as celebrated (27 April, the 26th when the
    27th is a Sunday) and 5 May. Goede Vrijdag is added as equal to a holiday
    (Atw 3(3)); counting it makes the term at most longer, never shorter.
    """
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            easter + timedelta(days=39),
            easter + timedelta(days=50),
            kings_day,
            date(year, 5, 5),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def awb_term_end(made_known: datetime, duration: str) -> datetime:
    """The first instant after an Awb term of ``duration`` (in weeks and days) for a decision made known then.

    A beschikking served on Monday 2 February 2026 at 21:15 with ``P6W``: the term
    runs from Tuesday 3 February and its last day is Monday 16 March; an appeal is in
    time until 16 March 24:00, so this returns 17 March 00:00 Amsterdam time.
    """
    parts = spiff_timer.TimerEventDefinition.parse_iso_duration(duration)
    if any(parts.get(unit) for unit in ("years", "months", "hours", "minutes", "seconds")):
        raise ValueError(f"termijn {duration}: een Awb-termijn telt hier in weken en dagen")
    days = parts.get("weeks", 0) * 7 + parts.get("days", 0)
    if days != int(days) or days < 1:
        raise ValueError(f"termijn {duration}: een Awb-termijn telt in hele dagen")
    last_day = made_known.astimezone(AMSTERDAM).date() + timedelta(days=int(days))
    while not is_working_day(last_day):
        last_day += timedelta(days=1)
    return dutch_midnight(last_day + timedelta(days=1))

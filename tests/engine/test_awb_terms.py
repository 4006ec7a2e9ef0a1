"""The beroepstermijn as the Awb counts it (6:7, 6:8) with the Algemene termijnenwet: whole days from the day
after the bekendmaking, to 24:00 of the last day, past weekends and public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.base.awb_terms import awb_term_end, easter_sunday, is_working_day, public_holidays
from engine.base.clock import AMSTERDAM
from engine.modeling.sandbox import evaluate_constant


def _local(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    "year, easter",
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_the_holidays_of_2026_and_kings_day_moving_off_a_sunday():
    assert public_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 4, 3),
        date(2026, 4, 6),
        date(2026, 4, 27),
        date(2026, 5, 5),
        date(2026, 5, 14),
        date(2026, 5, 25),
        date(2026, 12, 25),
        date(2026, 12, 26),
    }
    assert date(2025, 4, 26) in public_holidays(2025)  # 27 April 2025 is a Sunday
    assert not is_working_day(date(2026, 3, 21)) and is_working_day(date(2026, 3, 23))


def test_the_time_of_day_of_the_bekendmaking_does_not_matter():
    # A term begins on the next day (Awb 6:8): 00:01 and 23:59 on the same day give the same end.
    assert awb_term_end(_local(2026, 2, 2, 0, 1), "P6W") == awb_term_end(_local(2026, 2, 2, 23, 59), "P6W")
    assert awb_term_end(_local(2026, 2, 2, 21, 15), "P6W") == _local(2026, 3, 17, 0, 0)
    # One minute later it is the next day, and the term ends a day later.
    assert awb_term_end(_local(2026, 2, 3, 0, 0), "P6W") == _local(2026, 3, 18, 0, 0)


def test_a_last_day_in_the_weekend_or_on_easter_monday_runs_on():
    assert awb_term_end(_local(2026, 2, 7, 12, 0), "P6W") == _local(2026, 3, 24, 0, 0)  # Sat 21 March -> Mon 23
    assert awb_term_end(_local(2026, 2, 21, 12, 0), "P6W") == _local(2026, 4, 8, 0, 0)  # Sat 4, Easter Mon 6 -> Tue 7
    assert awb_term_end(_local(2026, 11, 13, 12, 0), "P6W") == _local(2026, 12, 29, 0, 0)  # Christmas, a weekend


def test_the_end_is_midnight_amsterdam_also_in_summer_time():
    end = awb_term_end(_local(2026, 3, 10, 9, 0), "P6W")  # last day 21 April, after the switch to CEST
    assert end == _local(2026, 4, 22, 0, 0) and end.astimezone(UTC).hour == 22


@pytest.mark.parametrize("duration", ["PT24H", "P1M", "P0D", "P1.5D"])
def test_only_whole_days_and_weeks(duration):
    with pytest.raises(ValueError):
        awb_term_end(_local(2026, 2, 2, 12, 0), duration)


def test_models_reach_it_as_awb_termijn_einde():
    assert evaluate_constant('awb_termijn_einde("2026-02-02T21:15:00+01:00", "P6W")') == "2026-03-16T23:00:00+00:00"

"""Legal terms in Amsterdam wall-clock time across the 2026 DST changes, the clock the
environment may choose, and the fixed clock that drives workflow timers only inside
engine_time (the timers themselves: test_legal_timers.py).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.base.clock import (
    AMSTERDAM,
    FixedClock,
    SystemClock,
    add_legal_term,
    clock_from_env,
    current_now,
    engine_time,
)
from engine.base.errors import ConfigurationError
from engine.base.settings import Settings
from engine.cases import operations as cases
from engine.modeling.registry import parse_bundle
from engine.modeling.serialization import new_workflow
from engine.workflow import timers, worklist
from tests.conftest import TEST_FORMS


def ams(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- add_legal_term ----------------------------------------------------------


@pytest.mark.parametrize(
    "start, duration, end",
    [
        # Spring forward (29 March): ten days from 21:15 end at 21:15, one hour less elapsed.
        (ams(2026, 3, 25, 21, 15), "P10D", utc(2026, 4, 4, 19, 15)),
        (utc(2026, 3, 25, 20, 15), "P10D", utc(2026, 4, 4, 19, 15)),  # same instant, given in UTC
        (ams(2026, 3, 28, 21, 15), "P1D", utc(2026, 3, 29, 19, 15)),  # 23 real hours
        # Fall back (25 October): one hour more elapsed.
        (ams(2026, 10, 20, 21, 15), "P10D", utc(2026, 10, 30, 20, 15)),
        (ams(2026, 10, 24, 21, 15), "P1D", utc(2026, 10, 25, 20, 15)),  # 25 real hours
        # Durations without DST change stay plain.
        (ams(2026, 2, 2, 21, 15), "P10D", utc(2026, 2, 12, 20, 15)),
    ],
)
def test_calendar_days_keep_the_amsterdam_minute(start, duration, end):
    result = add_legal_term(start, duration)
    assert result == end and result.tzinfo == UTC
    assert (result.astimezone(AMSTERDAM).hour, result.astimezone(AMSTERDAM).minute) == (
        start.astimezone(AMSTERDAM).hour,
        start.astimezone(AMSTERDAM).minute,
    )


@pytest.mark.parametrize(
    "start", [ams(2026, 3, 28, 21, 15), ams(2026, 3, 29, 1, 30), ams(2026, 10, 24, 21, 15), ams(2026, 10, 25, 1, 30)]
)
def test_hours_are_elapsed_time_across_the_change(start):
    end = add_legal_term(start, "PT24H")
    assert end - start == timedelta(hours=24)
    assert end.astimezone(AMSTERDAM).hour != start.hour  # the wall clock shows 22:15/20:15, not 21:15
    assert add_legal_term(start, "PT90M") - start == timedelta(minutes=90)


def test_spring_forward_24_hours_end_at_quarter_past_ten_summer_time():
    assert add_legal_term(ams(2026, 3, 28, 21, 15), "PT24H").astimezone(AMSTERDAM) == ams(2026, 3, 29, 22, 15)
    assert add_legal_term(ams(2026, 10, 24, 21, 15), "PT24H").astimezone(AMSTERDAM) == ams(2026, 10, 25, 20, 15)


def test_days_then_hours_combine_calendar_and_elapsed_time():
    # One calendar day to 21:15 CEST, then two real hours.
    assert add_legal_term(ams(2026, 3, 28, 21, 15), "P1DT2H") == utc(2026, 3, 29, 21, 15)


@pytest.mark.parametrize(
    "start, duration, end",
    [
        (ams(2026, 1, 31, 10, 0), "P1M", ams(2026, 2, 28, 10, 0)),
        (ams(2028, 1, 31, 10, 0), "P1M", ams(2028, 2, 29, 10, 0)),  # leap year
        (ams(2026, 3, 31, 21, 15), "P1M", ams(2026, 4, 30, 21, 15)),
        (ams(2026, 3, 15, 21, 15), "P1M", ams(2026, 4, 15, 21, 15)),  # CET to CEST
        (ams(2026, 12, 31, 9, 0), "P1M", ams(2027, 1, 31, 9, 0)),  # year wraps
        (ams(2026, 8, 31, 9, 0), "P6M", ams(2027, 2, 28, 9, 0)),
        (ams(2028, 2, 29, 9, 0), "P1Y", ams(2029, 2, 28, 9, 0)),
        (ams(2028, 2, 29, 9, 0), "P12M", ams(2029, 2, 28, 9, 0)),
        (ams(2026, 1, 31, 9, 0), "P1M1D", ams(2026, 3, 1, 9, 0)),  # clamp first, then count days
    ],
)
def test_months_clamp_to_the_end_of_the_month(start, duration, end):
    assert add_legal_term(start, duration) == end.astimezone(UTC)


@pytest.mark.parametrize(
    "start, elapsed_hours",
    [
        (ams(2026, 3, 20, 21, 15), 28 * 24 - 1),  # over the spring change
        (ams(2026, 10, 10, 21, 15), 28 * 24 + 1),  # over the autumn change
        (ams(2026, 6, 1, 21, 15), 28 * 24),
    ],
)
def test_28_days_are_28_calendar_days(start, elapsed_hours):
    end = add_legal_term(start, "P28D")
    assert end.astimezone(AMSTERDAM).replace(tzinfo=None) == start.replace(tzinfo=None) + timedelta(days=28)
    assert end - start == timedelta(hours=elapsed_hours)
    assert add_legal_term(start, "P4W") == end


def test_wall_clock_gap_and_overlap_are_resolved_predictably():
    # 02:30 does not exist on 29 March: the term ends at 03:30 summer time (the same instant as 02:30 CET).
    assert add_legal_term(ams(2026, 3, 28, 2, 30), "P1D") == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 25 October: the term ends at the first one (summer time).
    assert add_legal_term(ams(2026, 10, 24, 2, 30), "P1D") == utc(2026, 10, 25, 0, 30)


@pytest.mark.parametrize("duration", ["P1.5M", "P0.5Y", "10 dagen", "PT", "P1W2D"])
def test_terms_that_cannot_be_computed_are_refused(duration):
    with pytest.raises(Exception):  # noqa: B017 - the library raises bare Exception for bad ISO text
        add_legal_term(ams(2026, 3, 25, 21, 15), duration)


def test_fixed_clock_refuses_naive_time_and_keeps_utc():
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 3, 25, 21, 15))
    clock = FixedClock(ams(2026, 3, 25, 21, 15))
    assert clock.now() == utc(2026, 3, 25, 20, 15) and clock.now().tzinfo == UTC
    clock.advance(timedelta(days=10))
    assert clock.now() == utc(2026, 4, 4, 20, 15)  # advance is elapsed time, not a legal term


# --- clock_from_env ------------------------------------------------------------


@pytest.mark.parametrize("mode", ["test", "training"])
@pytest.mark.parametrize("value", ["2026-03-25T21:15:00+01:00", "2026-03-25T20:15:00Z", "2026-03-25T21:15"])
def test_thv_clock_is_accepted_in_test_and_training(mode, value):
    clock = clock_from_env(Settings.from_env({"THV_MODE": mode, "THV_CLOCK": value}))
    assert isinstance(clock, FixedClock)
    assert clock.now() == utc(2026, 3, 25, 20, 15)  # a value without offset is Amsterdam time


@pytest.mark.parametrize(
    "env",
    [
        {"THV_MODE": "production", "THV_CLOCK": "2026-03-25T21:15:00+01:00"},
        {"THV_MODE": "development", "THV_CLOCK": "2026-03-25T21:15:00+01:00"},
        {"THV_CLOCK": "2026-03-25T21:15:00+01:00"},  # no mode means production
    ],
)
def test_thv_clock_is_refused_outside_test_and_training(env):
    with pytest.raises(ConfigurationError, match="THV_CLOCK is alleen toegestaan"):
        clock_from_env(Settings.from_env(env))


@pytest.mark.parametrize("value", ["morgen", "2026-02-30T10:00:00+01:00", "25-03-2026 21:15", " "])
def test_invalid_thv_clock_is_refused(value):
    with pytest.raises(ConfigurationError, match="geen geldig ISO 8601-tijdstip"):
        clock_from_env(Settings.from_env({"THV_MODE": "test", "THV_CLOCK": value}))


@pytest.mark.parametrize("mode", ["prod", "TEST", ""])
def test_unknown_mode_is_refused(mode):
    with pytest.raises(ConfigurationError, match="THV_MODE"):
        clock_from_env(Settings.from_env({"THV_MODE": mode}))


@pytest.mark.parametrize("mode", ["production", "development", "test", "training"])
def test_without_thv_clock_every_mode_uses_the_system_clock(mode):
    assert isinstance(clock_from_env(Settings.from_env({"THV_MODE": mode})), SystemClock)


def test_clock_from_env_reads_the_process_environment(monkeypatch):
    monkeypatch.setenv("THV_MODE", "training")
    monkeypatch.setenv("THV_CLOCK", "2026-10-25T02:30:00+02:00")
    assert clock_from_env(Settings.from_env()).now() == utc(2026, 10, 25, 0, 30)
    monkeypatch.setenv("THV_MODE", "production")
    with pytest.raises(ConfigurationError):
        clock_from_env(Settings.from_env())


# --- engine_time -----------------------------------------------------------------


def test_fixed_clock_applies_only_inside_engine_time():
    fixed = FixedClock(utc(2026, 3, 25, 20, 15))
    with engine_time(fixed):
        assert current_now() == fixed.now()
        fixed.advance(timedelta(hours=1))
        assert current_now() == utc(2026, 3, 25, 21, 15)
        with engine_time(FixedClock(utc(2030, 1, 1))):
            assert current_now() == utc(2030, 1, 1)
        assert current_now() == utc(2026, 3, 25, 21, 15)
        seen_by_other_thread = []
        worker = threading.Thread(target=lambda: seen_by_other_thread.append(current_now()))
        worker.start()
        worker.join()
    before = datetime.now(UTC)
    assert before <= current_now() <= datetime.now(UTC)
    assert before - timedelta(minutes=1) <= seen_by_other_thread[0] <= before  # the real clock
    with pytest.raises(RuntimeError), engine_time(fixed):
        raise RuntimeError("boom")
    assert abs(current_now() - datetime.now(UTC)) < timedelta(minutes=1)


def _boundary_due(workflow) -> datetime:
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    ready.set_data(naam="A", ernst=4)
    ready.run()
    workflow.do_engine_steps()
    boundary = next(t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "Timer_besluit")
    return datetime.fromisoformat(boundary.internal_data["event_value"])


def test_workflow_timers_use_the_fixed_clock_only_inside_engine_time(sample_files):
    model = parse_bundle(sample_files, forms_dir=TEST_FORMS)
    fixed = FixedClock(ams(2026, 3, 28, 21, 15))
    with engine_time(fixed):
        workflow = new_workflow(model)
        workflow.do_engine_steps()
        assert _boundary_due(workflow) == utc(2026, 3, 29, 20, 15)  # 24 real hours, 22:15 CEST
    workflow = new_workflow(model)
    workflow.do_engine_steps()
    before = datetime.now(UTC)
    due = _boundary_due(workflow)
    assert before + timedelta(hours=24) <= due <= datetime.now(UTC) + timedelta(hours=24)


def _complete_only_task(session, rt, user, data, case_id):
    tasks = worklist.list_tasks(session, case_id=case_id)
    assert len(tasks) == 1, tasks
    cases.complete_task(session, rt.registry, rt.clock, task_id=tasks[0]["id"], data=data, user=user)
    return tasks[0]


def test_ban_imposed_before_the_dst_change_ends_at_the_same_amsterdam_minute(session, rt, deployed, people):
    rt.clock.set(utc(2026, 3, 25, 20, 15))  # 21:15 CET, four days before summer time starts
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    _complete_only_task(session, rt, people["pol"], {"naam": "A", "ernst": 4}, case_id)
    besluit = worklist.list_tasks(session, case_id=case_id)[0]
    assert besluit["due_at"] == "2026-03-26T20:15:00+00:00"
    _complete_only_task(session, rt, people["bm"], {"besluit": "opleggen"}, case_id)
    _complete_only_task(session, rt, people["hovj"], {"akkoord": True}, case_id)

    details = cases.case_details(session, rt.registry, case_id)
    assert details["variables"]["huisverbod"]["opgelegd_op"] == "2026-03-25T20:15:00+00:00"
    assert details["variables"]["huisverbod"]["einde"] == "2026-04-04T19:15:00+00:00"  # 21:15 CEST
    assert details["next_timer_at"] == "2026-04-04T19:15:00+00:00"

    rt.clock.set(utc(2026, 4, 4, 19, 14))  # 20:15 CEST: a naive "ten times 24 hours" would fire now
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 0
    rt.clock.advance(timedelta(minutes=1))
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 1
    details = cases.case_details(session, rt.registry, case_id)
    assert details["status"] == "completed"
    assert details["milestones"][-1] == {"name": "huisverbod_verlopen", "at": "2026-04-04T19:15:00+00:00"}


def test_decision_deadline_over_the_night_of_the_change_is_24_real_hours(session, rt, deployed, people):
    rt.clock.set(utc(2026, 3, 28, 20, 15))  # Saturday 21:15 CET
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    _complete_only_task(session, rt, people["pol"], {"naam": "A", "ernst": 5}, case_id)
    besluit = worklist.list_tasks(session, case_id=case_id)[0]
    assert besluit["due_at"] == "2026-03-29T20:15:00+00:00"  # Sunday 22:15 CEST
    rt.clock.set(utc(2026, 3, 29, 20, 14))
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 0
    rt.clock.advance(timedelta(minutes=1))
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 1
    assert worklist.list_tasks(session, case_id=case_id) == []

"""Issue 10, the appeal as a track of its own beside the ban, on every variant.

Beroep can be lodged until six weeks after the bekendmaking of the last beschikking (Awb 6:7, 6:8, with the
Algemene termijnenwet), also after the ban expired or was withdrawn, and a pending appeal survives an
extension (it covers it, Wth 9(2)). A granted voorlopige voorziening suspends a running ban, an annulment
ends it; the copies of each ruling go out (Wth 8). Legal basis per rule: processes/README.md ("Appeal").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.base.awb_terms import awb_term_end
from engine.base.errors import Conflict, RuleRefused
from tests.processes.scenario import Scenario
from tests.processes.steps import (
    VARIANTS,
    appeal,
    copies,
    extend,
    imposed,
    issue,
    main_ruling,
    prepare_hearing,
    record,
    vovo_ruling,
    withdraw,
)

START = datetime(2026, 2, 2, 20, 15, tzinfo=UTC)  # 21:15 Amsterdam: the ban is imposed
SERVED = datetime(2026, 2, 3, 8, 0, tzinfo=UTC)  # the beschikking is handed over the next morning
# Six weeks from the day after that service (Awb 6:8): the last day is Tuesday 17 March 2026, so an appeal is in
# time until 17 March 24:00 Amsterdam.
WINDOW_END = datetime(2026, 3, 17, 23, 0, tzinfo=UTC)


def _served_next_morning(rt, session, variant: str, **start_changes) -> Scenario:
    s = imposed(rt, session, variant, **start_changes)
    s.advance_to(SERVED)
    record(
        s,
        issue(s, "beschikking", "hulpofficier" if variant == "wth-basis" else "burgemeester"),
        to="uithuisgeplaatste",
        method="in_persoon_getekend",
        by="politie",
    )
    s.do("Task_uitreiken", {"sleutels_ingenomen": True})
    return s


def _ban_status(s: Scenario) -> str:
    return s.var("huisverbod")["status"]


def test_the_window_is_counted_from_the_bekendmaking_as_the_awb_counts():
    assert awb_term_end(SERVED, "P6W") == WINDOW_END


# --- the window, at its edges, after the ban expired -------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_appeal_after_expiry_a_minute_before_the_window_closes_is_accepted(rt, session, variant):
    s = _served_next_morning(rt, session, variant)
    s.advance_to(WINDOW_END - timedelta(minutes=1))
    assert _ban_status(s) == "verlopen"
    appeal(s, vovo=False)
    assert "beroep_ingesteld" in s.milestones()
    assert "uitspraak_beroep" in s.case()["waiting_for"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_appeal_a_minute_after_the_window_closed_is_refused_with_the_rule_and_instant(rt, session, variant):
    s = _served_next_morning(rt, session, variant)
    s.advance_to(WINDOW_END + timedelta(minutes=1))
    with pytest.raises(RuleRefused) as refused:
        appeal(s, vovo=False)
    assert "de beroepstermijn" in str(refused.value)
    assert "18 maart 2026 om 00:00" in str(refused.value) and "Awb 6:7" in str(refused.value)
    assert "beroep_ingesteld" not in s.milestones()


def test_an_in_time_appeal_recorded_after_the_window_closed_still_counts(rt, session):
    s = _served_next_morning(rt, session, "wth-basis")
    s.advance_to(WINDOW_END + timedelta(days=3))  # the court forwarded it late; only timers ran meanwhile
    appeal(s, at=WINDOW_END - timedelta(minutes=1), vovo=False)
    assert "beroep_ingesteld" in s.milestones()


def test_a_window_ending_on_a_saturday_runs_to_the_end_of_monday(rt, session):
    # Served on Saturday 7 February: six weeks end on Saturday 21 March, so the term runs on to Monday 23 March.
    s = imposed(rt, session, "wth-basis")
    s.advance_to(datetime(2026, 2, 7, 9, 0, tzinfo=UTC))
    record(
        s, issue(s, "beschikking", "hulpofficier"), to="uithuisgeplaatste", method="in_persoon_getekend", by="politie"
    )
    s.do("Task_uitreiken", {"sleutels_ingenomen": True})
    monday_end = datetime(2026, 3, 23, 23, 0, tzinfo=UTC)
    s.advance_to(monday_end - timedelta(minutes=1))
    appeal(s, vovo=False)
    assert "beroep_ingesteld" in s.milestones()


# --- across an extension ------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_verlengingsbeschikking_opens_a_new_window_of_six_weeks(rt, session, variant):
    s = _served_next_morning(rt, session, variant)
    s.advance_to(START + timedelta(days=7, hours=13))  # 10 February 10:15 Amsterdam
    extend(s, 4)
    # Served 10 February: last day 24 March, in time until 24 March 24:00 (later than the beschikking's window).
    new_end = datetime(2026, 3, 24, 23, 0, tzinfo=UTC)
    s.advance_to(new_end - timedelta(minutes=1))
    assert WINDOW_END < s.clock.now()
    appeal(s, vovo=False)
    assert "beroep_ingesteld" in s.milestones()


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_window_after_an_extension_refuses_a_minute_past_its_end(rt, session, variant):
    s = _served_next_morning(rt, session, variant)
    s.advance_to(START + timedelta(days=7, hours=13))
    extend(s, 4)
    s.advance_to(datetime(2026, 3, 24, 23, 1, tzinfo=UTC))
    with pytest.raises(RuleRefused, match="25 maart 2026 om 00:00"):
        appeal(s, vovo=False)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_pending_appeal_survives_an_extension_and_an_annulment_then_ends_the_extended_ban(rt, session, variant):
    s = _served_next_morning(rt, session, variant)
    s.advance(timedelta(days=1))
    appeal(s)
    prepare_hearing(s)
    vovo_ruling(s, granted=False)
    copies(s, "Task_afschriften_vovo")
    assert _ban_status(s) == "opgelegd"
    s.advance_to(START + timedelta(days=7, hours=13))
    extend(s, 4)
    assert _ban_status(s) == "verlengd"
    assert "uitspraak_beroep" in s.case()["waiting_for"]  # the appeal covers the extension (Wth 9(2))
    s.advance(timedelta(days=2))
    main_ruling(s, "gegrond_vernietigd")
    assert s.milestones()[-2:] == ["uitspraak_beroep", "huisverbod_vernietigd"]
    assert _ban_status(s) == "vernietigd"
    assert not s.has_task("Task_verlenging") and "huisverbod_verlopen" not in s.milestones()
    copies_task = s.task("Task_afschriften_beroep")
    assert copies_task["due_at"] == (s.clock.now() + timedelta(days=14)).isoformat()  # Wth 8: two weeks
    copies(s, "Task_afschriften_beroep")
    assert "uitspraak_beroep" not in s.case()["waiting_for"]


# --- after withdrawal -----------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_appeal_after_withdrawal_runs_its_course_without_touching_the_ended_ban(rt, session, variant):
    s = _served_next_morning(rt, session, variant)
    s.advance(timedelta(days=2))
    withdraw(s)
    assert _ban_status(s) == "ingetrokken"
    s.advance(timedelta(days=20))  # the interest remains after the end (damages, a record)
    appeal(s)
    prepare_hearing(s)
    vovo_ruling(s, granted=True)  # nothing left to suspend
    assert "huisverbod_geschorst" not in s.milestones()
    copies(s, "Task_afschriften_vovo")
    main_ruling(s, "gegrond_vernietigd")
    assert "huisverbod_vernietigd" not in s.milestones()
    assert _ban_status(s) == "ingetrokken"
    copies(s, "Task_afschriften_beroep")
    assert s.case()["waiting_for"] == [] or "uitspraak_beroep" not in s.case()["waiting_for"]


# --- the rulings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("uitkomst", ["ongegrond", "gegrond_rechtsgevolgen_in_stand", "niet_ontvankelijk"])
def test_a_main_ruling_that_does_not_annul_leaves_the_ban_running(rt, session, uitkomst):
    s = _served_next_morning(rt, session, "wth-basis")
    appeal(s, vovo=False)
    assert not s.has_task("Task_raadsman")  # Wth 5 and 6 concern the voorlopige voorziening
    main_ruling(s, uitkomst)
    assert _ban_status(s) == "opgelegd"
    assert s.has_task("Task_verlenging")
    copies(s, "Task_afschriften_beroep")


def test_a_granted_vovo_recorded_after_the_ban_expired_suspends_it_from_the_ruling(rt, session):
    s = _served_next_morning(rt, session, "wth-basis")
    s.advance_to(START + timedelta(days=8))
    appeal(s)
    prepare_hearing(s)
    ruled = START + timedelta(days=9, hours=2)  # 11 February 23:15, a day before the end
    s.advance_to(START + timedelta(days=11))  # the end passed by the sweep; only timers ran since
    assert _ban_status(s) == "verlopen"
    vovo_ruling(s, granted=True, at=ruled)
    assert _ban_status(s) == "geschorst"
    assert "huisverbod_verlopen" not in s.milestones()
    at = {m["name"]: m["at"] for m in s.case()["milestones"]}
    assert at["huisverbod_geschorst"] == ruled.isoformat()


def test_a_granted_vovo_a_minute_after_the_end_leaves_the_ban_expired(rt, session):
    s = _served_next_morning(rt, session, "wth-basis")
    appeal(s)
    prepare_hearing(s)
    end = START + timedelta(days=10)
    s.advance_to(end + timedelta(minutes=1))
    vovo_ruling(s, granted=True)
    assert _ban_status(s) == "verlopen" and "huisverbod_geschorst" not in s.milestones()
    assert s.has_task("Task_afschriften_vovo")


def test_a_main_ruling_before_the_vovo_ruling_closes_the_whole_appeal(rt, session):
    s = _served_next_morning(rt, session, "wth-basis")
    appeal(s)
    prepare_hearing(s)
    main_ruling(s, "ongegrond")  # decided at once (Awb 8:86)
    copies(s, "Task_afschriften_beroep")
    assert "uitspraak_voorlopige_voorziening" not in s.case()["waiting_for"]
    with pytest.raises(Conflict):
        vovo_ruling(s, granted=False)


# --- children and copies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_children_of_twelve_are_invited_and_veilig_thuis_gets_the_copies(rt, session, variant):
    s = imposed(rt, session, variant, kinderen=[{"leeftijd": 13}, {"leeftijd": 4}])
    appeal(s)
    prepare_hearing(s)
    assert s.task("Task_kind_horen")["role"] == "raad_kinderbescherming"
    with pytest.raises(Conflict):
        vovo_ruling(s, granted=False)  # the child's invitation comes first
    s.do("Task_kind_horen", {"kinderen_opgeroepen": True})
    vovo_ruling(s, granted=False)
    with pytest.raises(RuleRefused, match="Veilig Thuis"):
        copies(s, "Task_afschriften_vovo", veilig_thuis=False)
    assert s.has_task("Task_afschriften_vovo")
    copies(s, "Task_afschriften_vovo", veilig_thuis=True)


def test_without_children_no_invitation_and_no_copy_to_veilig_thuis_needed(rt, session):
    s = imposed(rt, session, "wth-basis")
    appeal(s)
    prepare_hearing(s)
    assert not s.has_task("Task_kind_horen")
    vovo_ruling(s, granted=False)
    assert s.task("Task_afschriften_vovo")["due_at"] == (s.clock.now() + timedelta(hours=24)).isoformat()
    copies(s, "Task_afschriften_vovo")


def test_the_raadsman_and_hearing_terms_count_from_the_appeal_even_when_recorded_later(rt, session):
    s = imposed(rt, session, "wth-basis")
    lodged = s.clock.now() + timedelta(days=1)
    s.advance_to(lodged + timedelta(hours=3))
    appeal(s, at=lodged)
    assert s.task("Task_raadsman")["due_at"] == (lodged + timedelta(hours=24)).isoformat()

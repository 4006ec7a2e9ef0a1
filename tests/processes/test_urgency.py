"""Urgency (issue 16): every step of the acute route has a due time, counted from the act that made it ready.

The values and their basis: processes/README.md ("Urgency"). Tested at the edges: one minute before and
after a due time, an act recorded later than it happened, and the early route, which gets no due times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine.base.clock import parse_instant
from engine.workflow import worklist
from tests.processes.scenario import Scenario
from tests.processes.steps import (
    MELDING,
    RIHG_HOOG,
    VARIANTS,
    beschikking,
    consult_veilig_thuis_if_asked,
    decide,
    start_variant,
    verzoek,
    voorleggen_if_asked,
)

TERMS = {
    "Task_toets": timedelta(hours=1),
    "Task_rihg": timedelta(hours=3),
    "Task_vt_raadplegen": timedelta(hours=1),
    "Task_besluit": timedelta(hours=1),
    "Task_beschikking": timedelta(hours=2),
    "Task_uitreiken": timedelta(hours=2),
}


def _due(s: Scenario, element: str) -> datetime | None:
    value = s.task(element)["due_at"]
    return parse_instant(value) if value else None


def _term(element: str) -> timedelta:
    return next(term for prefix, term in TERMS.items() if element.startswith(prefix))


def _overdue(s: Scenario) -> set[str]:
    rows = worklist.list_tasks(s.session, case_id=s.case_id, due="te_laat", now=s.clock.now())
    return {r["element"] for r in rows}


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_acute_step_is_due_its_term_after_the_act_that_made_it_ready(rt, session, variant):
    s = start_variant(
        rt, session, variant, kinderen=[{"voornaam": "Kim", "leeftijd": 7}], vermoeden_kindermishandeling=True
    )
    _, taker, decider, _, _ = VARIANTS[variant]
    assert _due(s, "Task_toets") == s.clock.now() + TERMS["Task_toets"]
    assert all(t["acute"] for t in s.tasks())
    s.advance(timedelta(minutes=20))
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "woont"})
    assert _due(s, f"Task_rihg_{taker}") == s.clock.now() + TERMS["Task_rihg"]
    s.advance(timedelta(minutes=50))
    s.do(f"Task_rihg_{taker}", RIHG_HOOG)
    rihg_done = s.clock.now()
    s.advance(timedelta(minutes=5))
    assert _due(s, "Task_vt_raadplegen") == rihg_done + TERMS["Task_vt_raadplegen"]
    consult_veilig_thuis_if_asked(s)
    voorleggen_if_asked(s)
    besluit = next(t for t in s.tasks() if t["element"].startswith("Task_besluit"))
    assert parse_instant(besluit["due_at"]) == s.clock.now() + TERMS["Task_besluit"]
    decide(s, decider)
    assert _due(s, "Task_beschikking") == s.clock.now() + TERMS["Task_beschikking"]
    s.do("Task_beschikking", beschikking(s))
    if s.has_task("Task_uitreiken"):
        assert _due(s, "Task_uitreiken") == s.clock.now() + TERMS["Task_uitreiken"]
    if s.has_task("Task_mededeling"):  # its own boundary timer is the legal deadline
        assert _due(s, "Task_mededeling") == s.clock.now() + timedelta(hours=2)
    assert {t["element"] for t in s.tasks() if t["acute"]} == {t["element"] for t in s.tasks()}


def test_a_step_is_overdue_from_the_minute_after_its_due_time(rt, session):
    s = start_variant(rt, session, "wth-basis")
    due = _due(s, "Task_toets")
    s.advance_to(due - timedelta(minutes=1))
    assert "Task_toets" not in _overdue(s)
    s.advance_to(due)
    assert "Task_toets" not in _overdue(s)  # at its due minute it is still in time
    s.advance_to(due + timedelta(minutes=1))
    assert "Task_toets" in _overdue(s)
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "woont"})
    assert _due(s, "Task_rihg_hulpofficier") == due + timedelta(minutes=1) + TERMS["Task_rihg"]


def test_a_beschikking_recorded_later_counts_the_next_term_from_when_it_was_made(rt, session):
    s = start_variant(rt, session, "wth-basis")
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "woont"})
    s.do("Task_rihg_hulpofficier", RIHG_HOOG)
    decide(s, "hulpofficier")
    made = s.clock.now() + timedelta(minutes=10)
    s.advance(timedelta(minutes=100))  # made at 21:25, typed in at 22:55
    s.do("Task_beschikking", beschikking(s, opgelegd_op=made.isoformat()))
    assert _due(s, "Task_uitreiken") == made + TERMS["Task_uitreiken"]
    s.advance_to(made + TERMS["Task_uitreiken"] + timedelta(minutes=1))
    assert "Task_uitreiken" in _overdue(s)


def test_the_worklist_puts_overdue_first_then_due_soonest(rt, session):
    s = start_variant(rt, session, "wth-basis")
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "woont"})  # its RIHG is due in 3 hours
    first = s.case_id
    s.advance(timedelta(minutes=30))
    second = s.start("politie", MELDING)  # its toets is due in 1 hour: sooner than the first case's RIHG
    rows = worklist.list_tasks(session, role="hulpofficier", region="basis")
    assert [(r["case_id"], r["element"]) for r in rows] == [(second, "Task_toets"), (first, "Task_rihg_hulpofficier")]
    s.advance(timedelta(hours=3))  # both overdue now: the longest overdue first
    rows = worklist.list_tasks(session, role="hulpofficier", region="basis", due="te_laat", now=s.clock.now())
    assert [r["case_id"] for r in rows] == [second, first]


def test_the_early_route_gets_no_due_times_from_the_acute_terms(rt, session):
    s = Scenario(rt, session, "v2-weegteam")
    s.start("veilig_thuis", verzoek(route="structureel"))
    s.do("Task_wegen", {"weegteam_besluit": "toewijzen", "weegteam_afweging": "Patroon van geweld."})
    assert s.task("Task_toets")["due_at"] is None and s.task("Task_toets")["acute"] is False

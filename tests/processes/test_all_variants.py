"""Scenarios that apply to every variant: each must behave the same where the law does not differ."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.processes.steps import (
    RIHG_LAAG,
    VARIANTS,
    appeal,
    assess,
    copies,
    decide,
    expires_exactly_at,
    impose,
    start_variant,
    vovo_ruling,
)


@pytest.mark.parametrize("variant", VARIANTS)
def test_t2_low_advice_confirmed(rt, session, variant):
    s = start_variant(rt, session, variant)
    _, taker, decider, _, _ = VARIANTS[variant]
    assess(s, RIHG_LAAG, afnemer=taker)
    decide(s, decider, besluit="niet_opleggen", advies="geen")
    s.do("Task_melding_vt", {"melding_verstuurd_op": "2026-02-02T22:00:00+01:00"})
    assert s.milestones()[-2:] == ["rihg_afgenomen", "huisverbod_niet_opgelegd"]
    assert s.case()["status"] == "completed"


@pytest.mark.parametrize("variant", VARIANTS)
def test_first_term_and_expiry(rt, session, variant):
    s = start_variant(rt, session, variant)
    _, taker, decider, days, _ = VARIANTS[variant]
    impose(s, afnemer=taker, decider=decider)
    s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"})
    end = s.clock.now() + timedelta(days=days)
    assert s.var("huisverbod")["einde"] == end.isoformat()
    s.advance(timedelta(days=days - 3))
    s.do("Task_verlenging", {"verlengen": False})
    expires_exactly_at(s, end)


@pytest.mark.parametrize("variant", VARIANTS)
def test_t7_granted_provisional_ruling_suspends_the_ban(rt, session, variant):
    s = start_variant(rt, session, variant)
    _, taker, decider, _, _ = VARIANTS[variant]
    impose(s, afnemer=taker, decider=decider)
    s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"})
    s.advance(timedelta(days=2))
    appeal(s)
    assert s.task("Task_raadsman")["due_at"] == "2026-02-05T20:15:00+00:00"  # 24 hours after the request
    s.advance(timedelta(hours=5))
    s.do("Task_raadsman", {"raadsman_naam": "mr. A. Jansen", "raadsman_toegevoegd_op": "2026-02-04T22:00:00+01:00"})
    assert s.task("Task_verweer")["due_at"] == "2026-02-07T20:15:00+00:00"  # heard within 3 days of the request
    s.do("Task_verweer", {"stukken_verstuurd_op": s.clock.now().isoformat()})
    vovo_ruling(s, granted=True)
    assert s.milestones()[-2:] == ["uitspraak_voorlopige_voorziening", "huisverbod_geschorst"]
    copies(s, "Task_afschriften_vovo")
    assert s.var("huisverbod")["status"] == "geschorst"

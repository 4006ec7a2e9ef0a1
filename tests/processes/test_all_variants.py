"""Scenarios that apply to every variant: each must behave the same where the law does not differ."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.processes.scenario import Scenario
from tests.processes.steps import MELDING, RIHG_LAAG, assess, decide, impose, verzoek

# variant: (starter role, RIHG taker, decision by, first term in days, start data)
VARIANTS = {
    "wth-basis": ("politie", "hulpofficier", "hulpofficier", 10, MELDING),
    "v1-brede-toegang": ("politie", "politie", "burgemeester", 10, verzoek()),
    "v2-weegteam": ("politie", "politie", "burgemeester", 10, verzoek()),
    "v3-termijnflex": ("politie", "politie", "burgemeester", 14, verzoek()),
    "v4-integraal": ("politie", "politie", "burgemeester", 14, verzoek()),
}


def _start(rt, session, variant: str) -> Scenario:
    s = Scenario(rt, session, variant)
    starter, *_, data = VARIANTS[variant]
    s.start(starter, data)
    if variant == "v4-integraal":
        s.do("Task_integraal", {"integrale_maatregel": "huisverbod", "integrale_motivering": "Direct gevaar."})
    return s


@pytest.mark.parametrize("variant", VARIANTS)
def test_t2_low_advice_confirmed(rt, session, variant):
    s = _start(rt, session, variant)
    _, taker, decider, _, _ = VARIANTS[variant]
    assess(s, RIHG_LAAG, afnemer=taker)
    decide(s, decider, besluit="niet_opleggen", advies="geen")
    s.do("Task_melding_vt", {"melding_verstuurd_op": "2026-02-02T22:00:00+01:00"})
    assert s.milestones()[-2:] == ["rihg_afgenomen", "huisverbod_niet_opgelegd"]
    assert s.case()["status"] == "completed"


@pytest.mark.parametrize("variant", VARIANTS)
def test_first_term_and_expiry(rt, session, variant):
    s = _start(rt, session, variant)
    _, taker, decider, days, _ = VARIANTS[variant]
    impose(s, afnemer=taker, decider=decider)
    s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"})
    end = s.clock.now() + timedelta(days=days)
    assert s.var("huisverbod")["einde"] == end.isoformat()
    s.advance(timedelta(days=days - 3))
    s.do("Task_verlenging", {"verlengen": False})
    s.advance_to(end - timedelta(minutes=1))
    assert "huisverbod_verlopen" not in s.milestones()
    s.advance_to(end)
    assert s.milestones()[-1] == "huisverbod_verlopen"


@pytest.mark.parametrize("variant", VARIANTS)
def test_t7_granted_provisional_ruling_suspends_the_ban(rt, session, variant):
    s = _start(rt, session, variant)
    _, taker, decider, _, _ = VARIANTS[variant]
    impose(s, afnemer=taker, decider=decider)
    s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"})
    s.advance(timedelta(days=2))
    s.send("beroep_ingesteld", "burgemeester", {"beroep_ingediend_op": "2026-02-04", "beroep_door": "uithuisgeplaatste",
                                                "voorlopige_voorziening_gevraagd": True})
    assert s.task("Task_raadsman")["due_at"] == "2026-02-05T20:15:00+00:00"  # 24 hours after the request
    s.advance(timedelta(hours=5))
    s.do("Task_raadsman", {"raadsman_naam": "mr. A. Jansen", "raadsman_toegevoegd_op": "2026-02-04T22:00:00+01:00"})
    assert s.task("Task_verweer")["due_at"] == "2026-02-07T20:15:00+00:00"  # heard within 3 days of the request
    s.send("uitspraak_voorlopige_voorziening", "burgemeester",
           {"voorziening_toegewezen": True, "uitspraak_datum": "2026-02-05"})
    s.do("Task_afschriften", {"afschrift_achterblijver": True, "afschrift_politie": True,
                              "uithuisgeplaatste_mondeling": True})
    assert s.milestones()[-1] == "huisverbod_geschorst"
    assert s.var("huisverbod")["status"] == "geschorst"

"""Issue 11, Leidraad principle 7: whoever took the RIHG puts the case to the burgemeester with a standpunt and its
grounds; the burgemeester decides, a decision against the voorlegging needs its reason and goes back to the
voorlegger. Basis: processes/README.md ("Voorleggen")."""

from __future__ import annotations

import pytest

from engine.base.errors import RuleRefused
from tests.processes.scenario import Scenario
from tests.processes.steps import RIHG_HOOG, VARIANTS, assess, consult_veilig_thuis_if_asked, start_variant

PILOTS = [v for v in VARIANTS if v != "wth-basis"]
STARTERS = [
    ("v1-brede-toegang", "crisisteam"),
    ("v1-brede-toegang", "veilig_thuis"),
    ("v2-weegteam", "veilig_thuis"),
    ("v4-integraal", "crisisteam"),
    ("v3-termijnflex", "politie"),
]


def _to_voorleggen(rt, session, variant, starter=None):
    if starter is None:
        s = start_variant(rt, session, variant)
    else:
        s = Scenario(rt, session, variant)
        s.start(starter, VARIANTS[variant][4])
        if variant == "v4-integraal":
            s.do("Task_integraal", {"integrale_maatregel": "huisverbod", "integrale_motivering": "Direct gevaar."})
    taker = starter or VARIANTS[variant][1]  # the variants let the requester take the RIHG
    assess(s, RIHG_HOOG, afnemer=taker)
    consult_veilig_thuis_if_asked(s)
    return s, taker


@pytest.mark.parametrize("variant, starter", STARTERS)
def test_the_rihg_taker_puts_the_case_to_the_burgemeester(rt, session, variant, starter):
    s, taker = _to_voorleggen(rt, session, variant, starter)
    task = s.task(f"Task_voorleggen_{taker}")
    assert task["role"] == taker
    assert not any(t["element"].startswith("Task_besluit_") for t in s.tasks())  # the decision waits for it
    s.do(task["element"], {"voorlegging_standpunt": "huisverbod", "voorlegging_onderbouwing": "Patroon van geweld."})
    assert s.task("Task_besluit_bm_huisverbod")["role"] == "burgemeester"


@pytest.mark.parametrize("variant", PILOTS)
def test_a_decision_against_the_voorlegging_needs_its_reason_and_goes_back(rt, session, variant):
    s, taker = _to_voorleggen(rt, session, variant)
    s.do(
        f"Task_voorleggen_{taker}",
        {
            "voorlegging_standpunt": "geen_huisverbod",
            "voorlegging_onderbouwing": "Hulp is al aanvaard; geen onmiddellijk gevaar.",
        },
    )
    version = s.case()["lock_version"]
    with pytest.raises(RuleRefused, match="wijkt af van de voorlegging"):
        s.do("Task_besluit_bm_huisverbod", {"besluit": "opleggen"})  # follows the RIHG advice, not the voorlegging
    assert s.case()["lock_version"] == version and s.has_task("Task_besluit_bm_huisverbod")
    s.do(
        "Task_besluit_bm_huisverbod",
        {"besluit": "opleggen", "toelichting": "Het patroon weegt zwaarder dan de aanvaarde hulp."},
    )
    feedback = s.task("Task_voorlegging_terugkoppelen")
    assert feedback["role"] == "burgemeester"
    assert s.has_task("Task_beschikking")  # the ban goes on beside the feedback
    s.do("Task_voorlegging_terugkoppelen", {"kennis_genomen": True})


@pytest.mark.parametrize("variant", PILOTS)
def test_a_decision_that_follows_the_voorlegging_needs_no_feedback(rt, session, variant):
    s, taker = _to_voorleggen(rt, session, variant)
    s.do(f"Task_voorleggen_{taker}", {"voorlegging_standpunt": "huisverbod", "voorlegging_onderbouwing": "x"})
    s.do("Task_besluit_bm_huisverbod", {"besluit": "opleggen"})
    assert not s.has_task("Task_voorlegging_terugkoppelen") and s.has_task("Task_beschikking")


def test_the_baseline_has_no_voorleggen(rt, session):
    s, _ = _to_voorleggen(rt, session, "wth-basis")
    assert not any(t["element"].startswith("Task_voorleggen_") for t in s.tasks())

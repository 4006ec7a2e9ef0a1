"""Issue 11: Veilig Thuis is consulted before the decision whenever there are signs of kindermishandeling:
the flag in the melding, children in the household, or RIHG signals about children (Wth 2(3)). The decision
cannot be taken before the consult. Basis: processes/README.md ("Veilig Thuis first")."""

from __future__ import annotations

import pytest

from engine.cases import case_view
from engine.rihg.catalogue import CHILD_SIGNALS, child_signals
from tests.processes.steps import RIHG_HOOG, VARIANTS, assess, start_variant

CHILD_RIHG = {"incident": {**RIHG_HOOG["incident"], "2i": {"signalen": ["2i.1"], "score": "hoog"}}}


def _decision_ready(s) -> bool:
    """The way to the decision is open: the decision itself, or in V1–V4 first the voorleggen."""
    return any(t["element"].startswith(("Task_besluit_", "Task_voorleggen_")) for t in s.tasks())


def _to_decision(rt, session, variant, rihg=RIHG_HOOG, **melding):
    s = start_variant(rt, session, variant, **melding)
    assess(s, rihg, afnemer=VARIANTS[variant][1])
    return s


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    "sign, melding, rihg",
    [
        ("vermoeden", {"vermoeden_kindermishandeling": True}, RIHG_HOOG),
        ("kinderen in het huishouden", {"kinderen": [{"leeftijd": 6}]}, RIHG_HOOG),
        ("RIHG-signaal", {}, CHILD_RIHG),
    ],
)
def test_each_sign_asks_veilig_thuis_before_the_decision(rt, session, variant, sign, melding, rihg):
    s = _to_decision(rt, session, variant, rihg=rihg, **melding)
    consult = s.task("Task_vt_raadplegen")
    assert consult["role"] == "veilig_thuis"
    assert not _decision_ready(s)  # the decision waits for the consult
    s.do("Task_vt_raadplegen", {"bekend_bij_veilig_thuis": True, "advies_veilig_thuis": "Huisverbod aangewezen."})
    assert _decision_ready(s)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_signal_found_only_in_the_rihg_is_named_in_the_consult(rt, session, variant):
    s = _to_decision(rt, session, variant, rihg=CHILD_RIHG)
    assert s.var("rihg_resultaat")["kindsignalen"] == ["2i.1"]
    page = case_view.task_page(
        s.session, s.rt.registry, s.task("Task_vt_raadplegen")["id"], s.users["veilig_thuis"], s.rt.clock.now()
    )
    assert "RIHG-signalen over kinderen (2i.1)" in page.instructions
    assert "kind(eren) in het huishouden" not in page.instructions


@pytest.mark.parametrize("variant", VARIANTS)
def test_without_any_sign_the_decision_follows_the_rihg(rt, session, variant):
    s = _to_decision(rt, session, variant)
    assert not s.has_task("Task_vt_raadplegen") and _decision_ready(s)


def test_child_signals_come_from_the_catalogue():
    assert child_signals(
        {"incident": {"2i": {"signalen": ["2i.3", "2i.1"]}, "2a": {"signalen": ["2a.1"]}}, "persoon": None}
    ) == ["2i.1", "2i.3"]
    assert child_signals({}) == [] and set(CHILD_SIGNALS) >= {"2b.1", "2d.3"}

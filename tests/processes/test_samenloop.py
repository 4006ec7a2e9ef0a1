"""Issue 11: ZSM and the ban decide together. Each side sees what the other decided (the main process's data
object "samenloop"), within the visibility rules; in V4 considering a 509hh gedragsaanwijzing needs a written
reasoning, a tick is not enough. Basis: processes/README.md ("Samenloop")."""

from __future__ import annotations

import pytest

from engine.base.errors import FormInvalid
from engine.cases import case_view
from engine.workflow.visibility import visible_variables
from tests.processes.steps import (
    RIHG_HOOG,
    VARIANTS,
    assess,
    consult_veilig_thuis_if_asked,
    start_variant,
    voorleggen_if_asked,
)
from tests.processes.visibility_corpus import model_of

ZSM = {"zsm_afdoening": "dagvaarden", "gedragsaanwijzing_overwogen": False, "gedragsaanwijzing_soort": "geen"}
REASONED = {
    "gedragsaanwijzing_overwogen": True,
    "gedragsaanwijzing_soort": "contactverbod",
    "gedragsaanwijzing_dagen": 90,
    "afweging_509hh": "Ernstige bezwaren; herhaling te vrezen.",
}


def _arrested(rt, session, variant):
    s = start_variant(rt, session, variant, aanhouding=True)
    assert s.task("Task_zsm_afdoening")["role"] == "om"
    return s


def _decision(s):
    voorleggen_if_asked(s)
    return next(t for t in s.tasks() if t["element"].startswith("Task_besluit_"))


def _instructions(s, task, role):
    return case_view.task_page(s.session, s.rt.registry, task["id"], s.users[role], s.rt.clock.now()).instructions


def _zsm(s, variant):
    s.do("Task_zsm_afdoening", ZSM)
    if variant == "v4-integraal":
        s.do("Task_zsm_509hh", REASONED)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_ban_decision_sees_what_zsm_decided(rt, session, variant):
    s = _arrested(rt, session, variant)
    _zsm(s, variant)
    assess(s, RIHG_HOOG, afnemer=VARIANTS[variant][1])
    consult_veilig_thuis_if_asked(s)
    decision = _decision(s)
    text = _instructions(s, decision, decision["role"])
    assert 'ZSM besloot al: afdoening "dagvaarden"' in text
    expected = "contactverbod" if variant == "v4-integraal" else "geen"
    assert f'gedragsaanwijzing "{expected}"' in text


@pytest.mark.parametrize("variant", VARIANTS)
def test_zsm_sees_the_ban_decision_when_it_came_first(rt, session, variant):
    s = _arrested(rt, session, variant)
    zsm = s.task("Task_zsm_afdoening")
    assert "Over het huisverbod is nog niet beslist" in _instructions(s, zsm, "om")
    decision = _first_decision(s, variant)
    decision_text = _instructions(s, decision, decision["role"])
    assert "de ZSM-afdoening loopt nog" in decision_text
    s.do(_decision(s)["element"], {"besluit": "opleggen"})
    assert 'Het huisverbod: besluit "opleggen"' in _instructions(s, zsm, "om")


def _first_decision(s, variant):
    assess(s, RIHG_HOOG, afnemer=VARIANTS[variant][1])
    consult_veilig_thuis_if_asked(s)
    return _decision(s)


def test_care_roles_do_not_see_the_zsm_afdoening_through_samenloop(rt, session):
    s = _arrested(rt, session, "wth-basis")
    _zsm(s, "wth-basis")
    variables = s.case()["variables"]
    assert variables["samenloop"]["zsm"]["afdoening"] == "dagvaarden"
    assert "afdoening" not in visible_variables(variables, {"veilig_thuis"}, model_of(s))["samenloop"]["zsm"]
    assert visible_variables(variables, {"burgemeester"}, model_of(s))["samenloop"]["zsm"]["afdoening"] == "dagvaarden"


def test_in_v4_a_tick_is_not_a_reasoning(rt, session):
    s = _arrested(rt, session, "v4-integraal")
    s.do("Task_zsm_afdoening", {**ZSM, "gedragsaanwijzing_overwogen": True})
    assert s.task("Task_zsm_509hh")["role"] == "om"  # still asked, with a written reasoning
    with pytest.raises(FormInvalid):
        s.do("Task_zsm_509hh", {**REASONED, "afweging_509hh": ""})
    s.do("Task_zsm_509hh", REASONED)
    assert s.case()["variables"]["samenloop"]["zsm"]["gedragsaanwijzing"] == "contactverbod"


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v != "v4-integraal"])
def test_other_variants_take_the_afdoening_as_it_is(rt, session, variant):
    s = _arrested(rt, session, variant)
    s.do("Task_zsm_afdoening", {**ZSM, "gedragsaanwijzing_overwogen": True})
    assert not s.has_task("Task_zsm_509hh")

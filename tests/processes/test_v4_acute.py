"""Issue 11, pilot V4 acute: an arrest reaches ZSM at once and the ban procedure does not wait for the
integral weighing, which runs alongside and never cancels either; for early requests the weighing chooses the
route. Basis: processes/README.md ("V4: acute and integral")."""

from __future__ import annotations

import pytest

from tests.processes.scenario import Scenario
from tests.processes.steps import verzoek

WEIGHING = {
    "huisverbod": "Huisverbod aangewezen.",
    "alternatief": "Contactverbod volstaat.",
    "hulp": "Hulp volstaat.",
    "geen": "Geen maatregel nodig.",
}


def _acute_arrest(rt, session) -> Scenario:
    s = Scenario(rt, session, "v4-integraal")
    s.start("politie", verzoek(aanhouding=True))
    return s


def _ready(s: Scenario) -> set[str]:
    return {t["element"] for t in s.tasks()}


def test_an_arrest_reaches_zsm_at_once_and_the_ban_procedure_does_not_wait(rt, session):
    s = _acute_arrest(rt, session)
    assert {"Task_zsm_afdoening", "Task_toets", "Task_integraal"} <= _ready(s)
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "woont"})  # before any weighing
    assert s.has_task("Task_rihg_politie") and s.has_task("Task_integraal")


@pytest.mark.parametrize("outcome", WEIGHING)
def test_no_outcome_of_the_weighing_cancels_zsm_or_the_ban_procedure(rt, session, outcome):
    s = _acute_arrest(rt, session)
    s.do("Task_integraal", {"integrale_maatregel": outcome, "integrale_motivering": WEIGHING[outcome]})
    assert {"Task_zsm_afdoening", "Task_toets"} <= _ready(s)
    assert s.has_task("Task_alternatief_integraal") == (outcome != "huisverbod")
    if outcome != "huisverbod":
        s.do("Task_alternatief_integraal", {"alternatieve_maatregel": "contactverbod", "alternatief_motivering": "x"})
        assert "huisverbod_niet_opgelegd" not in s.milestones()  # the ban procedure still decides
        assert {"Task_zsm_afdoening", "Task_toets"} <= _ready(s)
    assert s.case()["status"] == "active"


@pytest.mark.parametrize("outcome, ban_procedure", [("huisverbod", True), ("alternatief", False), ("geen", False)])
def test_for_an_early_request_the_weighing_chooses_the_route(rt, session, outcome, ban_procedure):
    s = Scenario(rt, session, "v4-integraal")
    s.start("veilig_thuis", verzoek(route="structureel"))
    s.do("Task_wegen", {"weegteam_besluit": "toewijzen", "weegteam_afweging": "Patroon van dreiging."})
    assert not s.has_task("Task_toets")  # an early request waits for the table
    s.do("Task_integraal", {"integrale_maatregel": outcome, "integrale_motivering": WEIGHING[outcome]})
    assert s.has_task("Task_toets") == ban_procedure
    assert not s.has_task("Task_zsm_afdoening")  # no arrest, no ZSM

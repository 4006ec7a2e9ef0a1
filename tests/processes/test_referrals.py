"""Issue 11: referrals create work. A referral for a 509hh gedragsaanwijzing gives the OM a task; an alternative
measure (gebieds-, locatie- of contactverbod) gives the burgemeester a decision with its own document, served
before it counts; a referral without a receiver is refused. Basis: processes/README.md ("Referrals")."""

from __future__ import annotations

import pytest

from engine.base.errors import Conflict, FormInvalid
from engine.documents import generation as documents
from tests.processes.scenario import Scenario
from tests.processes.steps import VARIANTS, record, start_variant

NO_GROUND = {"meerderjarig": True, "woonsituatie": "incidenteel"}
PILOTS = [v for v in VARIANTS if v != "wth-basis"]


def _no_ground(rt, session, variant) -> Scenario:
    s = start_variant(rt, session, variant)
    s.do("Task_toets", NO_GROUND)
    return s


def _refer(s: Scenario, variant: str, to: str) -> None:
    if variant == "wth-basis":
        s.do("Task_alternatief", {"doorverwezen_naar": to, "doorverwijzing_toelichting": "Geen band met de woning."})
    else:
        s.do("Task_alternatief", {"alternatieve_maatregel": to, "alternatief_motivering": "Ex-partner; geen band."})


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_509hh_referral_gives_the_om_a_task(rt, session, variant):
    s = _no_ground(rt, session, variant)
    _refer(s, variant, "gedragsaanwijzing_509hh")
    assert "huisverbod_niet_opgelegd" in s.milestones()
    task = s.task("Task_509hh_om")
    assert task["role"] == "om"
    s.do(
        "Task_509hh_om",
        {
            "gedragsaanwijzing_overwogen": True,
            "gedragsaanwijzing_soort": "contactverbod",
            "gedragsaanwijzing_dagen": 60,
            "afweging_509hh": "Ernstige bezwaren; stalking.",
        },
    )
    assert s.milestones()[-1] == "gedragsaanwijzing_opgelegd"
    assert s.var("doorverwijzing_uitkomst")["gedragsaanwijzing"] == "contactverbod"


@pytest.mark.parametrize("variant", PILOTS)
def test_an_alternative_ban_is_a_decision_with_its_own_document_that_must_be_served(rt, session, variant):
    s = _no_ground(rt, session, variant)
    _refer(s, variant, "gebiedsverbod")
    decision = s.task("Task_verbod_besluit")
    assert decision["role"] == "burgemeester"
    with pytest.raises(FormInvalid):  # imposing needs the ban itself and its duration
        s.do("Task_verbod_besluit", {"verbod_opleggen": True, "verbod_motivering": "Stalking bij de woning."})
    s.do(
        "Task_verbod_besluit",
        {
            "verbod_opleggen": True,
            "verbod_omschrijving": "Niet in de Dorpsstraat en omgeving.",
            "verbod_dagen": 30,
            "verbod_motivering": "Stalking bij de woning.",
        },
    )
    serve = s.task("Task_verbod_uitreiken")
    assert serve["role"] == "politie"
    with pytest.raises(Conflict, match="besluit gebieds-, locatie- of contactverbod"):
        s.do("Task_verbod_uitreiken", {"kennis_genomen": True})
    document = documents.generate_document(
        s.session, s.rt.registry, s.clock, s.case_id, "besluit_alternatief_verbod", s.users["burgemeester"]
    )
    assert "Niet in de Dorpsstraat en omgeving." in document.html and "30 dagen" in document.html
    record(s, document, to="uithuisgeplaatste", method="in_persoon_getekend", by="politie")
    s.do("Task_verbod_uitreiken", {"kennis_genomen": True})
    assert not s.has_task("Task_verbod_uitreiken")


def test_the_burgemeester_may_decline_the_alternative_ban_and_nothing_is_served(rt, session):
    s = _no_ground(rt, session, "v1-brede-toegang")
    _refer(s, "v1-brede-toegang", "contactverbod")
    s.do("Task_verbod_besluit", {"verbod_opleggen": False, "verbod_motivering": "Hulp volstaat."})
    assert not s.has_task("Task_verbod_uitreiken")
    assert s.case()["status"] in ("active", "completed")


def test_a_referral_without_a_receiver_or_reasoning_is_refused(rt, session):
    s = _no_ground(rt, session, "wth-basis")
    with pytest.raises(FormInvalid):
        s.do("Task_alternatief", {"doorverwezen_naar": "gedragsaanwijzing_509hh"})
    with pytest.raises(FormInvalid):
        s.do("Task_alternatief", {"doorverwijzing_toelichting": "x"})
    assert s.has_task("Task_alternatief") and "huisverbod_niet_opgelegd" not in s.milestones()


@pytest.mark.parametrize("variant", VARIANTS)
def test_help_or_nothing_creates_no_work(rt, session, variant):
    s = _no_ground(rt, session, variant)
    _refer(s, variant, "geen")
    assert not s.has_task("Task_509hh_om") and not s.has_task("Task_verbod_besluit")

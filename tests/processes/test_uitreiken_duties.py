"""Issue 11: smaller duties of serving the ban that are required, not optional: the receipt for the keys
(Wth 4(2)) when keys were taken, and the kennisgeving to Veilig Thuis when minors are involved (Wth 2(8)).
Basis: processes/README.md ("Serving the ban")."""

from __future__ import annotations

import pytest

from engine.base.errors import Conflict
from engine.documents import generation as documents
from engine.modeling.document_rules import check_requires_service
from tests.processes.steps import VARIANTS, imposed, issue, record


@pytest.mark.parametrize("variant", VARIANTS)
def test_taken_keys_need_a_receipt_handed_over(rt, session, variant):
    s = imposed(rt, session, variant)
    issuer = "hulpofficier" if variant == "wth-basis" else "burgemeester"
    record(s, issue(s, "beschikking", issuer), to="uithuisgeplaatste", method="in_persoon_getekend", by="politie")
    s.do("Task_uitreiken", {"sleutels_ingenomen": True})
    task = s.task("Task_bewijs_sleutels")
    assert task["role"] == "politie"
    with pytest.raises(Conflict, match="bewijs van inname"):
        s.do("Task_bewijs_sleutels", {"kennis_genomen": True})
    receipt = documents.generate_document(
        s.session,
        s.rt.registry,
        s.clock,
        s.case_id,
        "bewijs_sleutels",
        s.users["politie"],
        inputs={"sleutels_omschrijving": "Twee voordeursleutels"},
    )
    record(s, receipt, to="uithuisgeplaatste", method="in_persoon_getekend", by="politie")
    s.do("Task_bewijs_sleutels", {"kennis_genomen": True})
    assert not s.has_task("Task_bewijs_sleutels")


def test_no_keys_no_receipt(rt, session):
    s = imposed(rt, session, "wth-basis")
    record(
        s, issue(s, "beschikking", "hulpofficier"), to="uithuisgeplaatste", method="in_persoon_getekend", by="politie"
    )
    s.do("Task_uitreiken", {"sleutels_ingenomen": False})
    assert not s.has_task("Task_bewijs_sleutels")


@pytest.mark.parametrize("variant", VARIANTS)
def test_with_minors_veilig_thuis_must_get_the_kennisgeving(rt, session, variant):
    s = imposed(rt, session, variant, kinderen=[{"leeftijd": 8}])
    record(
        s,
        issue(s, "kennisgeving_achterblijver", "burgemeester"),
        to="achterblijver",
        method="in_persoon_getekend",
        by="burgemeester",
        name="S. de Vries",
    )
    notice = issue(s, "kennisgeving_hulpverlening", "burgemeester")
    record(s, notice, to="hulpverlening", method="digitaal", by="burgemeester", name="Ambulant team")
    s.do("Task_kennisgeving", {"achterblijvers_geinformeerd": True, "hulpverlening_geinformeerd": True})
    task = s.task("Task_kennisgeving_vt")
    assert task["role"] == "burgemeester"
    with pytest.raises(Conflict, match="Veilig Thuis"):
        s.do("Task_kennisgeving_vt", {"kennis_genomen": True})  # sent to the hulpverlening only
    record(s, notice, to="veilig_thuis", method="digitaal", by="burgemeester", name="Veilig Thuis Utrecht")
    s.do("Task_kennisgeving_vt", {"kennis_genomen": True})
    assert not s.has_task("Task_kennisgeving_vt")


def test_without_minors_no_kennisgeving_to_veilig_thuis_is_asked(rt, session):
    s = imposed(rt, session, "wth-basis")
    record(
        s,
        issue(s, "kennisgeving_achterblijver", "burgemeester"),
        to="achterblijver",
        method="in_persoon_getekend",
        by="burgemeester",
        name="S. de Vries",
    )
    record(
        s,
        issue(s, "kennisgeving_hulpverlening", "burgemeester"),
        to="hulpverlening",
        method="digitaal",
        by="burgemeester",
        name="Ambulant team",
    )
    s.do("Task_kennisgeving", {"achterblijvers_geinformeerd": True, "hulpverlening_geinformeerd": True})
    assert not s.has_task("Task_kennisgeving_vt")


def test_a_required_service_names_a_recipient_the_document_has():
    assert check_requires_service("kennisgeving_hulpverlening:veilig_thuis") is None
    assert check_requires_service("beschikking") is None
    problem = check_requires_service("bewijs_sleutels:achterblijver")
    assert problem and "bewijs_sleutels:achterblijver" in problem and "uithuisgeplaatste" in problem

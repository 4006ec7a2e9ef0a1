"""Issue 11: an unsafe omgangsregeling has a consequence: the Raad voor de Kinderbescherming gets a task
(art. 1:377e BW), beside or without a verzoek tot onderzoek. Basis: processes/README.md ("Children")."""

from __future__ import annotations

import pytest

from engine.base.errors import FormInvalid
from tests.processes.steps import VARIANTS, imposed


def _to_child_help(rt, session, variant):
    s = imposed(rt, session, variant, kinderen=[{"leeftijd": 9}])
    s.do("Task_outreach", {"contact_uithuisgeplaatste": True, "contact_achterblijvers": True, "contact_kinderen": True})
    s.do("Task_veiligheidsplan", {"partnergesprek_gevoerd": True, "veiligheidsafspraken": "Geen contact."})
    if s.has_task("Task_verplichte_hulp"):
        s.do("Task_verplichte_hulp", {"verplichte_hulp_soort": "plegeraanpak", "verplichte_hulp_gestart": True})
    return s


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    "omgang, verzoek, expected",
    [
        ("onveilig", False, {"Task_omgangsregeling"}),
        ("onveilig", True, {"Task_omgangsregeling", "Task_rvdk"}),
        ("veilig", True, {"Task_rvdk"}),
        ("geen", False, set()),
    ],
)
def test_an_unsafe_omgangsregeling_gives_the_raad_a_task(rt, session, variant, omgang, verzoek, expected):
    s = _to_child_help(rt, session, variant)
    s.do(
        "Task_kindgericht",
        {"perspectief_kind": "Wil papa zien, maar is bang.", "omgangsregeling": omgang, "verzoek_rvdk": verzoek},
    )
    open_now = {t["element"] for t in s.tasks()} & {"Task_omgangsregeling", "Task_rvdk"}
    assert open_now == expected
    if "Task_omgangsregeling" in expected:
        assert s.task("Task_omgangsregeling")["role"] == "raad_kinderbescherming"
        s.do(
            "Task_omgangsregeling",
            {
                "omgangsregeling_actie": "verzoek_rechter",
                "omgangsregeling_toelichting": "Omgang onder toezicht tot de zitting.",
            },
        )


def test_the_omgangsregeling_must_be_answered(rt, session):
    s = _to_child_help(rt, session, "wth-basis")
    with pytest.raises(FormInvalid):
        s.do("Task_kindgericht", {"perspectief_kind": "x", "verzoek_rvdk": False})

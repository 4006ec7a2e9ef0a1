"""Reusable steps for the scenario tests: the data each organisation enters."""
from __future__ import annotations

from typing import Any

from tests.processes.scenario import Scenario

MELDING: dict[str, Any] = {
    "adres": "Dorpsstraat 1, Utrecht", "omschrijving": "Mishandeling na een ruzie; partner heeft letsel.",
    "uithuisgeplaatste_naam": "P. de Vries", "achterblijvers": [{"naam": "S. de Vries", "relatie": "partner"}],
    "kinderen": [], "aanhouding": False, "vermoeden_kindermishandeling": False,
}
RIHG_HOOG = {"incident": {"2a": {"signalen": ["2a.2"], "score": "hoog"},
                          "2c": {"signalen": ["2c.1", "2c.4"], "score": "hoog"},
                          "2g": {"signalen": ["2g.4"], "score": "hoog"}}}
RIHG_LAAG = {"incident": {"2a": {"signalen": ["2a.1"], "score": "hoog"},
                          "2k": {"signalen": ["2k.2"], "score": "midden"}}}
BESCHIKKING = {"beschikking_plaats": "Dorpsstraat 1, Utrecht",
               "feiten_en_omstandigheden": "Mishandeling met letsel; dreiging met een mes.",
               "contactverbod_namen": ["S. de Vries"], "mondeling_aangezegd": False}


def verzoek(**changes: Any) -> dict[str, Any]:
    """A request as pilot variants take it (route and onderbouwing added to the melding)."""
    return {"route": "acuut", "onderbouwing": "Direct gevaar voor de partner.", **MELDING, **changes}


def assess(s: Scenario, rihg: dict[str, Any], *, afnemer: str) -> None:
    """Toets and RIHG; ``afnemer`` is the role whose RIHG task should be ready."""
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "woont"})
    s.do(f"Task_rihg_{afnemer}", rihg)


def decide(s: Scenario, by: str, besluit: str = "opleggen", advies: str = "huisverbod", reden: str | None = None):
    short = "hovj" if by == "hulpofficier" else "bm"
    data: dict[str, Any] = {"besluit": besluit}
    if reden:
        data["afwijking_reden"] = reden
    s.do(f"Task_besluit_{short}_{advies}", data)


def impose(s: Scenario, *, afnemer: str, decider: str) -> None:
    assess(s, RIHG_HOOG, afnemer=afnemer)
    decide(s, decider)
    s.do("Task_beschikking", BESCHIKKING)


def serve_and_notify(s: Scenario) -> None:
    """The imposition steps of uitreiken, done in time."""
    s.do("Task_uitreiken", {"uitreiking_wijze": "in_persoon_getekend", "uitgereikt_op": "2026-02-02T21:40:00+01:00",
                            "sleutels_ingenomen": True})
    s.do("Task_contactadres", {"contactadres": "Hotel De Post, Utrecht"})
    if s.has_task("Task_mededeling"):
        s.do("Task_mededeling", {"medegedeeld_op": "2026-02-02T21:50:00+01:00", "mededeling_wijze": "telefonisch"})
    s.do("Task_kennisgeving", {"achterblijvers_geinformeerd": True, "hulpverlening_geinformeerd": True})


def help_without_children(s: Scenario) -> None:
    s.do("Task_outreach", {"contact_uithuisgeplaatste": True, "contact_achterblijvers": True})
    s.do("Task_veiligheidsplan", {"partnergesprek_gevoerd": True, "veiligheidsafspraken": "Geen contact."})

"""Reusable steps for the scenario tests: the data each organisation enters."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from engine.documents import generation as documents
from engine.documents import service
from engine.storage.document_tables import Document
from tests.processes.scenario import Scenario

MELDING: dict[str, Any] = {
    "adres": "Dorpsstraat 1, Utrecht",
    "omschrijving": "Mishandeling na een ruzie; partner heeft letsel.",
    "uithuisgeplaatste_naam": "P. de Vries",
    "achterblijvers": [{"naam": "S. de Vries", "relatie": "partner"}],
    "kinderen": [],
    "aanhouding": False,
    "vermoeden_kindermishandeling": False,
}
RIHG_HOOG = {
    "incident": {
        "2a": {"signalen": ["2a.2"], "score": "hoog"},
        "2c": {"signalen": ["2c.1", "2c.4"], "score": "hoog"},
        "2g": {"signalen": ["2g.4"], "score": "hoog"},
    }
}
RIHG_LAAG = {
    "incident": {"2a": {"signalen": ["2a.1"], "score": "hoog"}, "2k": {"signalen": ["2k.2"], "score": "midden"}}
}
# The imposition instant: the test clock's start (2 February 2026 21:15 Amsterdam); impose() uses the clock's now.
BESCHIKKING = {
    "opgelegd_op": "2026-02-02T21:15:00+01:00",
    "beschikking_plaats": "Dorpsstraat 1, Utrecht",
    "feiten_en_omstandigheden": "Mishandeling met letsel; dreiging met een mes.",
    "contactverbod_namen": ["S. de Vries"],
    "mondeling_aangezegd": False,
}


def verzoek(**changes: Any) -> dict[str, Any]:
    """A request as pilot variants take it (route and onderbouwing added to the melding)."""
    return {"route": "acuut", "onderbouwing": "Direct gevaar voor de partner.", **MELDING, **changes}


# variant: (starter role, RIHG taker, decision by, first term in days, start data)
VARIANTS = {
    "wth-basis": ("politie", "hulpofficier", "hulpofficier", 10, MELDING),
    "v1-brede-toegang": ("politie", "politie", "burgemeester", 10, verzoek()),
    "v2-weegteam": ("politie", "politie", "burgemeester", 10, verzoek()),
    "v3-termijnflex": ("politie", "politie", "burgemeester", 14, verzoek()),
    "v4-integraal": ("politie", "politie", "burgemeester", 14, verzoek()),
}


def start_variant(rt, session, variant: str, **start_changes: Any) -> Scenario:
    """A case of ``variant`` started by its usual starter, up to where the acute route begins."""
    s = Scenario(rt, session, variant)
    starter, *_, data = VARIANTS[variant]
    s.start(starter, {**data, **start_changes})
    if variant == "v4-integraal":
        s.do("Task_integraal", {"integrale_maatregel": "huisverbod", "integrale_motivering": "Direct gevaar."})
    return s


def to_beschikking(s: Scenario, variant: str) -> None:
    """Toets, RIHG and the decision to impose, by the roles of ``variant``: the beschikking task is next."""
    _, taker, decider, _, _ = VARIANTS[variant]
    assess(s, RIHG_HOOG, afnemer=taker)
    consult_veilig_thuis_if_asked(s)
    decide(s, decider)


def imposed(rt, session, variant: str, at: datetime | None = None, **start_changes: Any) -> Scenario:
    """A case of ``variant`` with the ban imposed at ``at`` (now), recorded a few minutes later, and a contact
    address given (so V3/V4 do not suspend)."""
    s = start_variant(rt, session, variant, **start_changes)
    to_beschikking(s, variant)
    if at is not None and at > s.clock.now():
        s.advance_to(at + timedelta(minutes=5))  # typed in a little later
    s.do("Task_beschikking", beschikking(s, opgelegd_op=(at or s.clock.now()).isoformat()))
    s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"})
    return s


def expires_exactly_at(s: Scenario, end) -> None:
    """The ban is still running one minute before ``end`` and has expired at ``end``."""
    s.advance_to(end - timedelta(minutes=1))
    assert "huisverbod_verlopen" not in s.milestones()
    s.advance_to(end)
    assert s.milestones()[-1] == "huisverbod_verlopen"


def assess(s: Scenario, rihg: dict[str, Any], *, afnemer: str) -> None:
    """Toets and RIHG; ``afnemer`` is the role whose RIHG task should be ready."""
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "woont"})
    s.do(f"Task_rihg_{afnemer}", rihg)


def consult_veilig_thuis_if_asked(s: Scenario) -> None:
    """Signs of kindermishandeling (Wth 2(3)): Veilig Thuis gives its advice before the decision."""
    if s.has_task("Task_vt_raadplegen"):
        s.do("Task_vt_raadplegen", {"bekend_bij_veilig_thuis": False, "advies_veilig_thuis": "Huisverbod aangewezen."})


def voorleggen_if_asked(s: Scenario, standpunt: str = "huisverbod") -> None:
    """V1–V4: whoever took the RIHG puts the case to the burgemeester (Leidraad principle 7)."""
    for task in s.tasks():
        if task["element"].startswith("Task_voorleggen_"):
            s.do(
                task["element"],
                {"voorlegging_standpunt": standpunt, "voorlegging_onderbouwing": "RIHG hoog; dreiging houdt aan."},
            )


def decide(s: Scenario, by: str, besluit: str = "opleggen", advies: str = "huisverbod", reden: str | None = None):
    voorleggen_if_asked(s, "huisverbod" if besluit == "opleggen" else "geen_huisverbod")
    short = "hovj" if by == "hulpofficier" else "bm"
    data: dict[str, Any] = {"besluit": besluit}
    if reden:
        data["afwijking_reden"] = reden
    s.do(f"Task_besluit_{short}_{advies}", data)


def beschikking(s: Scenario, **changes: Any) -> dict[str, Any]:
    """The beschikking form, imposed at the clock's now unless ``opgelegd_op`` is given."""
    return {**BESCHIKKING, "opgelegd_op": s.clock.now().isoformat(), **changes}


def impose(s: Scenario, *, afnemer: str, decider: str, **changes: Any) -> None:
    assess(s, RIHG_HOOG, afnemer=afnemer)
    decide(s, decider)
    s.do("Task_beschikking", beschikking(s, **changes))


def issue(s: Scenario, kind: str, role: str) -> Document:
    """The organisation ``role`` makes the current document of ``kind`` for the case."""
    return documents.generate_document(s.session, s.rt.registry, s.clock, s.case_id, kind, s.users[role])


def record(
    s: Scenario, document: Document, *, to: str, method: str, by: str, name: str | None = None, note: str | None = None
) -> None:
    """Proof of service: ``document`` reached ``to`` by ``method``, recorded by a user of role ``by``."""
    service.record_service(
        s.session,
        s.clock,
        document_id=document.id,
        recipient_role=to,
        method=method,
        served_at=s.clock.now(),
        user=s.users[by],
        recipient_name=name,
        note=note,
    )


def serve_beschikking(s: Scenario, issuer: str) -> None:
    """The beschikking is made, handed over in person by the politie, and the keys taken."""
    record(s, issue(s, "beschikking", issuer), to="uithuisgeplaatste", method="in_persoon_getekend", by="politie")
    s.do("Task_uitreiken", {"sleutels_ingenomen": True})


def serve_and_notify(s: Scenario, issuer: str = "hulpofficier") -> None:
    """The imposition steps of uitreiken, done in time, each with its proof of service."""
    serve_beschikking(s, issuer)
    s.do("Task_contactadres", {"contactadres": "Hotel De Post, Utrecht"})
    if s.has_task("Task_mededeling"):
        record(
            s,
            issue(s, "mededeling_burgemeester", "hulpofficier"),
            to="burgemeester",
            method="digitaal",
            by="hulpofficier",
            name="Burgemeester van Utrecht",
        )
        s.do("Task_mededeling", {})  # when and how: the service record of the mededeling
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
        name="Ambulant team Utrecht",
    )
    s.do("Task_kennisgeving", {"achterblijvers_geinformeerd": True, "hulpverlening_geinformeerd": True})


def decide_extension(s: Scenario, days: int, facts: str = "De dreiging houdt aan.") -> Document:
    """The burgemeester decides to extend and makes the verlengingsbeschikking (not yet served)."""
    s.do("Task_verlenging", {"verlengen": True, "verlenging_dagen": days, "verlenging_feiten": facts})
    document = issue(s, "verlengingsbeschikking", "burgemeester")
    s.do("Task_verlengingsbeschikking", {})
    return document


def extend(s: Scenario, days: int, facts: str = "De dreiging houdt aan.") -> None:
    """The burgemeester extends, the verlengingsbeschikking is made and handed over: the extension takes effect."""
    document = decide_extension(s, days, facts)
    record(s, document, to="uithuisgeplaatste", method="in_persoon_getekend", by="politie")
    s.do("Task_verlenging_uitreiken", {})


def withdraw(s: Scenario, motivering: str = "Hulp loopt, veiligheid geborgd.") -> Document:
    """Help is accepted, the burgemeester withdraws and serves the intrekkingsbesluit: the ban ends."""
    s.send(
        "hulp_geaccepteerd",
        "hulpverlening",
        {"hulp_bevestigd_door": "Ambulant team", "hulp_huisgenoten_niet_belemmerd": True},
    )
    s.do("Task_intrekking", {"intrekken": True, "intrekking_motivering": motivering})
    document = issue(s, "intrekkingsbesluit", "burgemeester")
    record(s, document, to="uithuisgeplaatste", method="in_persoon_getekend", by="politie")
    s.do("Task_intrekkingsbesluit_uitreiken", {})
    return document


def help_without_children(s: Scenario) -> None:
    s.do("Task_outreach", {"contact_uithuisgeplaatste": True, "contact_achterblijvers": True})
    s.do("Task_veiligheidsplan", {"partnergesprek_gevoerd": True, "veiligheidsafspraken": "Geen contact."})


def violation(s: Scenario, number: int) -> None:
    """One breach of the ban: reported by the politie, a proces-verbaal, and the ZSM decision on it."""
    s.send(
        "overtreding_gemeld",
        "politie",
        {"overtreding_tijdstip": s.clock.now().isoformat(), "overtreding_omschrijving": "Weer in de woning."},
    )
    s.do(
        "Task_pv",
        {"aangehouden": True, "pv_nummer": f"PL0900-2026-{number}", "kennis_van_huisverbod": "uitreiking_getekend"},
    )
    s.do(
        "Task_zsm_afdoening",
        {"zsm_afdoening": "voorgeleiden", "gedragsaanwijzing_overwogen": True, "gedragsaanwijzing_soort": "geen"},
    )


def appeal(s: Scenario, at=None, *, vovo: bool = True, by: str = "uithuisgeplaatste") -> None:
    """The burgemeester records an appeal (with a request for a voorlopige voorziening) lodged at ``at`` (now)."""
    s.send(
        "beroep_ingesteld",
        "burgemeester",
        {
            "beroep_ingesteld_op": (at or s.clock.now()).isoformat(),
            "beroep_door": by,
            "voorlopige_voorziening_gevraagd": vovo,
        },
    )


def prepare_hearing(s: Scenario) -> None:
    """Raadsman and the documents for the voorzieningenrechter (Wth 5, 6)."""
    s.do("Task_raadsman", {"raadsman_naam": "mr. A. Jansen", "raadsman_toegevoegd_op": s.clock.now().isoformat()})
    s.do("Task_verweer", {"stukken_verstuurd_op": s.clock.now().isoformat()})


def vovo_ruling(s: Scenario, granted: bool, at=None) -> None:
    s.send(
        "uitspraak_voorlopige_voorziening",
        "burgemeester",
        {"voorziening_toegewezen": granted, "uitspraak_op": (at or s.clock.now()).isoformat()},
    )


def main_ruling(s: Scenario, uitkomst: str, at=None) -> None:
    s.send(
        "uitspraak_beroep", "burgemeester", {"uitkomst": uitkomst, "uitspraak_op": (at or s.clock.now()).isoformat()}
    )


def copies(s: Scenario, task: str, *, veilig_thuis: bool = False) -> None:
    """The burgemeester sends the copies of a ruling (Wth 8)."""
    s.do(
        task,
        {
            "afschrift_achterblijver": True,
            "afschrift_politie": True,
            "afschrift_veilig_thuis": veilig_thuis,
            "uithuisgeplaatste_mondeling": True,
        },
    )


def to_monitoring(rt, session, regiehouder: str, variant: str = "v1-brede-toegang") -> Scenario:
    """A ban imposed, not extended, run out; the burgemeester names ``regiehouder``: the monitoring runs."""
    s = Scenario(rt, session, variant)
    s.start("politie", verzoek())
    impose(s, afnemer="politie", decider="burgemeester")
    s.advance(timedelta(days=8))
    s.do("Task_verlenging", {"verlengen": False})
    s.advance(timedelta(days=2))
    s.do("Task_regiehouder", {"regiehouder": regiehouder})
    return s

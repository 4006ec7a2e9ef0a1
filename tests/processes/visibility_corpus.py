"""The case data a realistic case holds, for checking who sees what (tests/processes/test_visibility_rules.py).

Two sources, per variant: the variables of one rich case run through every phase (an arrest and ZSM, a child of
13, the RIHG, imposition, service, help, a violation, an appeal with its rulings, an extension, expiry and
monitoring), taken after each phase; and variables made up from every form of the variant's model, each field
where the engine puts it (a task's or the start event's form at the top level, a message's form under its
``messageVariable``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from engine.base.clock import parse_instant
from engine.base.vocabulary import PROPERTY_FORM
from engine.modeling.registry import LoadedModel
from engine.storage.tables import Case
from engine.workflow import state as ws
from tests.processes.scenario import Scenario
from tests.processes.steps import (
    RIHG_HOOG,
    VARIANTS,
    appeal,
    assess,
    beschikking,
    consult_veilig_thuis_if_asked,
    copies,
    decide,
    extend,
    main_ruling,
    prepare_hearing,
    serve_and_notify,
    start_variant,
    vovo_ruling,
)

ZSM = {
    "zsm_afdoening": "dagvaarden",
    "gedragsaanwijzing_overwogen": True,
    "gedragsaanwijzing_soort": "contactverbod",
    "gedragsaanwijzing_dagen": 90,
    "zsm_motivering": "Ernstig letsel.",
}
REASONED_509HH = {
    "gedragsaanwijzing_overwogen": True,
    "gedragsaanwijzing_soort": "contactverbod",
    "gedragsaanwijzing_dagen": 90,
    "afweging_509hh": "Ernstige bezwaren; herhaling te vrezen.",
}
# RIHG indicator 1a: HKS registrations, politiegegevens (art. 2(3) Besluit tijdelijk huisverbod).
POLITIEGEGEVENS = {
    "1a": {"signalen": ["1a.1"], "score": "hoog", "toelichting": "HKS-registratie geweld 2024"},
    "1b": {"signalen": ["1b.3"], "score": "midden"},
}
# Tasks that may open during the help and monitoring phases, with the data their organisation enters.
WORK: dict[str, dict[str, Any]] = {
    "Task_outreach": {
        "contact_uithuisgeplaatste": True,
        "contact_achterblijvers": True,
        "contact_kinderen": True,
        "outreach_notitie": "Partner wil hulp.",
    },
    "Task_veiligheidsplan": {"partnergesprek_gevoerd": True, "veiligheidsafspraken": "Geen contact."},
    "Task_kindgericht": {"perspectief_kind": "Bang voor vader.", "omgangsregeling": "geen", "verzoek_rvdk": True},
    "Task_verplichte_hulp": {"verplichte_hulp_soort": "plegeraanpak", "verplichte_hulp_gestart": True},
    "Task_regiehouder": {"regiehouder": "wijkteam", "regiehouder_contact": "Wijkteam Noord, 030-1234567"},
    "Task_checkin": {"checkin_notitie": "Rustig.", "veiligheid_in_geding": False},
    "Task_kind_horen": {"kinderen_opgeroepen": True},
    "Task_pv": {"aangehouden": True, "pv_nummer": "PL0900-2026-1", "kennis_van_huisverbod": "uitreiking_getekend"},
    "Task_afronden": {"afloop_samenvatting": "Afgelopen."},
}


def _work_off(s: Scenario, wanted: set[str]) -> None:
    """Do every open task of ``wanted`` (including the ones they open), once each."""
    done: set[str] = set()
    while todo := [t for t in s.tasks() if t["element"] in wanted - done]:
        element = todo[0]["element"]
        s.do(element, WORK[element])
        done.add(element)


def rich_case(rt, session, variant: str) -> tuple[LoadedModel, list[dict[str, Any]]]:
    """The model of ``variant`` and the variables of one of its cases, after each phase."""
    snapshots: list[dict[str, Any]] = []
    s = start_variant(rt, session, variant, aanhouding=True, kinderen=[{"voornaam": "Sam", "leeftijd": 13}])
    snapshots.append(s.case()["variables"])
    s.do("Task_zsm_afdoening", ZSM)
    if s.has_task("Task_zsm_509hh"):
        s.do("Task_zsm_509hh", REASONED_509HH)
    snapshots.append(s.case()["variables"])
    _, taker, decider, _, _ = VARIANTS[variant]
    rihg = {**RIHG_HOOG, "persoon": POLITIEGEGEVENS}
    if variant != "wth-basis":  # the pilots take the RIHG with the nieuw-perspectief extension
        rihg["nieuw_perspectief"] = {"signalen": ["N1"], "toelichting": "Eerder contact met Veilig Thuis."}
    assess(s, rihg, afnemer=taker)
    consult_veilig_thuis_if_asked(s)
    decide(s, decider)
    snapshots.append(s.case()["variables"])
    s.do("Task_beschikking", beschikking(s))
    serve_and_notify(s, "hulpofficier" if variant == "wth-basis" else "burgemeester")
    snapshots.append(s.case()["variables"])
    _work_off(s, {"Task_outreach", "Task_veiligheidsplan", "Task_kindgericht", "Task_verplichte_hulp"})
    s.send(
        "overtreding_gemeld",
        "politie",
        {"overtreding_tijdstip": s.clock.now().isoformat(), "overtreding_omschrijving": "Aan de deur gezien."},
    )
    _work_off(s, {"Task_pv"})
    snapshots.append(s.case()["variables"])
    appeal(s)
    prepare_hearing(s)
    _work_off(s, {"Task_kind_horen"})
    vovo_ruling(s, granted=False)
    copies(s, "Task_afschriften_vovo", veilig_thuis=True)
    main_ruling(s, "ongegrond")
    copies(s, "Task_afschriften_beroep", veilig_thuis=True)
    snapshots.append(s.case()["variables"])
    extend(s, 4)
    snapshots.append(s.case()["variables"])
    s.advance_to(parse_instant(s.var("huisverbod")["einde"]) + timedelta(minutes=1))
    _work_off(s, {"Task_regiehouder", "Task_checkin", "Task_afronden"})
    snapshots.append(s.case()["variables"])
    return model_of(s), snapshots


def model_of(s: Scenario) -> LoadedModel:
    return s.rt.registry.model(s.session, s.session.get(Case, s.case_id).model_version_id)


# --- variables made up from the forms ----------------------------------------------------------------


def _value(schema: dict[str, Any]) -> Any:
    """A stand-in value with the shape of ``schema``: objects get every property, everything else is a leaf."""
    if schema.get("type") == "object" or "properties" in schema:
        return {name: _value(prop) for name, prop in (schema.get("properties") or {}).items()}
    if schema.get("type") == "array":
        return ["x"]
    return "x"


def form_writes(model: LoadedModel) -> Iterator[tuple[str, str | None]]:
    """(form, variable the data lands in, None for the top level) for every place a form writes case data:
    user tasks and the start event at the top level, messages under their ``messageVariable``."""
    start_form = ws.start_event_properties(model.spec).get(PROPERTY_FORM)
    if start_form:
        yield start_form, None
    for spec in model.all_specs():
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "manual", False):
                yield ws.properties(task_spec)[PROPERTY_FORM], None
            # behind an event-based gateway the message definition sits on the gateway
            for catcher, definition in ws.spec_message_catchers(task_spec):
                if ws.properties(catcher).get(PROPERTY_FORM):
                    yield ws.properties(catcher)[PROPERTY_FORM], definition.message_var


def form_variables(model: LoadedModel) -> dict[str, Any]:
    """Variables as the model's forms would write them, every field filled."""
    variables: dict[str, Any] = {}
    for form, target in sorted(form_writes(model), key=lambda w: (w[0], w[1] or "")):
        data = _value(model.forms[form])
        if target:
            variables.setdefault(target, {}).update(data)
        else:
            variables.update(data)
    return variables


# --- paths -------------------------------------------------------------------------------------------


def paths(data: Any, prefix: str = "") -> set[str]:
    """Every dotted path in ``data`` (dicts are descended, lists are leaves)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}{key}"
            found.add(path)
            found |= paths(value, path + ".")
    return found


def hidden_paths(snapshots: list[dict[str, Any]], see: Callable[[dict[str, Any]], dict[str, Any]]) -> set[str]:
    """The paths of ``snapshots`` that ``see`` leaves out of any of them."""
    hidden: set[str] = set()
    for variables in snapshots:
        hidden |= paths(variables) - paths(see(variables))
    return hidden


__all__ = ["VARIANTS", "form_variables", "hidden_paths", "model_of", "paths", "rich_case"]

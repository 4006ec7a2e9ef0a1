"""Which case data each role may see: the one place that decides it.

Every read of case variables for a person (the case page, the task page, the
JSON API) goes through :func:`visible_variables`. The rules, per audience:

* **Volledig** (politie, hulpofficier, burgemeester): every variable. They
  impose, serve and enforce the ban, and the burgemeester weighs all RIHG facts.
* **Zorg** (veilig_thuis, hulpverlening, crisisteam, weegteam,
  raad_kinderbescherming, jeugdbescherming, wijkteam, vrouwenopvang): all
  variables except *politiegegevens* (RIHG indicator 1a: HKS registrations and
  mutations, art. 2(3) Besluit tijdelijk huisverbod) and *strafrecht*
  (proces-verbaal, ZSM afdoening and its reasoning).
* **Strafrecht** (om, reclassering): everything the prosecution needs — the
  facts, the ban, the RIHG including politiegegevens, the proces-verbaal and
  ZSM — but not the *zorg* notes (outreach, veiligheidsplan, the child's
  perspective, Raad voor de Kinderbescherming, check-ins, Veilig Thuis advice).
* **Geen** (designer, beheerder): no case data at all; they see the process
  (diagram, milestones, open tasks), not its content.

A user with several roles sees the union of what each role may see. A variable
that is not listed in a category is visible to every case role: categories
name what is *withheld*, so adding a form field to a model never hides data by
accident, and adding sensitive data means adding it here (with a test).
Paths are dotted: ``rihg_resultaat.uitkomst.persoon.1a`` hides one nested key.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from engine.base.vocabulary import ROLE_CODES

# Categories of withheld data: dotted paths into the case variables.
POLITIEGEGEVENS: frozenset[str] = frozenset(
    {
        "rihg_resultaat.uitkomst.persoon.1a",
        "rihg.uitkomst.persoon.1a",  # a main process may copy rihg_resultaat to rihg
    }
)
STRAFRECHT: frozenset[str] = frozenset(
    {
        "aangehouden",
        "pv_nummer",
        "kennis_van_huisverbod",  # proces-verbaal (proces_verbaal.schema.json)
        "zsm_afdoening",
        "zsm_motivering",  # ZSM afdoening (zsm_besluit.schema.json)
        "samenloop.zsm.afdoening",  # the same, shared with the ban decision
    }
)
ZORG: frozenset[str] = frozenset(
    {
        "contact_uithuisgeplaatste",
        "contact_achterblijvers",
        "contact_kinderen",
        "outreach_notitie",
        "partnergesprek_gevoerd",
        "veiligheidsafspraken",
        "perspectief_kind",
        "omgangsregeling",
        "omgangsregeling_toelichting",
        "verzoek_rvdk",
        "onderzoek_gestart",
        "rvdk_toelichting",
        "checkin_notitie",
        "bekend_bij_veilig_thuis",
        "advies_veilig_thuis",
        "verplichte_hulp_soort",
        "verplichte_hulp_gestart",
        "regiehouder_contact",
    }
)

FULL = "volledig"
NOTHING = "geen"
# Per role: FULL, NOTHING, or the set of paths withheld.
RULES: dict[str, str | frozenset[str]] = {
    "politie": FULL,
    "hulpofficier": FULL,
    "burgemeester": FULL,
    **{
        role: POLITIEGEGEVENS | STRAFRECHT
        for role in (
            "veilig_thuis",
            "hulpverlening",
            "crisisteam",
            "weegteam",
            "raad_kinderbescherming",
            "jeugdbescherming",
            "wijkteam",
            "vrouwenopvang",
        )
    },
    "om": ZORG,
    "reclassering": ZORG,
    "designer": NOTHING,
    "beheerder": NOTHING,
}
assert set(RULES) == ROLE_CODES, "every role needs a visibility rule"


def sees_case_data(roles: Iterable[str]) -> bool:
    """True when at least one of the roles may see some case data."""
    return any(RULES.get(role, NOTHING) != NOTHING for role in roles)


def _without(data: Any, paths: frozenset[str]) -> Any:
    """A deep copy of ``data`` with the dotted paths removed."""
    result = copy.deepcopy(data)
    for path in paths:
        *parents, last = path.split(".")
        node = result
        for key in parents:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(last, None)
    return result


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into.setdefault(key, value)


def visible_variables(variables: dict[str, Any], roles: Iterable[str]) -> dict[str, Any]:
    """The part of the case variables that someone with ``roles`` may see."""
    rules = [RULES.get(role, NOTHING) for role in roles]
    if FULL in rules:
        return copy.deepcopy(variables)
    visible: dict[str, Any] = {}
    for rule in rules:
        if rule != NOTHING:
            _merge(visible, _without(variables, rule))
    return visible


def withheld_paths(roles: Iterable[str]) -> frozenset[str]:
    """The dotted paths hidden from someone with ``roles`` (for explaining the rule on screen)."""
    rules = [RULES.get(role, NOTHING) for role in roles]
    if FULL in rules:
        return frozenset()
    sets = [r for r in rules if r != NOTHING]
    if not sets:
        return frozenset({"*"})
    hidden = frozenset(sets[0])
    for other in sets[1:]:
        hidden &= other
    return hidden

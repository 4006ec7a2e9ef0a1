"""Which case data each role may see: an allow-list, the one place that applies it.

Every read of case variables for a person (the case page, the task page and its
instructions, the JSON API) goes through :func:`visible_variables`, with the
model the case runs on. Nothing is visible unless it is declared visible.

**Who may see a piece of data is declared where the data is defined.**

* A form field (``forms/*.schema.json``): ``"x-visible-to": [...]`` on each
  top-level property, naming audiences or case roles from
  :data:`engine.base.vocabulary.AUDIENCES` and ``ROLES``. A nested object
  property inherits its parent's declaration and may narrow it with its own
  (the roles of both): RIHG indicator 1a, politiegegevens, is declared narrower
  than its level. Items of a list share the list's declaration. The RIHG forms
  are generated, so their declarations live in engine/rihg/instrument.py.
* Data written by scripts, data objects or the engine itself (not by a form):
  :data:`SCRIPT_DATA` below, by dotted path; a deeper path narrows its parent.
* A message's form lands under the message's variable (``overtreding``); that
  variable is visible to whoever may see one of its fields, each field as declared.

**Undeclared data is visible only to who wrote it**: a form field without
``x-visible-to`` to the roles of the tasks that use the form (their lanes), of
the start event (its ``starters``) or of the message (its ``senders``); a
variable that no form and no :data:`SCRIPT_DATA` entry declares to no one.
A field that several forms (or a form and a script) write is visible to the
roles that every declaration allows. A user with several roles sees the union.
designer and beheerder are in no audience: they see the process (diagram,
milestones, open tasks), not its content.

**Today's declarations** (audiences in the vocabulary): most data to ``keten``
(every case role); politiegegevens (RIHG 1a, art. 2(3) Besluit tijdelijk
huisverbod) and the criminal case (proces-verbaal, ZSM afdoening) to
``oplegging`` and ``strafrecht``; care notes (outreach, veiligheidsplan, the
child's perspective, Raad voor de Kinderbescherming, check-ins, Veilig Thuis
advice, mandatory help) to ``oplegging`` and ``zorg``; the 509hh
gedragsaanwijzing to ``gedragsaanwijzing`` (a need-to-know circle: OM, politie,
hulpofficier, Reclassering and burgemeester; no care organisation).

Which *cases* a user reads at all is need-to-know too (engine.workflow.need_to_know): the
roles passed here are the user's roles with a relation to the case.

**Adding a field**: give it ``x-visible-to`` in its form (or, for a script
variable, an entry in :data:`SCRIPT_DATA`); tests/processes/test_visibility_rules.py
fails, naming it, until you do. Deploying a form that names an unknown
audience is refused.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.base.vocabulary import (
    CASE_ROLE_CODES,
    PROPERTY_FORM,
    PROPERTY_SENDERS,
    PROPERTY_STARTERS,
    VISIBLE_TO,
    audience_roles,
)
from engine.modeling.registry import LoadedModel
from engine.rihg.instrument import POLICE_DATA_VISIBLE_TO, RIHG_VISIBLE_TO, police_data_paths
from engine.workflow import state as ws

KETEN = ("keten",)
CRIMINAL = ("oplegging", "strafrecht")
GEDRAGSAANWIJZING = ("gedragsaanwijzing",)

# Case data that scripts, data objects and the engine write (not forms), by dotted path. Found in the models of
# processes/ (script tasks, pre/post scripts, data objects, call activity outputs, DMN outputs).
SCRIPT_DATA: dict[str, tuple[str, ...]] = {
    # the engine, when a case starts: who asked
    "verzoeker": KETEN,
    # "Kenmerken van deze variant" and the main processes
    "variant": KETEN,
    "verzoek_ontvangen_op": KETEN,
    "rihg_afnemer": KETEN,
    "besluit_door": KETEN,
    "mandaat": KETEN,
    "voorlegging_afwijking": KETEN,
    "verwijzing": KETEN,
    "huisverbod": KETEN,
    # the data object shared by ZSM and the ban decision
    "samenloop": KETEN,
    "samenloop.zsm.afdoening": CRIMINAL,
    "samenloop.zsm.gedragsaanwijzing": GEDRAGSAANWIJZING,
    # RIHG (rihg, rihg_nieuw_perspectief, rihg_beoordeling and its DMN tables, rihg_besluit)
    "rihg_resultaat": RIHG_VISIBLE_TO,
    **{f"rihg_resultaat.uitkomst.{path}": POLICE_DATA_VISIBLE_TO for path in police_data_paths()},
    "rihg_catalogus": RIHG_VISIBLE_TO,
    "nieuw_perspectief": RIHG_VISIBLE_TO,  # set to None when the baseline RIHG runs (no extension form)
    "aantal_hoog": RIHG_VISIBLE_TO,
    "aantal_midden": RIHG_VISIBLE_TO,
    "niveaus": RIHG_VISIBLE_TO,
    "scores": RIHG_VISIBLE_TO,
    "advies": RIHG_VISIBLE_TO,
    "tussenoordeel_persoon": RIHG_VISIBLE_TO,
    "tussenoordeel_incident": RIHG_VISIBLE_TO,
    "tussenoordeel_leefomstandigheden": RIHG_VISIBLE_TO,
    "huisverbod_besluit": KETEN,
    # ZSM and doorverwijzing: the 509hh Sv gedragsaanwijzing
    "gedragsaanwijzing": GEDRAGSAANWIJZING,
    "doorverwijzing_uitkomst": KETEN,
    # huisverbod_looptijd
    "verlenging_besluit": KETEN,
    "verlenging_besloten_op": KETEN,
    "intrekking_besloten_op": KETEN,
    "opschorting_grens": KETEN,
    "nieuw_einde": KETEN,
    # beroep
    "beroepstermijn": KETEN,
    "beroep_termijnen": KETEN,
    "minderjarigen": KETEN,
    # weegteam and monitoring
    "weegteam_toegewezen": KETEN,
    "monitoring": KETEN,
    "monitoring_uitkomst": KETEN,
}


@dataclass
class Rule:
    """Who may see one variable (or one key inside it), and the rules of its declared parts."""

    roles: frozenset[str]
    parts: dict[str, Rule] = field(default_factory=dict)


def _narrow(rule: Rule, roles: frozenset[str]) -> None:
    rule.roles &= roles
    for part in rule.parts.values():
        _narrow(part, roles)


def _merge(rules: dict[str, Rule], name: str, rule: Rule) -> None:
    """Add ``rule`` for ``name``; a name declared twice is visible to whom both declarations allow."""
    if name not in rules:
        rules[name] = rule
        return
    existing = rules[name]
    _narrow(existing, rule.roles)
    for key, part in rule.parts.items():
        _narrow(part, existing.roles)
        _merge(existing.parts, key, part)


def _property_rules(
    schema: dict[str, Any], inherited: frozenset[str] | None, writers: frozenset[str]
) -> dict[str, Rule]:
    """The rules of a schema's properties: each its own declaration (within ``inherited``), else inherited."""
    rules: dict[str, Rule] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        declared = prop.get(VISIBLE_TO)
        if declared is not None:
            roles = audience_roles(declared) & (inherited if inherited is not None else CASE_ROLE_CODES)
        elif inherited is not None:
            roles = inherited
        else:
            roles = writers  # an undeclared field: only who wrote it
        rule = Rule(frozenset(roles))
        rule.parts = {
            k: r for k, r in _property_rules(prop, rule.roles, writers).items() if r.roles != rule.roles or r.parts
        }
        rules[name] = rule
    return rules


def _roles_in(text: str) -> frozenset[str]:
    return frozenset(r.strip() for r in text.split(",") if r.strip())


def form_writers(model: LoadedModel) -> list[tuple[str, str | None, frozenset[str]]]:
    """(form, variable its data lands in or None for the top level, roles that fill it in) for every use."""
    uses: list[tuple[str, str | None, frozenset[str]]] = []
    start = ws.start_event_properties(model.spec)
    if start.get(PROPERTY_FORM):
        uses.append((start[PROPERTY_FORM], None, _roles_in(start.get(PROPERTY_STARTERS, "")) or CASE_ROLE_CODES))
    for spec in model.all_specs():
        for task_spec in spec.task_specs.values():
            form = ws.properties(task_spec).get(PROPERTY_FORM)
            if form and getattr(task_spec, "manual", False):
                uses.append((form, None, ws.lane_roles(model.forms, task_spec.lane)))
            # A catch event behind an event-based gateway has its message on the gateway; ask for both.
            for catcher, definition in ws.spec_message_catchers(task_spec):
                props = ws.properties(catcher)
                if props.get(PROPERTY_FORM):
                    senders = _roles_in(props.get(PROPERTY_SENDERS, "")) or CASE_ROLE_CODES
                    uses.append((props[PROPERTY_FORM], definition.message_var, senders))
    return uses


def _script_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for path in sorted(SCRIPT_DATA, key=lambda p: p.count(".")):
        *parents, last = path.split(".")
        roles = audience_roles(SCRIPT_DATA[path])
        node = rules
        if parents:  # a deeper path needs its variable declared; keys in between share their parent's rule
            parent = rules[parents[0]]
            for key in parents[1:]:
                parent = parent.parts.setdefault(key, Rule(parent.roles))
            roles &= parent.roles
            node = parent.parts
        node[last] = Rule(roles)
    return rules


def rules_for(model: LoadedModel) -> dict[str, Rule]:
    """The visibility rule of every declared case variable of ``model`` (cached per model version)."""
    cached: dict[str, Rule] | None = model.spec_state.get("visibility")
    if cached is not None:
        return cached
    rules = _script_rules()
    for form, target, writers in form_writers(model):
        fields = _property_rules(model.forms[form], None, writers)
        if target is None:
            for name, rule in fields.items():
                _merge(rules, name, rule)
        else:
            _merge(rules, target, Rule(frozenset().union(*(r.roles for r in fields.values())), fields))
    model.spec_state["visibility"] = rules
    return rules


def sees_case_data(roles: Iterable[str]) -> bool:
    """True when at least one of the roles may see some case data."""
    return bool(set(roles) & CASE_ROLE_CODES)


_HIDDEN = object()


def _visible(value: Any, rule: Rule, roles: set[str]) -> Any:
    if not rule.roles & roles:
        return _HIDDEN
    if not (rule.parts and isinstance(value, dict)):
        return copy.deepcopy(value)
    shown = {}
    for key, item in value.items():
        part = rule.parts.get(key)
        seen = _visible(item, part, roles) if part else copy.deepcopy(item)
        if seen is not _HIDDEN:
            shown[key] = seen
    return shown


def visible_variables(variables: dict[str, Any], roles: Iterable[str], model: LoadedModel) -> dict[str, Any]:
    """The part of the case variables (of a case on ``model``) that someone with ``roles`` may see."""
    rules = rules_for(model)
    mine = set(roles)
    shown = {}
    for name, value in variables.items():
        rule = rules.get(name)
        seen = _visible(value, rule, mine) if rule else _HIDDEN
        if seen is not _HIDDEN:
            shown[name] = seen
    return shown

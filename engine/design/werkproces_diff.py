"""What a variant does differently from the baseline, per step and per organisation, and which Leidraad principle
each difference answers.

Element changes come from engine.design.model_diff (the same diff as the designer's comparison page); a step that
both bundles have but only one side reaches (the shared suspension steps) counts as added or removed too. Properties
that only describe (phase, principle, reason beyond the Wth, legal basis) are not a difference in the work. The
principle of a difference is the one its element names (``leidraadPrincipe``); otherwise the variant's own
principles (``leidraadPrincipes`` on "Kenmerken van deze variant") for the step's phase, marked as derived.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.base.leidraad import PRINCIPLE_BY_CODE, VARIANT_PARAMETERS
from engine.design.condition_text import duration_text
from engine.design.model_diff import MAIN_KEY, diff_bundles, property_label
from engine.design.werkproces_model import (
    CHANGED,
    NEW,
    REMOVED,
    Difference,
    OrganisationChanges,
    ParameterRow,
    PrincipleRef,
    Step,
    StepChange,
)
from engine.modeling.phases import phase_label

_DESCRIPTIVE = {"property:fase", "property:leidraadPrincipe", "property:buitenWth", "property:grondslag", "members"}
_DESCRIPTIVE |= {"property:leidraadPrincipes", "documentation"}
_TASKS = {"userTask", "manualTask"}
_NOT_REACHED = "in de basis niet bereikt"
_NOT_HERE = "in deze variant niet bereikt"


def _key(process: str | None, main: str, element: str | None) -> tuple[str, str]:
    return (MAIN_KEY if process == main else process or "", element or "")


def compare_with_baseline(
    files: dict[str, bytes],
    main: str,
    steps: list[Step],
    base_files: dict[str, bytes],
    base_main: str,
    base_steps: list[Step],
    variant_principles: list[str],
) -> tuple[list[Difference], list[OrganisationChanges]]:
    """Mark each step of this variant with its change and list the differences; the table per organisation."""
    diff = diff_bundles(base_files, files, main_a=base_main, main_b=main)
    whole = {(p["process_b"], p["change"]) for p in diff["processes"] if p["change"] in ("added", "removed")}
    added_processes = {pid for pid, change in whole if change == "added"}
    changes: dict[tuple[str, str], StepChange] = {}
    for change in diff["changes"]:
        what = tuple(property_label(p["property"]) for p in change["properties"] if p["property"] not in _DESCRIPTIVE)
        if change["change"] == "changed" and what:
            changes[_key(change["process_b"], main, change["element_b"])] = StepChange(CHANGED, what)
        elif change["change"] == "added":
            changes[_key(change["process_b"], main, change["element_b"])] = StepChange(NEW)
    base = {_key(s.key[0], base_main, s.element_id): s for s in base_steps}
    differences: list[Difference] = []
    for step in steps:
        key = _key(step.key[0], main, step.element_id)
        before = base.get(key)
        if not step.reachable:
            continue
        if step.key[0] in added_processes:
            step.change = StepChange(NEW)
        elif before is None:
            step.change = changes.get(key)  # an element the baseline has but does not list, such as a script
        elif not before.reachable:
            step.change = StepChange(NEW, note=_NOT_REACHED)
        elif key in changes:
            step.change = changes[key]
            if before.organisation != step.organisation and step.organisation:
                step.change = StepChange(CHANGED, step.change.what, note=f"was: {before.organisation}")
        if step.change is not None:
            differences.append(_difference(step, step.change, variant_principles))
    here = {_key(s.key[0], main, s.element_id): s for s in steps if s.reachable}
    for key, before in base.items():
        if before.reachable and key not in here:
            after = next((s for s in steps if _key(s.key[0], main, s.element_id) == key), None)
            note = _NOT_HERE if after is not None else ""
            removed = StepChange(REMOVED, note=note)
            differences.append(_difference(before, removed, variant_principles, own=after))
    return differences, _per_organisation(differences)


def _difference(step: Step, change: StepChange, variant: list[str], own: Step | None = None) -> Difference:
    named = (own or step).principles if change.change == REMOVED else step.principles
    if named:
        refs = tuple(PrincipleRef(c, PRINCIPLE_BY_CODE[c].title, False) for c in named if c in PRINCIPLE_BY_CODE)
    else:
        refs = tuple(
            PrincipleRef(c, PRINCIPLE_BY_CODE[c].title, True)
            for c in variant
            if c in PRINCIPLE_BY_CODE and PRINCIPLE_BY_CODE[c].phase == step.phase
        )
    return Difference(
        change.change,
        step.name,
        step.kind,
        step.organisation,
        phase_label(step.phase),
        change.what,
        change.note,
        refs,
    )


def _per_organisation(differences: Iterable[Difference]) -> list[OrganisationChanges]:
    table: dict[str, dict[str, list[str]]] = {}
    for d in differences:
        if d.kind != "Taak" or not d.organisation:
            continue
        row = table.setdefault(d.organisation, {NEW: [], REMOVED: [], CHANGED: []})
        text = d.step + (f" ({d.note})" if d.note else "")
        if d.change == CHANGED and d.note.startswith("was: "):
            previous = d.note[len("was: ") :]
            table.setdefault(previous, {NEW: [], REMOVED: [], CHANGED: []})[REMOVED].append(
                f"{d.step} (gaat naar {d.organisation})"
            )
            row[NEW].append(f"{d.step} (was: {previous})")
            continue
        row[d.change].append(text)
    result = []
    for name in sorted(table):
        row = table[name]
        # A task that a replaced subprocess has again for the same organisation is one changed task, not two.
        same = sorted(set(row[NEW]) & set(row[REMOVED]))
        for task in same:
            row[NEW].remove(task)
            row[REMOVED].remove(task)
            row[CHANGED].append(f"{task} (in een ander deelproces)")
        result.append(OrganisationChanges(name, tuple(row[NEW]), tuple(row[REMOVED]), tuple(row[CHANGED])))
    return [r for r in result if r.added or r.removed or r.changed]


def variant_dict(known: dict[str, Any]) -> dict[str, Any]:
    value = known.get("variant")
    return value if isinstance(value, dict) else {}


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if value is None:
        return "geen"
    if isinstance(value, str):
        return duration_text(value) or value.replace("_", " ")
    return str(value)


def parameter_rows(base: dict[str, Any], variant: dict[str, Any]) -> list[ParameterRow]:
    """The settings of "Kenmerken van deze variant" that differ from the baseline's."""
    rows = []
    for key in list(dict.fromkeys([*base, *variant])):
        if base.get(key) == variant.get(key):
            continue
        label, principle = VARIANT_PARAMETERS.get(key, (key.replace("_", " "), None))
        rows.append(ParameterRow(key, label, _value_text(base.get(key)), _value_text(variant.get(key)), principle))
    return rows

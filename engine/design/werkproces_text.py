"""The sentences of the werkprocesbeschrijving, shared by every output (Markdown, HTML/PDF, Word), so the four
say the same thing: per step its facts as (label, text) pairs, the marker of a difference, the section intros."""

from __future__ import annotations

from engine.base.leidraad import PRINCIPLE_BY_CODE
from engine.design.werkproces_model import CHANGED, NEW, REMOVED, Difference, Step, Werkproces

BEYOND_MARK = "buiten de huidige Wth"
CHANGE_WORDS = {NEW: "nieuw t.o.v. de basis", CHANGED: "anders dan de basis", REMOVED: "vervalt t.o.v. de basis"}
MISSING_BASIS = "grondslag niet vastgelegd in het model"


def title(w: Werkproces) -> str:
    return f"Werkprocesbeschrijving: {w.version.title}"


def subtitle(w: Werkproces) -> str:
    v = w.version
    return f"{v.region_name} · variant {v.variant} · versie {v.version} (modelversie {v.model_version_id})"


def intro(w: Werkproces) -> list[str]:
    lines = [
        "Deze beschrijving is gemaakt uit de uitgerolde modellen (BPMN, beslistabellen, formulieren en "
        "documentregels) van deze versie; de modellen zijn de bron. De stappen staan per fase van de Leidraad "
        "'Het tijdelijk huisverbod vanuit een nieuw perspectief', in de volgorde waarin de zaak ze bereikt.",
    ]
    if w.is_baseline:
        lines.append("Dit is de basis: de huidige praktijk onder de Wet tijdelijk huisverbod (Wth).")
    elif w.baseline is not None:
        b = w.baseline
        lines.append(
            f"Vergeleken met de basis ({b.title}, {b.region_name}, versie {b.version}). Wat anders is staat in de "
            f"tekst gemarkeerd met [{CHANGE_WORDS[NEW]}] of [{CHANGE_WORDS[CHANGED]}]; stappen die buiten de "
            f"huidige Wth gaan met [{BEYOND_MARK}]."
        )
    else:
        lines.append("Er is geen basisversie (wth_basis) uitgerold, dus de verschillen met de basis ontbreken.")
    if w.steps_without_phase:
        lines.append(f"{w.steps_without_phase} stap(pen) zeggen niet in welke fase ze horen; zie 'zonder fase'.")
    return lines


def markers(step: Step) -> list[str]:
    found = []
    if step.change is not None:
        text = CHANGE_WORDS[step.change.change]
        if step.change.what:
            text += ": " + ", ".join(step.change.what)
        if step.change.note:
            text += f" ({step.change.note})"
        found.append(text)
    if step.beyond_wth:
        found.append(BEYOND_MARK)
    return found


def step_facts(step: Step) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = [("Wie", step.organisation or "(geen organisatie in het model)")]
    if step.kind != "Taak":
        facts.append(("Soort", step.kind))
    if step.instructions:
        facts.append(("Wat", step.instructions))
    if step.documentation:
        facts.append(("Toelichting", step.documentation))
    if step.starters:
        facts.append(("Wie mag de zaak starten", ", ".join(step.starters)))
    if step.message:
        facts.append(("Gebeurtenis", step.message.replace("_", " ")))
        facts.append(("Wie mag dit melden", ", ".join(step.senders) or "(niet vastgelegd: niemand van buiten)"))
    if step.fields:
        asked = "; ".join(f"{f.label} ({f.kind}{', verplicht' if f.required else ''})" for f in step.fields)
        facts.append(("Gevraagde gegevens", asked))
    for document in step.documents:
        facts.append(
            (
                "Document",
                f"{document.title}, gemaakt door {' of '.join(document.made_by) or 'onbekend'}; uitgereikt aan "
                f"{document.served_to} (kan naar: {', '.join(document.may_go_to)}); de stap sluit pas na uitreiking",
            )
        )
    if step.timer is not None:
        timer = step.timer
        where = f"bij '{timer.on_task}', " if timer.on_task else ""
        effect = "onderbreekt de taak" if timer.on_task and timer.interrupting else "markeert de termijn"
        effect = effect if timer.on_task else "de zaak gaat verder als de termijn verstrijkt"
        facts.append(("Termijn", f"{where}{timer.term}; {effect}"))
        facts.append(("Grondslag", timer.basis or f"[{MISSING_BASIS}]"))
    if step.handling_term:
        facts.append(("Behandeltermijn (acute zaak)", f"{step.handling_term} (ASSUMPTION, processes/README.md)"))
    for branch in step.branches:
        name = f"{branch.name}: " if branch.name else ""
        when = branch.condition if branch.condition.startswith(("anders", "altijd")) else f"als {branch.condition}"
        facts.append(("Beslissing", f"{name}{when} → {branch.target}"))
    if step.decision_table is not None:
        table = step.decision_table
        facts.append(("Beslistabel", f"{table.name} ({table.policy})"))
        facts += [(f"Regel {number}", rule) for number, rule in enumerate(table.rules, start=1)]
    elif step.decision:
        facts.append(("Beslistabel", f"{step.decision.replace('_', ' ')} [niet in deze versie gevonden]"))
    for code in step.principles:
        principle = PRINCIPLE_BY_CODE.get(code)
        facts.append(("Leidraad", f"principe {code}: {principle.title}" if principle else code))
    if step.beyond_wth:
        facts.append(("Buiten de huidige Wth", step.beyond_wth))
    if step.process:
        facts.append(("Proces", step.process))
    return facts


def difference_principles(d: Difference) -> str:
    if not d.principles:
        return "geen principe vastgelegd"
    text = "; ".join(f"{p.code}. {p.title}" for p in d.principles)
    return text + (" (afgeleid uit de fase)" if any(p.derived for p in d.principles) else "")


def difference_what(d: Difference) -> str:
    parts = [CHANGE_WORDS[d.change]]
    if d.what:
        parts.append(", ".join(d.what))
    if d.note:
        parts.append(d.note)
    return "; ".join(parts)


def unreachable_line(step: Step) -> str:
    """A step the variant never reaches, with what it would have made or watched."""
    extra = [f"document: {d.title}" for d in step.documents]
    if step.timer is not None:
        extra.append(f"termijn: {step.timer.term}")
    parts = [step.organisation or "-", step.process, *extra]
    return f"{step.name} ({'; '.join(parts)})"

"""What a simulation needs to know of a variant's models, and where the models come from.

The models are the region's live deployed version of the variant when there is one (read from the
database, nothing written), otherwise the variant as shipped in ``processes/<variant>`` and parsed
by the same deploy checks. A profile is checked against them: every task, field and message it
names must exist in at least one of the models (of the run or shipped), with the line named.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.base.errors import DeployRefused, InvalidInput
from engine.base.paths import FORMS_DIR, PROJECT_ROOT
from engine.base.vocabulary import (
    PROPERTY_FORM,
    PROPERTY_REQUIRES_SERVICE,
    PROPERTY_SENDERS,
    PROPERTY_STARTERS,
)
from engine.modeling.bundle import collect_bundle
from engine.modeling.document_rules import required_services
from engine.modeling.phases import phase_of
from engine.modeling.registry import LoadedModel, ModelRegistry, live_version, parse_bundle
from engine.simulation.form_data import choices
from engine.simulation.profile import DEFAULT, START_TASK, Profile, ProfileError
from engine.workflow import state as ws

PROCESSES = PROJECT_ROOT / "processes"
BASELINE = "wth-basis"


@dataclass(frozen=True)
class TaskFacts:
    element: str
    title: str
    role: str
    form: str | None
    services: tuple[tuple[str, str], ...]  # (document kind, recipient) served before it is done
    phase: str | None = None  # the element's own Leidraad phase (property fase), None in a model without phases


@dataclass(frozen=True)
class MessageFacts:
    name: str
    form: str | None
    senders: frozenset[str]


@dataclass
class VariantModel:
    variant: str
    source: str  # "versie 12 (regio basis)" or "processes/v2-weegteam"
    model: LoadedModel
    tasks: dict[str, TaskFacts]
    messages: dict[str, MessageFacts]
    start_form: str | None
    starters: tuple[str, ...]

    def schema(self, form: str | None) -> dict[str, Any]:
        return self.model.forms.get(form or "", {}) if form else {}


def facts_of(variant: str, source: str, model: LoadedModel) -> VariantModel:
    tasks: dict[str, TaskFacts] = {}
    messages: dict[str, MessageFacts] = {}
    for spec in model.all_specs():
        for task_spec in spec.task_specs.values():
            props = ws.properties(task_spec)
            if getattr(task_spec, "manual", False) and task_spec.bpmn_id not in tasks:
                tasks[task_spec.bpmn_id] = TaskFacts(
                    element=task_spec.bpmn_id,
                    title=task_spec.bpmn_name or task_spec.bpmn_id,
                    role=ws.lane_task_role(task_spec.lane, {}),  # a run takes the role each case names
                    form=props.get(PROPERTY_FORM),
                    services=tuple(required_services(props.get(PROPERTY_REQUIRES_SERVICE, ""))),
                    phase=phase_of(task_spec),
                )
            for catcher, definition in ws.spec_message_catchers(task_spec):
                own = ws.properties(catcher)
                known = messages.get(definition.name)
                senders = {r.strip() for r in own.get(PROPERTY_SENDERS, "").split(",") if r.strip()}
                messages[definition.name] = MessageFacts(
                    definition.name,
                    own.get(PROPERTY_FORM) or (known.form if known else None),
                    frozenset(senders | (known.senders if known else set())),
                )
    start = ws.start_event_properties(model.spec)
    starters = tuple(r.strip() for r in start.get(PROPERTY_STARTERS, "").split(",") if r.strip())
    return VariantModel(variant, source, model, tasks, messages, start.get(PROPERTY_FORM), starters)


@lru_cache(maxsize=16)
def _shipped_model(folder: Path) -> LoadedModel:
    return parse_bundle(collect_bundle(folder), forms_dir=FORMS_DIR)


def shipped_variants() -> list[str]:
    return sorted(p.name for p in PROCESSES.iterdir() if p.is_dir() and p.name != "common" and any(p.glob("*.bpmn")))


def load_variant(session: Session | None, registry: ModelRegistry | None, region: str, variant: str) -> VariantModel:
    """The models of ``variant`` for ``region``: its live version, else the shipped folder; Dutch refusal."""
    if session is not None and registry is not None:
        version = live_version(session, region, variant)
        if version is not None:
            model = registry.model(session, version.id)
            return facts_of(variant, f"versie {version.version} (regio {region})", model)
    if variant not in shipped_variants():
        raise InvalidInput(
            f"variant '{variant}' bestaat niet in regio {region} en wordt niet meegeleverd; "
            f"kies uit {', '.join(shipped_variants())}"
        )
    try:
        model = _shipped_model(PROCESSES / variant)
    except DeployRefused as exc:
        raise InvalidInput(f"het meegeleverde model van variant '{variant}' is niet bruikbaar: {exc.message}") from None
    return facts_of(variant, f"processes/{variant}", model)


def check_profile(profile: Profile, models: list[VariantModel]) -> None:
    """Every task, field, value and message the profile names exists in the models; else ProfileError."""
    pool = list(models) + [facts_of(v, "", _shipped_model(PROCESSES / v)) for v in shipped_variants()]
    tasks = {e: (m, t) for m in reversed(pool) for e, t in m.tasks.items()}
    messages = {n: (m, f) for m in reversed(pool) for n, f in m.messages.items()}
    problems: list[tuple[int | None, str]] = []

    def field_problem(model: VariantModel, form: str | None, field: str, values: list[Any]) -> str | None:
        props = model.schema(form).get("properties") or {}
        if field not in props:
            return f"formulier {form or '(geen)'} heeft geen veld '{field}'"
        options = choices(props[field])
        wrong = [v for v in values if options and v not in options]
        return f"veld '{field}' kent de waarde(n) {wrong} niet; kies uit {options}" if wrong else None

    for decision in profile.decisions:
        values = [o.value for o in decision.outcomes]
        for element in decision.tasks:
            if element == START_TASK:
                for model in models:
                    if model.start_form and (p := field_problem(model, model.start_form, decision.field, values)):
                        if decision.field not in (model.schema(model.start_form).get("properties") or {}):
                            continue  # a start field of another variant's form
                        problems.append((decision.line, f"beslissing '{decision.name}': {p}"))
                continue
            if element not in tasks:
                problems.append((decision.line, f"beslissing '{decision.name}': onbekende taak '{element}'"))
            elif p := field_problem(tasks[element][0], tasks[element][1].form, decision.field, values):
                problems.append((decision.line, f"beslissing '{decision.name}', taak {element}: {p}"))
        if decision.message is not None:
            if decision.message not in messages:
                problems.append((decision.line, f"beslissing '{decision.name}': onbekend bericht '{decision.message}'"))
            elif p := field_problem(
                *messages[decision.message][:1], messages[decision.message][1].form, decision.field, values
            ):
                problems.append((decision.line, f"beslissing '{decision.name}', bericht {decision.message}: {p}"))
    start_fields = {f for m in pool for f in (m.schema(m.start_form).get("properties") or {})}
    for element, entry in profile.tasks.items():
        if element not in (DEFAULT, START_TASK) and element not in tasks:
            problems.append((entry.line, f"onbekende taak '{element}' (in geen van de modellen)"))
            continue
        if element == DEFAULT:
            continue
        known = (
            start_fields
            if element == START_TASK
            else set(tasks[element][0].schema(tasks[element][1].form).get("properties") or {})
        )
        for data in (entry.data, *entry.retries):
            for name in sorted(set(data) - known):
                problems.append((entry.line, f"taak {element}: het formulier heeft geen veld '{name}'"))
    for event in profile.events:
        if event.message not in messages:
            problems.append((event.line, f"gebeurtenis '{event.name}': onbekend bericht '{event.message}'"))
        elif (senders := messages[event.message][1].senders) and event.sender not in senders:
            problems.append(
                (
                    event.line,
                    f"gebeurtenis '{event.name}': '{event.sender}' mag dit bericht niet melden "
                    f"({', '.join(sorted(senders))})",
                )
            )
    if problems:
        raise ProfileError(profile.name, problems)

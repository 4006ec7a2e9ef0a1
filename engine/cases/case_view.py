"""Read models for the caseworker pages and the API: a case, its diagram status, its
history, the events it waits for, the task page and the variants a user may start.

Every function checks the user's regions (a case elsewhere does not exist) and need-to-know
(:mod:`engine.workflow.need_to_know`), and filters case data through
:mod:`engine.workflow.visibility` by the roles with a relation to the case. Nothing here writes.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.clock import dutch_instant
from engine.base.errors import Forbidden, NotFound
from engine.base.vocabulary import (
    CASE_ROLE_CODES,
    PROPERTY_FORM,
    PROPERTY_SENDERS,
    PROPERTY_STARTERS,
    REGIONS,
    ROLE_VALUED_VARIABLES,
    ROLES,
    Action,
)
from engine.cases.operations import details_of
from engine.cases.read_models import (
    CaseDetails,
    CasePage,
    Diagram,
    FieldTexts,
    HistoryEntry,
    StartOption,
    TaskForm,
    TaskPage,
    WaitingEvent,
)
from engine.modeling.forms import item_choices
from engine.modeling.prefill import prefill_values
from engine.modeling.registry import LoadedModel, ModelRegistry, list_versions
from engine.modeling.xml_safety import parse_model_xml
from engine.storage.tables import Case, CaseEvent, HumanTask, User
from engine.workflow import state as ws
from engine.workflow.case_store import open_workflow
from engine.workflow.case_title import CaseTitle
from engine.workflow.instructions import render_instructions
from engine.workflow.need_to_know import CaseAccess, case_access
from engine.workflow.processing_log import READ, log_processing
from engine.workflow.visibility import sees_case_data, visible_variables
from engine.workflow.worklist import get_task

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ACTIVE_STATES = (TaskState.READY, TaskState.STARTED, TaskState.WAITING)


def _roles_of(csv: str) -> set[str]:
    return {r.strip() for r in csv.split(",") if r.strip()}


def _load(
    session: Session, registry: ModelRegistry, case_id: int, user: User, now: datetime, activity: str = "zaak_inzien"
) -> tuple[Case, LoadedModel, BpmnWorkflow, CaseDetails, CaseAccess]:
    """The case, its model and workflow, and its details with the variables ``user`` may read.

    Need-to-know (engine.workflow.need_to_know): a case role without a relation to the case
    is refused; the data is filtered by the roles that have one.
    """
    case, model, workflow = _open(session, registry, case_id, user)
    details = details_of(session, case, workflow)
    access = case_access(session, case, user, now)
    details["variables"] = visible_variables(details["variables"], access.roles, model)
    log_processing(
        session,
        actor=user.name,
        roles=access.roles or user.roles,
        region=case.region,
        case_id=case.id,
        activity="doorbreken" if access.by_glass else activity,
        operation=READ,
        now=now,
    )
    return case, model, workflow, details, access


def _open(
    session: Session, registry: ModelRegistry, case_id: int, user: User
) -> tuple[Case, LoadedModel, BpmnWorkflow]:
    case = session.get(Case, case_id)
    if case is None or case.region not in user.regions:
        raise NotFound(f"zaak {case_id} bestaat niet")
    if case.destroyed_at is not None:
        raise NotFound(f"zaak {case_id} is vernietigd op {dutch_instant(case.destroyed_at)} (Wth 10)")
    model, workflow = open_workflow(session, registry, case, whole=True)
    return case, model, workflow


def case_for_user(session: Session, registry: ModelRegistry, case_id: int, user: User, now: datetime) -> CaseDetails:
    """``thv case --json`` for a user: their regions and need-to-know, variables filtered by their roles."""
    return _load(session, registry, case_id, user, now)[3]


def case_page(session: Session, registry: ModelRegistry, case_id: int, user: User, now: datetime) -> CasePage:
    """Everything the case page shows, from one load of the workflow."""
    case, model, workflow, details, access = _load(session, registry, case_id, user, now)
    ban = details["variables"].get("huisverbod")
    return CasePage(
        case=details,
        sees_data=sees_case_data(access.roles),
        access=access,
        started_at=case.started_at,
        started_by=case.started_by,
        ended_at=case.ended_at,
        error=case.error,
        ban=ban if isinstance(ban, dict) else None,
        diagram=_diagram(model, workflow),
        events=_events(model, workflow, user) if case.status == "active" else [],
        history=_history(session, model, case.id)
        if access.roles
        else _without_people(_history(session, model, case.id)),
        labels=field_labels(model),
        title=CaseTitle.of_variables(details["variables"]),
    )


# --- diagram ---------------------------------------------------------------


def main_process_xml(model: LoadedModel) -> str:
    """The BPMN file that defines the model's main process (cached per model version)."""
    cached: str | None = model.spec_state.get("main_xml")
    if cached is not None:
        return cached
    text = ""
    for name, content in sorted(model.files.items()):
        if not name.endswith(".bpmn"):
            continue
        root, _ = parse_model_xml(name, content)
        if root is not None and root.find(f"{{{BPMN_NS}}}process[@id='{model.main_process}']") is not None:
            text = content.decode("utf-8")
            break
    model.spec_state["main_xml"] = text
    return text


def _diagram(model: LoadedModel, workflow: BpmnWorkflow) -> Diagram:
    """Element ids of the main process that completed and that are active now.

    A call activity is active while its subprocess runs (its task is STARTED);
    boundary events waiting on an active task are not listed themselves.
    """
    completed: set[str] = set()
    active: set[str] = set()
    for task in ws.all_tasks(workflow):
        spec = task.task_spec
        if task.workflow is not workflow or not spec.bpmn_id:
            continue
        if task.state == TaskState.COMPLETED:
            completed.add(spec.bpmn_id)
        elif task.state in ACTIVE_STATES and not _is_boundary(spec):
            active.add(spec.bpmn_id)
    return {"xml": main_process_xml(model), "completed": sorted(completed - active), "active": sorted(active)}


def _is_boundary(spec: Any) -> bool:
    return isinstance(spec, BoundaryEvent)


# --- events the case waits for ----------------------------------------------


def _events(model: LoadedModel, workflow: BpmnWorkflow, user: User) -> list[WaitingEvent]:
    events: list[WaitingEvent] = []
    for name in ws.waiting_messages(workflow):
        catchers = ws.message_catch_specs(workflow, name)
        senders = sorted({r for spec in catchers for r in _roles_of(ws.properties(spec).get(PROPERTY_SENDERS, ""))})
        form = next(
            (ws.properties(s).get(PROPERTY_FORM) for s in catchers if ws.properties(s).get(PROPERTY_FORM)), None
        )
        title = next((s.bpmn_name for s in catchers if s.bpmn_name), name)
        events.append(
            {
                "message": name,
                "title": title,
                "senders": senders,
                "form": form,
                "schema": model.forms.get(form) if form else None,
                "allowed": not senders or bool(set(senders) & user.roles),
            }
        )
    return events


def waiting_events(session: Session, registry: ModelRegistry, case_id: int, user: User) -> list[WaitingEvent]:
    """The messages the case waits for now, with who may report them and their form.

    No need-to-know here: the model names who may report an event (its senders), and a report
    shows no case data.
    """
    case, model, workflow = _open(session, registry, case_id, user)
    return _events(model, workflow, user) if case.status == "active" else []


def event_form(session: Session, registry: ModelRegistry, case_id: int, message: str, user: User) -> WaitingEvent:
    """One waiting event for its report page; 404 when the case does not wait for it, 403 for other roles."""
    for event in waiting_events(session, registry, case_id, user):
        if event["message"] == message:
            if not event["allowed"]:
                raise Forbidden(f"'{message}' mag alleen gemeld worden door: {', '.join(event['senders'])}")
            return event
    raise NotFound(f"zaak {case_id} wacht niet op '{message}'")


# --- history ----------------------------------------------------------------


def element_titles(model: LoadedModel) -> dict[str, str]:
    titles: dict[str, str] | None = model.spec_state.get("element_titles")
    if titles is None:
        titles = {}
        for spec in model.all_specs():
            for task_spec in spec.task_specs.values():
                if task_spec.bpmn_id and task_spec.bpmn_name:
                    titles.setdefault(task_spec.bpmn_id, task_spec.bpmn_name)
        model.spec_state["element_titles"] = titles
    return titles


def _history(session: Session, model: LoadedModel, case_id: int) -> list[HistoryEntry]:
    titles = element_titles(model)
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id))
    history: list[HistoryEntry] = []
    for event in events:
        try:
            detail = json.loads(event.detail) if event.detail else {}
        except ValueError:
            detail = {}
        history.append(
            {
                "at": event.at,
                "actor": event.actor,
                "action": event.action,
                "element": event.element,
                "element_title": titles.get(event.element or "", event.element),
                "milestone": event.milestone,
                "detail": detail if isinstance(detail, dict) else {},
                "revoked": event.revoked_by is not None,
            }
        )
    # Tasks that closed without being done, with the reason (a term that passed, the ban that ended).
    closed = session.scalars(select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.state == "cancelled"))
    for task in closed:
        history.append(
            {
                "at": task.completed_at or task.created_at,
                "actor": "systeem",
                "action": Action.TASK_LAPSED,
                "element": task.element,
                "element_title": task.title,
                "milestone": None,
                "detail": {"reden": task.end_reason} if task.end_reason else {},
                "revoked": False,
            }
        )
    history.sort(key=lambda h: h["at"])  # stable: events of one instant keep their order
    # People, not logins: the history names who acted with their display name, function and organisation.
    actors = {entry["actor"] for entry in history}
    labels = {u.name: u.person_label for u in session.scalars(select(User).where(User.name.in_(sorted(actors))))}
    return [{**entry, "actor": labels.get(entry["actor"], entry["actor"])} for entry in history]


def _without_people(history: list[HistoryEntry]) -> list[HistoryEntry]:
    """The history for who reads no case data (designer, beheerder): what happened when, not who or what about."""
    return [{**entry, "actor": "", "detail": {}} for entry in history]


# --- labels of case variables -------------------------------------------------


def field_labels(model: LoadedModel) -> FieldTexts:
    """Dutch titles of form fields and of their choices by property name, from every form of the model."""
    texts: FieldTexts | None = model.spec_state.get("field_texts")
    if texts is None:
        texts = FieldTexts({}, {})

        def walk(schema: Any) -> None:
            if not isinstance(schema, dict):
                return
            for name, prop in (schema.get("properties") or {}).items():
                if isinstance(prop, dict):
                    if prop.get("title"):
                        texts.titles.setdefault(name, prop["title"])
                    for choice in item_choices(prop) or ():
                        if isinstance(choice.code, str) and choice.title:
                            texts.choices.setdefault(name, {}).setdefault(choice.code, choice.title)
                    walk(prop)
                    walk(prop.get("items"))

        for form in model.forms.values():
            walk(form)
        for name in ROLE_VALUED_VARIABLES:
            for role in ROLES:
                texts.choices.setdefault(name, {}).setdefault(role.code, role.label)
        model.spec_state["field_texts"] = texts
    return texts


# --- task page ----------------------------------------------------------------


def task_page(session: Session, registry: ModelRegistry, task_id: str, user: User, now: datetime) -> TaskPage:
    """A task with its form schema, its instructions and the case data the user may see."""
    task = get_task(session, task_id, user)
    case, model, workflow, details, _ = _load(session, registry, task["case_id"], user, now, "taak_inzien")
    spec = ws.user_task_spec(model, task["element"])
    instructions = (getattr(spec, "extensions", None) or {}).get("instructionsForEndUser") if spec else None
    variables = details["variables"]
    schema = model.forms.get(task["form"]) if task["form"] else None
    return TaskPage(
        task=task,
        schema=schema,
        instructions=render_instructions(instructions, variables),
        documentation=getattr(spec, "documentation", None) if spec else None,
        case={
            "id": case.id,
            "region": case.region,
            "variant": case.variant,
            "status": case.status,
            "lock_version": case.lock_version,
            "variables": variables,
        },
        labels=field_labels(model),
        prefill=prefill_values(schema, variables),
        title=CaseTitle.of_variables(variables),
    )


def task_form(session: Session, registry: ModelRegistry, task_id: str, user: User) -> TaskForm:
    """A task and its form schema, without loading the workflow (for handling a form post)."""
    task = get_task(session, task_id, user)
    case = session.get(Case, task["case_id"])
    assert case is not None  # the task row's foreign key
    model = registry.model(session, case.model_version_id)
    return TaskForm(task=task, schema=model.forms.get(task["form"]) if task["form"] else None)


# --- starting a case ----------------------------------------------------------


def startable_variants(session: Session, registry: ModelRegistry, user: User) -> list[StartOption]:
    """The live variants of the user's regions, with the roles in which the user may start each."""
    names = {r.code: r.name for r in REGIONS}
    options: list[StartOption] = []
    for region in sorted(user.regions):
        for version in list_versions(session, region):
            if not version["live"]:
                continue
            model = registry.model(session, version["id"])
            props = ws.start_event_properties(model.spec)
            starters = _roles_of(props.get(PROPERTY_STARTERS, "")) or set(CASE_ROLE_CODES)
            form = props.get(PROPERTY_FORM)
            options.append(
                {
                    "region": region,
                    "region_name": names.get(region, region),
                    "variant": version["variant"],
                    "version": version["version"],
                    "default": version["region_default"],
                    "title": model.spec.description or version["variant"],
                    "starters": sorted(starters),
                    "roles": sorted(starters & user.roles),
                    "form": form,
                    "schema": model.forms.get(form) if form else None,
                }
            )
    return options


def start_option(
    session: Session, registry: ModelRegistry, user: User, region: str, variant: str | None
) -> StartOption:
    """The variant to start (the region default when none is named); 404 if unknown, 403 if not allowed."""
    if region not in user.regions:
        raise NotFound(f"regio '{region}' bestaat niet of is niet de jouwe")
    options = [o for o in startable_variants(session, registry, user) if o["region"] == region]
    chosen = next((o for o in options if (o["variant"] == variant if variant else o["default"])), None)
    if chosen is None:
        raise NotFound(f"variant '{variant}' bestaat niet in regio '{region}'")
    if not chosen["roles"]:
        raise Forbidden(f"in deze variant mogen alleen {', '.join(chosen['starters'])} een zaak starten")
    return chosen

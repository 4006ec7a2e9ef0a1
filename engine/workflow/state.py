"""Reading a running SpiffWorkflow workflow: its user tasks, timers, status and data.

Only this module knows how SpiffWorkflow lays out tasks (boundary events under
a split, waiting catch events in the event manager).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import TerminateEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.base.clock import parse_instant
from engine.base.vocabulary import (
    CASE_ROLE_CODES,
    EARLY_ROUTE,
    PROPERTY_FORM,
    PROPERTY_HANDLING_TERM,
    PROPERTY_INSTANT_FIELD,
    PROPERTY_MILESTONE,
    ROUTE_VARIABLE,
    lane_role,
    party_lane,
)
from engine.modeling.forms import field_choices
from engine.modeling.registry import LoadedModel
from engine.modeling.spec_properties import properties as properties  # re-exported for the engine
from engine.modeling.spec_properties import start_event_properties as start_event_properties


@dataclass(frozen=True)
class ReadyUserTask:
    id: str
    element: str
    title: str
    role: str
    form: str | None
    due_at: datetime | None  # its boundary timer: a legal deadline
    handling_term: str | None  # how long it may take in an acute case (PROPERTY_HANDLING_TERM)
    acute: bool  # the case is on the acute route
    parent_id: UUID | None  # the task whose completion made it ready


def user_task_spec(model: LoadedModel, element: str) -> Any:
    """The user task spec with BPMN id ``element`` in a model's process specs, or None.

    Looked up once per model and element (a deployed model never changes): every act asks, and a
    search through all task specs of all processes grows with the model.
    """
    found: dict[str, Any] = model.spec_state.setdefault("user_task_specs", {})
    if element not in found:
        found[element] = next(
            (
                task_spec
                for spec in model.all_specs()
                for task_spec in spec.task_specs.values()
                if task_spec.bpmn_id == element and getattr(task_spec, "manual", False)
            ),
            None,
        )
    return found[element]


def message_instant_field(specs: Iterable[Any], message: str) -> str | None:
    """The ``instantField`` of the catch events of ``message`` in a model (the first that names one)."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            for catcher, definition in spec_message_catchers(task_spec):
                if definition.name == message and properties(catcher).get(PROPERTY_INSTANT_FIELD):
                    return properties(catcher)[PROPERTY_INSTANT_FIELD]
    return None


def find_task(workflow: BpmnWorkflow, task_id: UUID) -> Task | None:
    try:
        return workflow.get_task_from_id(task_id)
    except TaskNotFoundException:
        return None


def milestone_of(task_spec: Any) -> str | None:
    return properties(task_spec).get(PROPERTY_MILESTONE)


def all_tasks(workflow: BpmnWorkflow) -> list[Task]:
    """Every task of the workflow and its subprocesses, in the order they were created.

    Read from SpiffWorkflow's task maps rather than by walking the task tree
    (get_tasks), which costs several times more and is done a few times per act.
    """
    tasks: list[Task] = list(workflow.tasks.values())
    for subprocess in workflow.subprocesses.values():
        tasks.extend(subprocess.tasks.values())
    return tasks


_SETTLED = TaskState.COMPLETED | TaskState.CANCELLED | TaskState.MAYBE | TaskState.LIKELY


def finished_subprocesses(workflow: BpmnWorkflow) -> list[UUID]:
    """Subprocesses nothing can happen in any more, by the id of the task that ran them.

    Their calling task is completed or cancelled and none of their own tasks (nor those of
    subprocesses they ran) is waiting, ready, running or due; SpiffWorkflow never touches
    such a subprocess again.
    """
    children: dict[Any, list[Any]] = {}
    for subprocess in workflow.subprocesses.values():
        children.setdefault(subprocess.parent_workflow, []).append(subprocess)

    def settled(subprocess: Any) -> bool:
        return all(t.state & _SETTLED for t in subprocess.tasks.values()) and all(
            settled(c) for c in children.get(subprocess, ())
        )

    finished = []
    for task_id, subprocess in workflow.subprocesses.items():
        caller = find_task(workflow, task_id)
        if caller is not None and caller.state in (TaskState.COMPLETED, TaskState.CANCELLED) and settled(subprocess):
            finished.append(task_id)
    return finished


def _definitions(task_spec: Any) -> list[Any]:
    """The event definitions a waiting task listens for (an event-based gateway has several)."""
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def _has_timer(task: Task) -> bool:
    return any(isinstance(d, TimerEventDefinition) for d in _definitions(task.task_spec))


def timer_due(task: Task) -> datetime | None:
    """The instant a waiting timer task fires, if it has one."""
    if not _has_timer(task):
        return None
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next") if value.get("cycles", 0) != 0 else None
    if not value:
        return None
    return parse_instant(str(value))


def _waiting_timers(workflow: BpmnWorkflow) -> list[Task]:
    return [t for t in workflow.event_manager.tasks.values() if t.state == TaskState.WAITING and _has_timer(t)]


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    dues = [d for d in map(timer_due, _waiting_timers(workflow)) if d is not None]
    return min(dues) if dues else None


def due_timers(workflow: BpmnWorkflow, now: datetime) -> list[Task]:
    return [t for t in _waiting_timers(workflow) if (d := timer_due(t)) is not None and d <= now]


def _user_task_due(task: Task) -> datetime | None:
    """The earliest boundary timer on a user task is its deadline."""
    parent = task.parent
    if parent is None:
        return None
    dues = [
        timer_due(sibling) for sibling in parent.children if sibling is not task and sibling.state == TaskState.WAITING
    ]
    known = [d for d in dues if d is not None]
    return min(known) if known else None


def is_acute(task: Task) -> bool:
    """On the acute route: every case unless its start form chose the early route (V2, V4)."""
    return bool(task.data.get(ROUTE_VARIABLE) != EARLY_ROUTE)


def task_role(task: Task) -> str:
    """The role that does ``task``: its lane's, or in a party lane the role the case names there."""
    return lane_task_role(task.task_spec.lane, task.data)


def lane_task_role(lane: str | None, data: Mapping[str, Any]) -> str:
    """The role of a task in ``lane`` whose data is ``data``; in a party lane its fallback until one is named."""
    role = lane_role(lane)
    if role is not None:
        return role
    party = party_lane(lane)
    if party is None:
        return ""
    return party.named_role(data) or party.fallback


def lane_roles(forms: dict[str, Any], lane: str | None) -> frozenset[str]:
    """Every role that may do a task of ``lane``: its own, or for a party lane the roles the model's forms
    offer for its variable, and its fallback."""
    role = lane_role(lane)
    if role is not None:
        return frozenset({role})
    party = party_lane(lane)
    if party is None:
        return frozenset()
    offered: set[Any] = {
        choice.code
        for form in forms.values()
        for choice in field_choices((form.get("properties") or {}).get(party.variable) or {}) or ()
    }
    return frozenset(CASE_ROLE_CODES & offered) | {party.fallback}


def ready_user_tasks(tasks: list[Task]) -> list[ReadyUserTask]:
    ready = []
    for task in tasks:
        spec = task.task_spec
        if task.state != TaskState.READY or not spec.manual:
            continue
        ready.append(
            ReadyUserTask(
                id=str(task.id),
                element=spec.bpmn_id or spec.name,
                title=spec.bpmn_name or spec.bpmn_id or spec.name,
                role=task_role(task),
                form=properties(spec).get(PROPERTY_FORM),
                due_at=_user_task_due(task),
                handling_term=properties(spec).get(PROPERTY_HANDLING_TERM),
                acute=is_acute(task),
                parent_id=task.parent.id if task.parent is not None else None,
            )
        )
    return ready


def completed_ids(tasks: list[Task]) -> set[UUID]:
    return {t.id for t in tasks if t.state == TaskState.COMPLETED}


def case_status(workflow: BpmnWorkflow, tasks: list[Task]) -> str:
    if not workflow.completed:
        return "active"
    # A terminate end inside a subprocess ends only that subprocess; only the main process's counts.
    terminated = any(
        t.state == TaskState.COMPLETED
        and t.workflow is workflow
        and isinstance(getattr(t.task_spec, "event_definition", None), TerminateEventDefinition)
        for t in tasks
    )
    return "terminated" if terminated else "completed"


DATA_OBJECTS = "data_objects"  # where SpiffWorkflow keeps a process's data objects in its data


def variables(workflow: BpmnWorkflow, tasks: list[Task]) -> dict[str, Any]:
    """The case data as the next step would see it.

    Data of the open branches is merged, the most recently changed last, so
    parallel paths each contribute. A branch keeps its own copy of data from
    before the split; callers that need an authoritative value of a variable
    changed in another branch take it from the milestone snapshots.
    """
    merged: dict[str, Any] = dict(workflow.data)
    if not workflow.completed:
        # Open tasks of running subprocesses count too: what a call activity has decided so far
        # (a ZSM decision, a suspension) is part of where the case stands.
        sources = [t for t in tasks if t.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED)]
        if workflow.last_task is not None:
            sources.append(workflow.last_task)
        for task in sorted(sources, key=lambda t: t.last_state_change):
            merged.update(task.data)
    # The main process's data objects are shared by all its branches and always current (what ZSM and
    # the ban decided, "samenloop"): they win over the copies a branch took before the other decided.
    merged.update(merged.pop(DATA_OBJECTS, None) or {})
    return merged


def spec_message_catchers(spec: Any) -> list[tuple[Any, MessageEventDefinition]]:
    """(catch-event spec, message definition) pairs of a task spec.

    An event-based gateway holds the definitions of the events that follow it,
    in the order of its outputs (SpiffWorkflow relies on that order too); the
    properties (senders, form, milestone) sit on those catch-event specs.
    """
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        pairs = list(zip(spec.outputs, definition.event_definitions))
    else:
        pairs = [(spec, definition)]
    return [(s, d) for s, d in pairs if isinstance(d, MessageEventDefinition)]


def waiting_messages(workflow: BpmnWorkflow) -> list[str]:
    return sorted(
        {d.name for t in workflow.event_manager.tasks.values() for _, d in spec_message_catchers(t.task_spec)}
    )


def message_catch_specs(workflow: BpmnWorkflow, name: str) -> list[Any]:
    """The catch-event specs that would receive message ``name`` now."""
    return [
        s
        for t in workflow.event_manager.tasks.values()
        for s, d in spec_message_catchers(t.task_spec)
        if d.name == name
    ]

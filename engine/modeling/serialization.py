"""Saving and loading workflows without their spec.

SpiffWorkflow embeds the full spec in every saved workflow (about half the
bytes and half the load time). Here the spec is left out on save and taken from
the cached model version on load. The JSON text keeps SpiffWorkflow's key order,
which 3.2.0 needs to restore task data (orjson keeps insertion order, as json does).

A settled task (completed or cancelled, and so is its parent) never changes again, so
its JSON is kept on the task and reused by every later save of a workflow that stays in
memory (engine.modeling.workflow_cache): a save then converts only what can still change.
A task not reached yet (no data) keeps its JSON too, with what that JSON follows from (state,
last change, triggered, children), and is written again only when one of those changed. A load
keeps both kinds from the text it read, so the first save of a loaded workflow converts no more.
A load builds each task itself (_TaskConverter.restore_task): SpiffWorkflow's own loader makes the
same task (tests/processes/test_flat_completion.py compares them), with more work per task.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from copy import copy
from typing import Any
from uuid import UUID, SafeUUID

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.helpers.bpmn_converter import BpmnConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.modeling.legal_timers import SERIALIZER_CONFIG
from engine.modeling.registry import LoadedModel
from engine.modeling.sandbox import script_engine
from engine.modeling.settled_history import ARCHIVE_PREFIX, find_cuts, put_back, unlink

SERIALIZER_VERSION = f"spiff-{VERSION}-nospec"


_SETTLED = TaskState.COMPLETED | TaskState.CANCELLED
_MEMO = "_thv_settled_json"  # attribute on a SpiffWorkflow Task: (state, last change, its JSON, its id as text)
_UNREACHED = "_thv_unreached_json"  # on a task without data: (what its JSON follows from, its JSON, id as text)
_RESTORED = "_thv_restored_parts"  # on a workflow loaded whole: the archive keys of the parts put back


class _TaskMapConverter(BpmnConverter):
    """Writes a workflow's task map, reusing the JSON of settled tasks from the previous save.

    The JSON is kept as an orjson Fragment: written as it is, and a single object for the
    garbage collector instead of a tree of dicts per task (a process keeps hundreds of
    workflows in memory).
    """

    def mapping_to_dict(self, mapping: Any, **kwargs: Any) -> dict[str, Any]:
        converted: dict[str, Any] = {}
        for key, value in mapping.items():
            if isinstance(value, Task):
                text, written = self._task(value)
                converted[text] = written
            else:
                converted[str(key)] = self.registry.convert(value, **kwargs)
        return converted

    def mapping_from_dict(self, mapping: Any, key_class: Any = None, **kwargs: Any) -> dict[Any, Any]:
        if key_class is not UUID:
            return super().mapping_from_dict(mapping, key_class, **kwargs)  # type: ignore[no-any-return]
        # Every value is a task: straight to its converter, without the registry's copy of each dict to
        # take out its typename (a running ban holds some 180 tasks). Each id is parsed once: it is
        # written three times (the task, its parent's children, its children's parent).
        restore_task = _TaskConverter.restore_task
        workflow = kwargs["workflow"]
        ids = {key: _parse_uuid(key) for key in mapping}
        return {ids[key]: restore_task(self.registry, value, workflow, ids) for key, value in mapping.items()}

    def _task(self, task: Task) -> tuple[str, Any]:
        """The task's id as text and its JSON. Both are kept with a task whose JSON is kept: turning
        an id into text costs about as much as writing a small task's kept JSON."""
        memo = getattr(task, _MEMO, None)
        if memo is not None and memo[0] == task.state and memo[1] == task.last_state_change:
            return memo[3], memo[2]
        if _settled_for_good(task):
            dct = self.registry.convert(task)
            return dct["id"], _remember(task, dct)
        if task.data or task.internal_data:
            dct = self.registry.convert(task)
            return dct["id"], dct
        # Not reached yet (most of a running ban's predicted branches): written once per change of
        # what its text follows from.
        key = _unreached_key(task)
        unreached = getattr(task, _UNREACHED, None)
        if unreached is None or unreached[0] != key:
            unreached = _keep_unreached(task, key, self.registry.convert(task))
        return unreached[2], unreached[1]


def _unreached_key(task: Task) -> tuple[Any, ...]:
    """What the JSON of a task without data follows from (its id, parent and spec never change)."""
    return (task.state, task.last_state_change, task.triggered, tuple(task._children))


def _keep_unreached(task: Task, key: tuple[Any, ...], dct: dict[str, Any]) -> tuple[Any, ...]:
    """Keep the JSON of a task not reached yet on it, with what it follows from and its id as text."""
    unreached = (key, _fragment(dct), dct["id"])
    setattr(task, _UNREACHED, unreached)
    return unreached


def _settled_for_good(task: Task) -> bool:
    """Completed or cancelled, and so is its parent: its JSON will not change again."""
    parent = task.parent
    return bool(task.state & _SETTLED and (parent is None or parent.state & _SETTLED))


def _remember(task: Task, dct: dict[str, Any]) -> Any:
    """Keep a settled task's JSON (and its id as text) on it for later saves; returns the JSON."""
    fragment = _fragment(dct)
    setattr(task, _MEMO, (task.state, task.last_state_change, fragment, dct["id"]))
    return fragment


def _fragment(dct: dict[str, Any]) -> Any:
    # Decoded to text: orjson's bytes keep their whole write buffer (about 2 kB), the text its length.
    return orjson.Fragment(orjson.dumps(dct, option=orjson.OPT_NON_STR_KEYS).decode("utf-8"))


_new_object, _set_slot = object.__new__, object.__setattr__


def _parse_uuid(text: str) -> UUID:
    """``UUID(text)`` for the text ``str(UUID)`` writes, in half its time: without the general parsing
    (braces, urn: prefixes), as UUID's own unpickling sets its slots. Any other text goes to UUID()."""
    digits = text.replace("-", "")
    if len(text) != 36 or len(digits) != 32:
        return UUID(text)
    value = _new_object(UUID)
    _set_slot(value, "int", int(digits, 16))
    _set_slot(value, "is_safe", SafeUUID.unknown)
    return value


_CONTAINERS = (dict, list, set)
_PLAIN_CONTAINERS = frozenset(_CONTAINERS)
_SCALARS = frozenset((str, bool, int, float, type(None)))  # most values of form data: a type test is enough


def _inherited(data: dict[str, Any]) -> dict[str, Any]:
    """What DeepMerge.merge({}, data) gives, without its per-key bookkeeping: a copy one level deep."""
    inherited = data.copy()
    for key, value in data.items():
        if type(value) not in _SCALARS and isinstance(value, _CONTAINERS):
            # A plain dict, list or set copies itself; copy() keeps a subclass's class, as DeepMerge does.
            inherited[key] = value.copy() if type(value) in _PLAIN_CONTAINERS else copy(value)
    return inherited


class _TaskConverter(TaskConverter):
    """SpiffWorkflow 3.2.0's task converter, with less to write and to read; the same task results.

    - A task without data (one not reached yet: most of a running ban's predicted branches) is
      written as such. SpiffWorkflow writes it as the deletion of every key its parent holds,
      about a fifth of a long case's text, and rebuilds it on load by copying the parent's data
      and deleting it all again. Both forms load as the same empty data, also by SpiffWorkflow's
      own converter.
    - On load each id is parsed once (see _parse_uuid), and each task is built directly (restore_task).
    """

    def to_dict(self, task: Task) -> dict[str, Any]:
        if task.data:
            return super().to_dict(task)  # type: ignore[no-any-return]
        # SpiffWorkflow's layout (a test compares the two), without computing a delta that is not written.
        return {
            "id": str(task.id),
            "parent": str(task._parent) if task.parent is not None else None,
            "children": [str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": {},
            "delta": {},
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any) -> Task:
        return self.restore_task(self.registry, dct, workflow, {})

    @staticmethod
    def restore_task(registry: Any, dct: dict[str, Any], workflow: Any, ids: Mapping[str, UUID]) -> Task:
        """The task ``Task.__init__`` and SpiffWorkflow's converter make of ``dct`` (a test compares them),
        without what they do and then undo: a new id and time, empty data replaced, a parent looked up twice.

        ``ids`` are the ids of the task map already parsed, by their text. The task keeps the JSON it was
        loaded from when a save would write the same (see _TaskMapConverter._task): the first save of a
        loaded workflow then converts only what can still change, as the save of one kept in memory does.
        """
        task = Task.__new__(Task)
        uuid_of = ids.get
        parent = dct["parent"]
        task_id = uuid_of(dct["id"]) or _parse_uuid(dct["id"])
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        internal = dct["internal_data"]
        task.__dict__ = {  # in the order Task.__init__ sets them
            "id": task_id,
            "workflow": workflow,
            "_parent": (uuid_of(parent) or _parse_uuid(parent)) if parent is not None else None,
            "_children": [uuid_of(child) or _parse_uuid(child) for child in dct["children"]],
            "_state": dct["state"],
            "triggered": dct["triggered"],
            "task_spec": task_spec,
            "thread_id": Task.thread_id_pool,
            "data": None,
            "internal_data": registry.restore(internal) if internal else {},
            "last_state_change": dct["last_state_change"],
        }
        workflow.tasks[task_id] = task
        if dct["state"] == TaskState.WAITING and isinstance(task_spec, CatchingEvent):
            workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        parent_task = workflow.tasks.get(task._parent) if parent is not None else None
        settled = _settled_for_good(task)
        if delta and parent_task is not None:
            updates, deletions = delta.get("updates"), delta.get("deletions")
            if settled and not updates and not deletions:
                # Nothing writes to a settled task's data (a reset gives a task new data), and its JSON
                # is kept: it shares its settled parent's data instead of a copy of it.
                data = parent_task.data
            else:
                data = _inherited(parent_task.data)
                if updates:
                    data.update(registry.restore(updates))
                for key in deletions or ():
                    data.pop(key, None)
        else:
            data = registry.restore(dct["data"]) if dct["data"] else {}
        task.data = data
        if settled:
            _remember(task, dct)
        elif not data and not task.internal_data:
            _keep_unreached(task, _unreached_key(task), dct)
        return task


class _SubWorkflowConverter(_TaskMapConverter, BpmnSubWorkflowConverter):
    pass


class _SpecFreeWorkflowConverter(_TaskMapConverter, BpmnWorkflowConverter):
    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], model: LoadedModel | None = None) -> Any:
        if model is None:
            raise ValueError("a spec-free workflow needs its model to load")
        workflow = self.target_class(model.spec, model.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SERIALIZER_CONFIG)  # SpiffWorkflow's table plus our legal-term timers
_config[BpmnWorkflow] = _SpecFreeWorkflowConverter
_config[BpmnSubWorkflow] = _SubWorkflowConverter
_config[Task] = _TaskConverter
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))


def new_workflow(model: LoadedModel) -> BpmnWorkflow:
    return BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=script_engine())


def _dumps(value: Any) -> str:
    # Non-string keys become strings, as json.dumps does (a script may use a number as a key).
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def dump_workflow(workflow: BpmnWorkflow) -> str:
    """The workflow's text; its subprocesses are first put in the order a load restores them.

    A workflow kept in memory after the save (engine.modeling.workflow_cache) then runs its
    subprocesses in the same order as one loaded from this text would.
    """
    _order_as_loaded(workflow)
    return _dumps(_serializer.to_dict(workflow))


def _order_as_loaded(workflow: BpmnWorkflow) -> None:
    ordered: dict[Any, Any] = {}

    def visit(tasks: Any) -> None:  # as BpmnWorkflowConverter.subprocesses_from_dict: depth first, in task order
        for task in tasks.values():
            subprocess = workflow.subprocesses.get(task.id)
            if subprocess is not None and task.id not in ordered:
                ordered[task.id] = subprocess
                visit(subprocess.tasks)

    visit(workflow.tasks)
    if list(ordered) != list(workflow.subprocesses):
        rest = {k: v for k, v in workflow.subprocesses.items() if k not in ordered}
        workflow.subprocesses.clear()
        workflow.subprocesses.update(ordered)
        workflow.subprocesses.update(rest)


def dump_subprocess(subprocess: Any) -> str:
    """One subprocess of a workflow on its own, as it appears in the workflow's ``subprocesses``."""
    return _dumps(_serializer.registry.convert(subprocess))


def load_workflow(text: str, model: LoadedModel, archived: Mapping[str, str] | None = None) -> BpmnWorkflow:
    """A workflow from its text; ``archived`` are the parts kept apart, by archive key: finished
    subprocesses by the id of the task that ran them (see dump_subprocess), and cuts of settled
    history (see cut_settled_history).

    The workflow text wins over an archived copy of the same subprocess, and an archived
    subprocess whose calling task is not in the workflow is left out (SpiffWorkflow restores
    a subprocess only under its task).
    """
    dct = orjson.loads(text)
    parts: dict[str, Any] = {}
    placed: list[str] = []
    if archived:
        rounds: dict[str, Any] = {}
        for key, part in archived.items():
            (rounds if key.startswith(ARCHIVE_PREFIX) else parts)[key] = orjson.loads(part)
        parts = {key: part for key, part in parts.items() if key not in dct["subprocesses"]}
        dct["subprocesses"] = {**parts, **dct["subprocesses"]}
        placed = put_back(dct, rounds)
    workflow = _serializer.from_dict(dct, model=model)
    workflow.script_engine = script_engine()  # never persisted; always the sandbox
    placed.extend(key for key in parts if _parse_uuid(key) in workflow.subprocesses)
    if placed:
        setattr(workflow, _RESTORED, tuple(placed))
    return workflow


def cut_settled_history(workflow: BpmnWorkflow, completed_before: Collection[UUID]) -> dict[str, str]:
    """Take settled history out of the workflow (engine.modeling.settled_history); returns the text of
    its cuts by archive key (none, or one row for all: packed together, the cuts of one save take about
    half the bytes they take apart), for load_workflow to put back. ``completed_before``: the tasks
    completed before the act that saves it."""
    convert = _serializer.registry.convert
    cuts = find_cuts(workflow, completed_before)
    if not cuts:
        return {}
    records = []
    for cut in cuts:  # all written before any is taken out: each as it stands in the whole workflow
        below = convert(cut.below)
        records.append(
            {
                "in": cut.key,
                "above": str(cut.above.id),
                "below": below["id"],
                "below_was": {"parent": below["parent"], "data": below["data"], "delta": below["delta"]},
                "tasks": {str(task.id): _kept_or_converted(task) for task in cut.tasks},
            }
        )
    text = _dumps({"cuts": records})
    for cut in cuts:
        unlink(cut)
        for task in (cut.above, cut.below):  # their kept JSON names the tasks that were cut
            task.__dict__.pop(_MEMO, None)
            task.__dict__.pop(_UNREACHED, None)
    return {cuts[0].archive_key: text}


def _kept_or_converted(task: Task) -> Any:
    """A settled task's JSON as kept from the last save or load (see _remember), else converted now."""
    memo = getattr(task, _MEMO, None)
    if memo is not None and memo[0] == task.state and memo[1] == task.last_state_change:
        return memo[2]
    return _serializer.registry.convert(task)


def take_restored_parts(workflow: BpmnWorkflow) -> tuple[str, ...]:
    """The archive keys of the parts a whole load put back (asked once): a save of that workflow
    archives anew what is finished or cut, and the rest of these is in its text again."""
    restored: tuple[str, ...] = workflow.__dict__.pop(_RESTORED, ())
    return restored

"""Saving and loading cases: every step of the sample process survives a
save/load round trip, the stored text holds no spec, and the text column keeps
the key order SpiffWorkflow 3.2.0 needs.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter, OrderedDict
from datetime import timedelta

import pytest
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import JSON, LargeBinary, inspect, text
from sqlalchemy.dialects.postgresql import JSONB

from engine.cases import operations as cases
from engine.modeling import serialization
from engine.modeling.sandbox import script_engine
from engine.modeling.serialization import dump_workflow, load_workflow
from engine.storage.tables import Case, HumanTask
from engine.workflow import state as ws
from engine.workflow import timers
from tests.engine.conftest import run_sample_until_waiting


def _task_snapshot(workflow) -> dict[str, tuple]:
    """Every task of the workflow (also inside call activities): spec, state and data.

    Internal data holds event objects without equality; the text comparison covers it.
    """
    return {str(t.id): (t.task_spec.name, t.state, t.data) for t in ws.all_tasks(workflow)}


def _stored(session, case_id: int) -> tuple[Case, str]:
    case = session.get(Case, case_id)
    session.refresh(case)
    return case, case.workflow_json


def assert_round_trip(session, rt, case_id: int, live) -> None:
    """The stored text loads into a workflow equal to the live one the engine saved."""
    case, stored = _stored(session, case_id)
    top = json.loads(stored)
    assert "spec" not in top and "subprocess_specs" not in top
    assert '"task_specs"' not in stored  # no spec anywhere, also not inside subprocesses
    assert dump_workflow(live) == stored

    loaded = load_workflow(stored, rt.registry.model(session, case.model_version_id))
    assert dump_workflow(loaded) == stored
    assert loaded.script_engine is script_engine()

    live_tasks, loaded_tasks = ws.all_tasks(live), ws.all_tasks(loaded)
    assert ws.variables(loaded, loaded_tasks) == ws.variables(live, live_tasks)
    assert _task_snapshot(loaded) == _task_snapshot(live)
    assert ws.ready_user_tasks(loaded_tasks) == ws.ready_user_tasks(live_tasks)
    assert ws.waiting_messages(loaded) == ws.waiting_messages(live)
    assert ws.next_timer_at(loaded) == ws.next_timer_at(live)
    assert ws.case_status(loaded, loaded_tasks) == case.status

    ready_rows = session.query(HumanTask.id).filter_by(case_id=case_id, state="ready").all()
    assert sorted(r.id for r in ready_rows) == sorted(t.id for t in ws.ready_user_tasks(loaded_tasks))


@pytest.mark.parametrize("ending", ["bericht", "timer"])
def test_every_step_survives_save_and_load(session, rt, deployed, people, saves, ending):
    checked = []

    def check(case_id: int) -> None:
        assert_round_trip(session, rt, case_id, saves.last(case_id))
        checked.append(len(saves.saves))

    case_id = run_sample_until_waiting(session, rt, people, after_step=check)
    variables = cases.case_details(session, rt.registry, case_id)["variables"]
    assert {"naam", "ernst", "advies", "besluit", "akkoord", "huisverbod"} <= set(variables)

    if ending == "bericht":
        cases.send_message(
            session,
            rt.registry,
            rt.clock,
            case_id=case_id,
            message="overtreding_gemeld",
            data={"omschrijving": "woning betreden"},
            user=people["ovj"],
        )
    else:
        rt.clock.advance(timedelta(days=10))
        assert timers.fire_due_timers(session, rt.registry, rt.clock) == 1
    check(case_id)
    assert checked == [1, 2, 3, 4, 5]  # one save per engine operation, each one checked
    assert session.get(Case, case_id).status == "completed"
    final = cases.case_details(session, rt.registry, case_id)["variables"]
    assert {k: final[k] for k in variables} == variables  # nothing lost at the end either


def test_round_trip_check_notices_lost_data(session, rt, deployed, people, saves):
    """The check above is not vacuous: a stored text that dropped task data fails it."""
    case_id = run_sample_until_waiting(session, rt, people)
    case, stored = _stored(session, case_id)
    damaged = json.loads(stored)
    for task in damaged["tasks"].values():  # 3.2.0 stores data deltas on child tasks
        task["data"].pop("ernst", None)
        task.get("delta", {}).get("updates", {}).pop("ernst", None)
    case.workflow_json = json.dumps(damaged, separators=(",", ":"))
    session.commit()
    with pytest.raises(AssertionError):
        assert_round_trip(session, rt, case_id, saves.last(case_id))
    loaded = load_workflow(case.workflow_json, rt.registry.model(session, case.model_version_id))
    assert "ernst" not in ws.variables(loaded, ws.all_tasks(loaded))
    assert _task_snapshot(loaded) != _task_snapshot(saves.last(case_id))


def _jsonb_order(value):
    """Reorder object keys the way PostgreSQL jsonb stores them: shorter keys first, then bytewise."""
    if isinstance(value, dict):
        return {k: _jsonb_order(value[k]) for k in sorted(value, key=lambda k: (len(k.encode()), k.encode()))}
    if isinstance(value, list):
        return [_jsonb_order(v) for v in value]
    return value


def test_reordered_task_keys_lose_data_so_the_column_is_text(session, rt, deployed, people):
    case_id = run_sample_until_waiting(session, rt, people)
    case, stored = _stored(session, case_id)
    model = rt.registry.model(session, case.model_version_id)
    intact = load_workflow(stored, model)
    expected = ws.variables(intact, ws.all_tasks(intact))
    assert expected["ernst"] == 4 and expected["besluit"] == "opleggen"

    def variables_after(text_: str) -> dict:
        workflow = load_workflow(text_, model)
        return ws.variables(workflow, ws.all_tasks(workflow))

    # Same JSON value, other key order in the tasks map: SpiffWorkflow 3.2.0 silently loses data.
    reordered = json.loads(stored)
    reordered["tasks"] = dict(reversed(list(reordered["tasks"].items())))
    assert variables_after(json.dumps(reordered)) != expected
    assert variables_after(json.dumps(_jsonb_order(json.loads(stored)))) != expected

    column = {c["name"]: c for c in inspect(rt.engine).get_columns("thv_case")}["workflow_zlib"]
    assert isinstance(column["type"], LargeBinary)  # the text, compressed: its key order kept byte for byte
    assert not isinstance(column["type"], (JSON, JSONB))
    if rt.engine.dialect.name == "postgresql":
        # What a jsonb column would hand back: the data is gone. The column returns the text as written.
        as_jsonb = session.execute(text("SELECT CAST(:t AS jsonb)::text"), {"t": stored}).scalar_one()
        assert variables_after(as_jsonb) != expected
        packed = session.execute(text("SELECT workflow_zlib FROM thv_case WHERE id = :i"), {"i": case_id}).scalar_one()
        raw = zlib.decompress(packed).decode("utf-8")
        assert raw == stored
        assert variables_after(raw) == expected


def test_a_loaded_case_saves_settled_tasks_from_their_loaded_text(session, rt, deployed, people):
    """A cold load keeps the text of each settled task and each task not reached yet, so its first save
    converts only what can change; the text it writes is the one a full conversion writes."""
    case_id = run_sample_until_waiting(session, rt, people)
    case, stored = _stored(session, case_id)
    loaded = load_workflow(stored, rt.registry.model(session, case.model_version_id))
    tasks = ws.all_tasks(loaded)
    kept = [t for t in tasks if hasattr(t, serialization._MEMO)]
    settled = [t for t in tasks if t.state & serialization._SETTLED]
    assert kept and all(t.state & serialization._SETTLED for t in kept)
    assert len(kept) >= len(settled) - 1  # a settled task under a live parent converts again

    unreached = _unreached(loaded)
    assert unreached and all(hasattr(t, serialization._UNREACHED) for t in unreached)  # predicted branches too

    from_memo = dump_workflow(loaded)
    assert from_memo == converted_afresh(loaded) == stored


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"a": 1, "b": "x", "c": None, "d": 1.5, "e": True, "f": (1, 2)},
        {"nested": {"deep": {"deeper": [1, {"x": 2}]}}, "items": [[1], {"y": 3}], "tags": {1, 2}},
        {"ordered": OrderedDict(b=1, a=2), "counted": Counter("aab"), "plain": {"z": 0}},  # subclasses keep their class
    ],
)
def test_inherited_data_is_deepmerge_into_an_empty_dict(data):
    """The loader's copy of a parent's data is SpiffWorkflow's DeepMerge.merge({}, data), shared parts and all."""
    from SpiffWorkflow.util.deep_merge import DeepMerge

    ours, theirs = serialization._inherited(data), DeepMerge.merge({}, data)
    assert ours == theirs and list(ours) == list(theirs)
    assert [type(v) for v in ours.values()] == [type(v) for v in theirs.values()]
    for key, value in data.items():
        copied = isinstance(value, (dict, list, set))
        assert (ours[key] is value) is (theirs[key] is value) is (not copied)
        if isinstance(value, dict):  # one level deep: what lies below is shared, as with DeepMerge
            assert all(ours[key][k] is theirs[key][k] for k in value)


def _unreached(workflow) -> list:
    return [
        t
        for t in ws.all_tasks(workflow)
        if not t.data and not t.internal_data and not serialization._settled_for_good(t) and t.children
    ]


def converted_afresh(workflow) -> str:
    """The workflow's text converted without any JSON kept on its tasks (which it keeps again after)."""
    for task in ws.all_tasks(workflow):
        for kept in (serialization._MEMO, serialization._UNREACHED):
            if hasattr(task, kept):
                delattr(task, kept)
    return dump_workflow(workflow)


@pytest.mark.parametrize("change", ["children", "last_state_change", "triggered", "state", "data"])
def test_a_task_not_reached_yet_is_written_again_when_its_text_would_change(session, rt, deployed, people, change):
    """A task without data keeps its JSON between saves; any change to what that JSON holds writes it anew."""
    case_id = run_sample_until_waiting(session, rt, people)
    case, stored = _stored(session, case_id)
    workflow = load_workflow(stored, rt.registry.model(session, case.model_version_id))
    dump_workflow(workflow)
    task = _unreached(workflow)[0]
    assert hasattr(task, serialization._UNREACHED)
    if change == "children":
        task._children = task._children[:-1]
    elif change == "last_state_change":
        task.last_state_change += 1.0
    elif change == "triggered":
        task.triggered = not task.triggered
    elif change == "state":
        task._state = TaskState.LIKELY if task.state != TaskState.LIKELY else TaskState.MAYBE
    else:
        task.data["gezien"] = True
    written = dump_workflow(workflow)
    assert written == converted_afresh(workflow)
    assert written != stored


def test_a_task_without_data_is_written_in_spiffworkflows_layout(session, rt, deployed, people):
    """Our converter writes a task without data itself; it is SpiffWorkflow's dict with data and delta empty."""
    from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer

    case_id = run_sample_until_waiting(session, rt, people)
    case, stored = _stored(session, case_id)
    workflow = load_workflow(stored, rt.registry.model(session, case.model_version_id))
    # Each in a registry of its own: a converter registers itself, and the engine's must stay as it is.
    ours = serialization._TaskConverter(Task, BpmnWorkflowSerializer.configure(serialization._config))
    theirs = TaskConverter(Task, BpmnWorkflowSerializer.configure(serialization._config))
    tasks = ws.all_tasks(workflow)
    assert any(t.parent is None for t in tasks) and any(t.internal_data for t in tasks)
    for task in tasks:  # each one as it is, and as if it held no data (the root and every state included)
        if task.data:
            assert ours.to_dict(task) == theirs.to_dict(task)
        data, task.data = task.data, {}
        expected = {**theirs.to_dict(task), "data": {}, "delta": {}}
        assert ours.to_dict(task) == expected and list(ours.to_dict(task)) == list(expected)
        task.data = data

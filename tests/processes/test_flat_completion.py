"""A completion's cost does not grow with the case's history (issue 13, item 4), and nothing is lost by it.

Finished subprocesses move out of the hot workflow text into case_archive; views and
migrations see the whole case; the workflow kept in memory after an act is exactly what
loading the stored text gives; a rolled-back act leaves nothing in memory.
"""

from __future__ import annotations

import json
import zlib
from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import select, text

from engine.base.errors import Conflict
from engine.modeling.serialization import dump_subprocess, dump_workflow, load_workflow
from engine.storage import compression
from engine.storage.tables import Case, CaseArchive
from engine.workflow import state as ws
from engine.workflow.case_store import open_workflow
from tests.engine.test_persistence import converted_afresh
from tests.processes import steps
from tests.processes.scenario import Scenario


@pytest.fixture
def s(rt, session) -> Scenario:
    return Scenario(rt, session, "wth-basis")


def _stored(s: Scenario) -> Case:
    case = s.session.get(Case, s.case_id)
    s.session.refresh(case)
    return case


def _kept_equals_stored(s: Scenario) -> None:
    """The workflow kept in memory dumps to the very text a fresh load of the stored text dumps to."""
    case = _stored(s)
    kept = s.rt.registry.workflows.peek(s.session.get_bind(), case.id)
    assert kept is not None and kept[0] == case.lock_version
    model = s.rt.registry.model(s.session, case.model_version_id)
    kept_text = dump_workflow(kept[1])
    assert kept_text == case.workflow_json
    assert kept_text == dump_workflow(load_workflow(case.workflow_json, model))
    # The stored text was written partly from the JSON kept on tasks by earlier saves; converted
    # afresh, the same workflow gives the same text, so nothing kept was out of date.
    assert converted_afresh(kept[1]) == case.workflow_json


@pytest.mark.parametrize("loaded_before_each_act", [False, True], ids=["kept", "loaded"])
def test_the_workflow_kept_in_memory_is_the_stored_one_after_every_act_and_timer(s, loaded_before_each_act):
    """Also when each act loads the workflow from its text (the act lands on another worker): a load lets
    settled tasks share data, and converted afresh after the act they still give the stored text."""
    s.start("politie", steps.MELDING)
    _kept_equals_stored(s)
    original_do = s.do

    def do_and_check(element, data=None):
        if loaded_before_each_act:
            s.rt.registry.workflows.forget(s.session.get_bind(), s.case_id)
        row = original_do(element, data)
        _kept_equals_stored(s)
        return row

    s.do = do_and_check
    steps.impose(s, afnemer="hulpofficier", decider="hulpofficier")
    steps.serve_and_notify(s)
    steps.help_without_children(s)
    s.advance(timedelta(days=7, hours=12))  # the reminder timer fires in the sweep
    steps.extend(s, 18)
    steps.appeal(s)
    _kept_equals_stored(s)
    steps.prepare_hearing(s)
    assert (s.rt.registry.workflows.hits > 10) is not loaded_before_each_act


def test_finished_subprocesses_leave_the_hot_text_and_views_still_see_them(s):
    s.start("politie", steps.MELDING)
    steps.impose(s, afnemer="hulpofficier", decider="hulpofficier")
    steps.serve_and_notify(s)
    case = _stored(s)
    archived = s.session.scalars(select(CaseArchive.subprocess_id).where(CaseArchive.case_id == case.id)).all()
    assert len(archived) >= 3  # the RIHG and the decision ran in subprocesses that have ended
    assert not set(archived) & set(json.loads(case.workflow_json)["subprocesses"])
    _, hot = open_workflow(s.session, s.rt.registry, case)
    _, whole = open_workflow(s.session, s.rt.registry, case, whole=True)
    s.session.rollback()
    hot_specs = {t.task_spec.name for t in ws.all_tasks(hot)}
    whole_specs = {t.task_spec.name for t in ws.all_tasks(whole)}
    assert "Task_rihg_hulpofficier" not in hot_specs and "Task_rihg_hulpofficier" in whole_specs
    # The case as a user sees it still holds what the RIHG decided, and the chain runs on.
    assert s.var("rihg_resultaat") is not None or s.var("huisverbod") is not None
    assert s.case()["status"] == "active"
    steps.help_without_children(s)


def test_a_refused_act_leaves_no_workflow_in_memory_and_the_next_act_loads_the_stored_one(s):
    s.start("politie", steps.MELDING)
    steps.impose(s, afnemer="hulpofficier", decider="hulpofficier")
    assert s.rt.registry.workflows.peek(s.session.get_bind(), s.case_id) is not None
    with pytest.raises(Conflict):  # handed over before the beschikking was served: refused inside the act
        s.do("Task_uitreiken", {"sleutels_ingenomen": True})
    assert s.rt.registry.workflows.peek(s.session.get_bind(), s.case_id) is None
    steps.serve_beschikking(s, "hulpofficier")
    _kept_equals_stored(s)
    assert "beschikking_uitgereikt" in s.milestones()


def test_archived_subprocesses_are_packed_with_the_dictionary_and_read_back_whole(s):
    """The archive's dictionary packs a real case's finished subprocesses at least a third tighter than
    zlib alone, and the whole case reads them back as written."""
    s.start("politie", steps.MELDING)
    steps.impose(s, afnemer="hulpofficier", decider="hulpofficier")
    steps.serve_and_notify(s)
    case = _stored(s)
    rows = s.session.execute(
        # Finished subprocesses only: cuts of settled history (keys "h...") are settled_history's.
        text(
            "SELECT subprocess_id, workflow_zlib FROM case_archive WHERE case_id = :id AND subprocess_id NOT LIKE 'h%'"
        ),
        {"id": case.id},
    ).all()
    texts = {row.subprocess_id: compression.unpack(row.workflow_zlib) for row in rows}
    assert len(texts) >= 3
    packed = sum(len(row.workflow_zlib) for row in rows)
    plain = sum(len(zlib.compress(t.encode("utf-8"), 6)) for t in texts.values())
    assert packed < plain * 2 / 3
    assert all(row.workflow_zlib[1] & 0x20 for row in rows)  # each names its dictionary
    _, whole = open_workflow(s.session, s.rt.registry, case, whole=True)
    s.session.rollback()
    for subprocess_id, archived in texts.items():
        assert json.loads(archived) == json.loads(dump_subprocess(whole.subprocesses[UUID(subprocess_id)]))


def _tasks_by_id(workflow) -> dict:
    return {task.id: task for task in ws.all_tasks(workflow)}


def _as_spiffworkflow_makes_it(ours, theirs, convert) -> None:
    """Each task of our load is the task SpiffWorkflow's own loader makes: every attribute, in the same order."""
    mine, reference = _tasks_by_id(ours), _tasks_by_id(theirs)
    assert list(mine) == list(reference)
    for task_id, task in mine.items():
        expected = reference[task_id]
        attributes = [name for name in vars(task) if not name.startswith("_thv_")]
        assert attributes == list(vars(expected)), task.task_spec.name
        for name in attributes:
            if name == "task_spec":  # the model's own spec object, as loaded without a spec
                assert task.task_spec is task.workflow.spec.task_specs[expected.task_spec.name]
            elif name == "workflow":
                assert task.workflow.spec.name == expected.workflow.spec.name
            elif name == "internal_data":  # event objects without equality: compared as converted
                assert convert(task.internal_data) == convert(expected.internal_data), task.task_spec.name
            else:
                assert getattr(task, name) == getattr(expected, name), (task.task_spec.name, name)
    assert list(ours.event_manager.tasks) == list(theirs.event_manager.tasks)  # the waiting catch events


def test_a_loaded_task_is_the_one_spiffworkflows_own_loader_makes(s):
    """engine.modeling.serialization builds tasks itself on load (_TaskConverter.restore_task); along a long
    case, with subprocesses, waiting timers and messages and cancelled branches, each is SpiffWorkflow's."""
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer

    from engine.modeling.legal_timers import SERIALIZER_CONFIG
    from engine.modeling.sandbox import script_engine

    spiff = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))
    compared = []

    def compare() -> None:
        case = _stored(s)
        model = s.rt.registry.model(s.session, case.model_version_id)
        _, workflow = open_workflow(s.session, s.rt.registry, case, whole=True)
        s.session.rollback()
        ours = load_workflow(dump_workflow(workflow), model)
        theirs = spiff.deserialize_json(spiff.serialize_json(workflow))
        theirs.script_engine = script_engine()
        _as_spiffworkflow_makes_it(ours, theirs, spiff.registry.convert)
        compared.append(len(_tasks_by_id(ours)))

    s.start("politie", steps.MELDING)
    compare()
    steps.impose(s, afnemer="hulpofficier", decider="hulpofficier")
    compare()
    steps.serve_and_notify(s)
    steps.help_without_children(s)
    compare()
    s.advance(timedelta(days=7, hours=12))
    steps.extend(s, 18)
    steps.appeal(s)
    compare()
    assert compared[0] < 20 < 150 < compared[-1]  # from the first step to a running ban under appeal

"""Which settled tasks of a loop are cut, and that the archived cuts give back the very workflow.

A loop whose merge is an inclusive gateway (a join in SpiffWorkflow): every round passes a join,
so the rule about joins decides what may be cut.
"""

from __future__ import annotations

import orjson
import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.modeling import settled_history
from engine.modeling.serialization import cut_settled_history, dump_workflow
from engine.modeling.xml_safety import parse_model_xml

LOOP = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="lus" isExecutable="true">
    <bpmn:startEvent id="Start_lus"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:inclusiveGateway id="Merge_lus" default="f2">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:inclusiveGateway>
    <bpmn:userTask id="Task_ronde"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_verder" default="f5"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:outgoing>f5</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="End_lus"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start_lus" targetRef="Merge_lus"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Merge_lus" targetRef="Task_ronde"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Task_ronde" targetRef="Gateway_verder"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Gateway_verder" targetRef="Merge_lus">
      <bpmn:conditionExpression>ronde &lt; 6</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="Gateway_verder" targetRef="End_lus"/>
  </bpmn:process>
</bpmn:definitions>
"""


BRANCHES = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="takken" isExecutable="true">
    <bpmn:startEvent id="Start_takken"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="Script_voor" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>voor = True</bpmn:script></bpmn:scriptTask>
    <bpmn:parallelGateway id="Split"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="Task_a"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="Script_b" scriptFormat="python"><bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing><bpmn:script>b = True</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="Task_b"><bpmn:incoming>f6</bpmn:incoming><bpmn:outgoing>f7</bpmn:outgoing></bpmn:userTask>
    <bpmn:parallelGateway id="Join"><bpmn:incoming>f5</bpmn:incoming><bpmn:incoming>f7</bpmn:incoming>
      <bpmn:outgoing>f8</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="End_takken"><bpmn:incoming>f8</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start_takken" targetRef="Script_voor"/>
    <bpmn:sequenceFlow id="f2" sourceRef="Script_voor" targetRef="Split"/>
    <bpmn:sequenceFlow id="f3" sourceRef="Split" targetRef="Task_a"/>
    <bpmn:sequenceFlow id="f4" sourceRef="Split" targetRef="Script_b"/>
    <bpmn:sequenceFlow id="f5" sourceRef="Task_a" targetRef="Join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="Script_b" targetRef="Task_b"/>
    <bpmn:sequenceFlow id="f7" sourceRef="Task_b" targetRef="Join"/>
    <bpmn:sequenceFlow id="f8" sourceRef="Join" targetRef="End_takken"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _started(xml: bytes, process: str) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    root, finding = parse_model_xml(f"{process}.bpmn", xml)
    assert finding is None
    parser.add_bpmn_xml(root, filename=f"{process}.bpmn")
    workflow = BpmnWorkflow(parser.get_spec(process))
    workflow.do_engine_steps()
    return workflow


def _run_rounds(rounds: int) -> BpmnWorkflow:
    workflow = _started(LOOP, "lus")
    for number in range(1, rounds + 1):
        [ready] = workflow.get_tasks(state=TaskState.READY, manual=True)
        ready.set_data(ronde=number)
        ready.run()
        workflow.do_engine_steps()
    return workflow


def _completed(workflow: BpmnWorkflow) -> set:
    """Every completed task, as if the act that saves the workflow completed none of them."""
    return {t.id for t in workflow.tasks.values() if t.state == TaskState.COMPLETED}


def _whole_json(workflow: BpmnWorkflow) -> dict:
    return orjson.loads(dump_workflow(workflow))


@pytest.fixture
def min_cut_one(monkeypatch):
    monkeypatch.setattr(settled_history, "MIN_CUT", 1)


def test_joins_and_what_a_join_reads_stay_and_the_rest_of_the_settled_rounds_goes(min_cut_one):
    workflow = _run_rounds(4)
    before = {t.id: t for t in workflow.tasks.values()}
    parents = {t.id: t._parent for t in workflow.tasks.values()}
    cuts = cut_settled_history(workflow, _completed(workflow))
    assert cuts
    left = workflow.tasks
    gone = [t for i, t in before.items() if i not in left]
    # Every completed round of the task goes: no join reads it (its next task is an exclusive gateway).
    assert sorted(t.task_spec.name for t in gone) == ["Task_ronde"] * 4
    # Every round's join stays, and so does each join's input: the gateway just above each later join,
    # and the start event above the first (an inclusive gateway counts its completed inputs).
    assert sum(isinstance(t.task_spec, Join) for t in left.values()) == sum(
        isinstance(t.task_spec, Join) for t in before.values()
    )
    assert sum(t.task_spec.name == "Gateway_verder" and t.state == TaskState.COMPLETED for t in left.values()) == 4
    assert any(t.task_spec.name == "Start_lus" for t in left.values())
    # The round that is ready now stays, and so does the task above it (its parent: the join).
    rounds = [t for t in left.values() if t.task_spec.name == "Task_ronde"]
    assert not [t for t in rounds if t.state == TaskState.COMPLETED]
    [ready] = [t for t in rounds if t.state == TaskState.READY]
    assert ready._parent == parents[ready.id]
    for task in left.values():  # the tree is whole: each child names its parent, and the parent it
        assert all(left[c]._parent == task.id for c in task._children)


def test_archived_cuts_put_back_give_the_very_workflow_and_it_runs_on_alike(min_cut_one):
    workflow, uncut = _run_rounds(5), _run_rounds(5)
    whole = _whole_json(workflow)
    # Two saves: the first as if the last two rounds were still to come, then the second.
    rounds = [t for t in workflow.tasks.values() if t.task_spec.name == "Task_ronde" and t.state == TaskState.COMPLETED]
    first = cut_settled_history(workflow, _completed(workflow) - {t.id for t in rounds[-2]} - {rounds[-2].id})
    second = cut_settled_history(workflow, _completed(workflow))
    assert len(first) == len(second) == 1  # one row per save, with all its cuts
    rows = {key: orjson.loads(text) for key, text in {**first, **second}.items()}
    assert [len(row["cuts"]) for row in rows.values()] == [3, 2]
    hot = _whole_json(workflow)
    assert len(hot["tasks"]) < len(whole["tasks"])
    assert settled_history.put_back(hot, dict(reversed(rows.items()))) == [*second, *first]
    assert hot == whole
    # Rows of one cut each, as saves wrote them before, go back alike.
    singles = {f"h{i}": cut for i, cut in enumerate(cut for row in rows.values() for cut in row["cuts"])}
    hot = _whole_json(workflow)
    assert sorted(settled_history.put_back(hot, singles)) == sorted(singles)
    assert hot == whole
    # The cut workflow finishes the loop as the uncut one does.
    for flow in (workflow, uncut):
        [ready] = flow.get_tasks(state=TaskState.READY, manual=True)
        ready.set_data(ronde=6)
        ready.run()
        flow.do_engine_steps()
    assert workflow.completed and uncut.completed and workflow.data == uncut.data


def test_the_steps_before_an_open_task_go_and_its_parent_stays(min_cut_one):
    """Settled history that is not a loop's goes too; the parent of an open task stays (here not the
    workflow's last task, which stays anyway): the task whose completion made it ready (engine.workflow.state)
    and the holder of its siblings (boundary timers)."""
    workflow = _started(BRANCHES, "takken")
    [a] = workflow.get_tasks(state=TaskState.READY, manual=True, spec_name="Task_a")
    a.run()
    workflow.do_engine_steps()
    [b] = workflow.get_tasks(state=TaskState.READY, manual=True)
    parent = b._parent
    assert workflow.last_task is not b.parent
    assert cut_settled_history(workflow, _completed(workflow))
    left = {t.task_spec.name for t in workflow.tasks.values()}
    assert "Start_takken" not in left  # settled, in line, not read by a join
    assert {"Script_voor", "Task_a"} <= left  # each just above a join (the split is one too)
    assert "Script_b" in left and b._parent == parent
    assert b.data == {"voor": True, "b": True}  # what the steps above it passed on


def test_no_cut_before_enough_tasks_may_be_cut(monkeypatch):
    monkeypatch.setattr(settled_history, "MIN_CUT", 4)  # each completed round leaves one task to cut
    three, four = _run_rounds(3), _run_rounds(4)
    assert cut_settled_history(three, _completed(three)) == {}  # three tasks: one too few
    [text] = cut_settled_history(four, _completed(four)).values()  # four: cut, each alone (joins between them)
    assert len(orjson.loads(text)["cuts"]) == 4


def test_what_the_saving_act_completed_stays_until_the_next_act(min_cut_one):
    workflow = _run_rounds(4)
    assert cut_settled_history(workflow, set()) == {}  # as if this act completed every task
    rounds = [t for t in workflow.tasks.values() if t.task_spec.name == "Task_ronde" and t.state == TaskState.COMPLETED]
    # And now as if it completed only the last two rounds (and what followed them): the first two are cut,
    # not the third, although it is an earlier round too.
    earlier = _completed(workflow) - {t.id for t in rounds[-2]} - {rounds[-2].id}
    assert cut_settled_history(workflow, earlier)
    assert [t.id in workflow.tasks for t in rounds] == [False, False, True, True]


def test_a_completed_workflow_is_not_cut(min_cut_one):
    """A terminate end event, one of its settled tasks, says how the case ended (state.case_status)."""
    workflow = _run_rounds(6)
    assert workflow.completed
    assert cut_settled_history(workflow, _completed(workflow)) == {}

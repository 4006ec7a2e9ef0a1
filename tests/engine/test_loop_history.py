"""Which tasks of a loop's earlier rounds are cut, and that the archived cuts give back the very workflow.

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

from engine.modeling import loop_history
from engine.modeling.serialization import cut_earlier_rounds, dump_workflow
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


def _run_rounds(rounds: int) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    root, finding = parse_model_xml("lus.bpmn", LOOP)
    assert finding is None
    parser.add_bpmn_xml(root, filename="lus.bpmn")
    workflow = BpmnWorkflow(parser.get_spec("lus"))
    workflow.do_engine_steps()
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
    monkeypatch.setattr(loop_history, "MIN_CUT", 1)


def test_joins_and_the_task_above_a_join_stay_and_the_latest_round_stays(min_cut_one):
    workflow = _run_rounds(4)
    before = {t.id: t for t in workflow.tasks.values()}
    cuts = cut_earlier_rounds(workflow, _completed(workflow))
    assert cuts
    left = workflow.tasks
    gone = [t for i, t in before.items() if i not in left]
    assert gone and all(t.task_spec.name == "Task_ronde" for t in gone)
    # Every round's join stays, and so does the gateway just above each later join (what it counts).
    assert sum(isinstance(t.task_spec, Join) for t in left.values()) == sum(
        isinstance(t.task_spec, Join) for t in before.values()
    )
    assert sum(t.task_spec.name == "Gateway_verder" and t.state == TaskState.COMPLETED for t in left.values()) == 4
    # The latest completed round of the task stays, next to the one that is ready now.
    rounds_left = [t for t in left.values() if t.task_spec.name == "Task_ronde"]
    states = [t.state for t in rounds_left]
    assert states.count(TaskState.COMPLETED) == 1 and states.count(TaskState.READY) == 1
    for task in left.values():  # the tree is whole: each child names its parent, and the parent it
        assert all(left[c]._parent == task.id for c in task._children)


def test_archived_cuts_put_back_give_the_very_workflow_and_it_runs_on_alike(min_cut_one):
    workflow, uncut = _run_rounds(5), _run_rounds(5)
    whole = _whole_json(workflow)
    cuts = {key: orjson.loads(text) for key, text in cut_earlier_rounds(workflow, _completed(workflow)).items()}
    hot = _whole_json(workflow)
    assert len(hot["tasks"]) < len(whole["tasks"])
    assert loop_history.put_back(hot, dict(reversed(cuts.items()))) == list(reversed(cuts))
    assert hot == whole
    # The cut workflow finishes the loop as the uncut one does.
    for flow in (workflow, uncut):
        [ready] = flow.get_tasks(state=TaskState.READY, manual=True)
        ready.set_data(ronde=6)
        ready.run()
        flow.do_engine_steps()
    assert workflow.completed and uncut.completed and workflow.data == uncut.data


def test_no_cut_before_enough_tasks_of_earlier_rounds(monkeypatch):
    monkeypatch.setattr(loop_history, "MIN_CUT", 3)  # each round leaves one task to cut
    three, four = _run_rounds(3), _run_rounds(4)
    assert cut_earlier_rounds(three, _completed(three)) == {}  # two tasks of earlier rounds: one too few
    assert len(cut_earlier_rounds(four, _completed(four))) >= 1  # three: cut


def test_what_the_saving_act_completed_stays_until_the_next_act(min_cut_one):
    workflow = _run_rounds(4)
    assert cut_earlier_rounds(workflow, set()) == {}  # as if this act completed every task
    rounds = [t for t in workflow.tasks.values() if t.task_spec.name == "Task_ronde" and t.state == TaskState.COMPLETED]
    # And now as if it completed only the last two rounds (and what followed them): the first two are cut,
    # not the third, although it is an earlier round too.
    earlier = _completed(workflow) - {t.id for t in rounds[-2]} - {rounds[-2].id}
    assert cut_earlier_rounds(workflow, earlier)
    assert [t.id in workflow.tasks for t in rounds] == [False, False, True, True]


def test_a_completed_workflow_is_not_cut(min_cut_one):
    """A terminate end event, one of its settled tasks, says how the case ended (state.case_status)."""
    workflow = _run_rounds(6)
    assert workflow.completed
    assert cut_earlier_rounds(workflow, _completed(workflow)) == {}

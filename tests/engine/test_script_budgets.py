"""Model code within budgets: a Python loop, a C-level loop and a huge allocation are stopped
at the deploy check, at start, at a completion and after a timer, within about a second of
CPU, while other work goes on; the case is parked with the element named, the sweep moves
on, and a migration to a corrected version resumes the case.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.accounts.users import add_user
from engine.base.errors import BUDGET_CPU, BUDGET_MEMORY, DeployRefused, ScriptBudgetExceeded, ScriptStopped
from engine.cases import operations as cases
from engine.design import case_migration
from engine.modeling.registry import deploy_bundle
from engine.modeling.sandbox import evaluate_constant, run_bounded
from engine.modeling.script_limits import runs_in_process
from engine.storage.tables import Case, CaseEvent
from engine.workflow import timers, worklist
from engine.workflow.parking import parked_cases
from tests.conftest import PASSWORD

PYTHON_LOOP = "while True:\n    pass"
C_LOOP = "x = sum(range(10**11))"
HUGE = "x = 'a' * 10**10"
HUGE_LIST = "x = [0] * 10**7\ny = [list(x) for i in range(100)]"
FINE = "x = 1"

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="Definitions_budget" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="budget_main" name="Budget" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_politie" name="politie">
        <bpmn:flowNodeRef>Start_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Script_start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_melding</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Script_na_taak</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Timer_uur</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Script_na_timer</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Task_slot</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>End_1</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Start_1"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_1" targetRef="Script_start" />
    <bpmn:scriptTask id="Script_start" name="Begin"><bpmn:incoming>F1</bpmn:incoming>
      <bpmn:outgoing>F2</bpmn:outgoing><bpmn:script>{start}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Script_start" targetRef="Task_melding" />
    <bpmn:userTask id="Task_melding" name="Melding"><bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="sample_check.schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>F2</bpmn:incoming>
      <bpmn:outgoing>F3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Task_melding" targetRef="Script_na_taak" />
    <bpmn:scriptTask id="Script_na_taak" name="Na de melding"><bpmn:incoming>F3</bpmn:incoming>
      <bpmn:outgoing>F4</bpmn:outgoing><bpmn:script>{after_task}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="F4" sourceRef="Script_na_taak" targetRef="Timer_uur" />
    <bpmn:intermediateCatchEvent id="Timer_uur" name="Een uur"><bpmn:incoming>F4</bpmn:incoming>
      <bpmn:outgoing>F5</bpmn:outgoing>
      <bpmn:timerEventDefinition id="TimerDef_uur">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{timer}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F5" sourceRef="Timer_uur" targetRef="Script_na_timer" />
    <bpmn:scriptTask id="Script_na_timer" name="Na het uur"><bpmn:incoming>F5</bpmn:incoming>
      <bpmn:outgoing>F6</bpmn:outgoing><bpmn:script>{after_timer}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="F6" sourceRef="Script_na_timer" targetRef="Task_slot" />
    <bpmn:userTask id="Task_slot" name="Afronden"><bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="formJsonSchemaFilename" value="sample_check.schema.json" />
      </spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>F6</bpmn:incoming>
      <bpmn:outgoing>F7</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="F7" sourceRef="Task_slot" targetRef="End_1" />
    <bpmn:endEvent id="End_1"><bpmn:incoming>F7</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def bundle(*, start: str = FINE, after_task: str = FINE, after_timer: str = FINE, timer: str = '"PT1H"'):
    text = BPMN.format(start=start, after_task=after_task, after_timer=after_timer, timer=timer)
    return {"budget.bpmn": text.encode("utf-8")}


def deploy(session, rt, **scripts) -> int:
    files = bundle(**scripts)
    result = deploy_bundle(session, rt.registry, files, region="basis", variant="budget", actor="t", now=rt.clock.now())
    return result.version.version


@pytest.fixture
def users(session, clock):
    return {
        "pol": add_user(session, "pol", ["politie"], ["basis"], password=PASSWORD, now=clock.now())[0],
        "ontwerper": add_user(session, "ontwerper", ["designer"], ["basis"], password=PASSWORD, now=clock.now())[0],
    }


def start(session, rt, users, **data) -> int:
    return cases.start_case(
        session, rt.registry, rt.clock, region="basis", variant="budget", data=data, user=users["pol"]
    )


def complete_melding(session, rt, users, case_id: int) -> None:
    task = next(t for t in worklist.list_tasks(session, case_id=case_id) if t["element"] == "Task_melding")
    cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data={"akkoord": True}, user=users["pol"])


def _stopped_quickly(action, budget: str | None = None) -> ScriptBudgetExceeded | ScriptStopped:
    began = time.monotonic()
    with pytest.raises((ScriptBudgetExceeded, ScriptStopped)) as caught:
        action()
    assert time.monotonic() - began < 5
    if budget is not None and isinstance(caught.value, ScriptBudgetExceeded):
        assert caught.value.budget == budget
    return caught.value


# --- which code runs where --------------------------------------------------------------


@pytest.mark.parametrize(
    "source, mode",
    [
        ("besluit == 'opleggen' and melding.get('ernst', 0) > 3", "eval"),
        ('termijn_einde(huisverbod["opgelegd_op"], "P10D")', "eval"),
        ('huisverbod = {"status": "opgelegd", "opgelegd_op": nu()}\nx = len(naam) + 1', "exec"),
    ],
)
def test_straight_line_code_runs_in_the_process(source, mode):
    assert runs_in_process(source, mode)


@pytest.mark.parametrize(
    "source, mode",
    [
        ("sum(range(10))", "eval"),
        ("'a' * n", "eval"),
        ("2 ** n", "eval"),
        ("1 << n", "eval"),
        ("[x for x in y]", "eval"),
        ("(lambda: 1)()", "eval"),
        ("' '.join(y)", "eval"),
        ("len = range\nx = sum(len(10))", "exec"),
        ("for i in y:\n    pass", "exec"),
        ("while x:\n    pass", "exec"),
        ("def f():\n    return 1", "exec"),
        ("s = s + s\n" * 9, "exec"),
    ],
)
def test_code_that_may_loop_or_grow_goes_to_the_runner(source, mode):
    assert not runs_in_process(source, mode)


def test_runner_results_equal_the_in_process_results():
    context = {"y": [3, 1, 2], "naam": "A"}
    assert run_bounded("eval", "sorted(x * 2 for x in y)", context, None) == [2, 4, 6]
    run_bounded("exec", "z = [x for x in y if x > 1]\ndef f():\n    return 1\nw = f()", context, None)
    assert context == {"y": [3, 1, 2], "naam": "A", "z": [3, 2], "w": 1}  # the function itself is not data
    with pytest.raises(NameError):
        run_bounded("eval", "sum(onbekend for i in range(2))", {}, None)
    with pytest.raises(ZeroDivisionError):
        run_bounded("eval", "sum(1 / 0 for i in range(2))", {}, None)


# --- the budgets themselves -----------------------------------------------------------------


@pytest.mark.parametrize(
    "source, mode, budget",
    [
        (PYTHON_LOOP, "exec", BUDGET_CPU),
        ("str(sum(range(10**11)))", "eval", BUDGET_CPU),  # a C-level loop: no Python signal reaches it
        ("sum(x for x in range(10**11))", "eval", BUDGET_CPU),
        ("'a' * 10**10", "eval", BUDGET_MEMORY),
        (HUGE_LIST, "exec", BUDGET_MEMORY),
    ],
)
def test_budgets_stop_loops_and_allocations(source, mode, budget):
    _stopped_quickly(lambda: run_bounded(mode, source, {}, None), budget)
    assert run_bounded("eval", "sum(range(4))", {}, None) == 6  # a fresh runner takes over


def test_other_threads_go_on_while_a_script_spins():
    stopped: list[BaseException] = []

    def spin() -> None:
        try:
            evaluate_constant("str(sum(range(10**11)))")
        except ScriptBudgetExceeded as exc:
            stopped.append(exc)

    spinner = threading.Thread(target=spin)
    spinner.start()
    time.sleep(0.2)  # the spinner is inside its runner now; the check below must not wait for it
    began = time.monotonic()
    assert evaluate_constant("'P' + 'T1H'") == "PT1H"
    assert evaluate_constant("sum(x for x in range(1000))") == 499500  # a second runner
    assert time.monotonic() - began < 1
    spinner.join(timeout=10)
    assert len(stopped) == 1


# --- at deploy, start, completion and timer -----------------------------------------------------


@pytest.mark.parametrize(
    "timer", ["str(sum(range(10**11)))", "'P' + 'T' * 10**10", "str(len([x for x in range(10**10)]))"]
)
def test_deploy_check_stops_a_hostile_timer_expression(session, rt, timer):
    began = time.monotonic()
    with pytest.raises(DeployRefused) as refused:
        deploy(session, rt, timer=timer)
    assert time.monotonic() - began < 5
    finding = refused.value.findings[0]
    assert finding.element == "TimerDef_uur"
    assert "is gestopt" in finding.message


@pytest.mark.parametrize("script", [PYTHON_LOOP, C_LOOP, HUGE])
def test_start_script_over_budget_refuses_the_deploy(session, rt, script):
    began = time.monotonic()
    with pytest.raises(DeployRefused) as refused:  # the trial start at deploy runs it (engine.modeling.smoke_start)
        deploy(session, rt, start=script)
    assert time.monotonic() - began < 5
    assert [(f.element, "budget" in f.message) for f in refused.value.findings] == [("Script_start", True)]


@pytest.mark.parametrize("script", [PYTHON_LOOP, C_LOOP, HUGE])
def test_start_script_over_budget_refuses_the_start(session, rt, users, script):
    # Only for this starter: the trial start at deploy (by "proefstart") passes.
    when = 'if verzoeker["gebruiker"] == "pol":\n'
    deploy(session, rt, start=when + "\n".join("    " + line for line in script.splitlines()))
    error = _stopped_quickly(lambda: start(session, rt, users))
    assert isinstance(error, ScriptStopped) and error.element == "Script_start"
    assert "Script_start" in error.message
    assert session.scalar(select(func.count(Case.id))) == 0  # nothing half-written


def test_completion_over_budget_parks_the_case(session, rt, users):
    deploy(session, rt, after_task=HUGE)
    case_id = start(session, rt, users)
    error = _stopped_quickly(lambda: complete_melding(session, rt, users, case_id))
    assert isinstance(error, ScriptStopped) and error.element == "Script_na_taak"
    assert "geparkeerd" in error.message
    case = session.get(Case, case_id)
    assert case.status == "error" and "Script_na_taak" in case.error
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "fout")).all()
    assert [e.element for e in events] == ["Script_na_taak"]
    assert [t["element"] for t in worklist.list_tasks(session, case_id=case_id)] == ["Task_melding"]  # not done


@pytest.mark.parametrize(
    "script, reason",
    [
        ("while stop:\n    pass", "rekentijd"),
        ("x = sum(range(10**11)) if stop else 0", "rekentijd"),
        ("x = 'a' * 10**10 if stop else 0", "geheugen"),
    ],
)
def test_timer_over_budget_parks_its_case_and_the_sweep_goes_on(session, rt, users, script, reason):
    deploy(session, rt, after_timer=script)
    hostile = start(session, rt, users, stop=True)
    fine = start(session, rt, users, stop=False)
    for case_id in (hostile, fine):
        complete_melding(session, rt, users, case_id)
    rt.clock.advance(timedelta(hours=1))
    began = time.monotonic()
    fired = timers.fire_due_timers(session, rt.registry, rt.clock)
    assert time.monotonic() - began < 5
    assert fired == 1
    assert [t["element"] for t in worklist.list_tasks(session, case_id=fine)] == ["Task_slot"]
    parked = session.get(Case, hostile)
    assert parked.status == "error" and reason in parked.error
    assert [(p.case_id, p.element) for p in parked_cases(session, parked.model_version_id)] == [
        (hostile, "Script_na_timer")
    ]
    began = time.monotonic()
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 0  # never picked again
    assert time.monotonic() - began < 0.5


def test_a_parked_case_resumes_after_migration_to_a_corrected_version(session, rt, users):
    deploy(session, rt, after_timer=C_LOOP)
    case_id = start(session, rt, users)
    complete_melding(session, rt, users, case_id)
    rt.clock.advance(timedelta(hours=1))
    timers.fire_due_timers(session, rt.registry, rt.clock)
    assert session.get(Case, case_id).status == "error"

    fixed = deploy(session, rt, after_timer=FINE)
    [result] = case_migration.migrate_cases(
        session, rt.registry, rt.clock, case_ids=[case_id], to_version=fixed, user=users["ontwerper"]
    )
    assert result["status"] == case_migration.MIGRATED, result
    case = session.get(Case, case_id)
    assert case.status == "active" and case.error is None
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 1  # the overdue timer is the sweep's
    assert [t["element"] for t in worklist.list_tasks(session, case_id=case_id)] == ["Task_slot"]


def test_a_dmn_cell_over_budget_parks_the_case_at_its_business_rule_task(session, rt, people, sample_files):
    files = dict(sample_files)
    dmn = "common/sample_advies.dmn"
    files[dmn] = files[dmn].replace(b'<text>"huisverbod"</text>', b"<text>str(sum(range(10**11)))</text>")
    deploy_bundle(session, rt.registry, files, region="basis", variant="sample", actor="t", now=rt.clock.now())
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", variant="sample", user=people["pol"])
    [task] = worklist.list_tasks(session, case_id=case_id)
    error = _stopped_quickly(
        lambda: cases.complete_task(
            session, rt.registry, rt.clock, task_id=task["id"], data={"naam": "A", "ernst": 4}, user=people["pol"]
        )
    )
    assert isinstance(error, ScriptStopped) and error.element == "Rule_advies"
    assert session.get(Case, case_id).status == "error"

"""Running a workflow's engine steps without walking its task tree when nothing can run.

SpiffWorkflow 3.2.0's ``BpmnWorkflow.do_engine_steps`` looks for READY tasks by walking the
whole task tree (into every subprocess), once per active subprocess and once for the top
workflow, round after round until a walk runs nothing. Most walks find nothing: a running ban
has four or five live subprocesses and a few hundred tasks, so those empty walks are the
largest part of an act's engine time, and they grow with the case.

``run_engine_steps`` is the same loop, in the same order, with one difference: before a walk,
a scan of the task maps (no tree) checks whether any READY engine task exists at all. When none
does, the walk would run nothing and is skipped. When one does, SpiffWorkflow's own walk finds
and orders the tasks, so what runs, and in which order, is unchanged
(tests/processes/test_engine_steps.py runs both on the same states).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState


def run_engine_steps(workflow: BpmnWorkflow) -> None:
    """What ``workflow.do_engine_steps()`` does (SpiffWorkflow 3.2.0), without the walks that find nothing."""
    while _one_round(workflow):
        pass
    workflow.refresh_timers()


def _one_round(workflow: BpmnWorkflow) -> bool:
    # BpmnWorkflow._do_engine_steps: the deepest subprocesses first, each until it runs nothing,
    # then the top workflow once; another round when something ran or a subprocess started.
    active = workflow.get_active_subprocesses()
    for subprocess in sorted(active, key=lambda sp: sp.depth, reverse=True):
        while _run_ready(workflow, subprocess):
            pass
        if subprocess.parent_task_id is not None:
            task = workflow.get_task_from_id(subprocess.parent_task_id)
            task.task_spec._update(task)
    return _run_ready(workflow, workflow) > 0 or len(workflow.get_active_subprocesses()) > len(active)


def _run_ready(top: BpmnWorkflow, workflow: Any) -> int:
    """Run the READY engine tasks SpiffWorkflow's walk of ``workflow`` finds; how many ran."""
    if not _any_ready_engine_task(top):
        return 0
    count = 0
    for task in workflow.get_tasks(state=TaskState.READY):
        if not task.task_spec.manual:
            task.run()
            count += 1
    return count


def _any_ready_engine_task(top: BpmnWorkflow) -> bool:
    """Whether any task of the workflow or of any of its subprocesses is a READY engine task.

    A walk from any (sub)workflow can only find tasks that are in these maps, so when this is
    False every walk would find nothing to run.
    """
    task_maps = (top.tasks, *(subprocess.tasks for subprocess in top.subprocesses.values()))
    # _state, as Task.has_state reads it: this scan runs several times per act over every task,
    # and the state property's call costs more than the comparison.
    ready = TaskState.READY
    return any(t._state == ready and not t.task_spec.manual for tasks in task_maps for t in tasks.values())

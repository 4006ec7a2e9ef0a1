"""Settled history, kept out of the workflow a completion loads and saves.

SpiffWorkflow keeps every task a case ever had: the steps before the ban (toets, RIHG, decision,
service) and each round of a loop (another breach of the ban, another report, added below the
previous round's), so a completion would load, run and save more the longer a ban runs. Here such
tasks are cut out of their line of tasks: the task above a cut is linked to the task below it, and
the cut is kept in the case's archive (engine.workflow.case_store). Views and migrations, which
load the whole workflow, put every cut back exactly where it was (put_back).

A task is cut only when nothing SpiffWorkflow or the engine decides can read it any more:
- it is completed and has one child: it lies in a single line of tasks;
- it was completed before the act that saves the workflow: what an act did stays in the hot
  workflow until the next act, also when a loop went round twice within one act;
- the task below it is completed: the parent of an open task stays, and with it the open task's
  siblings (the boundary timers that give a deadline, engine.workflow.state);
- it is not a join, and the task below a cut is not a join either: a join counts its own tasks
  and their parents, the tasks of its inputs (SpiffWorkflow 3.2.0's joins). The split a join
  searches upwards for (``find_ancestor``) has several children, so it is never in a line;
- it is not its workflow's last task (the case data, engine.workflow.state.variables), and no
  subprocess of the workflow runs under it;
- the workflow has not completed: a terminate end event says how a case ended (state.case_status).

tests/processes/test_settled_history.py runs a case cut after every act beside one never cut, in every
variant, and compares both after every act; `make test` runs all process tests a second time with a cut
after every act (tests/processes/conftest.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

# Tasks that may be cut before any is: one round of the breach loop (report, proces-verbaal, ZSM call,
# merge). A cut costs an archive row (about 0.5 ms); every act in between loads and saves the tasks still
# waiting to be cut. With one round the cuts come once per round (every third act or so) and no act
# carries more than one earlier round: about the same cost per act on average as waiting for four rounds
# (16 tasks), and the dearest act of the cycle 0.3 ms (warm) to 0.7 ms (cold) cheaper
# (benchmarks/long_case.py: its completion 30 is such an act).
MIN_CUT = 4
ARCHIVE_PREFIX = "h"  # an archive key: "h" and the hex of the cut's first task (subprocess keys are UUID text)


@dataclass(frozen=True)
class Cut:
    """Settled tasks in one line, top to bottom, between ``above`` and ``below``."""

    owner: Any  # the workflow or subprocess whose task map holds them
    key: str | None  # None for the main workflow, else the subprocess's key in ``subprocesses``
    above: Task
    below: Task
    tasks: tuple[Task, ...]

    @property
    def archive_key(self) -> str:
        return f"{ARCHIVE_PREFIX}{self.tasks[0].id.hex}"


def find_cuts(workflow: Any, completed_before: Collection[Any]) -> list[Cut]:
    """Every cut the workflow and its running subprocesses allow now (changes nothing).

    ``completed_before`` are the ids of the tasks completed before the act that saves the workflow.
    """
    if workflow.completed:
        return []
    running = workflow.subprocesses
    owners = [(None, workflow), *((str(key), sub) for key, sub in running.items())]
    # A workflow's last task is read by id on load (and may lie in one of its subprocesses).
    last = {owner.last_task.id for _, owner in owners if owner.last_task is not None}
    cuts = [cut for key, owner in owners for cut in _cuts_in(owner, key, running, last, completed_before)]
    return cuts if sum(len(cut.tasks) for cut in cuts) >= MIN_CUT else []


def _in_line(task: Task) -> bool:
    return task._state == TaskState.COMPLETED and len(task._children) == 1


def _cuts_in(owner: Any, key: str | None, running: Any, last: set[Any], settled: Collection[Any]) -> list[Cut]:
    tasks = owner.tasks
    cuts: list[Cut] = []
    for start in _line_ends(tasks):
        line: list[tuple[Task, bool]] = []  # bottom-up: (task, cut)
        below = start
        task: Task | None = tasks.get(start._parent) if start._parent is not None else None
        while task is not None and _in_line(task):
            above = tasks.get(task._parent) if task._parent is not None else None
            cut = (
                above is not None
                and below._state == TaskState.COMPLETED
                and task.id in settled
                and not isinstance(task.task_spec, Join)
                and task.id not in last
                and task.id not in running
            )
            line.append((task, cut))
            below, task = task, above
        cuts.extend(_segments(owner, key, start, line))
    return cuts


def _line_ends(tasks: Any) -> list[Task]:
    """The task just below each line of tasks in line: where a walk up that line starts."""
    ends = []
    for task in tasks.values():
        if _in_line(task):
            child = tasks[task._children[0]]
            if not _in_line(child):
                ends.append(child)
    return ends


def _segments(owner: Any, key: str | None, start: Task, line: list[tuple[Task, bool]]) -> Iterator[Cut]:
    """The runs of cut tasks in a line (bottom-up), each with the tasks that will be linked."""
    below = start
    run: list[Task] = []
    for task, cut in [*line, (None, False)]:
        if cut:
            run.append(task)
            continue
        if run and isinstance(below.task_spec, Join):
            # A join's parent is what it counts: the task just above it stays.
            below = run.pop(0)
        if run:
            run.reverse()
            above = owner.tasks[run[0]._parent]
            yield Cut(owner, key, above, below, tuple(run))
        run = []
        if task is not None:
            below = task


def unlink(cut: Cut) -> None:
    """Take the cut's tasks out of the workflow and link the task above to the task below."""
    above, below = cut.above, cut.below
    above._children[above._children.index(cut.tasks[0].id)] = below.id
    below._parent = above.id
    events = cut.owner.top_workflow.event_manager
    for task in cut.tasks:
        del cut.owner.tasks[task.id]
        events.remove_task(task)


def put_back(workflow: dict[str, Any], rows: dict[str, dict[str, Any]]) -> list[str]:
    """Put archived cuts back into a workflow's JSON; returns the archive keys put back.

    ``rows`` are the archived rows (parsed) by archive key: the cuts of one save together
    (``{"cuts": [...]}``, see serialization.cut_settled_history), or one cut alone, as saves wrote
    them before December 2026. A row goes back once the tasks above and below each of its cuts are
    there: a later row may hold the task below an earlier cut, and then goes back first (a later
    row never needs an earlier one: what it cut was all there when it was cut). A row whose place is
    not there (its subprocess is not in the text) is left out whole, as an archived subprocess
    without its caller is.
    """
    pending = {key: row["cuts"] if "cuts" in row else [row] for key, row in rows.items()}
    placed: list[str] = []
    while pending:
        ready = [k for k, cuts in pending.items() if all(_fits(_task_map(workflow, c["in"]), c) for c in cuts)]
        if not ready:
            break
        for archive_key in ready:
            for cut in pending.pop(archive_key):
                _splice(workflow, cut)
            placed.append(archive_key)
    return placed


def _task_map(workflow: dict[str, Any], key: str | None) -> dict[str, Any] | None:
    if key is None:
        return workflow["tasks"]  # type: ignore[no-any-return]
    part = workflow["subprocesses"].get(key)
    return part["tasks"] if part is not None else None


def _fits(tasks: dict[str, Any] | None, cut: dict[str, Any]) -> bool:
    return tasks is not None and cut["above"] in tasks and cut["below"] in tasks


def _splice(workflow: dict[str, Any], cut: dict[str, Any]) -> None:
    tasks = _task_map(workflow, cut["in"])
    assert tasks is not None  # checked by _fits
    cut_tasks: dict[str, Any] = cut["tasks"]
    above, below, top = cut["above"], cut["below"], next(iter(cut_tasks))
    restored: dict[str, Any] = {}
    for task_id, task in tasks.items():
        if task_id == below:
            restored.update(cut_tasks)  # before the task below: a parent is loaded before its children
        restored[task_id] = task
    children = restored[above]["children"]
    if below in children:
        children[children.index(below)] = top
    # The task below gets back its parent, and its data as a change from that parent's.
    restored[below].update(cut["below_was"])
    if cut["in"] is None:
        workflow["tasks"] = restored
    else:
        workflow["subprocesses"][cut["in"]]["tasks"] = restored

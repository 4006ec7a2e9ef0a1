"""Time-ordered running of a case: what fell due happens first, each at its own instant.

Every engine operation moves a workflow forward through a :class:`CaseRun`. The
run fires the timers due up to the instant of the act, one due instant at a time
with the clock set to that instant (so a script's ``nu()`` and a timer armed there
count from the legal instant, not from whenever the sweep ran), then applies the
act at its instant, then fires what fell due up to now. It remembers at which
instant each task completed, so milestones carry the instant they happened.

When the act arrives too late (a timer fired first and the task is gone),
:func:`too_late` says why in Dutch, naming the timer and its instant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from engine.base.clock import FixedClock, dutch_instant, engine_time
from engine.base.errors import ProcessError
from engine.base.vocabulary import PROPERTY_DEADLINE_MESSAGE
from engine.modeling.engine_steps import run_engine_steps
from engine.workflow import state as ws

# A cycle timer could fire without end; a case that needs more steps than this to catch up is broken.
MAX_TIMER_STEPS = 500


@dataclass(frozen=True)
class FiredTimer:
    element: str
    name: str
    instant: datetime
    deadline_message: str | None
    attached_to: str | None  # the task spec a boundary timer sits on
    # Messages that waited beside this timer behind an event-based gateway: the timer closed them.
    closes_messages: frozenset[str] = frozenset()


@dataclass
class CaseRun:
    """One workflow moved forward in time; ``completed_at`` maps task id to the instant it completed."""

    workflow: BpmnWorkflow
    completed_before: set[UUID] = field(default_factory=set)
    completed_at: dict[UUID, datetime] = field(default_factory=dict)
    fired: list[FiredTimer] = field(default_factory=list)

    def advance_to(self, until: datetime) -> int:
        """Fire every timer due at or before ``until``, in order, each at its own instant."""
        count = 0
        for _ in range(MAX_TIMER_STEPS):
            due = ws.next_timer_at(self.workflow)
            if due is None or due > until:
                return count
            firing = [_fired(t, due) for t in ws.due_timers(self.workflow, due)]
            self._step(due, lambda: self.workflow.refresh_timers())
            self.fired.extend(firing)
            count += len(firing)
        raise ProcessError(
            f"de zaak heeft meer dan {MAX_TIMER_STEPS} verstreken termijnen tegelijk; "
            "controleer de timers van het model"
        )

    def act(self, instant: datetime, action: Callable[[], None]) -> None:
        """Apply ``action`` (complete a task, deliver a message) with the clock at ``instant``."""
        self._step(instant, action)

    def _step(self, instant: datetime, action: Callable[[], None]) -> None:
        before = ws.completed_ids(ws.all_tasks(self.workflow))
        with engine_time(FixedClock(instant)):
            action()
            run_engine_steps(self.workflow)
        # A signal or message thrown inside the case that nothing waited for (the court suspends a
        # ban that already ended) has no effect; SpiffWorkflow would keep it for a host to deliver.
        self.workflow.bpmn_events.clear()
        for task in ws.all_tasks(self.workflow):
            if task.state == TaskState.COMPLETED and task.id not in before:
                self.completed_at.setdefault(task.id, instant)


def _fired(task: Any, instant: datetime) -> FiredTimer:
    spec = task.task_spec
    attached = None
    closes: frozenset[str] = frozenset()
    definition = getattr(spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        # An event-based gateway waits itself; its outputs are the timer and the messages it closes.
        closes = frozenset(d.name for _, d in ws.spec_message_catchers(spec))
        spec = next(
            (s for s, d in zip(spec.outputs, definition.event_definitions) if isinstance(d, TimerEventDefinition)), spec
        )
    elif isinstance(spec, BoundaryEvent) and task.parent is not None:
        # SpiffWorkflow puts a boundary event beside its task under one split task.
        hosts = [c.task_spec.name for c in task.parent.children if not isinstance(c.task_spec, BoundaryEvent)]
        attached = hosts[0] if hosts else None
    return FiredTimer(
        element=spec.bpmn_id or spec.name,
        name=spec.bpmn_name or spec.bpmn_id or spec.name,
        instant=instant,
        deadline_message=ws.properties(spec).get(PROPERTY_DEADLINE_MESSAGE),
        attached_to=attached,
        closes_messages=closes,
    )


def deadline_text(timer: FiredTimer) -> str:
    """What a fired timer means for a person, in Dutch, with its instant in Dutch time."""
    when = dutch_instant(timer.instant)
    if timer.deadline_message:
        return timer.deadline_message.replace("{tijdstip}", when)
    return f"de termijn '{timer.name}' verstreek op {when}"


def responsible_timer(
    fired: list[FiredTimer], task_spec_name: str | None = None, message: str | None = None
) -> FiredTimer | None:
    """The fired timer that best explains why something can no longer happen.

    A boundary timer on the task itself, or the timer that closed the wait for the
    message (the end of the beroepstermijn), comes first, then a timer that states
    its own refusal (the ban's end), then the latest one.
    """
    if not fired:
        return None
    own = [
        t
        for t in fired
        if (task_spec_name is not None and t.attached_to == task_spec_name)
        or (message is not None and message in t.closes_messages)
    ]
    if own:
        return own[0]
    stated = [t for t in fired if t.deadline_message]
    return stated[0] if stated else fired[-1]


def too_late(
    fired: list[FiredTimer], what: str, instant: datetime, task_spec_name: str | None = None, message: str | None = None
) -> str | None:
    """The refusal for an act at ``instant`` that a fired timer overtook, or None if no timer did."""
    timer = responsible_timer(fired, task_spec_name, message)
    if timer is None:
        return None
    return f"{deadline_text(timer)}; {what} kan niet meer (handeling op {dutch_instant(instant)})"

"""The simulation driver: synthetic cases through the real models on a simulated clock (SimPy).

Why not the full engine with a database: one baseline case through ``engine.cases.operations``
costs about a second (load, save, audit trail, documents rendered as PDF), so 5,000 cases would take
well over an hour. The simulation therefore runs the deployed specs themselves, in memory, through
the engine's own time-ordered runner (``engine.workflow.case_time.CaseRun``: the timers due fire
first, each at its own instant, on the legal-term timers and the sandboxed script engine), so the
models decide every route, deadline and end exactly as in a real case. Nothing is stored anywhere.

The clock is SimPy's (minutes since the profile's start). Each case is a SimPy process; every user
task the models make ready becomes a process that waits its delay, queues for its organisation
(a SimPy resource with the profile's capacity, working only on its days and hours), works, and then
completes the task with form data made from the task's form and the profile's decision shares.
Events (violations, appeals, rulings) arrive when the case waits for them, at sampled delays.
Each case draws from its own random streams (seed, case, task), so case 17 meets the same
circumstances in every variant: the differences between variants are the models' doing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Generator
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

import simpy
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.base.clock import AMSTERDAM
from engine.base.errors import InvalidInput, ModelRefusal, ThvError
from engine.base.vocabulary import start_data
from engine.modeling.serialization import dump_workflow, load_workflow, new_workflow
from engine.simulation.case_log import CaseLog, TaskLog
from engine.simulation.durations import iso_minutes
from engine.simulation.form_data import FormFiller
from engine.simulation.model_facts import VariantModel
from engine.simulation.profile import START_TASK, Decision, Event, Profile
from engine.workflow import state as ws
from engine.workflow.case_store import drop_finished
from engine.workflow.case_time import CaseRun


def _may_refuse(workflow: Any, task_id: UUID) -> bool:
    """Whether completing the task runs model code that may refuse it (a post-script)."""
    task = ws.find_task(workflow, task_id)
    return task is not None and bool(getattr(task.task_spec, "postscript", None))


def _refusal(exc: BaseException) -> ModelRefusal | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ModelRefusal):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


ACTOR = "simulatie"
MINUTES_PER_YEAR = 365.25 * 1440


class TooLong(InvalidInput):
    """The run went over the time the user allowed it."""


def arrivals(profile: Profile, cases: int, seed: int) -> list[float]:
    """Arrival minutes of the cases: a Poisson stream at the region's yearly volume (same for every variant)."""
    rng = random.Random(f"{seed}:aankomst")
    at, result = 0.0, []
    for _ in range(cases):
        result.append(at)
        at += rng.expovariate(profile.volume / MINUTES_PER_YEAR)
    return result


def pick(decision: Decision, rng: random.Random) -> Any:
    draw, total = rng.random(), 0.0
    for outcome in decision.outcomes:
        total += outcome.share
        if draw < total:
            return outcome.value
    return decision.outcomes[-1].value


class Simulation:
    """One variant, ``cases`` cases, one seed; :meth:`run` returns the case logs."""

    def __init__(self, profile: Profile, model: VariantModel, cases: int, seed: int, deadline: float | None = None):
        self.profile, self.model, self.cases, self.seed = profile, model, cases, seed
        self.deadline = deadline  # time.perf_counter() value after which the run stops
        self.env = simpy.Environment()
        self.filler = FormFiller()
        self.logs: list[CaseLog] = []
        self.resources: dict[str, simpy.Resource | None] = {}
        self.open_cases: set[_Case] = set()

    # --- time ---------------------------------------------------------------
    def instant(self, minute: float | None = None) -> datetime:
        return self.profile.start + timedelta(minutes=self.env.now if minute is None else minute)

    def minute(self, instant: datetime) -> float:
        return (instant - self.profile.start).total_seconds() / 60

    def run(self) -> list[CaseLog]:
        for index, arrived in enumerate(arrivals(self.profile, self.cases, self.seed)):
            log = CaseLog(index, arrived)
            self.logs.append(log)
            self.env.process(self.case(log))
        self.env.run()
        for case in self.open_cases:
            case.closing()  # waiting for something that never came (a task nobody does)
        return self.logs

    def check_time(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise TooLong("de simulatie duurt langer dan de ingestelde grens; kies minder zaken of een ruimere grens")

    # --- data ---------------------------------------------------------------
    def decided(self, rng: random.Random, decisions: list[Decision], given: dict[str, Any]) -> dict[str, Any]:
        data = dict(given)
        for decision in decisions:
            data[decision.field] = pick(decision, rng)
        return data

    def task_decisions(self, element: str, form: str | None) -> list[Decision]:
        props = self.model.schema(form).get("properties") or {}
        return [d for d in self.profile.decisions if element in d.tasks and d.field in props]

    # --- a case -------------------------------------------------------------
    def case(self, log: CaseLog) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(log.arrived)
        rng = random.Random(f"{self.seed}:{log.index}:start")
        case = _Case(self, log)
        self.open_cases.add(case)
        try:
            case.start(rng)
            # The case is followed until ``end``; both the wait and the test below use this one number, so
            # float rounding cannot leave a zero wait that never passes the end (a loop at one instant).
            end = log.arrived + self.profile.horizon_minutes
            while not case.finished():
                self.check_time()
                due = ws.next_timer_at(case.workflow)
                if not case.pending and (due is None or self.minute(due) >= end):
                    break  # nothing can happen before the horizon (the five-year retention timer waits)
                waits = [case.changed, self.env.timeout(max(0.0, end - self.env.now))]
                if due is not None:
                    waits.append(self.env.timeout(max(0.0, self.minute(due) - self.env.now)))
                yield self.env.any_of(waits)
                case.changed = self.env.event()
                case.advance(notify=False)
                if self.env.now >= end:
                    break
        except TooLong:
            raise
        except ThvError as exc:
            log.status, log.error = "error", exc.message
        except Exception as exc:  # noqa: BLE001 - a model that fails on synthetic data is a finding, not a crash
            log.status, log.error = "error", f"{exc.__class__.__name__}: {exc}"
        case.closing()

    def resource(self, role: str) -> simpy.Resource | None:
        if role not in self.resources:
            capacity = self.profile.organisation(role).capacity
            self.resources[role] = simpy.Resource(self.env, capacity) if capacity else None
        return self.resources[role]

    def until_open(self, role: str) -> float:
        """Minutes from now until the organisation works (its days and hours, Amsterdam time)."""
        org = self.profile.organisation(role)
        if len(org.days) == 7 and org.start_minute == 0 and org.end_minute == 1440:
            return 0.0
        local = self.instant().astimezone(AMSTERDAM)
        for day in range(8):
            date = (local + timedelta(days=day)).date()
            if date.weekday() not in org.days:
                continue
            opens = datetime(date.year, date.month, date.day, tzinfo=AMSTERDAM) + timedelta(minutes=org.start_minute)
            closes = datetime(date.year, date.month, date.day, tzinfo=AMSTERDAM) + timedelta(minutes=org.end_minute)
            if local < closes:
                return max(0.0, (opens - local).total_seconds() / 60)
        return 0.0


class _Case:
    """One synthetic case: its workflow, its open tasks and awaited messages."""

    def __init__(self, sim: Simulation, log: CaseLog):
        self.sim, self.log = sim, log
        self.workflow = new_workflow(sim.model.model)
        self.run = CaseRun(self.workflow)
        self.changed: simpy.Event = sim.env.event()
        self.seen_tasks: set[Any] = set()
        self.seen_completed: set[Any] = set()
        self.waiting: set[str] = set()
        self.episodes: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.closed = False  # followed no longer: its task and event processes stop
        self.pending = 0  # task and event processes still running for this case

    def rng(self, *key: Any) -> random.Random:
        return random.Random(":".join(map(str, (self.sim.seed, self.log.index, *key))))

    def start(self, rng: random.Random) -> None:
        sim, model = self.sim, self.sim.model
        allowed = [r for r in model.starters if sim.profile.starters.get(r, 0) > 0] or list(model.starters[:1])
        weights = [sim.profile.starters.get(r, 1.0) for r in allowed]
        role = rng.choices(allowed, weights)[0] if allowed else None
        self.log.starter = role or ""
        instant = sim.instant()
        given = sim.decided(rng, sim.task_decisions(START_TASK, model.start_form), sim.profile.task(START_TASK).data)
        schema = model.schema(model.start_form)
        data = sim.filler.data(model.start_form or "", schema, given, instant, "start") if schema else given
        task = self.workflow.get_next_task(state=TaskState.READY)

        def begin() -> None:
            task.data.update(data)
            task.data.update(start_data(role, ACTOR))

        self.run.act(instant, begin)
        self.after_change()

    def finished(self) -> bool:
        return bool(self.workflow.completed)

    def advance(self, notify: bool = True) -> None:
        """Fire what fell due up to now; wake the case's own loop (a new timer may be due sooner)."""
        if self.run.advance_to(self.sim.instant()):
            self.after_change()
            if notify and not self.changed.triggered:
                self.changed.succeed()

    def act(self, action: Callable[[], None]) -> None:
        self.run.act(self.sim.instant(), action)
        self.after_change()
        if not self.changed.triggered:
            self.changed.succeed()

    def after_change(self) -> None:
        """Record milestones and documents, and set new tasks and awaited events going."""
        sim, tasks = self.sim, ws.all_tasks(self.workflow)
        for task_id, instant in self.run.completed_at.items():
            if task_id in self.seen_completed:
                continue
            self.seen_completed.add(task_id)
            task = self.workflow.get_task_from_id(task_id)
            milestone = ws.milestone_of(task.task_spec)
            if milestone:
                self.log.milestones.setdefault(milestone, []).append(sim.minute(instant))
        drop_finished(self.workflow)  # as the engine's save does: every later step would walk them
        tasks = ws.all_tasks(self.workflow)
        for ready in ws.ready_user_tasks(tasks):
            if ready.id not in self.seen_tasks:
                self.seen_tasks.add(ready.id)
                self.spawn(self.task(ready))
        waiting = set(ws.waiting_messages(self.workflow)) if not self.workflow.completed else set()
        for message in sorted(waiting - self.waiting):
            for event in sim.profile.events:
                if event.message == message:
                    self.spawn(self.event(event))
        self.waiting = waiting

    def spawn(self, steps: Generator[simpy.Event, Any, None]) -> None:
        self.pending += 1  # counted now: the process starts later in this instant
        self.sim.env.process(self.guarded(steps))

    def guarded(self, steps: Generator[simpy.Event, Any, None]) -> Generator[simpy.Event, Any, None]:
        """A task's or event's process: a failure of the model ends this case as an error, not the run."""
        try:
            yield from steps
        except TooLong:
            raise
        except ThvError as exc:
            self.fail(exc.message)
        except Exception as exc:  # noqa: BLE001 - a model that fails on synthetic data is a finding, not a crash
            self.fail(f"{exc.__class__.__name__}: {exc}")
        finally:
            self.pending -= 1
            if not self.closed and not self.changed.triggered:
                self.changed.succeed()  # the case's loop looks again whether anything can still happen

    def fail(self, message: str) -> None:
        if not self.closed:
            self.log.status, self.log.error = "error", message
            self.closing()

    def still_ready(self, ready: ws.ReadyUserTask, log: TaskLog) -> bool:
        """Bring the case to now (its timers) and say whether the task is still to be done; if not, log it closed."""
        self.advance()
        task = ws.find_task(self.workflow, UUID(ready.id))
        if task is None or task.state != TaskState.READY:
            log.closed = True
            return False
        return True

    def task(self, ready: ws.ReadyUserTask) -> Generator[simpy.Event, Any, None]:
        sim, facts = self.sim, self.sim.model.tasks.get(ready.element)
        role = ready.role or (facts.role if facts else "")
        number = self.counts[ready.element] = self.counts.get(ready.element, 0) + 1
        rng = self.rng(ready.element, number)
        own = sim.profile.task(ready.element)
        due = sim.minute(ready.due_at) if ready.due_at else None
        if due is None and ready.acute and ready.handling_term:
            due = sim.env.now + iso_minutes(ready.handling_term)
        phase = sim.profile.phase(ready.element, facts.phase if facts else None)
        log = TaskLog(ready.element, role, phase, sim.env.now, due)
        self.log.tasks.append(log)
        if rng.random() < own.never:
            return
        yield sim.env.timeout(own.delay.sample(rng))
        queued = sim.env.now
        resource = sim.resource(role)
        request = resource.request() if resource is not None else None
        if request is not None:
            yield request
        try:
            yield sim.env.timeout(sim.until_open(role))
            log.wait = sim.env.now - queued
            if self.closed:
                return
            if not self.still_ready(ready, log):
                return
            log.work = own.work.sample(rng)
            yield sim.env.timeout(log.work)
        finally:
            if request is not None and resource is not None:
                resource.release(request)
        if self.closed:
            return
        if not self.still_ready(ready, log):
            return
        schema = sim.model.schema(ready.form)
        given = sim.decided(rng, sim.task_decisions(ready.element, ready.form), own.data)
        refusal = ""
        for attempt in ({}, *own.retries):
            data = {**given, **attempt}
            if schema:
                data = sim.filler.data(ready.form or "", schema, data, sim.instant(), ready.element)
            refusal = self.complete(UUID(ready.id), data, bool(own.retries))
            if not refusal:
                break
        if refusal:
            raise InvalidInput(f"{ready.element}: het model weigert de gesimuleerde invoer: {refusal}")
        log.done = sim.env.now
        if facts is not None:
            self.log.documents.update(kind for kind, _ in facts.services)
            self.log.services += len(facts.services)

    def complete(self, task_id: UUID, data: dict[str, Any], retry: bool) -> str:
        """Complete a ready task; when a rule of the model refuses the data (``weiger``), the case is put
        back as it was, as a refused act is rolled back, and the refusal is returned. Only tasks the profile
        gives other data for, or whose own script may refuse, are saved first (a save costs about a ms)."""
        snapshot = dump_workflow(self.workflow) if retry or _may_refuse(self.workflow, task_id) else None

        def run() -> None:
            task = ws.find_task(self.workflow, task_id)
            assert task is not None
            task.set_data(**data)
            task.run()

        try:
            self.act(run)
        except SpiffWorkflowException as exc:
            refusal = _refusal(exc)
            if refusal is None or snapshot is None:
                raise
            self.workflow = load_workflow(snapshot, self.sim.model.model)
            self.run.workflow = self.workflow
            return str(refusal)
        return ""

    def event(self, event: Event) -> Generator[simpy.Event, Any, None]:
        sim = self.sim
        episode = self.episodes[event.name] = self.episodes.get(event.name, 0) + 1
        happened = 0
        while True:
            rng = self.rng(event.name, episode, happened)
            if rng.random() >= (event.share if happened == 0 else event.repeat):
                return
            yield sim.env.timeout(event.delay.sample(rng))
            if self.closed:
                return
            self.advance()
            if event.message not in self.waiting:
                return
            facts = sim.model.messages.get(event.message)
            form = facts.form if facts else None
            schema = sim.model.schema(form)
            decisions = [d for d in sim.profile.decisions if d.message == event.message]
            given = sim.decided(rng, decisions, event.data)
            data = sim.filler.data(form or "", schema, given, sim.instant(), event.message) if schema else given
            self.act(partial(self.workflow.send_event, BpmnEvent(MessageEventDefinition(event.message), payload=data)))
            self.log.messages[event.message] = self.log.messages.get(event.message, 0) + 1
            happened += 1

    def closing(self) -> None:
        self.closed = True
        self.sim.open_cases.discard(self)
        if self.log.status != "error":
            self.log.status = ws.case_status(self.workflow, ws.all_tasks(self.workflow))
        self.log.ended = self.sim.env.now
        if not self.changed.triggered:
            self.changed.succeed()  # no task or event process waits on a case that ended

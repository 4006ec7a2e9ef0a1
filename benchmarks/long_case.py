"""Completing a task early and late in a long case of the real baseline model (wth-basis).

The chain: toets, RIHG, decision, beschikking served, notices, help, an extension served,
then violations reported one after another (each a proces-verbaal and a ZSM decision), so
history piles up while the ban runs. Step 1 is the toets; step 14 is the first proces-verbaal
and step 30 the ninth: the same task in the same live structure, with eight violations more
history behind it.

Contenders per step, interleaved on cases prepared at the same state:
- engine, warm: the case's workflow is still in this process's cache (the next act by the
  same web worker);
- engine, cold: the cache is emptied first (the act lands on another worker);
- naive: SpiffWorkflow alone on the same state: deserialize the whole workflow with its spec,
  run the task, serialize it again (what an engine that stores one JSON document does).

Each prepared case lives in its own stretch of time (100 days apart, prepared latest first),
so advancing one case's clock never fires another case's timers.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from benchmarks.common import START, Progress, build_runtime, time_call_cpu
from engine.accounts.users import add_user
from engine.base.clock import FixedClock, engine_time
from engine.base.paths import FORMS_DIR
from engine.base.vocabulary import ROLES
from engine.cases import operations as cases
from engine.modeling.bundle import collect_bundle
from engine.modeling.legal_timers import SERIALIZER_CONFIG
from engine.modeling.registry import deploy_bundle
from engine.modeling.sandbox import script_engine
from engine.runtime import Runtime
from engine.storage.document_tables import Document, ServiceRecord
from engine.storage.tables import Case, CaseArchive, CaseEvent, HumanTask, User
from engine.workflow.case_store import open_workflow
from tests.processes import steps as chain
from tests.processes.scenario import PROCESSES, Scenario

VARIANT, REGION = "wth-basis", "basis"
SPAN = timedelta(days=100)  # each prepared case's own stretch of time
MEASURED_STEPS = (1, 14, 30)


class _Reached(Exception):
    """The chain stops just before the completion to be measured."""


class ChainCase(Scenario):
    """A scenario on a shared deployment, with its own clock, stopping before completion ``stop_at``."""

    def __init__(self, rt: Runtime, session: Session, users: dict[str, User], clock: FixedClock, stop_at: int):
        self.rt, self.session, self.variant, self.region = rt, session, VARIANT, REGION
        self.clock, self.users, self.case_id = clock, users, None
        self.stop_at, self.done = stop_at, 0
        self.next_act: tuple[str, dict[str, Any], str] | None = None  # (task id, data, role)

    def do(self, element: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        if self.done + 1 == self.stop_at:
            task = self.task(element)
            self.next_act = (task["id"], data or {}, task["role"])
            raise _Reached
        self.done += 1
        return super().do(element, data)


def run_chain(s: ChainCase) -> None:
    """The long baseline case, completion by completion (see the module docstring)."""
    s.start("politie", chain.MELDING)
    chain.impose(s, afnemer="hulpofficier", decider="hulpofficier")
    chain.serve_and_notify(s)
    chain.help_without_children(s)
    s.advance(timedelta(days=7, hours=12))
    chain.extend(s, 18)
    for number in range(1, 40):
        s.advance(timedelta(hours=6))
        chain.violation(s, number)
    raise AssertionError("the chain ended before the step to measure")


@dataclass
class Prepared:
    case_id: int
    clock: FixedClock
    task_id: str
    data: dict[str, Any]
    user: User


@dataclass
class LongCase:
    rt: Runtime
    users: dict[str, User]
    prepared: dict[int, list[Prepared]] = field(default_factory=dict)
    elements: dict[int, str] = field(default_factory=dict)


def prepare(url: str, samples: int, progress: Progress) -> LongCase:
    rt = build_runtime(url, forms_dir=FORMS_DIR)
    with rt.sessions() as session:
        deploy_bundle(
            session,
            rt.registry,
            collect_bundle(PROCESSES / VARIANT),
            region=REGION,
            variant=VARIANT,
            actor="bench",
            now=START,
        )
        users = {
            role.code: add_user(session, f"{role.code}.bench", [role.code], [REGION], password="bench-w8", now=START)[0]
            for role in ROLES
            if role.works_cases
        }
    long = LongCase(rt, users)
    slot = samples * len(MEASURED_STEPS)
    with rt.sessions() as session:
        for step in MEASURED_STEPS:
            long.prepared[step] = []
            for _ in range(samples):
                slot -= 1
                clock = FixedClock(START + slot * SPAN)
                s = ChainCase(rt, session, users, clock, stop_at=step)
                try:
                    run_chain(s)
                except _Reached:
                    pass
                assert s.next_act is not None and s.case_id is not None
                task_id, data, role = s.next_act
                long.prepared[step].append(Prepared(s.case_id, clock, task_id, data, users[role]))
                long.elements[step] = session.get(HumanTask, task_id).element
            progress(f"long case: {samples} cases ready before completion {step} ({long.elements[step]})")
    return long


def complete(long: LongCase, case: Prepared, *, warm: bool) -> float:
    """CPU seconds of one completion through the engine (load, run, save, commit, worklist, audit)."""
    rt = long.rt
    with rt.sessions() as session:
        if warm:
            _warm_up(session, long, case)
        else:
            rt.registry.workflows.forget(session.get_bind(), case.case_id)
        gc.collect()  # garbage left by earlier samples is not this sample's cost
        _, cpu = time_call_cpu(
            lambda: cases.complete_task(
                session, rt.registry, case.clock, task_id=case.task_id, data=case.data, user=case.user
            )
        )
    return cpu


def _warm_up(session: Session, long: LongCase, case: Prepared) -> None:
    """Make sure the case's workflow is in the cache, as after the previous act on this worker."""
    row = session.get(Case, case.case_id)
    session.refresh(row)
    cache = long.rt.registry.workflows
    kept = cache.take(session.get_bind(), row.id, row.lock_version, row.model_version_id)
    if kept is None:
        _, kept = open_workflow(session, long.rt.registry, row)
        session.rollback()
    cache.put(session.get_bind(), row.id, row.lock_version, row.model_version_id, kept)


class Naive:
    """The same state as one whole JSON document with its spec, as SpiffWorkflow saves it."""

    def __init__(self, long: LongCase, case: Prepared) -> None:
        with long.rt.sessions() as session:
            row = session.get(Case, case.case_id)
            _, workflow = open_workflow(session, long.rt.registry, row, whole=True)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))
        self.text = self.serializer.serialize_json(workflow)
        self.case = case

    def round_trip(self) -> str:
        workflow = self.serializer.deserialize_json(self.text)
        workflow.script_engine = script_engine()
        with engine_time(self.case.clock):
            task = workflow.get_task_from_id(UUID(self.case.task_id))
            task.set_data(**self.case.data)
            task.run()
            workflow.do_engine_steps()
        return self.serializer.serialize_json(workflow)


@dataclass
class LongResult:
    step: int
    element: str
    warm: list[float]
    cold: list[float]
    naive: list[float]
    hot_bytes: int
    whole_bytes: int
    hot_tasks: int  # tasks in the hot workflow (main process and live subprocesses)


def measure(long: LongCase, progress: Progress) -> list[LongResult]:
    results = []
    for step in MEASURED_STEPS:
        prepared = long.prepared[step]
        naive = Naive(long, prepared[0])
        with long.rt.sessions() as session:
            text = session.get(Case, prepared[0].case_id).workflow_json
        hot = orjson.loads(text)
        tasks = len(hot["tasks"]) + sum(len(part["tasks"]) for part in hot["subprocesses"].values())
        result = LongResult(step, long.elements[step], [], [], [], len(text), len(naive.text), tasks)
        # Half the cases completed warm, half cold; the naive round trip between them.
        for i, case in enumerate(prepared):
            gc.collect()
            result.naive.append(time_call_cpu(naive.round_trip)[1])
            (result.warm if i % 2 == 0 else result.cold).append(complete(long, case, warm=i % 2 == 0))
        progress(f"long case: measured completion {step} ({result.element})")
        results.append(result)
    return results


@dataclass(frozen=True)
class StoredBytes:
    cases: int
    workflow: int  # hot workflow text, as stored (compressed)
    replay: int  # the state kept for a late-recorded act
    archive: int  # finished subprocesses
    events: int
    documents: int  # rendered documents (PDF) and their service records

    @property
    def case_state(self) -> int:
        """What the engine keeps of the case itself (documents are the law's, kept as made)."""
        return self.workflow + self.replay + self.archive + self.events


def stored_bytes(long: LongCase, step: int) -> StoredBytes:
    """Bytes per case stored for the cases completed at ``step``, as stored (workflow and archive compressed)."""
    ids = [p.case_id for p in long.prepared[step]]
    with long.rt.sessions() as session:

        def total(column: Any, where: Any) -> int:
            return int(session.scalar(select(func.coalesce(func.sum(func.length(column)), 0)).where(where)) or 0)

        n = len(ids)
        return StoredBytes(
            n,
            total(Case.workflow_json, Case.id.in_(ids)) // n,
            total(Case.replay_json, Case.id.in_(ids)) // n,
            total(CaseArchive.workflow_json, CaseArchive.case_id.in_(ids)) // n,
            (total(CaseEvent.detail, CaseEvent.case_id.in_(ids)) + 120 * _count(session, CaseEvent, ids)) // n,
            (
                total(Document.html, Document.case_id.in_(ids))
                + total(Document.pdf, Document.case_id.in_(ids))
                + 200 * _count(session, ServiceRecord, ids)
            )
            // n,
        )


def _count(session: Session, table: Any, ids: list[int]) -> int:
    return int(session.scalar(select(func.count()).select_from(table).where(table.case_id.in_(ids))) or 0)

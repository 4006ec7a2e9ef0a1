"""Completing one user task: the engine (per database) versus the naive SpiffWorkflow round trip.

Why side by side and interleaved: disk and CPU speed drift during a run (other
processes, fsync latency), so each sample of the engine is followed by a sample of
every other contender on the same step. Every sample uses its own case prepared at
the same state, because completing a task changes the case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import text

from benchmarks.common import (
    STEPS,
    Progress,
    add_users,
    build_runtime,
    deploy_sample,
    drive_case,
    ready_task,
    time_call,
    time_call_cpu,
)
from engine.base.clock import engine_time
from engine.cases import operations as cases
from engine.modeling.legal_timers import SERIALIZER_CONFIG
from engine.modeling.sandbox import script_engine
from engine.modeling.serialization import load_workflow
from engine.runtime import Runtime
from engine.storage.tables import Case, User


@dataclass
class Backend:
    """One database with the sample model deployed and cases waiting at each step."""

    name: str
    rt: Runtime
    users: dict[str, User]
    prepared: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # step -> [(case, task)]


def prepare_backend(name: str, url: str, steps: list[int], samples: int, progress: Progress) -> Backend:
    """Build a fresh database and ``samples`` cases waiting at each of ``steps``."""
    rt = build_runtime(url)
    deploy_sample(rt)
    backend = Backend(name, rt, add_users(rt))
    with rt.sessions() as session:
        for step in steps:
            backend.prepared[step] = [drive_case(rt, session, backend.users, step) for _ in range(samples)]
            progress(f"{name}: {samples} cases ready at {STEPS[step].element}")
    return backend


def complete(backend: Backend, step: int, case_task: tuple[int, str]) -> tuple[float, float]:
    """Wall and CPU time of one cases.operations.complete_task call (load, run, save, commit, worklist, audit)."""
    spec = STEPS[step]
    rt = backend.rt
    with rt.sessions() as session:
        return time_call_cpu(
            lambda: cases.complete_task(
                session, rt.registry, rt.clock, task_id=case_task[1], data=spec.data, user=backend.users[spec.user]
            )
        )


def check_engine_result(backend: Backend, step: int, case_id: int) -> None:
    """The measured call really moved the case on: the next task is ready, or the case waits on its timer."""
    with backend.rt.sessions() as session:
        task = ready_task(session, case_id)
        case = session.get(Case, case_id)
        if step + 1 < len(STEPS):
            assert task is not None and task["element"] == STEPS[step + 1].element, (backend.name, case_id, task)
        else:
            assert task is None and case.next_timer_at is not None, (backend.name, case_id, task)


class NaiveRoundTrip:
    """SpiffWorkflow used directly: deserialize a full JSON (spec embedded), run the task, serialize.

    Same model, same state, same data and the same sandboxed script engine as the
    engine; only the storage design differs.
    """

    def __init__(self, backend: Backend, step: int) -> None:
        case_id, task_id = backend.prepared[step][0]
        rt = backend.rt
        with rt.sessions() as session:
            case = session.get(Case, case_id)
            workflow = load_workflow(case.workflow_json, rt.registry.model(session, case.model_version_id))
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))
        self.text = self.serializer.serialize_json(workflow)
        self.spec_free_size = len(case.workflow_json)
        self.task_id = UUID(task_id)
        self.step = step
        self.clock = rt.clock

    def run_step(self, workflow: BpmnWorkflow) -> None:
        with engine_time(self.clock):
            task = workflow.get_task_from_id(self.task_id)
            task.set_data(**STEPS[self.step].data)
            task.run()
            workflow.do_engine_steps()

    def load(self) -> BpmnWorkflow:
        workflow = self.serializer.deserialize_json(self.text)
        workflow.script_engine = script_engine()
        return workflow

    def round_trip(self) -> str:
        workflow = self.load()
        self.run_step(workflow)
        return self.serializer.serialize_json(workflow)

    def check(self) -> None:
        workflow = self.serializer.deserialize_json(self.round_trip())
        ready = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY, manual=True)]
        expected = [STEPS[self.step + 1].element] if self.step + 1 < len(STEPS) else []
        assert ready == expected, (self.step, ready)


@dataclass
class StepResult:
    element: str
    engine: dict[str, list[float]]  # backend name -> samples (s)
    naive: list[float]
    json_sizes: tuple[int, int]  # (spec-free engine JSON, full SpiffWorkflow JSON)
    engine_cpu: dict[str, list[float]] = field(default_factory=dict)
    naive_cpu: list[float] = field(default_factory=list)


def measure(backends: list[Backend], steps: list[int], samples: int, progress: Progress) -> list[StepResult]:
    """Interleave engine samples on every backend with naive samples, step by step."""
    results = []
    for step in steps:
        naive = NaiveRoundTrip(backends[0], step)
        naive.check()
        result = StepResult(
            STEPS[step].element,
            {b.name: [] for b in backends},
            [],
            (naive.spec_free_size, len(naive.text)),
            {b.name: [] for b in backends},
        )
        contenders = [*backends, None]  # None is the naive round trip
        for i in range(samples):
            shift = i % len(contenders)  # rotate the order so no contender always runs first
            for contender in contenders[shift:] + contenders[:shift]:
                if contender is None:
                    wall, cpu = time_call_cpu(naive.round_trip)
                    result.naive.append(wall)
                    result.naive_cpu.append(cpu)
                else:
                    wall, cpu = complete(contender, step, contender.prepared[step][i])
                    result.engine[contender.name].append(wall)
                    result.engine_cpu[contender.name].append(cpu)
        for backend in backends:
            check_engine_result(backend, step, backend.prepared[step][0][0])
            check_engine_result(backend, step, backend.prepared[step][-1][0])
        progress(f"measured {STEPS[step].element}: {samples} samples per contender")
        results.append(result)
    return results


def commit_floor(backend: Backend, samples: int) -> list[float]:
    """One-row UPDATE plus COMMIT in a fresh session: the storage cost any durable step pays."""
    rt = backend.rt
    case_id = backend.prepared[next(iter(backend.prepared))][0][0]

    def one() -> None:
        with rt.sessions() as session:
            session.execute(text("UPDATE thv_case SET error = NULL WHERE id = :id"), {"id": case_id})
            session.commit()

    return [time_call(one) for _ in range(samples)]


def postgres_url_or_reason(progress: Progress) -> tuple[object | None, str | None, str | None]:
    """Start a throwaway PostgreSQL server (tests/pg_server.py); returns (server, url, skip reason)."""
    try:
        from tests import pg_server
    except ImportError as exc:  # pragma: no cover - the tests package ships with the repository
        return None, None, f"tests/pg_server.py not importable: {exc}"
    if not pg_server.available():
        return None, None, "PostgreSQL binaries (initdb, pg_ctl) not installed; run `make postgres`"
    from sqlalchemy import create_engine

    server = pg_server.PostgresServer()
    try:
        admin = create_engine(server.start(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE thv_bench"))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - a server that will not start is a skip, not a crash
        try:
            server.stop()
        except Exception:  # noqa: BLE001 - pg_ctl stop fails when initdb never ran
            pass
        return None, None, f"PostgreSQL did not start: {exc}"
    progress("PostgreSQL started (temporary server, unix socket; fsync=off, synchronous_commit=off)")
    return server, server.url("thv_bench"), None

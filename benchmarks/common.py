"""Shared pieces of the benchmarks: timing, tables, targets, and a runtime with the sample model.

The sample process is driven exactly as tests/engine/test_case_flow.py drives it,
so the benchmarks measure the code paths the tests prove correct.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.accounts.users import add_user
from engine.base.clock import FixedClock
from engine.cases import operations as cases
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import ModelRegistry, deploy_bundle
from engine.runtime import Runtime
from engine.storage.db import make_engine, make_session_factory
from engine.storage.tables import Base, User
from engine.workflow import worklist

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SAMPLE_BUNDLE = FIXTURES / "bundles" / "sample"
TEST_FORMS = FIXTURES / "forms"
START = datetime(2026, 2, 2, 20, 15, tzinfo=UTC)  # 21:15 in Amsterdam, as in the tests
REGION = "basis"
PASSWORD = "bench-wachtwoord"


@dataclass(frozen=True)
class Step:
    """One user task of the sample process: who completes it and with what form data."""

    element: str
    user: str
    data: dict[str, Any]


STEPS: tuple[Step, ...] = (
    Step("Task_verzoek", "pol", {"naam": "A", "ernst": 4}),
    Step("Task_besluit", "bm", {"besluit": "opleggen"}),
    Step("Task_check", "hovj", {"akkoord": True}),
)
USERS: dict[str, tuple[list[str], list[str]]] = {
    "pol": (["politie"], [REGION]),
    "bm": (["burgemeester"], [REGION]),
    "hovj": (["hulpofficier"], [REGION]),
}


class Progress:
    """Progress lines with the elapsed time, so a slow phase is visible while it runs."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.1f}s] {message}", flush=True)

    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@dataclass
class Target:
    """A stated performance target and whether this run met it."""

    name: str
    measured: float
    limit: float
    unit: str = "x"
    note: str = ""

    at_least: bool = False  # the limit is a floor (throughput), not a ceiling

    @property
    def met(self) -> bool:
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit


@dataclass
class Report:
    """Everything the final summary prints: targets plus free-form notes."""

    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def median_ms(samples: Sequence[float]) -> float:
    """Median of samples given in seconds, in milliseconds."""
    return statistics.median(samples) * 1000.0


def time_call(fn: Callable[[], Any]) -> float:
    """Wall time of one call in seconds."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def time_call_cpu(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall time and this process's CPU time of one call, in seconds.

    CPU time leaves out waiting (for the disk, a database server, or other
    processes on a busy machine), which tells a slow machine from a slow design.
    """
    cpu, start = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def machine_load() -> str:
    """The 1-minute load average against the CPU count, with a warning when others compete for the CPUs."""
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    busy = " - BUSY: other processes compete, wall times are inflated" if load > 0.75 * cpus else ""
    return f"load average {load:.2f} on {cpus} CPUs{busy}"


def format_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain-text table: first column left-aligned, the rest right-aligned."""
    text_rows = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text_rows)) if text_rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in text_rows)])


def print_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    print(f"\n{title}\n{format_table(headers, rows)}\n", flush=True)


def build_runtime(url: str, forms_dir: Path = TEST_FORMS) -> Runtime:
    """A runtime like the tests build: fresh schema, fixed clock, test forms.

    The workflow cache holds every case a benchmark prepares, so whether a completion finds
    its case there is the benchmark's choice (it empties the cache for a cold one).
    """
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    return Runtime(
        engine=engine,
        sessions=make_session_factory(engine),
        registry=ModelRegistry(forms_dir, workflow_cache_size=100_000),
        clock=FixedClock(START),
        url=url,
        mode="test",
    )


def deploy_sample(rt: Runtime) -> int:
    """Deploy the sample bundle to the benchmark region; returns the model version id."""
    with rt.sessions() as session:
        version = deploy_bundle(
            session,
            rt.registry,
            collect_bundle(SAMPLE_BUNDLE),
            region=REGION,
            variant="sample",
            actor="bench",
            now=rt.clock.now(),
        ).version
        return version.id


def add_users(rt: Runtime, specs: dict[str, tuple[list[str], list[str]]] = USERS) -> dict[str, User]:
    with rt.sessions() as session:
        return {
            name: add_user(session, name, roles, regions, password=PASSWORD, now=rt.clock.now())[0]
            for name, (roles, regions) in specs.items()
        }


def ready_task(session: Session, case_id: int) -> dict[str, Any] | None:
    """The single open task of a sample case (the sample process never has two)."""
    tasks = worklist.list_tasks(session, case_id=case_id)
    if len(tasks) > 1:
        raise AssertionError(f"case {case_id} has {len(tasks)} open tasks")
    return tasks[0] if tasks else None


def drive_case(rt: Runtime, session: Session, users: dict[str, User], steps_done: int) -> tuple[int, str | None]:
    """Start a sample case and complete its first ``steps_done`` tasks through the engine.

    Returns the case id and the id of the task that is then ready (None after the last step).
    """
    case_id = cases.start_case(session, rt.registry, rt.clock, region=REGION, user=users["pol"])
    for step in STEPS[:steps_done]:
        task = ready_task(session, case_id)
        if task is None or task["element"] != step.element:
            raise AssertionError(f"case {case_id}: expected {step.element}, found {task}")
        cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data=step.data, user=users[step.user])
    task = ready_task(session, case_id)
    if steps_done < len(STEPS):
        if task is None or task["element"] != STEPS[steps_done].element:
            raise AssertionError(f"case {case_id}: expected {STEPS[steps_done].element}, found {task}")
        return case_id, task["id"]
    return case_id, None


def pass_miss(met: bool) -> str:
    return "PASS" if met else "MISS"

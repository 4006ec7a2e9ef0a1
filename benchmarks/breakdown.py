"""Where the time of one complete_task goes, next to the phases of the naive round trip.

Why: a ratio alone does not say what to fix. This pass wraps the engine's phase
functions in timers for its own samples only (the headline numbers are measured
without any wrapper) and counts the SQL statements per call.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

import engine.cases.operations as engine_cases
import engine.workflow.case_store as case_store
from benchmarks.common import time_call
from benchmarks.complete_task import Backend, NaiveRoundTrip, complete

# (label, owner object, attribute); measured as the wall time spent inside the call.
_ENGINE_PHASES: list[tuple[str, Any, str]] = [
    ("SELECT task row (session.get)", Session, "get"),
    ("lock case (SELECT ... FOR UPDATE)", engine_cases, "lock_case"),
    ("re-read task row (session.refresh)", Session, "refresh"),
    ("load workflow, spec-free JSON", engine_cases, "open_workflow"),
    ("validate form data", engine_cases, "validate_form_data"),
    ("save: dump spec-free JSON", case_store, "dump_workflow"),
    ("save: derived columns, audit, worklist SQL", engine_cases, "save_case"),
    ("commit (flush + COMMIT)", Session, "commit"),
]


@contextmanager
def _phase_timers(spent: dict[str, float]) -> Iterator[None]:
    """Temporarily replace each phase function by a timing wrapper; always restore."""
    originals = [(owner, attr, getattr(owner, attr)) for _, owner, attr in _ENGINE_PHASES]

    def wrap(label: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - start

        return timed

    try:
        for (label, _, _), (owner, attr, fn) in zip(_ENGINE_PHASES, originals):
            setattr(owner, attr, wrap(label, fn))
        yield
    finally:
        for owner, attr, fn in originals:
            setattr(owner, attr, fn)


def engine_phases(
    backend: Backend, step: int, cases_at_step: list[tuple[int, str]]
) -> tuple[list[tuple[str, float]], float]:
    """Median ms per phase over the given cases, plus SQL statements per call."""
    per_phase: dict[str, list[float]] = defaultdict(list)
    statements = [0]

    def count(*_args) -> None:
        statements[0] += 1

    event.listen(backend.rt.engine, "before_cursor_execute", count)
    try:
        for case_task in cases_at_step:
            spent: dict[str, float] = defaultdict(float)
            with _phase_timers(spent):
                total = complete(backend, step, case_task)[0]
            # save_case includes the dump; report the dump on its own line.
            spent["save: derived columns, audit, worklist SQL"] -= spent["save: dump spec-free JSON"]
            for label, _, _ in _ENGINE_PHASES:
                per_phase[label].append(spent[label])
            per_phase["run task + engine steps, bookkeeping (rest)"].append(total - sum(spent.values()))
            per_phase["total"].append(total)
    finally:
        event.remove(backend.rt.engine, "before_cursor_execute", count)
    rows = [(label, statistics.median(values) * 1000) for label, values in per_phase.items()]
    return rows, statements[0] / max(len(cases_at_step), 1)


def naive_phases(naive: NaiveRoundTrip, samples: int) -> list[tuple[str, float]]:
    """Median ms of deserialize_json, run, serialize_json of the naive round trip."""
    loads, runs, dumps = [], [], []
    for _ in range(samples):
        start = time.perf_counter()
        workflow = naive.load()
        loads.append(time.perf_counter() - start)
        runs.append(time_call(lambda w=workflow: naive.run_step(w)))
        dumps.append(time_call(lambda w=workflow: naive.serializer.serialize_json(w)))
    return [
        ("deserialize_json (spec embedded)", statistics.median(loads) * 1000),
        ("task.run + do_engine_steps", statistics.median(runs) * 1000),
        ("serialize_json (spec embedded)", statistics.median(dumps) * 1000),
    ]

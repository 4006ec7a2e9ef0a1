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
import engine.workflow.acts as acts
import engine.workflow.case_store as case_store
from benchmarks.common import time_call
from benchmarks.complete_task import Backend, NaiveRoundTrip, complete
from engine.workflow.case_time import CaseRun

# (label, owner object, attribute), patched where complete_task's call path looks the name up;
# measured as the wall time spent inside the call. Nested phases are subtracted from the phase
# around them (_NESTED), so the lines add up to the total.
_ENGINE_PHASES: list[tuple[str, Any, str]] = [
    ("lock task and case (SELECT ... FOR UPDATE)", engine_cases, "lock_task"),
    ("validate form data", engine_cases, "validate_form_data"),
    ("load workflow (kept in memory, or its text)", acts, "open_workflow"),
    ("run the act + engine steps", CaseRun, "act"),
    ("save: dump workflow text", case_store, "dump_workflow"),
    ("save: worklist rows (autoflush of the case row)", case_store, "_sync_worklist"),
    ("save: case row, events, processing log", engine_cases, "save_case"),
    ("fire due timers (finish_act)", engine_cases, "finish_act"),
    ("commit (flush + COMMIT)", Session, "commit"),
]
_SAVE = "save: case row, events, processing log"
_NESTED = {_SAVE: ("save: dump workflow text", "save: worklist rows (autoflush of the case row)")}


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
            for outer, inner in _NESTED.items():
                spent[outer] -= sum(spent[label] for label in inner)
            for label, _, _ in _ENGINE_PHASES:
                per_phase[label].append(spent[label])
            per_phase["rest: model, instant, bookkeeping"].append(total - sum(spent.values()))
            per_phase["total"].append(total)
    finally:
        event.remove(backend.rt.engine, "before_cursor_execute", count)
    never = [label for label, _, _ in _ENGINE_PHASES if not any(per_phase[label])]
    if never:  # a renamed function: its line would read 0.000 and its time would hide in the rest
        raise RuntimeError(f"breakdown out of date, these phases never ran: {never}")
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

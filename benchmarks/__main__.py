"""`make bench`: measure, print tables with medians and ratios, then a PASS/MISS summary.

A MISS is a finding, not a failure: the exit code is 0 unless something crashed,
so the numbers are always printed in full.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from benchmarks import cluster_load, long_case, worklist_page
from benchmarks.common import (
    STEPS,
    Progress,
    Report,
    machine_load,
    median_ms,
)
from benchmarks.complete_task import (
    Backend,
    commit_floor,
    measure,
    postgres_url_or_reason,
    prepare_backend,
)
from benchmarks.reports import (
    report_breakdown,
    report_cluster_load,
    report_complete_task,
    report_long_case,
    report_scale,
    report_summary,
    report_worklist_pages,
)
from benchmarks.scale import run_scale
from benchmarks.simulation import report_simulation, run_simulation


@dataclass(frozen=True)
class Settings:
    samples: int  # complete_task samples per step and contender
    breakdown_samples: int
    floor_samples: int
    scales: tuple[int, int]
    sweep_reps: int
    query_samples: int
    long_samples: int  # cases per measured step of the long baseline case (half warm, half cold)
    simulated_cases: int  # per variant, for the simulation of the variants (issue 18)
    load_cases: int  # cases through gunicorn on PostgreSQL (two or three completions each)


FULL = Settings(
    samples=200,
    breakdown_samples=100,
    floor_samples=100,
    scales=(1_000, 100_000),
    sweep_reps=15,
    query_samples=200,
    long_samples=40,
    simulated_cases=1_000,
    load_cases=500,
)
QUICK = Settings(
    samples=30,
    breakdown_samples=20,
    floor_samples=20,
    scales=(1_000, 10_000),
    sweep_reps=3,
    query_samples=30,
    long_samples=8,
    simulated_cases=100,
    load_cases=150,
)


def _header(settings: Settings) -> None:
    print("THV case engine benchmarks")
    print(
        f"python {platform.python_version()}, SpiffWorkflow {version('SpiffWorkflow')}, "
        f"SQLAlchemy {version('SQLAlchemy')}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}"
    )
    print(f"settings: {settings}")
    print(f"at start: {machine_load()}\n", flush=True)


def run(settings: Settings, use_postgres: bool) -> None:
    progress = Progress()
    report = Report()
    _header(settings)
    steps = list(range(len(STEPS)))
    with tempfile.TemporaryDirectory(prefix="thv-bench-") as tmp:
        server = None
        backends: list[Backend] = []
        try:
            backends.append(
                prepare_backend("SQLite", f"sqlite:///{tmp}/complete.sqlite", steps, settings.samples, progress)
            )
            reason = "disabled with --no-postgres"
            if use_postgres:
                server, url, reason = postgres_url_or_reason(progress)
                if url:
                    backends.append(prepare_backend("PostgreSQL", url, steps, settings.samples, progress))
            if len(backends) == 1:
                print(f"\nnote: PostgreSQL comparison skipped: {reason}", flush=True)
                report.notes.append(f"PostgreSQL comparison skipped: {reason}")
            results = measure(backends, steps, settings.samples, progress)
            floors = {b.name: commit_floor(b, settings.floor_samples) for b in backends}
            report_complete_task(results, backends, floors, report)
            engine_ms = median_ms([s for r in results for s in r.engine[backends[0].name]])
            report_breakdown(backends, settings.breakdown_samples, progress)
            long = long_case.prepare(f"sqlite:///{tmp}/long.sqlite", settings.long_samples, progress)
            long_results = long_case.measure(long, progress)
            report_long_case(long_results, long_case.stored_bytes(long, long_case.MEASURED_STEPS[-1]), report)
            long.rt.engine.dispose()
            # The workflows these phases kept in memory would slow the later measurements (the collector scans them).
            long.rt.registry.workflows.clear()
            for backend in backends:
                backend.rt.registry.workflows.clear()
            del long, long_results
            gc.collect()
            if server is not None:
                load = cluster_load.run_cluster_load(server, Path(tmp), settings.load_cases, 8, progress)
                report_cluster_load(load, report)
            else:
                report.notes.append(f"gunicorn on PostgreSQL (completions per CPU-second, timer lag) skipped: {reason}")
        finally:
            for backend in backends:
                backend.rt.engine.dispose()
            if server is not None:
                server.stop()
                progress("PostgreSQL stopped")
        report_worklist_pages(worklist_page.run_worklist_pages(Path(tmp), settings.query_samples, progress), report)
        points = run_scale(Path(tmp), settings.scales, settings.sweep_reps, settings.query_samples, progress)
        report_scale(points, report)
    report_simulation(run_simulation(settings.simulated_cases, progress), engine_ms, report)
    report_summary(report, progress)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few samples, 1k vs 10k cases (a smoke run)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL comparison")
    args = parser.parse_args(argv)
    run(QUICK if args.quick else FULL, use_postgres=not args.no_postgres)
    return 0


if __name__ == "__main__":
    sys.exit(main())

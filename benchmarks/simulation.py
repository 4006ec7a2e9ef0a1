"""Issue 18, item 3: simulating 1,000 cases of every variant (5,000 cases) within 5 minutes on two cores.

The variants run in two processes (``workers=2``), as ``thv simulate --workers 2`` does. Reported: the
seconds, cases per second, and the cost of one simulated task completion against the engine's own
task-completion cost measured in section 1 (the ratio says what the in-memory run saves per act).
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.common import Progress, Report, Target, print_table
from engine.simulation.model_facts import shipped_variants
from engine.simulation.service import simulate

SIMULATION_TARGET_S = 300.0


@dataclass(frozen=True)
class SimulationPoint:
    cases: int  # per variant
    variants: int
    seconds: float
    completions: int
    per_variant: dict[str, int]  # completions per variant


def run_simulation(cases: int, progress: Progress) -> SimulationPoint:
    variants = shipped_variants()
    result = simulate(region="basis", variants=variants, cases=cases, seed=1, workers=2)
    per_variant = {v.variant: v.completions for v in result.variants}
    progress(f"simulation: {cases} cases of {len(variants)} variants in {result.seconds:.1f} s")
    return SimulationPoint(cases, len(result.variants), result.seconds, sum(per_variant.values()), per_variant)


def report_simulation(point: SimulationPoint, engine_ms: float, report: Report) -> None:
    total = point.cases * point.variants
    per_completion_ms = point.seconds * 1000 / point.completions if point.completions else 0.0
    print_table(
        f"7. Simulation: {point.cases:,} cases of each of {point.variants} variants, 2 processes, in memory",
        ["cases", "seconds", "cases/s", "completions", "ms per completion", "engine complete ms", "ratio"],
        [
            [
                f"{total:,}",
                f"{point.seconds:.1f}",
                f"{total / point.seconds:.1f}",
                f"{point.completions:,}",
                f"{per_completion_ms:.2f}",
                f"{engine_ms:.2f}",
                f"{per_completion_ms / engine_ms:.2f}x" if engine_ms else "-",
            ]
        ],
    )
    scaled = point.seconds * 1000 / point.cases  # as if 1,000 cases of every variant
    report.targets.append(
        Target(
            "simulation: 1,000 cases of every variant (5,000)",
            scaled,
            SIMULATION_TARGET_S,
            unit=" s",
            note=f"{total / point.seconds:.1f} cases/s; a simulated completion costs "
            f"{per_completion_ms:.2f} ms of wall time ({per_completion_ms / engine_ms:.2f}x the engine's complete_task)"
            + ("" if point.cases == 1000 else f"; measured on {point.cases:,} cases per variant, scaled"),
        )
    )

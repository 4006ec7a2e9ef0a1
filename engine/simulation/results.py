"""The figures of a simulated variant, from its case logs: what a region would see in a year.

Every figure is a list of typed rows (the keys are the CSV columns), so the page, the JSON of
``thv simulate --json`` and the CSV download show the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypedDict

from engine.design.dashboard import COUNTED_MILESTONES, INTERVALS, percentile
from engine.simulation.case_log import CaseLog
from engine.simulation.profile import PHASES, Profile

BAN_START, BAN_ENDS = INTERVALS["imposition_to_end"][0][0], INTERVALS["imposition_to_end"][1]


class YearRow(TypedDict):
    variant: str
    figure: str  # started, or a key of the dashboard's COUNTED_MILESTONES
    share: float  # of the simulated cases
    per_year: float  # at the region's yearly volume


class HoursRow(TypedDict):
    variant: str
    role: str
    tasks_per_case: float
    hours_per_100_cases: float
    hours_per_year: float
    fte_needed: float  # at the profile's productive hours per FTE
    capacity: int  # as the profile gives it (0: no limit)
    wait_p90_hours: float | None  # queued for capacity and hours


class PhaseRow(TypedDict):
    variant: str
    phase: str
    cases: int
    median_hours: float | None
    p90_hours: float | None


class DeadlineRow(TypedDict):
    variant: str
    element: str
    role: str
    with_deadline: int
    missed: int
    missed_share: float


class CaseRow(TypedDict):
    variant: str
    figure: str  # ban_days, share_extended, documents_per_case, services_per_case, request_to_decision_hours
    n: int
    value: float | None  # the mean (a share for share_extended)
    median: float | None
    p90: float | None


@dataclass
class VariantResult:
    variant: str
    source: str
    cases: int
    statuses: dict[str, int]
    errors: list[str]  # the first distinct model refusals or failures (a profile or model to fix)
    completions: int  # user tasks completed in all cases (for the cost per completion)
    per_year: list[YearRow] = field(default_factory=list)
    hours: list[HoursRow] = field(default_factory=list)
    phases: list[PhaseRow] = field(default_factory=list)
    deadlines: list[DeadlineRow] = field(default_factory=list)
    per_case: list[CaseRow] = field(default_factory=list)


def _spread(values: list[float]) -> tuple[float | None, float | None]:
    ordered = sorted(values)
    if not ordered:
        return None, None
    return round(percentile(ordered, 0.5), 2), round(percentile(ordered, 0.9), 2)


def _case_row(variant: str, figure: str, values: list[float]) -> CaseRow:
    median, p90 = _spread(values)
    mean = round(sum(values) / len(values), 3) if values else None
    return {"variant": variant, "figure": figure, "n": len(values), "value": mean, "median": median, "p90": p90}


def ban_days(log: CaseLog) -> float | None:
    """Days from the imposition to the ban's end (expired, withdrawn, suspended or annulled by the court)."""
    start = log.first(BAN_START)
    if start is None:
        return None
    ends = [at for name in BAN_ENDS for at in log.milestones.get(name, []) if at >= start]
    return (min(ends) - start) / 1440 if ends else None


def phase_spans(log: CaseLog) -> dict[str, float]:
    """Per phase: the minutes during which a task of the phase was open (ready, not yet done).

    Overlapping tasks count once; the time between two rounds (a new request during monitoring)
    does not count, so a second ban months later does not stretch the first one's phases.
    """
    intervals: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for task in log.tasks:
        if task.done is not None:
            intervals[task.phase].append((task.ready, task.done))
    spans = {}
    for phase, pairs in intervals.items():
        total, end = 0.0, float("-inf")
        for low, high in sorted(pairs):
            if high > end:
                total += high - max(low, end)
                end = high
        spans[phase] = total
    return spans


def summarise(variant: str, source: str, logs: list[CaseLog], profile: Profile) -> VariantResult:
    n = len(logs) or 1
    statuses: dict[str, int] = defaultdict(int)
    errors: list[str] = []
    for log in logs:
        statuses[log.status] += 1
        if log.error and log.error not in errors and len(errors) < 5:
            errors.append(log.error)
    done = sum(task.done is not None for log in logs for task in log.tasks)
    result = VariantResult(variant, source, len(logs), dict(sorted(statuses.items())), errors, done)
    result.per_year.append({"variant": variant, "figure": "started", "share": 1.0, "per_year": profile.volume})
    for key, milestone in COUNTED_MILESTONES.items():
        share = sum(log.reached(milestone) for log in logs) / n
        result.per_year.append(
            {"variant": variant, "figure": key, "share": round(share, 4), "per_year": round(share * profile.volume, 1)}
        )
    _hours(result, logs, profile)
    for phase in PHASES:
        spans = [s[phase] / 60 for s in map(phase_spans, logs) if phase in s]
        median, p90 = _spread(spans)
        result.phases.append(
            {"variant": variant, "phase": phase, "cases": len(spans), "median_hours": median, "p90_hours": p90}
        )
    due: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for log in logs:
        for task in log.tasks:
            if task.due is not None:
                due[(task.element, task.role)][0] += 1
                due[(task.element, task.role)][1] += task.missed
    for (element, role), (count, missed) in sorted(due.items()):
        result.deadlines.append(
            {
                "variant": variant,
                "element": element,
                "role": role,
                "with_deadline": count,
                "missed": missed,
                "missed_share": round(missed / count, 4),
            }
        )
    imposed = [log for log in logs if log.reached(BAN_START)]
    extended = [1.0 if log.reached(COUNTED_MILESTONES["extended"]) else 0.0 for log in imposed]
    decisions = [
        (end - start) / 60
        for log in logs
        if (start := log.first(*INTERVALS["request_to_decision"][0])) is not None
        and (end := log.first(*INTERVALS["request_to_decision"][1])) is not None
    ]
    result.per_case = [
        _case_row(variant, "ban_days", [d for d in map(ban_days, logs) if d is not None]),
        _case_row(variant, "share_extended", extended),
        _case_row(variant, "request_to_decision_hours", decisions),
        _case_row(variant, "documents_per_case", [float(len(log.documents)) for log in logs]),
        _case_row(variant, "services_per_case", [float(log.services) for log in logs]),
    ]
    return result


def _hours(result: VariantResult, logs: list[CaseLog], profile: Profile) -> None:
    n = len(logs) or 1
    work: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    waits: dict[str, list[float]] = defaultdict(list)
    for log in logs:
        for task in log.tasks:
            work[task.role] += task.work
            count[task.role] += 1
            if task.done is not None:
                waits[task.role].append(task.wait / 60)
    for role in sorted(work):
        per_case = work[role] / 60 / n
        _, wait_p90 = _spread(waits[role])
        result.hours.append(
            {
                "variant": result.variant,
                "role": role,
                "tasks_per_case": round(count[role] / n, 2),
                "hours_per_100_cases": round(per_case * 100, 1),
                "hours_per_year": round(per_case * profile.volume, 1),
                "fte_needed": round(per_case * profile.volume / profile.fte_hours, 2),
                "capacity": profile.organisation(role).capacity,
                "wait_p90_hours": wait_p90,
            }
        )

"""Comparison figures per region and variant over a period [start, end), for the pilot dashboard.

Everything is SQL on ``thv_case``, ``case_event`` (milestones) and ``human_task``;
no case is deserialised. Only percentiles are computed in Python, from the
durations a query returns, because SQLite and PostgreSQL share no percentile
function. Each figure is a list of rows (the TypedDicts of ``engine.design.read_models``,
whose keys are the figure's ``COLUMNS``) and can be downloaded as CSV.

Period rules: cases count as started when ``started_at`` is in the period;
milestones and completed tasks when they happened in the period; a duration
counts when its end milestone is in the period; open tasks are those open at
the end of the period (or now), after what happened at that instant.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from engine.base.clock import dutch_midnight, parse_instant
from engine.base.errors import InvalidInput
from engine.base.vocabulary import Action
from engine.design.read_models import (
    CountsRow,
    Dashboard,
    DeadlinesRow,
    DurationsRow,
    FigureName,
    FigureRow,
    Spread,
    WorkloadRow,
)
from engine.modeling.versions import check_region
from engine.storage.tables import Case, CaseEvent, HumanTask, ModelVersion

FIGURES: tuple[FigureName, ...] = ("counts", "durations", "deadlines", "workload")
# The CSV columns of each figure: the keys of its row type, in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "counts": tuple(CountsRow.__annotations__),
    "durations": tuple(DurationsRow.__annotations__),
    "deadlines": tuple(DeadlinesRow.__annotations__),
    "workload": tuple(WorkloadRow.__annotations__),
}
# Dutch titles for pages and the command line.
FIGURE_TITLES = {
    "counts": "Aantallen",
    "durations": "Doorlooptijden (uren)",
    "deadlines": "Taken na de termijn afgerond",
    "workload": "Werklast per organisatie",
}
COUNTED_MILESTONES = {
    "weegteam_accepted": "weegteam_toegewezen",
    "weegteam_rejected": "weegteam_afgewezen",
    "imposed": "huisverbod_opgelegd",
    "not_imposed": "huisverbod_niet_opgelegd",
    "extended": "huisverbod_verlengd",
    "withdrawn": "huisverbod_ingetrokken",
    "suspended": "huisverbod_opgeschort",
    "ended_by_court": "huisverbod_geschorst",
    "annulled_by_court": "huisverbod_vernietigd",
    "expired": "huisverbod_verlopen",
    "violations": "overtreding_gemeld",
}
INTERVALS = {
    "request_to_decision": (("verzoek_ontvangen",), ("huisverbod_opgelegd", "huisverbod_niet_opgelegd")),
    "imposition_to_end": (
        ("huisverbod_opgelegd",),
        ("huisverbod_verlopen", "huisverbod_ingetrokken", "huisverbod_geschorst", "huisverbod_vernietigd"),
    ),
}
EARLY_ROUTES = {"structureel", "vroegtijdig"}
WEEGTEAM_MILESTONES = ("weegteam_toegewezen", "weegteam_afgewezen")


def parse_bound(text: str | None) -> datetime | None:
    """A period bound: a date (midnight in Amsterdam) or an ISO instant."""
    if text is None or not text.strip():
        return None
    try:
        if len(text.strip()) == 10:
            day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
            return dutch_midnight(day)
        return parse_instant(text)
    except ValueError:
        raise InvalidInput(f"'{text}' is geen datum (JJJJ-MM-DD) of tijdstip (ISO 8601)") from None


def _in_period(
    column: SQLColumnExpression[datetime | None], start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


def _variants(session: Session, region: str | None) -> list[tuple[str, str]]:
    query = select(ModelVersion.region, ModelVersion.variant).distinct()
    if region is not None:
        query = query.where(ModelVersion.region == region)
    return sorted((r, v) for r, v in session.execute(query))


def _route(detail: str | None, weegteam: bool) -> str:
    try:
        route = json.loads(detail).get("route") if detail else None
    except (ValueError, AttributeError):
        route = None
    if isinstance(route, str):
        return "early" if route in EARLY_ROUTES else "acute"
    return "early" if weegteam else "acute"


def _counts_row(region: str, variant: str, tally: Counter[str]) -> CountsRow:
    return {
        "region": region,
        "variant": variant,
        "started": tally["started"],
        "started_acute": tally["started_acute"],
        "started_early": tally["started_early"],
        "weegteam_accepted": tally["weegteam_accepted"],
        "weegteam_rejected": tally["weegteam_rejected"],
        "imposed": tally["imposed"],
        "not_imposed": tally["not_imposed"],
        "extended": tally["extended"],
        "withdrawn": tally["withdrawn"],
        "suspended": tally["suspended"],
        "ended_by_court": tally["ended_by_court"],
        "annulled_by_court": tally["annulled_by_court"],
        "expired": tally["expired"],
        "violations": tally["violations"],
    }


def counts(
    session: Session, *, region: str | None, start: datetime | None, end: datetime | None, **_: Any
) -> list[CountsRow]:
    # Per (region, variant): column -> count; every variant with a version gets a row, zeros included.
    tallies: dict[tuple[str, str], Counter[str]] = {key: Counter() for key in _variants(session, region)}
    marker = aliased(CaseEvent)
    weegteam = exists().where(marker.case_id == Case.id, marker.milestone.in_(WEEGTEAM_MILESTONES))
    started = (
        select(Case.region, Case.variant, CaseEvent.detail, weegteam)
        .outerjoin(CaseEvent, and_(CaseEvent.case_id == Case.id, CaseEvent.action == Action.CASE_STARTED))
        .where(*_in_period(Case.started_at, start, end))
    )
    if region is not None:
        started = started.where(Case.region == region)
    for case_region, variant, detail, early in session.execute(started):
        tally = tallies.setdefault((case_region, variant), Counter())
        tally["started"] += 1
        tally[f"started_{_route(detail, bool(early))}"] += 1
    by_milestone: dict[str | None, str] = {m: key for key, m in COUNTED_MILESTONES.items()}
    milestones = (
        select(Case.region, Case.variant, CaseEvent.milestone, func.count(CaseEvent.id))
        .join(Case, Case.id == CaseEvent.case_id)
        .where(
            CaseEvent.milestone.in_(sorted(by_milestone)),
            CaseEvent.revoked_by.is_(None),
            *_in_period(CaseEvent.at, start, end),
        )
        .group_by(Case.region, Case.variant, CaseEvent.milestone)
    )
    if region is not None:
        milestones = milestones.where(Case.region == region)
    for case_region, variant, milestone, count in session.execute(milestones):
        tallies.setdefault((case_region, variant), Counter())[by_milestone[milestone]] += count
    return [_counts_row(*key, tallies[key]) for key in sorted(tallies)]


def percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (as numpy's default and Excel's PERCENTILE.INC)."""
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: list[float]) -> Spread:
    """n, min, p25, median, p75 and max of a list of numbers (None when empty), rounded to 0.01."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0, "min": None, "p25": None, "median": None, "p75": None, "max": None}
    return {
        "n": len(ordered),
        "min": round(ordered[0], 2),
        "p25": round(percentile(ordered, 0.25), 2),
        "median": round(percentile(ordered, 0.5), 2),
        "p75": round(percentile(ordered, 0.75), 2),
        "max": round(ordered[-1], 2),
    }


def durations(
    session: Session, *, region: str | None, start: datetime | None, end: datetime | None, **_: Any
) -> list[DurationsRow]:
    result: list[DurationsRow] = []
    values: dict[tuple[str, str, str], list[float]] = {}
    for interval, (starts, ends) in INTERVALS.items():
        first = (
            select(CaseEvent.case_id, func.min(CaseEvent.at).label("at"))
            .where(CaseEvent.milestone.in_(starts), CaseEvent.revoked_by.is_(None))
            .group_by(CaseEvent.case_id)
            .subquery()
        )
        last = (
            select(CaseEvent.case_id, func.min(CaseEvent.at).label("at"))
            .where(CaseEvent.milestone.in_(ends), CaseEvent.revoked_by.is_(None))
            .group_by(CaseEvent.case_id)
            .subquery()
        )
        query = (
            select(Case.region, Case.variant, first.c.at, last.c.at)
            .join(first, first.c.case_id == Case.id)
            .join(last, last.c.case_id == Case.id)
            .where(last.c.at >= first.c.at, *_in_period(last.c.at, start, end))
        )
        if region is not None:
            query = query.where(Case.region == region)
        for case_region, variant, began, ended in session.execute(query):
            hours = (ended - began).total_seconds() / 3600
            values.setdefault((case_region, variant, interval), []).append(hours)
    for case_region, variant in sorted(set(_variants(session, region)) | {k[:2] for k in values}):
        for interval in INTERVALS:
            stats = spread(values.get((case_region, variant, interval), []))
            result.append(
                {
                    "region": case_region,
                    "variant": variant,
                    "interval": interval,
                    "n": stats["n"],
                    "min_hours": stats["min"],
                    "p25_hours": stats["p25"],
                    "median_hours": stats["median"],
                    "p75_hours": stats["p75"],
                    "max_hours": stats["max"],
                }
            )
    return result


def deadlines(
    session: Session, *, region: str | None, start: datetime | None, end: datetime | None, **_: Any
) -> list[DeadlinesRow]:
    query = (
        select(
            Case.region,
            Case.variant,
            HumanTask.role,
            func.count(HumanTask.id),
            func.sum(case((HumanTask.due_at.is_not(None), 1), else_=0)),
            func.sum(case((HumanTask.completed_at > HumanTask.due_at, 1), else_=0)),
        )
        .join(Case, Case.id == HumanTask.case_id)
        .where(HumanTask.state == "completed", *_in_period(HumanTask.completed_at, start, end))
        .group_by(Case.region, Case.variant, HumanTask.role)
        .order_by(Case.region, Case.variant, HumanTask.role)
    )
    if region is not None:
        query = query.where(Case.region == region)
    return [
        {
            "region": r,
            "variant": v,
            "role": role,
            "completed": n,
            "with_deadline": int(due or 0),
            "late": int(late or 0),
            "late_share": round(int(late or 0) / int(due), 3) if due else None,
        }
        for r, v, role, n, due, late in session.execute(query)
    ]


def workload(
    session: Session, *, region: str | None, start: datetime | None, end: datetime | None, now: datetime, **_: Any
) -> list[WorkloadRow]:
    at = end or now
    completed = and_(HumanTask.state == "completed", *_in_period(HumanTask.completed_at, start, end))
    # Open at the instant `at`, after what happened at that instant.
    open_at = and_(HumanTask.created_at <= at, or_(HumanTask.completed_at.is_(None), HumanTask.completed_at > at))
    overdue = and_(open_at, HumanTask.due_at < at)
    query = (
        select(
            Case.region,
            Case.variant,
            HumanTask.role,
            func.sum(case((completed, 1), else_=0)),
            func.sum(case((open_at, 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .join(Case, Case.id == HumanTask.case_id)
        .where(HumanTask.created_at <= at)
        .group_by(Case.region, Case.variant, HumanTask.role)
        .order_by(Case.region, Case.variant, HumanTask.role)
    )
    if region is not None:
        query = query.where(Case.region == region)
    rows: list[WorkloadRow] = [
        {
            "region": r,
            "variant": v,
            "role": role,
            "completed": int(done or 0),
            "open": int(still or 0),
            "open_overdue": int(late or 0),
        }
        for r, v, role, done, still, late in session.execute(query)
    ]
    return [row for row in rows if row["completed"] or row["open"]]


_BUILDERS: dict[str, Callable[..., Sequence[FigureRow]]] = {
    "counts": counts,
    "durations": durations,
    "deadlines": deadlines,
    "workload": workload,
}


def _check(figure: str | None, region: str | None, start: datetime | None, end: datetime | None) -> None:
    if figure is not None and figure not in _BUILDERS:
        raise InvalidInput(f"figuur '{figure}' bestaat niet; kies uit {', '.join(FIGURES)}")
    check_region(region)
    if start is not None and end is not None and start >= end:
        raise InvalidInput("het begin van de periode moet vóór het einde liggen")


def figure_rows(
    session: Session,
    figure: str,
    *,
    now: datetime,
    region: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Sequence[FigureRow]:
    _check(figure, region, start, end)
    return _BUILDERS[figure](session, region=region, start=start, end=end, now=now)


def dashboard(
    session: Session,
    *,
    now: datetime,
    region: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Dashboard:
    """All figures for the period, with the period itself."""
    _check(None, region, start, end)
    return {
        "region": region,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "open_at": (end or now).isoformat(),
        "figures": {
            "counts": counts(session, region=region, start=start, end=end),
            "durations": durations(session, region=region, start=start, end=end),
            "deadlines": deadlines(session, region=region, start=start, end=end),
            "workload": workload(session, region=region, start=start, end=end, now=now),
        },
    }


def csv_cell(value: Any) -> Any:
    # Text that a spreadsheet would run as a formula is prefixed (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def rows_csv(figure: str, rows: Iterable[FigureRow]) -> str:
    """A figure as CSV text (RFC 4180, comma-separated, a header row with the column keys)."""
    _check(figure, None, None, None)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS[figure])
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in COLUMNS[figure]])
    return out.getvalue()


def figure_csv(
    session: Session,
    figure: str,
    *,
    now: datetime,
    region: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> str:
    return rows_csv(figure, figure_rows(session, figure, now=now, region=region, start=start, end=end))

"""What the comparison dashboard shows of a figure: its title and its table (headings and cell texts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from engine.design.dashboard import COLUMNS
from web.charts import count_labels, interval_labels
from web.presentation import region_name, role_label

FIGURE_TITLES = {
    "counts": _l("Aantallen"),
    "durations": _l("Doorlooptijden (uren)"),
    "deadlines": _l("Taken na de termijn afgerond"),
    "workload": _l("Werklast per organisatie"),
}
COLUMN_LABELS = {
    "region": _l("regio"),
    "variant": _l("variant"),
    "role": _l("organisatie"),
    "interval": _l("traject"),
    "n": "n",
    "min_hours": _l("min (u)"),
    "p25_hours": _l("p25 (u)"),
    "median_hours": _l("mediaan (u)"),
    "p75_hours": _l("p75 (u)"),
    "max_hours": _l("max (u)"),
    "completed": _l("afgerond"),
    "with_deadline": _l("met termijn"),
    "late": _l("te laat"),
    "late_share": _l("deel te laat"),
    "open": _l("open"),
    "open_overdue": _l("open, te laat"),
}


@dataclass(frozen=True)
class FigureTable:
    headings: list[str]
    rows: list[list[str]]  # one text per column


def figure_title(name: str) -> str:
    return str(FIGURE_TITLES.get(name, name))


def _cell(column: str, value: Any, intervals: Mapping[str, str]) -> str:
    if column == "region":
        return region_name(value)
    if column == "role":
        return role_label(value)
    if column == "interval":
        return str(intervals.get(value, value))
    if value is None:
        return "—"
    if column == "late_share":
        return f"{round(value * 100, 1)}%"
    return str(value)


def figure_table(name: str, rows: Sequence[Mapping[str, Any]]) -> FigureTable:
    """The table under a chart: a heading per column, a text per cell (a share as a percentage)."""
    columns = COLUMNS[name]
    counts, intervals = count_labels(), interval_labels()
    headings = [str(COLUMN_LABELS.get(c) or counts.get(c) or c) for c in columns]
    return FigureTable(headings, [[_cell(c, row.get(c), intervals) for c in columns] for row in rows])

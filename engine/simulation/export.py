"""A simulation's result as JSON (``thv simulate --json``) and as CSV per figure (the page's downloads)."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from engine.base.errors import InvalidInput
from engine.design.dashboard import csv_cell
from engine.simulation.service import SimulationResult

# figure -> its Dutch title; the rows of every variant, baseline first
FIGURES: dict[str, str] = {
    "per_year": "Zaken per jaar bij het regionale volume",
    "hours": "Werkuren per organisatie en benodigde capaciteit",
    "phases": "Doorlooptijd per fase (uren)",
    "per_case": "Per zaak: dagen onder huisverbod, aandeel verlengd, documenten en uitreikingen",
    "deadlines": "Termijnen gemist per taak",
    "fit": "Gesimuleerde basis naast de echte zaken van de regio",
}


def as_dict(result: SimulationResult) -> dict[str, Any]:
    data = asdict(result)
    data["cases_per_second"] = round(result.cases_per_second, 1)
    data["seconds"] = round(result.seconds, 2)
    return data


def figure_rows(result: SimulationResult, figure: str) -> list[dict[str, Any]]:
    if figure not in FIGURES:
        raise InvalidInput(f"figuur '{figure}' bestaat niet; kies uit {', '.join(FIGURES)}")
    if figure == "fit":
        return [dict(r) for r in result.fit]
    return [dict(row) for variant in result.variants for row in getattr(variant, figure)]


def figure_csv(result: SimulationResult, figure: str) -> str:
    """One figure as CSV (RFC 4180, a header row with the column keys)."""
    rows = figure_rows(result, figure)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = list(rows[0]) if rows else []
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
    return out.getvalue()


def figure_text(result: SimulationResult) -> str:
    """Every figure as tab-separated tables, for the terminal."""
    lines = [
        f"# Simulatie regio {result.region}, profiel {result.profile} ({result.profile_title}), "
        f"{result.cases} zaken per variant, seed {result.seed}, {result.volume:g} zaken per jaar; "
        f"{result.seconds:.1f} s ({result.cases_per_second:.1f} zaken/s)"
    ]
    for variant in result.variants:
        status = ", ".join(f"{k} {v}" for k, v in variant.statuses.items())
        lines.append(f"# {variant.variant} ({variant.source}): {status}")
        lines.extend(f"#   let op: {error}" for error in variant.errors)
    for figure, title in FIGURES.items():
        rows = figure_rows(result, figure)
        if not rows:
            continue
        lines.append(f"# {title}")
        lines.append("\t".join(rows[0]))
        lines.extend("\t".join("-" if v is None else str(v) for v in row.values()) for row in rows)
    return "\n".join(lines)

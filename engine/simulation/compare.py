"""The simulated baseline beside the observed figures of the region's real cases (the dashboard's),
so a region sees how well the profile fits what actually happens.
"""

from __future__ import annotations

from typing import Any, TypedDict

from sqlalchemy.orm import Session

from engine.design.dashboard import counts, durations
from engine.simulation.model_facts import BASELINE
from engine.simulation.results import VariantResult

FIT_FIGURES = {
    "share_imposed": "Aandeel opgelegd (van de gestarte zaken)",
    "share_extended": "Aandeel verlengd (van de opgelegde)",
    "share_withdrawn": "Aandeel ingetrokken (van de opgelegde)",
    "request_to_decision_hours": "Verzoek tot besluit, mediaan (uren)",
    "imposition_to_end_hours": "Opleggen tot einde, mediaan (uren)",
}


class FitRow(TypedDict):
    figure: str
    simulated: float | None
    observed: float | None
    observed_cases: int  # the real cases the observed figure rests on


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _span(spans: dict[str, Any], interval: str, key: str) -> Any:
    return (spans.get(interval) or {}).get(key)


def fit_rows(session: Session, region: str, baseline: VariantResult) -> list[FitRow]:
    """Simulated baseline and observed figures of the region's real baseline cases, all time."""
    row = next((r for r in counts(session, region=region, start=None, end=None) if r["variant"] == BASELINE), None)
    spans = {
        r["interval"]: r for r in durations(session, region=region, start=None, end=None) if r["variant"] == BASELINE
    }
    year = {r["figure"]: r["share"] for r in baseline.per_year}
    per_case = {r["figure"]: r for r in baseline.per_case}
    started, imposed = (row["started"], row["imposed"]) if row else (0, 0)
    simulated_imposed = year.get("imposed") or 0.0
    ban = per_case["ban_days"]["median"]
    observed = {
        "share_imposed": (_share(imposed, started), started),
        "share_extended": (_share(row["extended"], imposed) if row else None, imposed),
        "share_withdrawn": (_share(row["withdrawn"], imposed) if row else None, imposed),
        "request_to_decision_hours": (
            _span(spans, "request_to_decision", "median_hours"),
            _span(spans, "request_to_decision", "n"),
        ),
        "imposition_to_end_hours": (
            _span(spans, "imposition_to_end", "median_hours"),
            _span(spans, "imposition_to_end", "n"),
        ),
    }
    simulated = {
        "share_imposed": round(simulated_imposed, 3),
        "share_extended": per_case["share_extended"]["value"],
        "share_withdrawn": round((year.get("withdrawn") or 0.0) / simulated_imposed, 3) if simulated_imposed else None,
        "request_to_decision_hours": per_case["request_to_decision_hours"]["median"],
        "imposition_to_end_hours": round(ban * 24, 2) if ban is not None else None,
    }
    return [
        {
            "figure": key,
            "simulated": simulated[key],
            "observed": observed[key][0],
            "observed_cases": int(observed[key][1] or 0),
        }
        for key in FIT_FIGURES
    ]

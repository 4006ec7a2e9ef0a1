"""SVG charts of a simulation, drawn with the dashboard's bars (web/charts.py): one colour per variant."""

from __future__ import annotations

from flask_babel import gettext as _

from engine.simulation.service import SimulationResult
from web.charts import PALETTE, Chart, Palette, count_labels, grouped_bars, number
from web.presentation import role_label


def build(result: SimulationResult) -> dict[str, Chart]:
    palette: Palette = {(result.region, v.variant): PALETTE[i % len(PALETTE)] for i, v in enumerate(result.variants)}
    labels = count_labels()
    per_year = [
        (
            labels.get(figure, figure),
            [
                ((result.region, v.variant), r["per_year"], number(r["per_year"], 1))
                for v in result.variants
                for r in v.per_year
                if r["figure"] == figure
            ],
        )
        for figure in ("started", "imposed", "extended", "withdrawn", "weegteam_rejected", "violations")
    ]
    roles = sorted({r["role"] for v in result.variants for r in v.hours})
    hours = [
        (
            role_label(role),
            [
                ((result.region, v.variant), r["hours_per_100_cases"], number(r["hours_per_100_cases"], 1))
                for v in result.variants
                for r in v.hours
                if r["role"] == role
            ],
        )
        for role in roles
    ]
    phases = sorted({r["phase"] for v in result.variants for r in v.phases}, key=lambda p: p)
    lead = [
        (
            phase.replace("_", " "),
            [
                ((result.region, v.variant), r["median_hours"] or 0.0, number(r["median_hours"] or 0.0, 1))
                for v in result.variants
                for r in v.phases
                if r["phase"] == phase
            ],
        )
        for phase in phases
    ]
    return {
        "per_year": grouped_bars(_("Zaken per jaar"), per_year, palette),
        "hours": grouped_bars(_("Werkuren per 100 zaken"), hours, palette),
        "phases": grouped_bars(_("Doorlooptijd per fase, mediaan (uren)"), lead, palette),
    }

"""Simple SVG charts for the comparison dashboard, computed here and drawn by a Jinja macro.

No JavaScript and nothing from a CDN (the CSP allows neither): a chart is a list
of shapes (rectangles, lines, texts) with coordinates; ``dashboard/_chart.html``
writes them as inline SVG, escaped like every other text. Each series is one
region and variant, with the same colour in every chart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from engine.design.read_models import FigureRow, Figures
from web.presentation import region_name, role_label

PALETTE = ("#1f6fd1", "#d97706", "#1e7b45", "#9333ea", "#b42318", "#0e7490", "#a16207", "#be185d", "#4d7c0f", "#475569")
WIDTH = 860
LABEL_W = 230
BAR_H = 14
Palette = dict[tuple[str, str], str]  # (region, variant) -> colour
GAP = 10


@dataclass
class Shape:
    kind: str  # rect, line, text
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    x2: float = 0
    y2: float = 0
    fill: str = ""
    text: str = ""
    anchor: str = "start"
    css: str = ""
    tip: str = ""


@dataclass
class Chart:
    title: str
    height: float
    shapes: list[Shape] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False
    width: float = WIDTH


def series_key(row: Mapping[str, Any]) -> tuple[str, str]:
    return row["region"], row["variant"]


def series_label(key: tuple[str, str]) -> str:
    return f"{region_name(key[0])} · {key[1]}"


def colours(rows: Iterable[FigureRow]) -> Palette:
    keys = sorted({series_key(row) for row in rows})
    return {key: PALETTE[i % len(PALETTE)] for i, key in enumerate(keys)}


def _nice_max(value: float, integer: bool = False) -> float:
    """The top of a scale with four equal, round steps (0, 1, 2, 3, 4 for a maximum of 3)."""
    if value <= 0 or (integer and value <= 4):
        return 4
    magnitude = 1.0
    while magnitude * 10 < value:
        magnitude *= 10
    while magnitude > value and magnitude > 0.01:
        magnitude /= 10
    for step in (0.25, 0.5, 1, 2, 2.5, 5, 10):
        if step * magnitude * 4 >= value and not (integer and (step * magnitude) % 1):
            return step * magnitude * 4
    return value


def number(value: float, decimals: int = 1) -> str:
    """A number in the page's language (Dutch: decimal comma, a point between thousands), without trailing zeros."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals > 0 else "")
    return str(format_decimal(value, format=pattern))


def tick_labels(maximum: float, fmt: Callable[[float, int], str]) -> list[str]:
    """The labels at 0, 1/4, ... of the scale, with as few decimals as keep them apart (never "1, 1, 2")."""
    values = [maximum * i / 4 for i in range(5)]
    for decimals in range(4):
        labels = [fmt(v, decimals) for v in values]
        if len(set(labels)) == len(labels):
            return labels
    return labels


def _axis(shapes: list[Shape], top: float, bottom: float, maximum: float, fmt: Callable[[float, int], str]) -> None:
    """Vertical grid lines with labels at 0, 1/4, ... of the scale, along the bottom."""
    span = WIDTH - LABEL_W - 40
    for i, label in enumerate(tick_labels(maximum, fmt)):
        x = LABEL_W + span * i / 4
        shapes.append(Shape("line", x=x, y=top, x2=x, y2=bottom, css="grid"))
        shapes.append(Shape("text", x=x, y=bottom + 14, text=label, anchor="middle", css="tick"))


def _scale(value: float, maximum: float) -> float:
    return (WIDTH - LABEL_W - 40) * (value / maximum if maximum else 0)


def grouped_bars(
    title: str,
    groups: list[tuple[str, list[tuple[tuple[str, str], float, str]]]],
    palette: Palette,
    fmt: Callable[[float, int], str] = number,
    maximum: float | None = None,
) -> Chart:
    """Horizontal bars: one block per group (a metric or a role), one bar per series in it.

    ``groups`` is [(group label, [(series key, value, bar text), ...])].
    """
    present = [key for key in palette if any(k == key and v for _, items in groups for k, v, _ in items)]
    groups = [(label, [item for item in items if item[0] in present]) for label, items in groups]
    bars = [value for _, items in groups for _, value, _ in items]
    chart = Chart(title=title, height=60, legend=[(series_label(k), palette[k]) for k in present])
    if not present:
        chart.empty = True
        return chart
    top = maximum or _nice_max(max(bars), integer=all(float(v).is_integer() for v in bars))
    y = 8.0
    for label, items in groups:
        chart.shapes.append(Shape("text", x=LABEL_W - 10, y=y + BAR_H - 2, text=label, anchor="end", css="group"))
        for key, value, text in items:
            width = _scale(value, top)
            chart.shapes.append(
                Shape(
                    "rect",
                    x=LABEL_W,
                    y=y,
                    w=max(width, 1 if value else 0),
                    h=BAR_H,
                    fill=palette[key],
                    tip=f"{series_label(key)}: {text}",
                )
            )
            chart.shapes.append(Shape("text", x=LABEL_W + width + 5, y=y + BAR_H - 3, text=text, css="value"))
            y += BAR_H + 2
        y += GAP
    _axis(chart.shapes, 0, y, top, fmt)
    chart.shapes.sort(key=lambda s: s.kind != "line")  # the grid behind the bars
    chart.height = y + 24
    return chart


COUNT_METRICS = (
    "started",
    "started_early",
    "weegteam_accepted",
    "imposed",
    "not_imposed",
    "extended",
    "violations",
    "expired",
    "withdrawn",
    "suspended",
)


def count_labels() -> dict[str, str]:
    return {
        "started": _("Gestart"),
        "started_acute": _("Gestart, acuut"),
        "started_early": _("Gestart, vroegtijdig"),
        "weegteam_accepted": _("Weegteam: toegewezen"),
        "weegteam_rejected": _("Weegteam: afgewezen"),
        "imposed": _("Huisverbod opgelegd"),
        "not_imposed": _("Niet opgelegd"),
        "extended": _("Verlengd"),
        "withdrawn": _("Ingetrokken"),
        "suspended": _("Opgeschort"),
        "ended_by_court": _("Geschorst door rechter"),
        "annulled_by_court": _("Vernietigd door rechter"),
        "expired": _("Verlopen"),
        "violations": _("Overtredingen"),
    }


def counts_chart(rows: Sequence[Mapping[str, Any]], palette: Palette) -> Chart:
    labels = count_labels()
    groups = [
        (labels[metric], [(series_key(r), r[metric], number(r[metric], 0)) for r in rows])
        for metric in COUNT_METRICS
        if any(r[metric] for r in rows) or metric == "started"
    ]
    return grouped_bars(_("Aantallen per regio en variant"), groups, palette)


def interval_labels() -> dict[str, str]:
    return {"request_to_decision": _("Van verzoek tot besluit"), "imposition_to_end": _("Van opleggen tot einde")}


def _hours_text(hours: float, in_days: bool, decimals: int = 1) -> str:
    return _("%(num)s d", num=number(hours / 24, decimals)) if in_days else _("%(num)s u", num=number(hours, decimals))


def durations_chart(rows: Sequence[Mapping[str, Any]], palette: Palette) -> Chart:
    """Box plots: whiskers from min to max, the box from p25 to p75, a line at the median."""
    measured = [r for r in rows if r["n"]]
    present = [key for key in palette if any(series_key(r) == key for r in measured)]
    chart = Chart(
        title=_("Doorlooptijden (min, kwartielen, mediaan, max)"),
        height=60,
        legend=[(series_label(k), palette[k]) for k in present],
    )
    if not measured:
        chart.empty = True
        return chart
    top = _nice_max(max(r["max_hours"] for r in measured))
    in_days = top > 72
    labels = interval_labels()
    y = 8.0
    for interval, label in labels.items():
        items = [r for r in measured if r["interval"] == interval]
        if not items:
            continue
        chart.shapes.append(Shape("text", x=LABEL_W - 10, y=y + 11, text=label, anchor="end", css="group"))
        for r in items:
            mid, colour = y + 9, palette[series_key(r)]
            x = {k: LABEL_W + _scale(r[f"{k}_hours"], top) for k in ("min", "p25", "median", "p75", "max")}
            tip = f"{series_label(series_key(r))}: n={r['n']}, " + ", ".join(
                f"{k} {_hours_text(r[f'{k}_hours'], in_days)}" for k in ("min", "p25", "median", "p75", "max")
            )
            chart.shapes += [
                Shape("line", x=x["min"], y=mid, x2=x["max"], y2=mid, fill=colour, css="whisker"),
                Shape("line", x=x["min"], y=mid - 5, x2=x["min"], y2=mid + 5, fill=colour, css="whisker"),
                Shape("line", x=x["max"], y=mid - 5, x2=x["max"], y2=mid + 5, fill=colour, css="whisker"),
                Shape(
                    "rect", x=x["p25"], y=y + 2, w=max(x["p75"] - x["p25"], 2), h=14, fill=colour, css="box", tip=tip
                ),
                Shape("line", x=x["median"], y=y, x2=x["median"], y2=y + 18, css="median"),
                Shape(
                    "text",
                    x=x["max"] + 6,
                    y=mid + 4,
                    css="value",
                    text=_("mediaan %(value)s (n=%(n)s)", value=_hours_text(r["median_hours"], in_days), n=r["n"]),
                ),
            ]
            y += 22
        y += GAP
    _axis(chart.shapes, 0, y, top, lambda v, decimals: _hours_text(v, in_days, decimals))
    chart.shapes.sort(key=lambda s: s.kind != "line" or s.css != "grid")
    chart.height = y + 24
    return chart


def deadlines_chart(rows: Sequence[Mapping[str, Any]], palette: Palette) -> Chart:
    roles = sorted({r["role"] for r in rows if r["with_deadline"]})
    groups = [
        (
            role_label(role),
            [
                (
                    series_key(r),
                    r["late_share"] * 100,
                    _(
                        "%(share)s%% (%(late)s van %(total)s)",
                        share=round(r["late_share"] * 100),
                        late=r["late"],
                        total=r["with_deadline"],
                    ),
                )
                for r in rows
                if r["role"] == role and r["with_deadline"]
            ],
        )
        for role in roles
    ]
    return grouped_bars(
        _("Taken met termijn: deel te laat afgerond"),
        groups,
        palette,
        fmt=lambda v, decimals: f"{number(v, decimals)}%",
        maximum=100,
    )


def workload_chart(rows: Sequence[Mapping[str, Any]], palette: Palette) -> Chart:
    roles = sorted({r["role"] for r in rows})
    groups = [
        (
            role_label(role),
            [
                (
                    series_key(r),
                    r["open"],
                    _(
                        "%(open)s open, %(late)s te laat; %(done)s afgerond",
                        open=r["open"],
                        late=r["open_overdue"],
                        done=r["completed"],
                    ),
                )
                for r in rows
                if r["role"] == role
            ],
        )
        for role in roles
    ]
    return grouped_bars(_("Openstaande taken per organisatie"), groups, palette)


def build(figures: Figures) -> dict[str, Chart]:
    palette = colours([*figures["counts"], *figures["durations"], *figures["deadlines"], *figures["workload"]])
    return {
        "counts": counts_chart(figures["counts"], palette),
        "durations": durations_chart(figures["durations"], palette),
        "deadlines": deadlines_chart(figures["deadlines"], palette),
        "workload": workload_chart(figures["workload"], palette),
    }

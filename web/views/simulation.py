"""The simulation of the variants, beside the dashboard (issue 18): a form (region, variants, cases, seed,
profile), then the figures of every variant beside the baseline as charts, tables and CSV downloads.

Same access as the dashboard (beheerders, and designers for their regions). A run only reads (the
region's deployed models, the observed figures of its real cases) and stores nothing, so it is a GET;
the CSV links run the same request again, which gives the same figures (same seed).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.base.errors import Forbidden, InvalidInput, NotFound
from engine.design import designer
from engine.simulation import export
from engine.simulation.model_facts import BASELINE, shipped_variants
from engine.simulation.profile import DEFAULT_PROFILE, profile_names
from engine.simulation.service import SimulationResult, simulate
from web import simulation_charts
from web.extensions import db_session, thv
from web.views.auth import engine_user

bp = Blueprint("simulation", __name__, url_prefix="/simulatie")
MAX_WEB_CASES = 500  # per variant: the page answers within a request
MAX_WEB_SECONDS = 60.0


def _int(name: str, default: int) -> int:
    raw = (request.args.get(name) or "").strip()[:12]
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(_("'%(value)s' is geen geheel getal.", value=raw)) from None


def _request(regions: list[str]) -> dict[str, Any] | None:
    if "regio" not in request.args:
        return None
    region = (request.args.get("regio") or "").strip()[:40]
    if region not in regions:
        raise Forbidden(_("Je mag regio '%(region)s' niet simuleren.", region=region))
    cases = _int("zaken", 100)
    if not 1 <= cases <= MAX_WEB_CASES:
        raise InvalidInput(_("Kies tussen 1 en %(max)d zaken per variant op deze pagina.", max=MAX_WEB_CASES))
    return {
        "region": region,
        "variants": [v[:80] for v in request.args.getlist("variant")][:10],
        "cases": cases,
        "seed": _int("seed", 1),
        "profile_name": (request.args.get("profiel") or DEFAULT_PROFILE)[:80],
    }


def _run(chosen: dict[str, Any]) -> SimulationResult:
    return simulate(**chosen, session=db_session(), registry=thv.ctx.registry, max_seconds=MAX_WEB_SECONDS, workers=1)


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    regions = designer.require_area(engine_user())
    chosen = _request(regions)
    result = _run(chosen) if chosen else None
    return render_template(
        "simulation/index.html",
        regions=regions,
        variants=[v for v in shipped_variants() if v != BASELINE],
        profiles=profile_names(),
        chosen=chosen or {"variants": [], "cases": 100, "seed": 1, "profile_name": DEFAULT_PROFILE},
        result=result,
        charts=simulation_charts.build(result) if result else {},
        figures=export.FIGURES,
        rows={name: export.figure_rows(result, name) for name in export.FIGURES} if result else {},
        query=request.args.to_dict(flat=False),
        max_cases=MAX_WEB_CASES,
    )


@bp.get("/<figure>.csv")
@login_required
def figure_csv(figure: str) -> ResponseReturnValue:
    if figure not in export.FIGURES:
        raise NotFound(_("Figuur '%(name)s' bestaat niet.", name=figure[:40]))
    chosen = _request(designer.require_area(engine_user()))
    if chosen is None:
        raise InvalidInput(_("Kies eerst een regio."))
    response = Response(export.figure_csv(_run(chosen), figure), mimetype="text/csv")
    name = "".join(c for c in f"simulatie-{figure}-{chosen['region']}-{chosen['seed']}" if c.isalnum() or c in "-_")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response

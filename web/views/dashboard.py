"""The comparison dashboard for pilot coordinators: figures per region and variant over a period.

There is no coordinator role: a beheerder sees every region, a designer the
regions of their account (``engine.design.designer_dashboard``). Every figure is a
chart (inline SVG, drawn on the server), a table and a CSV download; the
pseudonymised event log downloads as XES or CSV for one region or all.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.base.errors import InvalidInput, NotFound
from engine.design import dashboard as figures
from engine.design import designer, designer_dashboard, event_log
from web import charts
from web.extensions import db_session, thv
from web.views.auth import engine_user

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def _bound(name: str, *, inclusive_end: bool = False) -> datetime | None:
    raw = (request.args.get(name) or "").strip()[:40]
    if inclusive_end and len(raw) == 10:
        try:  # "tot en met" a day: up to the start of the next day
            raw = (date.fromisoformat(raw) + timedelta(days=1)).isoformat()
        except ValueError:
            raise InvalidInput(_("'%(value)s' is geen datum (JJJJ-MM-DD).", value=raw)) from None
    return figures.parse_bound(raw or None)


def _filters() -> dict[str, Any]:
    region = (request.args.get("regio") or "").strip()[:40] or None
    return {"region": region, "start": _bound("van"), "end": _bound("tot", inclusive_end=True)}


def _query() -> dict[str, str]:
    return {k: request.args[k] for k in ("regio", "van", "tot") if request.args.get(k)}


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    user = engine_user()
    regions = designer.require_area(user)
    chosen = _filters()
    data = designer_dashboard.comparison(db_session(), user, now=thv.ctx.clock.now(), **chosen)
    return render_template(
        "dashboard/index.html",
        data=data,
        charts=charts.build(data["figures"]),
        regions=regions,
        query=_query(),
        figure_names=figures.FIGURES,
    )


def _filename(stem: str, extension: str, period: bool = True) -> str:
    parts: list[str | None] = [stem, request.args.get("regio") or "alle"]
    if period:
        parts += [request.args.get("van"), request.args.get("tot")]
    safe = "-".join("".join(c for c in str(p) if c.isalnum() or c in "-_") for p in parts if p)
    return f"{safe}.{extension}"


def _download(content: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<figure>.csv")
@login_required
def figure_csv(figure: str) -> ResponseReturnValue:
    if figure not in figures.FIGURES:
        raise NotFound(_("Figuur '%(name)s' bestaat niet.", name=figure[:40]))
    text = designer_dashboard.figure_csv(db_session(), engine_user(), figure, now=thv.ctx.clock.now(), **_filters())
    return _download(text, "text/csv", _filename(figure, "csv"))


@bp.get("/gebeurtenissenlog.<fmt>")
@login_required
def event_log_export(fmt: str) -> ResponseReturnValue:
    if fmt not in event_log.FORMATS:
        raise NotFound(_("Formaat '%(name)s' bestaat niet.", name=fmt[:20]))
    region = (request.args.get("regio") or "").strip()[:40] or None
    content = designer_dashboard.export_log(db_session(), engine_user(), fmt, region=region)
    mimetype = "application/xml" if fmt == "xes" else "text/csv"
    return _download(content, mimetype, _filename("gebeurtenissenlog", fmt, period=False))

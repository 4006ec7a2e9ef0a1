"""Health for operators and load balancers: liveness, readiness (database and timers), and the old ping.

``/health/live``: the process answers (no database). ``/health/ready``: ready as
engine.workflow.readiness judges it (database, schema, timers), 503 with the reason otherwise, so a
load balancer takes the node out until it is ready again; ``thv status`` says the same on the command line.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from engine.storage.db import ping
from engine.workflow.readiness import readiness
from web.extensions import db_session, thv

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> ResponseReturnValue:
    ok = ping(db_session())
    return jsonify(
        status="ok" if ok else "fout", database="ok" if ok else "onbereikbaar", mode=current_app.config["THV_MODE"]
    ), 200 if ok else 503


@bp.get("/health/live")
def live() -> ResponseReturnValue:
    return jsonify(status="ok")


@bp.get("/health/ready")
def ready() -> ResponseReturnValue:
    # Production runs timers in their own processes (thv timers --loop); elsewhere the web app may run them.
    state = readiness(
        db_session(), thv.ctx.clock.now(), timers_elsewhere=current_app.config["THV_MODE"] == "production"
    )
    if not state.database:
        return jsonify(status="niet_klaar", database="onbereikbaar", timers="onbekend"), 503
    if state.schema_problem is not None:  # a node of another version than the schema: out of the load balancer
        return jsonify(status="niet_klaar", database="ok", schema=state.schema_problem, timers="onbekend"), 503
    assert state.timers is not None
    body = {
        "database": "ok",
        "timers_due": state.timers.due,
        "timer_workers": state.timers.workers,
        "laatste_timersweep": state.timers.latest_sweep.isoformat() if state.timers.latest_sweep else None,
    }
    if state.timer_problem is not None:
        return jsonify(status="niet_klaar", timers=state.timer_problem, **body), 503
    return jsonify(status="ok", timers="ok", **body)

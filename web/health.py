"""Health for operators and load balancers: liveness, readiness (database and timers), and the old ping.

``/health/live``: the process answers (no database). ``/health/ready``: the database answers, its
schema is the one this code was written for (engine.storage.schema_state), and, where timers
run in their own processes (production), a timer worker swept within the
last two minutes (engine.workflow.heartbeats); 503 with the reason otherwise, so a load
balancer takes the node out until it is ready again.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from engine.storage.db import DATABASE_UNAVAILABLE, ping
from engine.storage.schema_state import schema_state
from engine.workflow.heartbeats import STALE_AFTER, timer_health
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
    if not ping(db_session()):
        return jsonify(status="niet_klaar", database="onbereikbaar", timers="onbekend"), 503
    now = thv.ctx.clock.now()
    try:
        schema = schema_state(db_session().get_bind()).problem()  # type: ignore[arg-type]
        if schema is not None:  # a node of another version than the schema: out of the load balancer
            return jsonify(status="niet_klaar", database="ok", schema=schema, timers="onbekend"), 503
        timers = timer_health(db_session(), now)
    except DATABASE_UNAVAILABLE:
        return jsonify(status="niet_klaar", database="onbereikbaar", timers="onbekend"), 503
    body = {
        "database": "ok",
        "timers_due": timers.due,
        "timer_workers": timers.workers,
        "laatste_timersweep": timers.latest_sweep.isoformat() if timers.latest_sweep else None,
    }
    # Production runs timers in their own processes (thv timers --loop); elsewhere the web app may run them.
    if current_app.config["THV_MODE"] == "production" and not timers.fresh(now):
        minutes = int(STALE_AFTER.total_seconds() // 60)
        reason = f"geen timersweep in de laatste {minutes} minuten: draait 'thv timers --loop'?"
        return jsonify(status="niet_klaar", timers=reason, **body), 503
    return jsonify(status="ok", timers="ok", **body)

"""Health page for operators and load balancers."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from engine.storage.db import ping
from web.extensions import db_session

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    ok = ping(db_session())
    return jsonify(
        status="ok" if ok else "fout", database="ok" if ok else "onbereikbaar", mode=current_app.config["THV_MODE"]
    ), 200 if ok else 503

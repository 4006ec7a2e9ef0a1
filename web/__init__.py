"""The web front end and JSON API. ``create_app`` builds everything; importing starts nothing."""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask

from engine.clock import clock_from_env
from engine.db import configure_engine, database_url, engine_options
from engine.registry import ModelRegistry


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    env = dict(os.environ)
    app.config.from_mapping(
        SECRET_KEY=env.get("THV_SECRET_KEY") or os.urandom(32).hex(),
        THV_MODE=env.get("THV_MODE", "production"),
        RUN_TIMERS=False,
        TIMER_INTERVAL_SECONDS=5.0,
        MAX_CONTENT_LENGTH=1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(env, instance_path=_instance(app))
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))

    from web.extensions import db, thv
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    clock = app.config.get("THV_CLOCK_OBJECT") or clock_from_env({**env, "THV_MODE": app.config["THV_MODE"]})
    thv.init_app(app, registry=app.config.get("THV_REGISTRY") or ModelRegistry(), clock=clock)

    from web import api, errors, health
    errors.register(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)

    if app.config["RUN_TIMERS"]:
        from web.timer_worker import start_timer_thread
        start_timer_thread(app)
    return app


def _instance(app: Flask):
    from pathlib import Path
    return Path(app.instance_path)

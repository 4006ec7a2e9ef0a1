"""The web front end and JSON API. ``create_app`` builds everything; importing starts nothing."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from engine.base.clock import clock_from_env
from engine.base.settings import Settings
from engine.modeling.registry import ModelRegistry
from engine.storage.db import configure_engine, database_url, engine_options

if TYPE_CHECKING:
    from engine.base.clock import Clock
    from engine.notify.sender import Mailer

ASSETS = Path(__file__).parent / "assets" / "node_modules"
BUILT_ASSETS = Path(__file__).parent / "assets" / "dist"  # the modeller and NL Design System bundles (`make assets`)


def create_app(test_config: Mapping[str, Any] | None = None, *, settings: Settings | None = None) -> Flask:
    """The app for ``settings`` (default: read from the environment); ``test_config`` overrides Flask config keys.

    ``THV_MODE`` and ``THV_SECURE_COOKIES`` in ``test_config`` override those settings,
    ``THV_REGISTRY`` and ``THV_CLOCK_OBJECT`` hand in a ready registry and clock (tests).
    """
    app = Flask(__name__, instance_relative_config=True)
    settings = settings or Settings.from_env()
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key or os.urandom(32).hex(),
        THV_MODE=settings.mode,
        RUN_TIMERS=False,
        TIMER_INTERVAL_SECONDS=5.0,
        MAX_CONTENT_LENGTH=1024 * 1024,
        MAX_FORM_PARTS=2000,
        JSON_SORT_KEYS=False,
    )
    if settings.secure_cookies is not None:
        app.config["THV_SECURE_COOKIES"] = settings.secure_cookies
    app.config["THV_METRICS_TOKEN"] = settings.metrics_token
    if test_config:
        app.config.update(test_config)
    settings = replace(settings, mode=app.config["THV_MODE"])  # checked again: a test mode may not bring a clock
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(settings, instance_path=_instance(app))
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))

    from web import i18n, presentation, presenters, security, theme
    from web.extensions import csrf, db, limiter, login_manager, thv

    security.configure(app)
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    clock = app.config.get("THV_CLOCK_OBJECT") or clock_from_env(settings)
    registry = app.config.get("THV_REGISTRY") or ModelRegistry(settings.forms_dir)
    thv.init_app(app, registry=registry, clock=clock, mailer=_mailer(settings, clock))
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    if settings.trusted_proxies:
        # Each trusted proxy adds one X-Forwarded-For entry; the client's own address is the one before them.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies
        )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    i18n.init_app(app)
    presentation.init_app(app)
    presenters.init_app(app)
    theme.init_app(app, settings)
    from web.views import sso

    sso.init_app(app, settings)
    _register_blueprints(app)

    if app.config["RUN_TIMERS"]:
        from web.timer_worker import start_timer_thread

        start_timer_thread(app)
    return app


class IdConverter(IntegerConverter):
    """A database id: a positive integer that fits a 64-bit column (anything else is a 404)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=2**63 - 1)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    from web import api, errors, health, metrics, request_log
    from web.views import (
        about,
        account,
        auth,
        cases,
        dashboard,
        designer,
        designer_diff,
        designer_edit,
        designer_werkproces,
        privacy,
        simulation,
        sso,
        tasks,
        worklist,
    )

    errors.register(app)
    request_log.init_app(app)
    metrics.init_app(app)
    for blueprint in (
        health.bp,
        about.bp,
        api.bp,
        auth.bp,
        sso.bp,
        worklist.bp,
        tasks.bp,
        cases.bp,
        account.bp,
        designer.bp,
        designer_edit.bp,
        designer_diff.bp,
        designer_werkproces.bp,
        dashboard.bp,
        simulation.bp,
        privacy.bp,
    ):
        app.register_blueprint(blueprint)
    from web.views import documents

    app.register_blueprint(documents.bp)  # documents of a case: make, PDF, print, service, dossier
    # bpmn-js from the npm registry (web/assets, installed by `make run` / `make test`), served as is.
    app.register_blueprint(
        Blueprint(
            "bpmn_js",
            __name__,
            static_folder=str(ASSETS / "bpmn-js" / "dist"),
            static_url_path="/static/vendor/bpmn-js",
        )
    )
    # Bundled by `make assets` (web/assets/build.mjs): the designer's modeller and the NL Design System CSS.
    app.register_blueprint(
        Blueprint("built_assets", __name__, static_folder=str(BUILT_ASSETS), static_url_path="/static/dist")
    )


def _mailer(settings: Settings, clock: Clock) -> Mailer | None:
    """The sender of notification mails, for the timer thread (only with an SMTP server configured)."""
    from engine.notify.sender import Mailer

    return Mailer(settings.mail, clock) if settings.mail is not None else None


def _instance(app: Flask) -> Path:
    return Path(app.instance_path)

"""``thv serve``: gunicorn in production mode, Flask's development server in the other modes.

Production runs gunicorn through its documented custom-application API
(``gunicorn.app.base.BaseApplication``). Each worker builds its own app with
``web.create_app`` after the fork (no preloading), so no database connection is shared
between processes. Timers never run in a web worker in production: ``thv timers --loop``
is its own process (README, "Running in production").
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from werkzeug.serving import WSGIRequestHandler

from engine.base.errors import ConfigurationError
from engine.base.log_context import ContextFilter, formatter
from engine.base.settings import Settings
from engine.storage.db import DATABASE_UNAVAILABLE

DEFAULT_TIMEOUT = 30  # seconds a worker may take for one request before gunicorn restarts it

NO_SECRET_KEY = (
    "THV_SECRET_KEY ontbreekt: in productie moeten alle webworkers en herstarts dezelfde geheime sleutel "
    "gebruiken, anders vervallen de sessies; zet THV_SECRET_KEY op een lange willekeurige tekst"
)
SQLITE_WORKERS = (
    "SQLite kan maar één webworker aan (één schrijver tegelijk): gebruik --workers 1 "
    "of een PostgreSQL-database (THV_DATABASE_URL)"
)
DATABASE_UNREACHABLE = "de database is niet bereikbaar: controleer THV_DATABASE_URL en of de databaseserver draait"
TIMERS_IN_WEB = (
    "in productie draaien timers niet in de webserver: start daarvoor een apart proces met 'thv timers --loop'"
)


class ProductionServer(BaseApplication):  # gunicorn ships no types: its base class is Any
    """gunicorn with ``options`` (gunicorn setting names), serving ``web.create_app(settings=settings)``."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__(prog="thv serve")

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from web import create_app

        return create_app({"RUN_TIMERS": False}, settings=self.settings)


def uses_sqlite(settings: Settings) -> bool:
    return settings.database_url is None or settings.database_url.startswith("sqlite:")


def production_server(
    settings: Settings,
    *,
    host: str,
    port: int,
    workers: int | None,
    timeout: int = DEFAULT_TIMEOUT,
    cpu_count: Callable[[], int | None] = os.cpu_count,
) -> ProductionServer:
    """The configured gunicorn application; a start that cannot work is refused with one Dutch line.

    ``workers`` None: one per core on PostgreSQL, one on SQLite (one writer at a time).
    """
    if not settings.secret_key:
        raise ConfigurationError(NO_SECRET_KEY)
    sqlite = uses_sqlite(settings)
    if workers is None:
        workers = 1 if sqlite else max(1, cpu_count() or 1)
    if sqlite and workers > 1:
        raise ConfigurationError(SQLITE_WORKERS)
    options = {
        "bind": [f"{host}:{port}"],
        "workers": workers,
        "timeout": timeout,
        "preload_app": False,  # each worker makes its own app and database connections after the fork
        "proc_name": "thv",
        "logger_class": ThvGunicornLogger,  # gunicorn's own lines in the app's log format
        "accesslog": None,  # the app writes one access line per request itself (web/request_log.py)
    }
    return ProductionServer(settings, options)


class ThvGunicornLogger(glogging.Logger):  # gunicorn ships no types: its base class is Any
    """gunicorn's error log through the app's formatter (JSON in production) with request and case ids."""

    log_format = "json"

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter(self.log_format))
            handler.addFilter(ContextFilter())


def collect_metrics_of_all_workers(server: ProductionServer, folder: Path) -> None:
    """prometheus-client's multiprocess mode: every worker writes its values to ``folder`` (gunicorn sets
    PROMETHEUS_MULTIPROC_DIR for the workers it starts); /metrics on any worker adds them up.

    Each start gets an empty folder, so counters of an earlier run never add up with this one's.
    """

    def worker_exited(_server: Any, worker: Any) -> None:  # a killed worker leaves no live gauges behind
        # Imported here, not before gunicorn sets the variable: prometheus-client fixes its mode on import,
        # and the workers are forked from this process.
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, str(folder))

    server.cfg.set("raw_env", [f"PROMETHEUS_MULTIPROC_DIR={folder}"])
    server.cfg.set("child_exit", worker_exited)


def database_reachable(settings: Settings) -> None:
    """Refuse to start, in one line, when the database does not answer or its schema does not fit this code."""
    from engine.storage.db import database_url, make_engine, make_session_factory, ping
    from engine.storage.schema_state import require_current_schema

    engine = make_engine(database_url(settings))
    try:
        with make_session_factory(engine)() as session:
            if not ping(session):
                raise ConfigurationError(DATABASE_UNREACHABLE)
        require_current_schema(engine)
    except DATABASE_UNAVAILABLE:
        raise ConfigurationError(DATABASE_UNREACHABLE) from None
    finally:
        engine.dispose()


def serve_worker_metrics(port: int) -> None:
    """The timer worker's own /metrics on 127.0.0.1:``port`` (timer lag, sweep duration), in a thread."""
    from prometheus_client import start_http_server

    from web.metrics import subscribe_engine_events

    subscribe_engine_events()
    start_http_server(port, addr="127.0.0.1")


def serve(settings: Settings, *, host: str, port: int, workers: int | None, timeout: int, timers: bool | None) -> None:
    """Run the web server for ``settings.mode`` until it is stopped."""
    if settings.oidc_config is not None:  # a broken single sign-on configuration stops the start, in one line
        from engine.accounts.sso import load_sso_config

        load_sso_config(settings.oidc_config, settings.oidc_client_secret)
    if settings.mode == "production":
        if timers:
            raise ConfigurationError(TIMERS_IN_WEB)
        server = production_server(settings, host=host, port=port, workers=workers, timeout=timeout)
        database_reachable(settings)
        ThvGunicornLogger.log_format = settings.effective_log_format
        folder = Path(tempfile.mkdtemp(prefix="thv-metrics-"))
        collect_metrics_of_all_workers(server, folder)
        try:
            server.run()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    from web import create_app

    # The development server: one process; timers in a thread of it unless --no-timers.
    app = create_app({"RUN_TIMERS": timers is not False}, settings=settings)
    app.run(host=host, port=port, use_reloader=False, request_handler=QuietRequestHandler)


class QuietRequestHandler(WSGIRequestHandler):
    """The development server's handler without its product and version in the Server header."""

    server_version = "thv"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

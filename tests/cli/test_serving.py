"""``thv serve``: gunicorn in production (refusing a start that cannot work), Flask's server otherwise."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable

import pytest
from flask import Flask

from cli.serving import (
    DATABASE_UNREACHABLE,
    NO_SECRET_KEY,
    SQLITE_WORKERS,
    TIMERS_IN_WEB,
    ProductionServer,
    QuietRequestHandler,
    production_server,
)
from engine.base.errors import ConfigurationError
from engine.base.settings import Settings
from tests.cli.conftest import Result
from tests.conftest import PROJECT_ROOT
from tests.local_servers import free_port, wait_for_line

POSTGRES = "postgresql://thv@db.example/thv"


@pytest.fixture
def production(thv, monkeypatch) -> Callable[..., tuple[Result, list[ProductionServer]]]:
    """``thv serve`` in production mode; gunicorn is configured but not run (no port is bound)."""
    monkeypatch.setenv("THV_MODE", "production")
    monkeypatch.delenv("THV_CLOCK")
    monkeypatch.setenv("THV_SECRET_KEY", "een-lang-geheim")
    servers: list[ProductionServer] = []
    monkeypatch.setattr(ProductionServer, "run", lambda server: servers.append(server))
    monkeypatch.setattr("cli.serving.database_reachable", lambda settings: None)  # POSTGRES is not a real server
    monkeypatch.setattr(Flask, "run", lambda app, **_: pytest.fail("the development server in production"))

    def serve(*args: str) -> tuple[Result, list[ProductionServer]]:
        servers.clear()
        return thv("serve", *args), servers

    return serve


def _refused(result: Result, line: str) -> None:
    assert result.code == 1 and result.err == f"fout: {line}\n"  # one Dutch line, no traceback


def test_production_without_a_secret_key_is_refused_with_one_dutch_line(production, monkeypatch):
    monkeypatch.delenv("THV_SECRET_KEY")
    result, servers = production()
    _refused(result, NO_SECRET_KEY)
    assert servers == []
    monkeypatch.setenv("THV_SECRET_KEY", "")  # empty is missing too
    _refused(production()[0], NO_SECRET_KEY)


def test_sqlite_with_more_than_one_worker_is_refused(production):
    result, servers = production("--workers", "2")
    _refused(result, SQLITE_WORKERS)
    assert servers == []
    result, [server] = production()  # the default on SQLite: one worker
    assert result.code == 0 and server.cfg.workers == 1


def test_production_configures_gunicorn_with_the_workers_bind_and_timeout(production, monkeypatch):
    monkeypatch.setenv("THV_DATABASE_URL", POSTGRES)
    result, [server] = production("--host", "0.0.0.0", "--port", "8080", "--workers", "3", "--timeout", "45")
    assert result.code == 0, result.err
    assert server.cfg.workers == 3 and server.cfg.bind == ["0.0.0.0:8080"] and server.cfg.timeout == 45
    assert server.cfg.preload_app is False  # each worker makes its own app and connections
    result, [server] = production()
    assert server.cfg.bind == ["127.0.0.1:5000"] and server.cfg.timeout == 30
    assert server.cfg.workers == max(1, os.cpu_count() or 1)


def test_one_worker_per_core_by_default_on_postgresql_only():
    settings = Settings(mode="production", secret_key="k", database_url=POSTGRES)
    assert production_server(settings, host="h", port=1, workers=None, cpu_count=lambda: 4).cfg.workers == 4
    assert production_server(settings, host="h", port=1, workers=None, cpu_count=lambda: None).cfg.workers == 1
    sqlite = Settings(mode="production", secret_key="k")
    assert production_server(sqlite, host="h", port=1, workers=None, cpu_count=lambda: 4).cfg.workers == 1
    with pytest.raises(ConfigurationError, match="SQLite kan maar één webworker"):
        production_server(sqlite, host="h", port=1, workers=4)


def test_a_production_worker_runs_no_timers(production):
    result, [server] = production()
    app = server.load()  # what each gunicorn worker serves
    assert app.config["RUN_TIMERS"] is False and "thv_timer_stop" not in app.extensions
    assert app.secret_key == "een-lang-geheim"
    _refused(production("--timers")[0], TIMERS_IN_WEB)


def test_development_mode_uses_the_development_server_with_its_timer_thread(thv, monkeypatch):
    monkeypatch.setenv("THV_MODE", "development")
    monkeypatch.delenv("THV_CLOCK")
    runs: list[tuple[Flask, dict]] = []
    monkeypatch.setattr(Flask, "run", lambda app, **options: runs.append((app, options)))
    monkeypatch.setattr(ProductionServer, "run", lambda server: pytest.fail("gunicorn outside production"))
    assert thv("serve", "--port", "5055").code == 0
    [(app, options)] = runs
    app.extensions["thv_timer_stop"].set()  # the embedded sweeper started; stop it
    assert options == {
        "host": "127.0.0.1",
        "port": 5055,
        "use_reloader": False,
        "request_handler": QuietRequestHandler,
    }
    assert thv("serve", "--no-timers").code == 0
    assert "thv_timer_stop" not in runs[1][0].extensions


# --- for real: a gunicorn process on a free localhost port ---------------------------------


def _environment(tmp_path, **values: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("THV_")}
    env.update({"THV_MODE": "production", "THV_DATABASE_URL": f"sqlite:///{tmp_path / 'thv.sqlite'}", **values})
    return env


def test_gunicorn_serves_the_health_page_in_a_real_process(tmp_path):
    env = _environment(tmp_path, THV_SECRET_KEY="geheim")
    assert subprocess.run([sys.executable, "-m", "cli.main", "init-db"], cwd=PROJECT_ROOT, env=env).returncode == 0
    port = free_port()
    command = [sys.executable, "-m", "cli.main", "serve", "--port", str(port), "--workers", "1"]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_line(process, "Booting worker", time.monotonic() + 60)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=60) as response:
            assert response.status == 200
            assert response.headers["Server"].startswith("gunicorn")
            assert json.loads(response.read()) == {"status": "ok", "database": "ok", "mode": "production"}
    finally:
        process.terminate()
        process.wait(timeout=60)
        process.stderr.close()
    assert process.returncode == 0  # gunicorn stops cleanly on SIGTERM


def test_a_production_start_with_an_unreachable_database_exits_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve"],
        cwd=PROJECT_ROOT,
        env=_environment(
            tmp_path, THV_SECRET_KEY="geheim", THV_DATABASE_URL=f"postgresql://thv@/thv?host={tmp_path}&port=1"
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"fout: {DATABASE_UNREACHABLE}\n"


def test_a_real_production_start_without_a_secret_key_exits_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve"],
        cwd=PROJECT_ROOT,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == f"fout: {NO_SECRET_KEY}\n"


def test_a_production_start_on_a_schema_behind_the_code_exits_with_one_line(tmp_path):
    env = _environment(tmp_path, THV_SECRET_KEY="geheim")
    assert subprocess.run([sys.executable, "-m", "cli.main", "init-db"], cwd=PROJECT_ROOT, env=env).returncode == 0
    with sqlite3.connect(tmp_path / "thv.sqlite") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0019'")  # the code was upgraded, the schema not
    for command in (["serve"], ["timers", "--loop"]):
        result = subprocess.run([sys.executable, "-m", "cli.main", *command], cwd=PROJECT_ROOT, env=env,
                                capture_output=True, text=True, timeout=60)  # fmt: skip
        assert result.returncode == 1 and result.stdout == "", command
        assert result.stderr.startswith("fout: het databaseschema staat op 0019, deze versie heeft ")
        assert result.stderr.endswith("nodig: draai eerst 'thv init-db'\n") and result.stderr.count("\n") == 1

"""``thv status``: the readiness of /health/ready on the command line, with an exit code for scripts."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from engine.base.settings import Settings
from engine.runtime import runtime_from_settings
from engine.workflow.heartbeats import record_sweep


def test_status_in_test_mode_is_ready_and_tells_the_timers_and_mail(thv):
    result = thv("status")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "database: ok",
        "timers: 0 actieve worker(s), laatste sweep nooit, 0 verlopen wachtend",
        "e-mail: geen mailserver ingesteld",
        "klaar",
    ]
    data = thv("status", "--json").json()
    assert (data["ready"], data["reasons"], data["timer_workers"], data["mail"]) == (True, [], 0, None)


def test_status_in_production_needs_a_recent_timer_sweep(thv, monkeypatch):
    monkeypatch.setenv("THV_MODE", "production")
    monkeypatch.delenv("THV_CLOCK")
    waiting = thv("status")
    verdict = "niet klaar: geen timersweep in de laatste 2 minuten: draait 'thv timers --loop'?"
    assert waiting.code == 1 and waiting.out.splitlines()[-1] == verdict and waiting.err == f"fout: {verdict}\n"
    rt = runtime_from_settings(Settings.from_env())
    with rt.sessions() as session:
        record_sweep(session, "host:1", at=rt.clock.now(), fired=0, duration_ms=3)
    ready = thv("status", "--json")
    assert ready.code == 0 and ready.json()["timer_workers"] == 1
    assert datetime.fromisoformat(ready.json()["last_timer_sweep"]) <= rt.clock.now()


def test_status_names_a_schema_behind_the_code(thv, tmp_path):
    with sqlite3.connect(tmp_path / "thv.sqlite") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0019'")
    behind = thv("status", "--json")
    assert behind.code == 1
    [reason] = behind.json()["reasons"]
    assert reason.startswith("het databaseschema staat op 0019") and reason.endswith("draai eerst 'thv init-db'")

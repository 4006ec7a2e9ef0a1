"""`thv serve` fires timers in-process: create_app(RUN_TIMERS=True) starts the sweep thread."""

from __future__ import annotations

import threading

from web import create_app


def test_the_app_runs_the_timer_sweep_in_a_thread(monkeypatch, tmp_path, clock, web_template):
    swept = threading.Event()
    calls = []

    def fake_sweep(session, registry, used_clock, worker, mailer):
        calls.append((registry, used_clock, worker.endswith("/web"), mailer))
        swept.set()
        return 0

    monkeypatch.setattr("web.timer_worker.sweep", fake_sweep)
    app = create_app(
        {
            "TESTING": True,
            "THV_MODE": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 't.db'}",
            "THV_CLOCK_OBJECT": clock,
            "THV_REGISTRY": web_template["registry"],
            "RUN_TIMERS": True,
            "TIMER_INTERVAL_SECONDS": 0.01,
            "SECRET_KEY": "x",
        }
    )
    try:
        assert swept.wait(timeout=10)
        # It reports as this host's web thread; without THV_SMTP_URL it sends no mail.
        assert calls[0] == (web_template["registry"], clock, True, None)
        assert any(t.name == "thv-timers" for t in threading.enumerate())
    finally:
        app.extensions["thv_timer_stop"].set()
    thread = next((t for t in threading.enumerate() if t.name == "thv-timers"), None)
    if thread is not None:
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_the_app_does_not_sweep_unless_asked(tmp_path, clock):
    app = create_app(
        {
            "TESTING": True,
            "THV_MODE": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 't.db'}",
            "THV_CLOCK_OBJECT": clock,
            "SECRET_KEY": "x",
        }
    )
    assert "thv_timer_stop" not in app.extensions

"""Fires due timers inside the web process (the embedded single-process default).

Deployments with several web workers run ``thv timers --loop`` instead. Each sweep also sends the due
notification mails when an SMTP server is configured (engine.notify.sender).
"""

from __future__ import annotations

import threading

from flask import Flask

from engine.workflow.heartbeats import sweep, worker_name


def start_timer_thread(app: Flask) -> threading.Thread:
    interval = float(app.config["TIMER_INTERVAL_SECONDS"])
    stop = threading.Event()
    app.extensions["thv_timer_stop"] = stop

    def run() -> None:
        from web.extensions import db, db_session, thv

        worker = worker_name("web")
        while not stop.wait(interval):
            with app.app_context():
                try:
                    sweep(db_session(), thv.ctx.registry, thv.ctx.clock, worker, mailer=thv.ctx.mailer)
                except Exception:
                    app.logger.exception("timersweep mislukt")
                finally:
                    db.session.remove()

    thread = threading.Thread(target=run, name="thv-timers", daemon=True)
    thread.start()
    return thread

"""``/metrics`` for Prometheus: requests, completions, errors, timers, mails. Numbers and ids only, no personal data.

Under gunicorn (several worker processes) prometheus-client's multiprocess mode adds up
the workers' values: ``thv serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` before any worker starts
(cli/serving.py). The timer figures that any node must be able to see (due backlog, live
timer workers, latest sweep) are read from the database at scrape time.

Access: with ``THV_METRICS_TOKEN`` a scraper sends ``Authorization: Bearer <token>``; without
it ``/metrics`` is served outside production mode only.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request
from flask.typing import ResponseReturnValue
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from engine.base.observe import subscribe
from engine.notify.outbox import MailBacklog, mail_backlog
from engine.workflow.heartbeats import TimerHealth, timer_health
from web.extensions import db_session, thv

bp = Blueprint("metrics", __name__)

REQUEST_SECONDS = Histogram(
    "thv_request_seconds",
    "Duur van webverzoeken, per Flask-endpoint en statusklasse",
    ["endpoint", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
COMPLETIONS = Counter("thv_task_completions_total", "Afgeronde en geweigerde taakafrondingen", ["outcome"])
ERRORS = Counter("thv_errors_total", "Foutantwoorden, per soort", ["kind"])
TIMER_LAG = Histogram(
    "thv_timer_lag_seconds",
    "Hoe lang na het verlopen een timer afging",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 3600, 86400),
)
SWEEP_SECONDS = Histogram(
    "thv_timer_sweep_seconds", "Duur van een timersweep", buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30)
)
MAILS = Counter(
    "thv_mails_total", "E-mailmeldingen per afloop: verzonden, opnieuw later, opgegeven, vervallen", ["outcome"]
)
COMPLETION_ENDPOINTS = frozenset({"tasks.complete", "api.complete_task"})
_OUTCOMES = {409: "conflict", 422: "ongeldig", 403: "geweigerd", 404: "niet_gevonden"}


def observe_request(endpoint: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(endpoint=endpoint, status=f"{status // 100}xx").observe(seconds)
    if status >= 400:
        ERRORS.labels(kind=str(status)).inc()
    if endpoint in COMPLETION_ENDPOINTS and request.method == "POST":
        outcome = "afgerond" if status < 400 else _OUTCOMES.get(status, "fout")
        COMPLETIONS.labels(outcome=outcome).inc()


def subscribe_engine_events() -> None:
    """Count what the engine reports (timers fired and their lag, sweeps); once per process."""
    subscribe("timer_fired", _timer_fired)
    subscribe("sweep", _sweep)
    subscribe("mail", _mail)


def _timer_fired(lag_seconds: float) -> None:
    TIMER_LAG.observe(lag_seconds)


def _sweep(duration_seconds: float, fired: int) -> None:
    SWEEP_SECONDS.observe(duration_seconds)


def _mail(outcome: str) -> None:
    MAILS.labels(outcome=outcome).inc()


class _TimerCollector:
    """The timer figures every node reads from the shared database at scrape time."""

    def __init__(self, health: TimerHealth, now: Any) -> None:
        self.health, self.now = health, now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "thv_timers_due", "Zaken waarvan een timer verlopen is en nog niet afging", self.health.due
        )
        yield GaugeMetricFamily("thv_timer_workers", "Timerworkers met een recente sweep", self.health.workers)
        age = (self.now - self.health.latest_sweep).total_seconds() if self.health.latest_sweep else float("nan")
        yield GaugeMetricFamily("thv_timer_last_sweep_age_seconds", "Seconden sinds de laatste timersweep", age)


class _MailCollector:
    """The outbox as every node reads it from the shared database at scrape time."""

    def __init__(self, backlog: MailBacklog, now: Any) -> None:
        self.backlog, self.now = backlog, now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "thv_mail_backlog", "E-mailmeldingen die nog verzonden moeten worden", self.backlog.pending
        )
        yield GaugeMetricFamily(
            "thv_mail_retrying", "Wachtende e-mailmeldingen waarvan een poging mislukte", self.backlog.retrying
        )
        oldest = self.backlog.oldest_pending
        age = (self.now - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily("thv_mail_oldest_pending_age_seconds", "Leeftijd van de oudste wachtende e-mail", age)
        yield GaugeMetricFamily(
            "thv_mail_failed_last_day", "E-mailmeldingen opgegeven in de afgelopen 24 uur", self.backlog.failed_last_day
        )


def render(extra: CollectorRegistry | None = None) -> bytes:
    """The metrics of this process (or, under gunicorn, of all workers) plus ``extra``."""
    if _multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    return text + (generate_latest(extra) if extra is not None else b"")


def _multiprocess() -> bool:
    from prometheus_client import values

    return values.ValueClass is not values.MutexValue


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    token = current_app.config.get("THV_METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            abort(401)
    elif current_app.config["THV_MODE"] == "production":
        abort(404)
    now = thv.ctx.clock.now()
    extra = CollectorRegistry()
    extra.register(_TimerCollector(timer_health(db_session(), now), now))
    extra.register(_MailCollector(mail_backlog(db_session(), now), now))
    return Response(render(extra), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    subscribe_engine_events()
    app.register_blueprint(bp)

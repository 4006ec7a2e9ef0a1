"""Observability (issue 13, item 3): request ids, JSON logs without personal data, /metrics, liveness, readiness."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from engine.base.log_context import ContextFilter, formatter
from engine.storage.transaction import in_transaction
from engine.workflow.heartbeats import record_sweep, sweep
from tests.conftest import PROJECT_ROOT
from tests.web.conftest import MELDING, bearer
from web import create_app
from web.extensions import db_session, thv


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the process logs at INFO and up, as the JSON lines a production server writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("json"))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _metric(client, name: str, **labels: str) -> float:
    text = client.get("/metrics").get_data(as_text=True)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def test_every_response_carries_a_request_id_and_a_well_formed_one_from_the_proxy_is_kept(client):
    own = client.get("/health/live")
    assert own.status_code == 200 and own.json == {"status": "ok"}
    assert len(own.headers["X-Request-Id"]) == 32
    assert client.get("/health/live", headers={"X-Request-Id": "lb-7f3a9c21"}).headers["X-Request-Id"] == "lb-7f3a9c21"
    forged = client.get("/health/live", headers={"X-Request-Id": "<script>x</script>"}).headers["X-Request-Id"]
    assert forged != "<script>x</script>" and len(forged) == 32


def test_log_lines_are_json_with_request_and_case_ids_and_no_personal_data(client, api, case_id, json_log):
    api.to_imposed(case_id)
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "thv.access"]
    completions = [line for line in access if line["endpoint"] == "api.complete_task"]
    assert len(completions) == 5 and all(line["case_id"] == case_id and line["status"] == 200 for line in completions)
    assert all(line["request_id"] and line["time"] and line["user_id"] for line in access)
    assert len({line["request_id"] for line in access}) == len(access)  # one id per request
    text = json_log.getvalue()
    for personal in ("Jan Jansen", "Els Jansen", "Kim", MELDING["adres"], "hovj", "Dorpsstraat"):
        assert personal not in text


def test_metrics_count_completions_errors_and_timers(client, api, case_id, app, clock, tokens):
    done = _metric(client, "thv_task_completions_total", outcome="afgerond")
    refused = _metric(client, "thv_task_completions_total", outcome="ongeldig")
    task = api.task("hovj", case_id)
    bad = client.post(
        f"/api/v1/tasks/{task['id']}/complete", json={"data": {"meerderjarig": "ja"}}, headers=bearer(tokens["hovj"])
    )
    assert bad.status_code == 422
    api.to_imposed(case_id)
    assert _metric(client, "thv_task_completions_total", outcome="afgerond") == done + 5
    assert _metric(client, "thv_task_completions_total", outcome="ongeldig") == refused + 1
    assert _metric(client, "thv_request_seconds_count", endpoint="api.complete_task", status="2xx") >= 5
    lag_before = _metric(client, "thv_timer_lag_seconds_count")
    clock.advance(timedelta(hours=2))  # the mededeling's deadline (one hour) has passed: its timer is due
    assert _metric(client, "thv_timers_due") == 1
    with app.app_context():
        assert sweep(db_session(), thv.ctx.registry, thv.ctx.clock, "test-worker") >= 1
    assert _metric(client, "thv_timer_lag_seconds_count") > lag_before
    assert _metric(client, "thv_timers_due") == 0 and _metric(client, "thv_timer_workers") == 1


def test_every_metric_the_alert_rules_name_is_on_metrics(client):
    """deploy/prometheus/thv-alerts.yml pages on these names: a renamed metric must not silence an alert."""
    rules = (PROJECT_ROOT / "deploy" / "prometheus" / "thv-alerts.yml").read_text(encoding="utf-8")
    named = set(re.findall(r"\bthv_[a-z_]+", rules))
    assert {"thv_timer_workers", "thv_timers_due", "thv_request_seconds_count"} <= named
    client.get("/health/live")  # a labelled series exists once observed
    exposed = {
        sample.name
        for family in text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))
        for sample in family.samples
    }
    assert named - exposed == set()


def _production_app(app_config: dict) -> object:
    return create_app({**app_config, "THV_MODE": "production", "SECRET_KEY": "een-lang-geheim"})


def test_readiness_needs_the_database_and_in_production_a_recent_timer_sweep(app, client, clock):
    ready = client.get("/health/ready")
    assert ready.status_code == 200 and ready.json["status"] == "ok"  # test mode: timers may run in the app
    production = _production_app(
        {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "THV_REGISTRY")}
        | {"THV_CLOCK_OBJECT": clock, "TESTING": True}
    )
    web = production.test_client()
    waiting = web.get("/health/ready")
    assert waiting.status_code == 503 and "thv timers --loop" in waiting.json["timers"]
    with production.app_context():
        record_sweep(db_session(), "host:1", at=clock.now(), fired=0, duration_ms=3)
    assert web.get("/health/ready").status_code == 200
    clock.advance(timedelta(minutes=2))
    assert web.get("/health/ready").status_code == 200  # exactly at the limit: still fresh
    clock.advance(timedelta(minutes=1))
    assert web.get("/health/ready").status_code == 503  # a worker that stopped sweeping
    assert web.get("/health/live").status_code == 200  # but the process itself is alive
    assert web.get("/metrics").status_code == 404  # production without THV_METRICS_TOKEN
    clock.advance(timedelta(minutes=-1))
    assert web.get("/health/ready").status_code == 200
    with production.app_context():  # another node upgraded the schema: this one's code is older
        in_transaction(
            db_session(), lambda: db_session().execute(text("UPDATE alembic_version SET version_num = '9999'"))
        )
    behind = web.get("/health/ready")
    assert behind.status_code == 503 and "nieuwer dan deze versie kent" in behind.json["schema"]

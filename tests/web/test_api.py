"""The JSON API: bearer tokens, every endpoint, access rules, and clear 4xx errors that change nothing."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

import pytest

from tests.conftest import PASSWORD
from tests.web.conftest import MELDING, TOETS, bearer
from web.api import openapi_document


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json["database"] == "ok"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer thv_onzin"},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic " + base64.b64encode(f"pol:{PASSWORD}".encode()).decode()},  # Basic auth is gone
        {"Authorization": "Token " + "x" * 5000},
    ],
)
def test_api_needs_a_valid_token(client, headers):
    response = client.get("/api/v1/tasks", headers=headers)
    assert response.status_code == 401
    assert response.json["error"] == "niet_aangemeld" and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me(client, tokens):
    response = client.get("/api/v1/me", headers=bearer(tokens["pol_vt"]))
    assert response.json == {"name": "pol_vt", "roles": ["politie", "veilig_thuis"], "regions": ["basis", "pilot1"]}


def test_case_flow_over_the_api(client, api, tokens):
    case_id = api.start()
    assert api.tasks("pol", case_id) == []
    [task] = api.tasks("hovj", case_id)
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=bearer(tokens["hovj"])).json
    assert detail["form_schema"]["title"] == "Wettelijke grond toetsen"
    assert detail["instructions"].startswith("Toets of de persoon meerderjarig is")
    assert detail["case"]["variables"]["adres"] == MELDING["adres"]
    api.complete("hovj", task["id"], TOETS)
    case = api.case("hovj", case_id)
    assert case["status"] == "active" and case["milestones"][0]["name"] == "verzoek_ontvangen"
    assert set(case) >= {
        "id",
        "region",
        "variant",
        "model_version",
        "status",
        "milestones",
        "open_tasks",
        "waiting_for",
        "next_timer_at",
        "variables",
        "lock_version",
    }


def test_task_filters(client, api, tokens):
    first, second = api.start(), api.start()
    url = "/api/v1/tasks?case={}&step=Task_toets&claimed=vrij"
    assert [t["case_id"] for t in client.get(url.format(second), headers=bearer(tokens["hovj"])).json] == [second]
    assert client.get("/api/v1/tasks?due=te_laat", headers=bearer(tokens["hovj"])).json == []
    for bad in ("case=abc", "due=ooit", "claimed=alle"):
        assert client.get(f"/api/v1/tasks?{bad}", headers=bearer(tokens["hovj"])).status_code == 400
    assert first != second


def test_claim_and_release_over_the_api(client, api, tokens):
    case_id = api.start()
    task = api.task("hovj", case_id)
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(tokens["hovj"]))
    assert claimed.status_code == 200 and claimed.json["claimed_by"] == "hovj"
    released = client.post(f"/api/v1/tasks/{task['id']}/release", headers=bearer(tokens["hovj"]))
    assert released.json["claimed_by"] is None
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(tokens["pol"])).status_code == 403
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(tokens["pol_elders"])).status_code == 404


def test_form_errors_are_422_with_fields_and_change_nothing(client, api, tokens):
    case_id = api.start()
    task = api.task("hovj", case_id)
    before = api.case("hovj", case_id)
    response = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        headers=bearer(tokens["hovj"]),
        json={"data": {"meerderjarig": "ja", "woonsituatie": "<script>alert(1)</script>", "extra": 1}},
    )
    assert response.status_code == 422
    assert response.json["fields"] == {
        "meerderjarig": "Verwacht ja of nee.",
        "extra": "Onbekend veld.",
        "woonsituatie": "Ongeldige waarde.",
    }
    assert api.case("hovj", case_id) == before


def test_access_rules(client, api, tokens):
    case_id = api.start()
    task = api.task("hovj", case_id)
    assert client.get(f"/api/v1/cases/{case_id}", headers=bearer(tokens["pol_elders"])).status_code == 404
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=bearer(tokens["pol_elders"])).status_code == 404
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=bearer(tokens["pol"])).status_code == 403
    complete = f"/api/v1/tasks/{task['id']}/complete"
    assert client.post(complete, json={"data": TOETS}, headers=bearer(tokens["pol_elders"])).status_code == 404
    assert client.post(complete, json={"data": TOETS}, headers=bearer(tokens["pol"])).status_code == 403
    response = client.post("/api/v1/cases", json={"region": "basis", "data": MELDING}, headers=bearer(tokens["hv"]))
    assert response.status_code == 403
    response = client.post(
        "/api/v1/cases", json={"region": "basis", "data": MELDING}, headers=bearer(tokens["pol_elders"])
    )
    assert response.status_code == 403
    assert api.task("hovj", case_id)["state"] == "ready"


def test_conflicts_are_409(client, api, tokens):
    case_id = api.start()
    task = api.task("hovj", case_id)
    url = f"/api/v1/tasks/{task['id']}/complete"
    stale = client.post(url, json={"data": TOETS, "case_version": 99}, headers=bearer(tokens["hovj"]))
    assert stale.status_code == 409
    client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(tokens["hovj"]))
    assert client.post(url, json={"data": TOETS}, headers=bearer(tokens["hovj"])).status_code == 200
    again = client.post(url, json={"data": TOETS}, headers=bearer(tokens["hovj"]))
    assert again.status_code == 409 and again.json["error"] == "conflict"
    message = client.post(
        f"/api/v1/cases/{case_id}/messages", json={"message": "overtreding_gemeld"}, headers=bearer(tokens["pol"])
    )
    assert message.status_code == 409


def test_messages_over_the_api(client, api, tokens):
    case_id = api.start()
    api.to_imposed(case_id)
    waiting = client.get(f"/api/v1/cases/{case_id}/messages", headers=bearer(tokens["pol"])).json
    by_name = {m["message"]: m for m in waiting}
    assert by_name["overtreding_gemeld"]["allowed"] and by_name["overtreding_gemeld"]["senders"] == ["politie"]
    assert not by_name["beroep_ingesteld"]["allowed"]
    body = {
        "message": "overtreding_gemeld",
        "data": {"overtreding_tijdstip": "2026-02-04T10:00:00+01:00", "overtreding_omschrijving": "weer aan de deur"},
    }
    assert client.post(f"/api/v1/cases/{case_id}/messages", json=body, headers=bearer(tokens["hv"])).status_code == 403
    bad = client.post(f"/api/v1/cases/{case_id}/messages", json={**body, "data": {}}, headers=bearer(tokens["pol"]))
    assert bad.status_code == 422 and "overtreding_tijdstip" in bad.json["fields"]
    ok = client.post(f"/api/v1/cases/{case_id}/messages", json=body, headers=bearer(tokens["pol"]))
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "kwargs, status",
    [
        (dict(data="niet json", content_type="text/plain"), 415),
        (dict(data="{kapot", content_type="application/json"), 400),
        (dict(json=[1, 2]), 400),
        (dict(json={"data": TOETS, "extra": True}), 400),
        (dict(json={"data": "tekst"}), 400),
        (dict(json={"data": TOETS, "case_version": "1"}), 400),
        (dict(json={"data": TOETS, "case_version": True}), 400),
        (dict(json={"data": {"x": "a" * 300_000}}), 400),
        (dict(json={"data": {"x": "a" * 2_000_000}}), 413),
    ],
)
def test_malformed_bodies_are_4xx(client, api, tokens, kwargs, status):
    case_id = api.start()
    task = api.task("hovj", case_id)
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=bearer(tokens["hovj"]), **kwargs)
    assert response.status_code == status, response.json
    assert set(response.json) == {"error", "detail", "fields"}
    assert api.task("hovj", case_id)["state"] == "ready"


def test_start_refusals(client, tokens):
    for body, status in (
        ({}, 400),
        ({"region": 5}, 400),
        ({"region": "mars"}, 400),
        ({"region": "basis", "variant": "onbekend"}, 404),
        ({"region": "basis", "data": [1]}, 400),
        ({"region": "basis", "data": {}}, 422),
        ({"region": "basis", "role": 3}, 400),
    ):
        response = client.post("/api/v1/cases", json=body, headers=bearer(tokens["pol"]))
        assert response.status_code == status, (body, response.json)


def test_start_options(client, tokens):
    options = client.get("/api/v1/start-options", headers=bearer(tokens["pol_vt"])).json
    assert {(o["region"], o["variant"], o["default"]) for o in options} == {
        ("basis", "wth-basis", True),
        ("pilot1", "wth-basis", False),
        ("pilot1", "v1-brede-toegang", True),
    }
    assert next(o for o in options if o["variant"] == "v1-brede-toegang")["roles"] == ["politie", "veilig_thuis"]


def test_unknown_routes_are_json_404(client, tokens):
    response = client.get("/api/v1/nergens", headers=bearer(tokens["pol"]))
    assert response.status_code == 404 and response.json["error"] == "niet_gevonden"
    assert client.delete("/api/v1/cases/1", headers=bearer(tokens["pol"])).status_code == 405


def test_no_csrf_needed_with_a_bearer_token(app, tokens):
    """CSRF protection is on for the app, yet API posts need no CSRF token."""
    assert app.config.get("WTF_CSRF_ENABLED", True)
    client = app.test_client()
    response = client.post("/api/v1/cases", json={"region": "basis", "data": MELDING}, headers=bearer(tokens["pol"]))
    assert response.status_code == 201


def test_openapi_documents_every_api_route(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.1") and document == openapi_document()
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1") :])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented
    json.dumps(document)


def test_an_appeal_after_the_beroepstermijn_is_409_with_the_rule_and_changes_nothing(client, api, tokens, clock):
    case_id = api.start()
    api.to_imposed(case_id)
    url = f"/api/v1/cases/{case_id}/messages"
    before = api.case("bm", case_id)
    # Imposed 2 February 21:15, never served: the window ends at the end of 16 March (six weeks, Awb 6:7, 6:8).
    clock.set(datetime(2026, 3, 16, 23, 1, tzinfo=UTC))
    body = {
        "message": "beroep_ingesteld",
        "data": {
            "beroep_ingesteld_op": "2026-03-17T00:01:00+01:00",
            "beroep_door": "uithuisgeplaatste",
            "voorlopige_voorziening_gevraagd": True,
        },
    }
    late = client.post(url, json=body, headers=bearer(tokens["bm"]))
    assert late.status_code == 409
    assert "beroepstermijn" in late.json["detail"] and "17 maart 2026 om 00:00" in late.json["detail"]
    assert "Traceback" not in late.get_data(as_text=True)
    after = api.case("bm", case_id)
    assert after["milestones"] == before["milestones"] and after["lock_version"] == before["lock_version"]
    in_time = {**body, "data": {**body["data"], "beroep_ingesteld_op": "2026-03-16T23:59:00+01:00"}}
    assert client.post(url, json=in_time, headers=bearer(tokens["bm"])).status_code == 200
    assert "beroep_ingesteld" in [m["name"] for m in api.case("bm", case_id)["milestones"]]


def test_signals_between_the_tracks_cannot_be_sent_from_outside(client, api, tokens):
    case_id = api.start()
    api.to_imposed(case_id)
    waiting = [m["message"] for m in client.get(f"/api/v1/cases/{case_id}/messages", headers=bearer(tokens["bm"])).json]
    assert "beroep_ingesteld" in waiting and "voorlopige_voorziening_toegewezen" not in waiting
    forged = client.post(
        f"/api/v1/cases/{case_id}/messages",
        json={"message": "voorlopige_voorziening_toegewezen"},
        headers=bearer(tokens["bm"]),
    )
    assert forged.status_code in (404, 409)
    assert api.case("bm", case_id)["variables"]["huisverbod"]["status"] == "opgelegd"


def test_a_start_answers_what_happens_next(client, api, tokens):
    response = client.post("/api/v1/cases", json={"region": "basis", "data": MELDING}, headers=bearer(tokens["pol"]))
    assert response.status_code == 201
    started = response.json
    assert started["case_status"] == "active"
    waiting = api.task("hovj", started["id"])
    assert [(t["id"], t["role"], t["title"]) for t in started["next_tasks"]] == [
        (waiting["id"], "hulpofficier", waiting["title"])
    ]

"""The JSON API: authentication, access rules, and clear 4xx errors that change nothing."""
from __future__ import annotations

import pytest

from tests.web.conftest import basic


def _start(client, user="pol"):
    response = client.post("/api/v1/cases", json={"region": "basis"}, headers=basic(user))
    assert response.status_code == 201, response.json
    return response.json["id"]


def _tasks(client, user, case_id=None):
    url = "/api/v1/tasks" + (f"?case={case_id}" if case_id else "")
    response = client.get(url, headers=basic(user))
    assert response.status_code == 200
    return response.json


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json["database"] == "ok"


@pytest.mark.parametrize("headers", [{}, basic("pol", "fout-wachtwoord"), basic("niemand"),
                                     {"Authorization": "Bearer abc"}, {"Authorization": "Basic !!!"}])
def test_api_needs_valid_credentials(client, headers):
    response = client.get("/api/v1/tasks", headers=headers)
    assert response.status_code == 401
    assert response.json["error"] == "niet_aangemeld"


def test_case_flow_over_the_api(client):
    case_id = _start(client)
    [task] = _tasks(client, "pol", case_id)
    assert _tasks(client, "bm", case_id) == []
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"naam": "A", "ernst": 4}},
                           headers=basic("pol"))
    assert response.status_code == 200
    [besluit] = _tasks(client, "bm", case_id)
    assert besluit["due_at"] == "2026-02-03T20:15:00+00:00"
    case = client.get(f"/api/v1/cases/{case_id}", headers=basic("bm")).json
    assert case["status"] == "active" and case["milestones"][0]["name"] == "verzoek_ontvangen"


def test_form_errors_are_422_with_fields_and_change_nothing(client):
    case_id = _start(client)
    [task] = _tasks(client, "pol", case_id)
    before = client.get(f"/api/v1/cases/{case_id}", headers=basic("pol")).json
    response = client.post(f"/api/v1/tasks/{task['id']}/complete",
                           json={"data": {"naam": "<script>alert(1)</script>", "ernst": "hoog"}}, headers=basic("pol"))
    assert response.status_code == 422
    assert response.json["fields"] == {"ernst": "Verwacht een geheel getal."}
    assert client.get(f"/api/v1/cases/{case_id}", headers=basic("pol")).json == before


def test_access_rules(client):
    case_id = _start(client)
    [task] = _tasks(client, "pol", case_id)
    assert client.get(f"/api/v1/cases/{case_id}", headers=basic("pol_elders")).status_code == 404
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"naam": "A", "ernst": 1}},
                           headers=basic("pol_elders"))
    assert response.status_code == 404
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"naam": "A", "ernst": 1}},
                           headers=basic("bm"))
    assert response.status_code == 403
    response = client.post("/api/v1/cases", json={"region": "basis"}, headers=basic("pol_elders"))
    assert response.status_code == 403


def test_conflicts_are_409(client):
    case_id = _start(client)
    [task] = _tasks(client, "pol", case_id)
    url = f"/api/v1/tasks/{task['id']}/complete"
    stale = client.post(url, json={"data": {"naam": "A", "ernst": 1}, "case_version": 99}, headers=basic("pol"))
    assert stale.status_code == 409
    assert client.post(url, json={"data": {"naam": "A", "ernst": 1}}, headers=basic("pol")).status_code == 200
    again = client.post(url, json={"data": {"naam": "A", "ernst": 1}}, headers=basic("pol"))
    assert again.status_code == 409 and again.json["error"] == "conflict"
    message = client.post(f"/api/v1/cases/{case_id}/messages", json={"message": "overtreding_gemeld"},
                          headers=basic("ovj"))
    assert message.status_code == 409


@pytest.mark.parametrize("kwargs, status", [
    (dict(data="niet json", content_type="text/plain"), 400),
    (dict(data="{kapot", content_type="application/json"), 400),
    (dict(json=[1, 2]), 400),
    (dict(json={"data": {"naam": "A", "ernst": 1}, "extra": True}), 400),
    (dict(json={"data": "tekst"}), 400),
    (dict(json={"data": {"naam": "A", "ernst": 1}, "case_version": "1"}), 400),
    (dict(json={"data": {"x": "a" * 2_000_000}}), 413),
])
def test_malformed_bodies_are_4xx(client, kwargs, status):
    case_id = _start(client)
    [task] = _tasks(client, "pol", case_id)
    response = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=basic("pol"), **kwargs)
    assert response.status_code == status, response.json
    assert set(response.json) == {"error", "detail", "fields"}
    assert len(_tasks(client, "pol", case_id)) == 1


def test_start_refusals(client):
    for body, status in (({}, 400), ({"region": 5}, 400), ({"region": "mars"}, 400),
                         ({"region": "basis", "variant": "onbekend"}, 404), ({"region": "basis", "data": [1]}, 400)):
        response = client.post("/api/v1/cases", json=body, headers=basic("pol"))
        assert response.status_code == status, (body, response.json)


def test_unknown_routes_are_json_404(client):
    response = client.get("/api/v1/nergens", headers=basic("pol"))
    assert response.status_code == 404 and response.json["error"] == "niet_gevonden"
    assert client.delete("/api/v1/cases/1", headers=basic("pol")).status_code == 405

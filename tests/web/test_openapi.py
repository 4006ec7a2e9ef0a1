"""web/openapi.json is a valid OpenAPI 3.1 document, its closed sets are the code's, and the check that
every test's API response matches it (tests/web/openapi_contract.py) fails when a response drifts."""

from __future__ import annotations

import json
import uuid

import pytest
from openapi_spec_validator import validate

from engine.base.vocabulary import CASE_STATUSES, MILESTONES, REGIONS, ROLES
from engine.modeling.document_rules import KINDS, METHODS, RECIPIENT_ROLES
from engine.workflow.worklist import CLAIM_FILTERS, DUE_FILTERS, TASK_STATES
from tests.web.conftest import bearer
from tests.web.openapi_contract import SpecCheckedClient, SpecMismatch, check_response, spec
from web.errors import _CODES

ME = {"name": "pol", "roles": ["politie"], "regions": ["basis"]}
TASK = {
    "id": str(uuid.UUID(int=1)),
    "case_id": 1,
    "region": "basis",
    "element": "Task_toets",
    "title": "Wettelijke grond toetsen",
    "role": "hulpofficier",
    "form": "toets.json",
    "state": "ready",
    "due_at": None,
    "acute": False,
    "created_at": "2026-02-02T20:00:00+00:00",
    "claimed_by": None,
    "completed_by": None,
    "completed_at": None,
    "end_reason": None,
    "case_address": "Dorpsstraat 1, Ergens",
    "case_name": "Jan Jansen",
}
ERROR = {"error": "niet_gevonden", "detail": "zaak 1 bestaat niet", "fields": {}}


def _json(body) -> bytes:
    return json.dumps(body).encode()


def test_the_spec_is_a_valid_openapi_3_1_document():
    validate(spec())
    assert spec()["openapi"].startswith("3.1")


@pytest.mark.parametrize(
    "schema, values",
    [
        ("Role", [r.code for r in ROLES]),
        ("Region", [r.code for r in REGIONS]),
        ("Milestone", list(MILESTONES)),
        ("CaseStatus", list(CASE_STATUSES)),
        ("TaskState", list(TASK_STATES)),
        ("DocumentKind", list(KINDS)),
        ("ServiceMethod", list(METHODS)),
        ("RecipientRole", list(RECIPIENT_ROLES)),
        ("ErrorCode", list(_CODES.values())),
    ],
)
def test_the_closed_sets_of_the_spec_are_the_code_s(schema, values):
    assert spec()["components"]["schemas"][schema]["enum"] == values


def test_the_task_filters_of_the_spec_are_the_code_s():
    parameters = {p["name"]: p for p in spec()["paths"]["/tasks"]["get"]["parameters"]}
    assert parameters["due"]["schema"]["enum"] == list(DUE_FILTERS)
    assert parameters["claimed"]["schema"]["enum"] == list(CLAIM_FILTERS)


# --- the check itself, fed crafted responses ------------------------------------------------------


def test_a_documented_response_passes():
    check_response("GET", "/api/v1/me", 200, "application/json", _json(ME))
    check_response("POST", f"/api/v1/tasks/{TASK['id']}/claim", 200, "application/json", _json(TASK))
    check_response("GET", "/api/v1/cases/1", 404, "application/json", _json(ERROR))


@pytest.mark.parametrize(
    "method, path, status, mimetype, body, why",
    [
        ("GET", "/api/v1/me", 200, "application/json", {**ME, "email": "x@y"}, "'email' was unexpected"),
        ("GET", "/api/v1/me", 200, "application/json", {"name": "pol", "roles": []}, "'regions' is a required"),
        ("GET", "/api/v1/me", 200, "application/json", {**ME, "roles": ["piraat"]}, "'piraat' is not one of"),
        ("POST", f"/api/v1/tasks/{TASK['id']}/claim", 200, "application/json", {**TASK, "extra": 1}, "'extra'"),
        ("POST", f"/api/v1/tasks/{TASK['id']}/claim", 200, "application/json", {**TASK, "id": None}, "body at id"),
        ("POST", f"/api/v1/tasks/{TASK['id']}/claim", 200, "application/json", {**TASK, "due_at": "morgen"}, "date"),
        ("POST", f"/api/v1/tasks/{TASK['id']}/claim", 200, "application/json", {**TASK, "state": "x"}, "not one"),
        ("GET", "/api/v1/tasks", 200, "application/json", [{**TASK, "form_schema": None}], "body at 0"),
        ("GET", "/api/v1/cases/1", 404, "application/json", {**ERROR, "trace": "..."}, "'trace' was unexpected"),
        ("GET", "/api/v1/cases/1", 404, "application/json", {"error": "weg", "detail": ""}, "body at (root)"),
        ("GET", "/api/v1/me", 500, "application/json", ERROR, "documents only ['200', '401', '503']"),
        ("GET", "/api/v1/me", 200, "text/html", ME, "content type 'text/html'"),
        ("GET", "/api/v1/me", 401, "application/json", ERROR | {"error": "niet_aangemeld"}, "WWW-Authenticate"),
        ("GET", "/api/v1/cases/abc", 200, "application/json", {}, "no path of the spec matches"),
        ("PUT", "/api/v1/cases/1", 200, "application/json", {}, "/cases/{case_id} has no PUT"),
        ("GET", "/api/v1/documents/1/pdf", 200, "application/pdf", "<html>", "not a PDF"),
    ],
)
def test_a_response_the_spec_does_not_describe_fails(method, path, status, mimetype, body, why):
    raw = body.encode() if isinstance(body, str) else _json(body)
    with pytest.raises(SpecMismatch, match=why.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        check_response(method, path, status, mimetype, raw, {"Content-Disposition": "attachment"})


def test_every_test_client_checks_the_api_responses(app, client, tokens):
    """The hook is on the client the tests use: a field the view adds behind the spec's back fails the request."""
    assert isinstance(client, SpecCheckedClient) and isinstance(app.test_client(), SpecCheckedClient)

    @app.after_request
    def drift(response):
        if response.is_json and response.json and "roles" in response.json:
            response.set_data(json.dumps({**response.json, "email": "pol@example.org"}))
        return response

    with pytest.raises(SpecMismatch, match="'email' was unexpected"):
        client.get("/api/v1/me", headers=bearer(tokens["pol"]))
    assert client.get("/inloggen").status_code == 200  # pages are not the API's


# --- every operation's documented refusals, through the real app ----------------------------------

OPERATIONS = [(path, method) for path, item in spec()["paths"].items() for method in item if path != "/openapi.json"]
EXAMPLE_IDS = {"{task_id}": str(uuid.UUID(int=7)), "{case_id}": "987654", "{document_id}": "987654"}
# Smallest bodies that pass the request checks, so the missing case, task or document is what is refused.
BODIES = {
    "/tasks/{task_id}/complete": {"data": {}},
    "/cases/{case_id}/messages": {"message": "overtreding_gemeld"},
    "/cases/{case_id}/documents": {"kind": "beschikking"},
    "/documents/{document_id}/service": {
        "recipient_role": "uithuisgeplaatste",
        "method": "in_persoon_getekend",
        "served_at": "2026-02-02T21:00:00+01:00",
    },
}


def _url(path: str) -> str:
    for name, value in EXAMPLE_IDS.items():
        path = path.replace(name, value)
    return "/api/v1" + path


@pytest.mark.parametrize("path, method", OPERATIONS)
def test_every_operation_refuses_a_missing_token_as_documented(client, path, method):
    response = client.open(_url(path), method=method.upper(), json=BODIES.get(path))
    assert response.status_code == 401


def test_operations_on_what_does_not_exist_are_404_as_documented(client, tokens):
    for path, method in OPERATIONS:
        if "{" in path:
            response = client.open(
                _url(path), method=method.upper(), json=BODIES.get(path), headers=bearer(tokens["hovj"])
            )
            assert response.status_code == 404, (method, path, response.json)


def test_bodies_that_are_not_json_objects_are_refused_as_documented(client, tokens):
    with_body = [(p, m) for p, m in OPERATIONS if "requestBody" in spec()["paths"][p][m]]
    assert len(with_body) == 5
    for path, method in with_body:
        url, headers = _url(path), bearer(tokens["hovj"])
        assert (
            client.open(url, method=method.upper(), data="x", content_type="text/plain", headers=headers).status_code
            == 415
        )
        assert client.open(url, method=method.upper(), json=[1], headers=headers).status_code == 400
        assert client.open(url, method=method.upper(), json={"onbekend": 1}, headers=headers).status_code == 400

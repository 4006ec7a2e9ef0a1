"""Hostile and malformed input: everything escaped, oversized posts refused, never a 500."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import MELDING, bearer, login, post_form

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile_case(api, client, tokens) -> int:
    """A case whose every text field is an XSS attempt, with a task, a claim and a token with such a name."""
    data = {
        **MELDING,
        "adres": XSS,
        "omschrijving": XSS,
        "uithuisgeplaatste_naam": XSS,
        "achterblijvers": [{"naam": XSS, "relatie": XSS}],
        "kinderen": [{"voornaam": XSS, "leeftijd": 3}],
    }
    case_id = api.start(data=data)
    task = api.task("hovj", case_id)
    api.complete("hovj", task["id"], {"meerderjarig": True, "woonsituatie": "woont", "toets_toelichting": XSS})
    return case_id


def _pages(client, api, case_id) -> dict[str, str]:
    task = api.task("hovj", case_id)
    return {
        url: client.get(url)
        for url in (
            "/",
            f"/?zaak={case_id}",
            f"/zaken/{case_id}",
            f"/taken/{task['id']}",
            "/account",
            "/zaken/nieuw",
            "/zaken/nieuw/basis/wth-basis",
        )
    }


def test_script_in_text_is_escaped_on_every_page(client, api, hostile_case):
    login(client, "hovj")
    post_form(client, "/account/tokens", {"name": XSS[:80]}, page="/account")
    for url, response in _pages(client, api, hostile_case).items():
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 403), url
        assert "<script>alert" not in html and "<img src=x" not in html, url
        scripts = re.findall(r"<script[^>]*>", html)
        assert all('src="/static/' in s or 'type="application/json"' in s for s in scripts), (url, scripts)
    assert "&lt;script&gt;alert" in client.get(f"/zaken/{hostile_case}").get_data(as_text=True)


def test_form_errors_echo_input_escaped(client, api, hostile_case):
    login(client, "hovj")
    task = api.task("hovj", hostile_case)
    response = post_form(client, f"/taken/{task['id']}", {"persoon.1a.signalen": XSS, "persoon.1a.toelichting": XSS})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_unknown_fields_in_a_form_post_are_ignored(client, api, case_id):
    login(client, "hovj")
    task = api.task("hovj", case_id)
    response = post_form(
        client,
        f"/taken/{task['id']}",
        {
            "meerderjarig": "true",
            "woonsituatie": "woont",
            "verzoeker.rol": "burgemeester",
            "__class__": "x",
            "huisverbod.status": "verlopen",
        },
    )
    assert response.status_code == 302
    variables = api.case("hovj", case_id)["variables"]
    assert variables["verzoeker"]["rol"] == "politie" and "huisverbod" not in variables


def test_oversized_and_overlong_posts_are_413(client, api, case_id):
    login(client, "hovj")
    task = api.task("hovj", case_id)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    response = client.post(f"/taken/{task['id']}", data={"csrf_token": token, "toets_toelichting": "a" * 2_000_000})
    assert response.status_code == 413 and "te groot" in response.get_data(as_text=True)
    many = {f"kinderen.{i}.leeftijd": "1" for i in range(3000)}
    response = client.post(f"/taken/{task['id']}", data={"csrf_token": token, **many})
    assert response.status_code in (413, 422)  # at most 100 rows are read, whatever indices a post invents
    assert api.task("hovj", case_id)["state"] == "ready"


def test_too_long_text_is_a_field_error(client, api, case_id):
    login(client, "hovj")
    task = api.task("hovj", case_id)
    response = post_form(
        client,
        f"/taken/{task['id']}",
        {"meerderjarig": "true", "woonsituatie": "woont", "toets_toelichting": "a" * 5000},
    )
    assert response.status_code == 422 and "Maximaal 4000 tekens." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/zaken/0",
        "/zaken/-1",
        "/zaken/abc",
        "/zaken/99999999999999999999999",
        "/taken/%00",
        "/taken/..%2f..%2fetc",
        "/taken/" + "a" * 3000,
        "/zaken/1/gebeurtenissen/%3Cscript%3E",
        "/zaken/nieuw/%3Cx%3E/y",
        "/?zaak=%00",
        "/?stap=%3Cscript%3E",
        "/static/../../etc/passwd",
        "/static/vendor/bpmn-js/../../../../pyproject.toml",
    ],
)
def test_odd_urls_never_500(client, case_id, url):
    login(client, "pol")
    response = client.get(url)
    assert response.status_code in (200, 400, 403, 404), (url, response.status_code)
    assert "<script>" not in response.get_data(as_text=True).replace('<script src="', "")


@pytest.mark.parametrize(
    "body",
    [
        {"region": "basis", "data": {"adres": {"$gt": ""}}},
        {"region": "basis", "data": {"kinderen": [[[[]]]]}},
        {"region": "basis", "data": {"kinderen": [{"leeftijd": 1e308}]}},
        {"region": ["basis"]},
        {"region": "basis", "data": None, "variant": ""},
        {"region": "basis\x00"},
    ],
)
def test_hostile_json_never_500(client, tokens, body):
    response = client.post("/api/v1/cases", json=body, headers=bearer(tokens["pol"]))
    assert 400 <= response.status_code < 500, (body, response.json)
    assert set(response.json) == {"error", "detail", "fields"}


def test_deeply_nested_json_is_refused(client, tokens):
    body = '{"region": "basis", "data": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}"
    response = client.post("/api/v1/cases", data=body, content_type="application/json", headers=bearer(tokens["pol"]))
    assert 400 <= response.status_code < 500

"""The processing log (engine.workflow.processing_log): every reading route and every write leaves a row
with actor, roles, case, activity, data category, legal ground and the request's trace id, never case
content; the functionaris gegevensbescherming reads it per region."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.storage.tables import ProcessingLog
from tests.web.conftest import MELDING, bearer, login, post_form
from tests.web.document_steps import make_via_api, serve_via_api


def _rows(app) -> list[ProcessingLog]:
    from web.extensions import db

    with app.app_context():
        return list(db.session.query(ProcessingLog).order_by(ProcessingLog.id))


@pytest.fixture
def served_case(api, case_id) -> tuple[int, int]:
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    assert serve_via_api(api, "pol", document["id"]).status_code == 201
    return case_id, document["id"]


def test_every_reading_route_leaves_one_row(app, client, api, tokens, served_case):
    case_id, document_id = served_case
    task_id = api.tasks("pol", case_id)[0]["id"]
    api_routes = [
        (f"/api/v1/cases/{case_id}", "zaak_inzien"),
        (f"/api/v1/tasks/{task_id}", "taak_inzien"),
        (f"/api/v1/cases/{case_id}/documents", "documenten_inzien"),
        (f"/api/v1/documents/{document_id}", "documenten_inzien"),
        (f"/api/v1/documents/{document_id}/pdf", "document_downloaden"),
        (f"/api/v1/cases/{case_id}/service-status", "betekening_inzien"),
        (f"/api/v1/cases/{case_id}/dossier", "dossier_exporteren"),  # and the export is a write (its event)
    ]
    for url, activity in api_routes:
        before = len(_rows(app))
        response = client.get(url, headers=bearer(tokens["pol"]))
        assert response.status_code == 200, url
        new = [r for r in _rows(app)[before:] if r.operation == "lezen"]
        assert [r.activity for r in new] == [activity], url
        assert new[0].actor == "pol" and new[0].case_id == case_id and new[0].roles_csv == "politie"
        assert new[0].trace_id == response.headers["X-Request-Id"] and new[0].operation == "lezen"
        assert new[0].legal_ground and new[0].data_category
    login(client, "pol")
    web_routes = [
        (f"/taken/{task_id}", ["taak_inzien"]),
        (f"/documenten/{document_id}/pdf", ["document_downloaden"]),
        (f"/documenten/{document_id}/document", ["document_downloaden"]),
        (f"/documenten/{document_id}/afdrukken", ["documenten_inzien"]),
        (f"/zaken/{case_id}", ["zaak_inzien", "documenten_inzien", "betekening_inzien"]),
    ]
    for url, activities in web_routes:
        before = len(_rows(app))
        assert client.get(url).status_code == 200, url
        assert [r.activity for r in _rows(app)[before:]] == activities, url
    before = len(_rows(app))
    assert post_form(client, f"/zaken/{case_id}/dossier", page=f"/zaken/{case_id}").status_code == 200
    assert "dossier_exporteren" in [r.activity for r in _rows(app)[before:]]


def test_a_refused_read_leaves_no_read_row(app, client, tokens, served_case):
    case_id, document_id = served_case
    before = len(_rows(app))
    assert client.get(f"/api/v1/cases/{case_id}", headers=bearer(tokens["ovj"])).status_code == 403
    assert client.get(f"/api/v1/documents/{document_id}/pdf", headers=bearer(tokens["pol_elders"])).status_code == 404
    assert _rows(app)[before:] == []


def test_writes_and_break_the_glass_are_logged_and_no_case_content_is(app, client, served_case):
    case_id, _ = served_case
    writes = [r for r in _rows(app) if r.operation == "schrijven"]
    assert writes and {r.activity for r in writes} == {"zaak_behandelen"}
    login(client, "ovj")
    post_form(client, f"/zaken/{case_id}/doorbreken", {"reden": "ZSM-zitting, samenloop"}, page="/")
    client.get(f"/zaken/{case_id}")
    assert [r.activity for r in _rows(app)][-4:] == [
        "doorbreken",  # the grant
        "doorbreken",  # the case read by it
        "documenten_inzien",
        "betekening_inzien",
    ]
    stored = " ".join(
        str(value) for row in _rows(app) for value in (row.actor, row.roles_csv, row.activity, row.legal_ground)
    )
    for content in ("Jan Jansen", "Els Jansen", MELDING["adres"], "ZSM-zitting"):
        assert content not in stored


def test_the_fg_reads_the_log_of_their_regions(app, client, served_case):
    case_id, _ = served_case
    login(client, "fg")
    page = client.get(f"/verwerkingen?zaak={case_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Zaak behandelen (vastleggen)" in text and "Wet tijdelijk huisverbod" in text
    assert client.get("/verwerkingen?gebruiker=hovj").status_code == 200
    bad = client.get("/verwerkingen?zaak=abc")
    assert bad.status_code == 400 and "geen getal" in bad.get_data(as_text=True)
    assert client.get(f"/zaken/{case_id}").status_code == 200  # the process only: fg works no cases
    login(client, "pol")
    assert client.get("/verwerkingen").status_code == 403


def test_the_log_is_append_only():
    """Nothing in the code updates or deletes processing_log rows."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("engine", "web", "cli")
        for path in (root / folder).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"(update|delete)\(\s*ProcessingLog|ProcessingLog\.__table__\.(update|delete)", line)
    ]
    assert offenders == []


def test_the_fg_answers_a_subject_access_request(app, client, served_case):
    case_id, _ = served_case
    login(client, "fg")
    response = post_form(
        client, "/verwerkingen/inzage", {"naam": MELDING["uithuisgeplaatste_naam"]}, page="/verwerkingen"
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    [found] = response.get_json()
    assert found["case_id"] == case_id and found["roles"] == ["uithuisgeplaatste"]
    unknown = post_form(client, "/verwerkingen/inzage", {"naam": "Niemand Bekend"}, page="/verwerkingen")
    assert unknown.status_code == 400 and "geen persoon met die naam" in unknown.get_data(as_text=True)
    by_person = client.get("/verwerkingen", query_string={"persoon": MELDING["uithuisgeplaatste_naam"]})
    assert "Inzageverzoek van een betrokkene behandelen" in by_person.get_data(as_text=True)
    login(client, "pol")
    assert post_form(client, "/verwerkingen/inzage", {"naam": "Jan Jansen"}, page="/").status_code == 403

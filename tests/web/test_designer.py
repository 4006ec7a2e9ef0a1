"""The designer area: versions per region, downloads, the modeller page and its checks, deploying
from the modeller, rollback, case migration and the version comparison.

Access: a designer works in their own regions, a beheerder only looks, anyone
else gets a 403; another region's version is a 404. Uploads (and hostile ones)
are in test_designer_uploads.py.
"""

from __future__ import annotations

import json
import re

from tests.web.conftest import csrf_token, login, post_form
from tests.web.designer_helpers import (  # noqa: F401 - designers is an autouse fixture
    BASIS,
    LONGER_TERM,
    MAIN,
    ORIGINAL,
    PILOT1_BASIS,
    PILOT1_V1,
    RENAMED,
    deploy,
    designers,
    page_data,
    upload,
    versions,
)

# --- reading ------------------------------------------------------------------------


def test_overview_shows_own_regions_versions_and_cases(client, api):
    case_id = api.start()
    login(client, "ontwerper")
    html = client.get("/ontwerp").get_data(as_text=True)
    assert 'data-region="basis"' in html and 'data-region="pilot1"' not in html
    table = html[html.index('data-testid="versions-basis-wth-basis"') :]
    assert "v1" in table and "live" in table and "test" in table  # deployed by "test"
    sha = versions(client.application)[0]["sha256"]
    assert sha[:12] in table and f"zaken {case_id}" in table and "1</strong> actief" in table
    assert 'href="/ontwerp"' in client.get("/").get_data(as_text=True)  # navigation link


def test_people_without_the_role_get_403_and_no_link(client):
    login(client, "pol")
    assert 'href="/ontwerp"' not in client.get("/").get_data(as_text=True)
    for url in (
        "/ontwerp",
        f"/ontwerp/versies/{BASIS}",
        f"/ontwerp/versies/{BASIS}/modeller",
        f"/ontwerp/versies/{BASIS}/bestanden/{MAIN}",
        f"/ontwerp/vergelijken?a={BASIS}&b={BASIS}",
    ):
        assert client.get(url).status_code == 403, url
    assert deploy(client, ORIGINAL).status_code == 403


def test_other_regions_versions_are_404(client):
    login(client, "ontwerper")
    for url in (
        f"/ontwerp/versies/{PILOT1_V1}",
        f"/ontwerp/versies/{PILOT1_V1}/modeller",
        f"/ontwerp/versies/{PILOT1_V1}/bestanden/{MAIN}",
        f"/ontwerp/versies/{PILOT1_V1}/migreren",
        f"/ontwerp/vergelijken?a={BASIS}&b={PILOT1_V1}",
        "/ontwerp/versies/999999",
    ):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client, f"/ontwerp/versies/{BASIS}")
    response = client.post(
        f"/ontwerp/versies/{PILOT1_V1}/uitrollen", data={"csrf_token": token, "bestand": MAIN, "xml": ORIGINAL}
    )
    assert response.status_code == 404
    assert client.post(f"/ontwerp/versies/{PILOT1_V1}/live", data={"csrf_token": token}).status_code == 404


def test_beheerder_may_look_but_not_change(client, app):
    login(client, "beheer")
    assert client.get("/ontwerp").status_code == 200
    html = client.get(f"/ontwerp/versies/{PILOT1_V1}").get_data(as_text=True)
    assert "Alleen een procesontwerper van deze regio" in html and 'value="uitrollen"' not in html
    assert client.get(f"/ontwerp/versies/{BASIS}/modeller").status_code == 200
    assert deploy(client, RENAMED).status_code == 403
    assert upload(client, {MAIN: RENAMED.encode()}).status_code == 403
    assert upload(client, {MAIN: RENAMED.encode()}, action="controleren").status_code == 200
    assert post_form(client, f"/ontwerp/versies/{BASIS}/live", page=f"/ontwerp/versies/{BASIS}").status_code == 403
    assert client.get(f"/ontwerp/versies/{BASIS}/migreren").status_code == 403
    assert len(versions(app)) == 3


def test_download_a_stored_file(client):
    login(client, "ontwerper")
    response = client.get(f"/ontwerp/versies/{BASIS}/bestanden/{MAIN}")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == f"attachment; filename={MAIN}"
    assert response.get_data(as_text=True) == ORIGINAL
    form = client.get(f"/ontwerp/versies/{BASIS}/bestanden/forms/melding_crisis.schema.json")
    assert form.status_code == 200 and form.mimetype == "application/json"
    for path in ("geen.bpmn", "../../etc/passwd", "common/..%2F..%2Fx"):
        assert client.get(f"/ontwerp/versies/{BASIS}/bestanden/{path}").status_code == 404, path


# --- the modeller ---------------------------------------------------------------------


def test_modeller_page_carries_the_model_and_dutch_texts(client):
    login(client, "ontwerper")
    response = client.get(f"/ontwerp/versies/{BASIS}/modeller")
    html = response.get_data(as_text=True)
    data = page_data(html)
    assert data["file"] == MAIN and data["xml"] == ORIGINAL
    assert data["lintTexts"]["no-implicit-end"].startswith("Hier eindigt het proces")
    assert data["texts"]["Name"] == "Naam" and data["labels"]["engine"] == "Uitrolcontrole"
    assert '<script src="/static/dist/designer.js"></script>' in html
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert "<bpmn:" not in html.split('id="modeller-data">')[1].split("</script>")[0].replace("\\u003c", "")
    other = client.get(f"/ontwerp/versies/{BASIS}/modeller?bestand=common/weegteam.bpmn")
    assert other.status_code == 404  # not part of wth-basis
    assert client.get(f"/ontwerp/versies/{BASIS}/modeller?bestand=common/rihg_advies.dmn").status_code == 400


def _validate(client, payload, token: str | None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(f"/ontwerp/versies/{BASIS}/controleren", json=payload, headers=headers)


def test_validate_runs_the_deploy_checks_and_stores_nothing(client, app):
    login(client, "ontwerper")
    token = page_data(client.get(f"/ontwerp/versies/{BASIS}/modeller").get_data(as_text=True))["csrfToken"]
    ok = _validate(client, {"file": MAIN, "xml": RENAMED}, token)
    assert ok.status_code == 200 and ok.json == {"ok": True, "findings": []}
    broken = ORIGINAL.replace("'P10D'", "'P10D' +* 1")
    refused = _validate(client, {"file": MAIN, "xml": broken}, token).json
    assert refused["ok"] is False
    assert any(f["file"] == MAIN and f["element"] and f["line"] for f in refused["findings"])
    assert _validate(client, {"file": MAIN, "xml": RENAMED}, None).status_code == 400  # no CSRF token
    assert _validate(client, {"xml": RENAMED}, token).status_code == 400
    assert _validate(client, {"file": "../x.bpmn", "xml": RENAMED}, token).json["error"] == "geweigerd"
    assert len(versions(app)) == 3


def test_deploy_from_the_modeller_makes_a_new_live_version_and_leaves_cases(client, api, app):
    case_id = api.start()
    login(client, "ontwerper")
    response = deploy(client, LONGER_TERM)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Versie 2 van wth-basis is uitgerold en live" in page and 'data-testid="live-badge"' in page
    basis = [v for v in versions(app) if v["region"] == "basis"]
    assert [(v["version"], v["live"], v["created_by"]) for v in basis] == [(1, False, "test"), (2, True, "ontwerper")]
    assert api.case("pol", case_id)["model_version"] == 1
    assert api.case("pol", api.start())["model_version"] == 2
    stored = client.get(f"/ontwerp/versies/{basis[1]['id']}/bestanden/{MAIN}").get_data(as_text=True)
    assert "'P14D'" in stored
    again = deploy(client, LONGER_TERM, version_id=basis[1]["id"])
    assert "Niets uitgerold" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(versions(app)) == 4


def test_a_refused_model_changes_nothing_and_shows_the_findings(client, app):
    login(client, "ontwerper")
    evil = ORIGINAL.replace("<bpmn:script>variant = {", "<bpmn:script>import os\nvariant = {", 1)
    assert evil != ORIGINAL
    response = deploy(client, evil)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Niet uitgerold: het model is geweigerd" in html and "import is niet toegestaan" in html
    assert page_data(html)["xml"] == evil  # the edit is kept in the modeller
    assert page_data(html)["findings"][0]["file"] == MAIN
    assert len(versions(app)) == 3


# --- live version and migration -------------------------------------------------------------


def test_roll_back_and_forward(client, app):
    login(client, "ontwerper")
    deploy(client, RENAMED)
    response = post_form(client, f"/ontwerp/versies/{BASIS}/live", page=f"/ontwerp/versies/{BASIS}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Versie 1 van wth-basis is nu live (was versie 2)" in page and "teruggedraaid" in page
    assert [v["live"] for v in versions(app) if v["region"] == "basis"] == [True, False]
    again = post_form(client, f"/ontwerp/versies/{BASIS}/live", page=f"/ontwerp/versies/{BASIS}")
    assert again.status_code == 409  # already live


def test_migrate_running_cases_only_where_safe(client, api, app):
    case_id = api.start()
    login(client, "ontwerper")
    deploy(client, RENAMED)
    v2 = [v for v in versions(app) if v["region"] == "basis"][-1]["id"]
    preview = client.get(f"/ontwerp/versies/{v2}/migreren").get_data(as_text=True)
    assert f'data-case="{case_id}"' in preview and "kan veilig" in preview
    response = post_form(client, f"/ontwerp/versies/{v2}/migreren", {"zaak": [str(case_id), "424242"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "gemigreerd" in html and "geen actieve zaak van variant" in html
    assert api.case("pol", case_id)["model_version"] == 2
    # Now change a step the case already took: the case may not move.
    v3_response = deploy(client, RENAMED.replace("'P10D'", "'P14D'"), version_id=v2)
    v3 = int(v3_response.headers["Location"].rsplit("/", 1)[1])
    refused = client.get(f"/ontwerp/versies/{v3}/migreren").get_data(as_text=True)
    assert "kan niet" in refused and "al uitgevoerd en is gewijzigd" in refused
    assert 'name="zaak"' not in refused
    result = post_form(
        client, f"/ontwerp/versies/{v3}/migreren", {"zaak": str(case_id)}, page=f"/ontwerp/versies/{v3}"
    ).get_data(as_text=True)
    assert "0 van 1 zaken gemigreerd" in result
    assert api.case("pol", case_id)["model_version"] == 2
    assert (
        post_form(client, f"/ontwerp/versies/{v3}/migreren", {"zaak": "x1"}, page=f"/ontwerp/versies/{v3}").status_code
        == 400
    )


# --- comparison ---------------------------------------------------------------------------


def test_compare_two_regions_variants(client):
    login(client, "ontwerper_p1")
    assert 'name="a"' in client.get("/ontwerp/vergelijken").get_data(as_text=True)
    response = client.get(f"/ontwerp/vergelijken?a={PILOT1_BASIS}&b={PILOT1_V1}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="diff-list"' in html
    assert "toegevoegd" in html and "gewijzigd" in html and "starters" in html
    data = json.loads(re.search(r'id="diff-data">(.*?)</script>', html, re.S).group(1))
    assert data["a"]["file"] == MAIN and data["b"]["file"] == "v1_brede_toegang.bpmn"
    assert data["b"]["markers"]["added"] and data["a"]["markers"]["changed"]
    assert client.get(f"/ontwerp/vergelijken?a={PILOT1_BASIS}&b=abc").status_code == 400


def test_compare_two_versions_of_one_variant_by_file(client):
    login(client, "ontwerper")
    deploy(client, LONGER_TERM.replace('name="Beschikking opstellen"', 'name="Beschikking maken"'))
    html = client.get(f"/ontwerp/vergelijken?a={BASIS}&b=4").get_data(as_text=True)
    assert "Beschikking maken" in html and "Task_beschikking" in html and "naam" in html
    data = json.loads(re.search(r'id="diff-data">(.*?)</script>', html, re.S).group(1))
    assert "Task_beschikking" in data["b"]["markers"]["changed"]
    same = client.get(f"/ontwerp/vergelijken?a={BASIS}&b={BASIS}").get_data(as_text=True)
    assert 'data-testid="no-changes"' in same


def test_designer_pages_in_english(client):
    login(client, "ontwerper")
    post_form(client, "/taal", {"lang": "en"}, page="/")
    assert "Process design" in client.get("/ontwerp").get_data(as_text=True)
    data = page_data(client.get(f"/ontwerp/versies/{BASIS}/modeller").get_data(as_text=True))
    assert data["texts"]["Name"] == "Name" and data["labels"]["engine"] == "Deploy check"

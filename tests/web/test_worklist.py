"""The worklist page: own roles and regions only, deadlines as date and time left, filters, claims."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.web.conftest import bearer, login, post_form


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr class="([^"]*)" data-task-id="[^"]+" data-element="([^"]+)"', page)


def test_worklist_shows_own_tasks_sorted_by_deadline(client, api, case_id, clock):
    api.to_imposed(case_id)
    other = api.start()
    clock.advance(timedelta(hours=3))
    login(client, "hovj")
    page = client.get("/").get_data(as_text=True)
    rows = _rows(page)
    # Both overdue, the longest overdue first: the toets of the new case (behandeltermijn PT1H from 21:15)
    # before the mededeling (its boundary timer, PT2H from the beschikking at 21:15).
    assert [element for _, element in rows] == ["Task_toets", "Task_mededeling"]
    assert {urgency for urgency, _ in rows} == {"te-laat"}
    assert "2 uur te laat" in page and "ma 2 feb 2026 22:15" in page  # Amsterdam time, Dutch format
    assert "1 uur te laat" in page and "ma 2 feb 2026 23:15" in page
    assert "Te laat" in page and "2 te laat" in page
    assert f"Zaak {other}" in page
    assert page.count('data-testid="acuut"') == 2  # both cases are on the acute route
    # Each row says which home the case is about, so two rows of one step can be told apart.
    assert page.count('data-testid="case-title">Dorpsstraat 1, Ergens · Jan Jansen<') == 2


def test_time_left_and_soon(client, api, case_id):
    api.to_imposed(case_id)
    login(client, "pol")
    page = client.get("/").get_data(as_text=True)
    assert "nog 24 uur" in page and "di 3 feb 2026 21:15" in page
    assert ("binnenkort", "Task_contactadres") in _rows(page)
    login(client, "hv")
    assert "nog 2 dagen" in client.get("/").get_data(as_text=True)


def test_worklist_hides_other_roles_and_regions(client, api, case_id):
    login(client, "pol_elders")
    assert _rows(client.get("/").get_data(as_text=True)) == []
    login(client, "bm")
    assert "Er staan geen taken voor je klaar." in client.get("/").get_data(as_text=True)


def test_filters(client, api, case_id, clock):
    api.to_imposed(case_id)
    second = api.start()
    login(client, "hovj")
    assert [e for _, e in _rows(client.get(f"/?zaak={second}").get_data(as_text=True))] == ["Task_toets"]
    assert [e for _, e in _rows(client.get("/?stap=Task_mededeling").get_data(as_text=True))] == ["Task_mededeling"]
    # The toets of the second case (behandeltermijn PT1H) is due before the mededeling (PT2H timer).
    today = [e for _, e in _rows(client.get("/?termijn=vandaag").get_data(as_text=True))]
    assert today == ["Task_toets", "Task_mededeling"]
    assert _rows(client.get("/?termijn=te_laat").get_data(as_text=True)) == []
    clock.advance(timedelta(hours=3))
    late = [e for _, e in _rows(client.get("/?termijn=te_laat").get_data(as_text=True))]
    assert late == ["Task_toets", "Task_mededeling"]
    login(client, "hv")
    assert _rows(client.get("/?termijn=vandaag").get_data(as_text=True)) == []
    assert [e for _, e in _rows(client.get("/?termijn=week").get_data(as_text=True))] == ["Task_outreach"]


@pytest.mark.parametrize(
    "query", ["zaak=abc", "zaak=1%27%20OR%201=1", "termijn=gisteren", "claim=iedereen", "zaak=99999999999999999999"]
)
def test_bad_filters_are_400(client, query):
    login(client, "pol")
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert "<script" not in response.get_data(as_text=True)


def test_claim_and_release(client, api, case_id, tokens):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    response = post_form(client, f"/taken/{task['id']}/claimen", {"next": "/?zaak=1"}, page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/?zaak=1"
    page = client.get("/").get_data(as_text=True)
    assert "in behandeling genomen" in page and "Vrijgeven" in page and "<strong>ik</strong>" in page
    assert api.task("hovj", case_id)["claimed_by"] == "hovj"
    assert [e for _, e in _rows(client.get("/?claim=mijn").get_data(as_text=True))] == ["Task_toets"]
    assert _rows(client.get("/?claim=vrij").get_data(as_text=True)) == []
    post_form(client, f"/taken/{task['id']}/vrijgeven", page="/")
    assert api.task("hovj", case_id)["claimed_by"] is None
    history = api.case("hovj", case_id)  # the audit trail is on the case page
    assert history["open_tasks"][0]["claimed_by"] is None


def test_claimed_task_cannot_be_completed_by_a_colleague(client, app, api, case_id, tokens):
    from engine.accounts.users import add_user
    from tests.conftest import PASSWORD
    from web.extensions import db

    with app.app_context():
        add_user(
            db.session, "hovj2", ["hulpofficier"], ["basis"], password=PASSWORD, now=app.extensions["thv"].clock.now()
        )
        db.session.remove()
    task = api.task("hovj", case_id, "Task_toets")
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(tokens["hovj"])).status_code == 200
    login(client, "hovj2")
    page = client.get(f"/taken/{task['id']}").get_data(as_text=True)
    assert "hovj heeft deze taak in behandeling" in page and 'data-testid="task-form"' not in page
    response = post_form(client, f"/taken/{task['id']}", {"meerderjarig": "true", "woonsituatie": "woont"}, page="/")
    assert response.status_code == 409
    assert api.task("hovj", case_id)["state"] == "ready"
    # A colleague may release it (recorded in the history), and then complete it.
    post_form(client, f"/taken/{task['id']}/vrijgeven", page="/")
    response = post_form(client, f"/taken/{task['id']}", {"meerderjarig": "true", "woonsituatie": "woont"}, page="/")
    assert response.status_code == 302
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert "Taak in behandeling genomen" in page and "Taak vrijgegeven" in page


def test_claim_access_rules(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "pol")
    assert post_form(client, f"/taken/{task['id']}/claimen", page="/").status_code == 403
    login(client, "pol_elders")
    assert post_form(client, f"/taken/{task['id']}/claimen", page="/").status_code == 404
    assert post_form(client, "/taken/bestaat-niet/claimen", page="/").status_code == 404
    assert api.task("hovj", case_id)["claimed_by"] is None


def test_claim_needs_csrf(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    assert client.post(f"/taken/{task['id']}/claimen").status_code == 400
    assert client.post(f"/taken/{task['id']}/claimen", data={"csrf_token": "vals"}).status_code == 400
    assert api.task("hovj", case_id)["claimed_by"] is None


def test_claiming_a_claimed_or_completed_task_is_409(client, api, case_id, tokens):
    task = api.task("hovj", case_id, "Task_toets")
    client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(tokens["hovj"]))
    api.complete("hovj", task["id"], {"meerderjarig": True, "woonsituatie": "woont"})
    response = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(tokens["hovj"]))
    assert response.status_code == 409 and response.json["error"] == "conflict"


@pytest.fixture
def many_cases(api) -> list[int]:
    """52 cases waiting for the hulpofficier's toets: more than one page of the worklist (50)."""
    return [api.start() for _ in range(52)]


def test_the_worklist_comes_in_pages_with_the_count_and_keeps_its_filters(client, many_cases):
    login(client, "hovj")
    page = client.get("/").get_data(as_text=True)
    assert len(_rows(page)) == 50 and "52 open taken" in page
    assert "Taken 1–50 van 52" in page and 'aria-current="page">1<' in page
    assert 'href="/?pagina=2" rel="next"' in page and 'rel="prev"' not in page
    second = client.get("/?pagina=2").get_data(as_text=True)
    assert len(_rows(second)) == 2 and "Taken 51–52 van 52" in second and 'href="/?pagina=1" rel="prev"' in second
    seen = {m for m in re.findall(r'data-task-id="([^"]+)"', page + second)}
    assert len(seen) == 52  # every task once
    filtered = client.get("/?stap=Task_toets").get_data(as_text=True)
    assert 'href="/?stap=Task_toets&amp;pagina=2" rel="next"' in filtered


def test_the_user_chooses_20_50_or_100_tasks_a_page_and_anything_else_is_refused_in_dutch(client, many_cases):
    login(client, "hovj")
    page = client.get("/?aantal=20&pagina=3").get_data(as_text=True)
    assert (
        len(_rows(page)) == 12 and "Taken 41–52 van 52" in page and 'href="/?aantal=20&amp;pagina=2" rel="prev"' in page
    )
    refused = client.get("/?aantal=1000")
    assert refused.status_code == 400 and "Kies 20, 50, 100 taken per pagina." in refused.get_data(as_text=True)


@pytest.mark.parametrize("raw, shown", [("abc", 50), ("-3", 50), ("0", 50), ("999", 2), ("9" * 40, 50)])
def test_a_page_number_that_is_not_one_shows_the_first_or_last_page(client, many_cases, raw, shown):
    login(client, "hovj")
    response = client.get(f"/?pagina={raw}")
    assert response.status_code == 200 and len(_rows(response.get_data(as_text=True))) == shown


def test_the_api_pages_with_total_and_links(client, many_cases, tokens):
    first = client.get("/api/v1/tasks?per_page=20", headers=bearer(tokens["hovj"]))
    assert len(first.json) == 20 and first.headers["X-Total-Count"] == "52"
    assert first.headers["Link"] == '</api/v1/tasks?per_page=20&page=2>; rel="next"'
    last = client.get("/api/v1/tasks?per_page=20&page=3&step=Task_toets", headers=bearer(tokens["hovj"]))
    assert len(last.json) == 12 and 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]
    pages = [client.get(f"/api/v1/tasks?per_page=20&page={n}", headers=bearer(tokens["hovj"])).json for n in (1, 2, 3)]
    assert len({t["id"] for p in pages for t in p}) == 52
    default = client.get("/api/v1/tasks", headers=bearer(tokens["hovj"]))
    assert len(default.json) == 52 and "Link" not in default.headers  # 100 per page unless asked


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=0", "per_page=201", "page=-1"])
def test_bad_paging_in_the_api_is_a_400_in_dutch(client, tokens, query):
    response = client.get(f"/api/v1/tasks?{query}", headers=bearer(tokens["hovj"]))
    detail = response.json["detail"]
    assert response.status_code == 400 and ("pagina" in detail or "geheel getal" in detail)


def test_the_api_rows_carry_the_case_title(api, case_id):
    rows = api.tasks("hovj", case_id)
    assert rows and {(r["case_address"], r["case_name"]) for r in rows} == {("Dorpsstraat 1, Ergens", "Jan Jansen")}

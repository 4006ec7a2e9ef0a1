"""The task page: instructions, the form from its schema, case data, validation errors next to fields."""

from __future__ import annotations

import re

from tests.web.conftest import RIHG, login, post_form


def test_task_page_shows_instructions_form_and_case_data(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    page = client.get(f"/taken/{task['id']}").get_data(as_text=True)
    assert "Meerderjarigheid en woonsituatie toetsen" in page
    assert "Toets of de persoon meerderjarig is" in page  # instructionsForEndUser
    assert 'type="checkbox" id="f-meerderjarig" name="meerderjarig"' in page
    assert 'type="radio" name="woonsituatie" value="anders_dan_incidenteel"' in page
    assert '<textarea class="utrecht-textarea utrecht-textarea--html-textarea" id="f-toets_toelichting"' in page
    assert "Dorpsstraat 1, Ergens" in page and "Jan Jansen" in page  # the case data, read-only
    assert 'data-testid="case-title">Dorpsstraat 1, Ergens · Jan Jansen<' in page  # in the crumbs


def test_completing_moves_the_case_on(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    response = post_form(
        client,
        f"/taken/{task['id']}",
        {"meerderjarig": "true", "woonsituatie": "woont", "toets_toelichting": "woont er al jaren"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert f"Taak &#39;Meerderjarigheid en woonsituatie toetsen&#39; van zaak {case_id} is afgerond." in page
    # What happens next, for whom and by when (the RiHG's behandeltermijn: three hours from now, 21:15).
    assert "Volgende stap: RiHG afnemen (" in page and "uiterlijk di 3 feb 2026 00:15)" in page
    assert api.task("hovj", case_id)["element"] == "Task_rihg_hulpofficier"
    variables = api.case("hovj", case_id)["variables"]
    assert variables["meerderjarig"] is True and variables["toets_toelichting"] == "woont er al jaren"


def test_errors_are_shown_next_to_fields_and_input_is_kept(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    response = post_form(
        client, f"/taken/{task['id']}", {"toets_toelichting": "<b>mijn tekst</b>", "woonsituatie": "paleis"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-woonsituatie-error" role="alert">' in page
    assert "&lt;b&gt;mijn tekst&lt;/b&gt;</textarea>" in page
    assert 'data-testid="form-errors"' in page and 'href="#f-woonsituatie"' in page
    assert api.task("hovj", case_id)["state"] == "ready"


def test_nested_rihg_form(client, api, case_id):
    task = api.to_rihg(case_id)
    login(client, "hovj")
    page = client.get(f"/taken/{task['id']}").get_data(as_text=True)
    assert '<fieldset class="utrecht-form-fieldset utrecht-form-fieldset--html-fieldset group" id="f-persoon">' in page
    assert 'type="checkbox" name="persoon.1a.signalen" value="1a.1"' in page
    assert 'name="incident.2c.score" value="hoog"' in page
    # A signal without a score: the conditional requirement lands on the score field.
    response = post_form(client, f"/taken/{task['id']}", {"incident.2c.signalen": "2c.4"})
    assert response.status_code == 422
    assert 'id="f-incident-2c-score-error"' in response.get_data(as_text=True)
    data = {
        "persoon.1a.signalen": "1a.1",
        "persoon.1a.score": "hoog",
        "incident.2a.signalen": "2a.4",
        "incident.2a.score": "hoog",
        "incident.2c.signalen": "2c.4",
        "incident.2c.score": "hoog",
        "persoon.1a.toelichting": RIHG["persoon"]["1a"]["toelichting"],
    }
    assert post_form(client, f"/taken/{task['id']}", data).status_code == 302
    result = api.case("hovj", case_id)["variables"]["rihg_resultaat"]
    assert result["advies"] == "huisverbod" and result["uitkomst"]["persoon"]["1a"]["signalen"] == ["1a.1"]


def test_completed_task_shows_no_form_and_refuses_a_second_post(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    data = {"meerderjarig": "true", "woonsituatie": "woont"}
    assert post_form(client, f"/taken/{task['id']}", data).status_code == 302
    page = client.get(f"/taken/{task['id']}").get_data(as_text=True)
    assert "Deze taak is afgerond" in page and 'data-testid="task-form"' not in page
    response = post_form(client, f"/taken/{task['id']}", data, page="/")
    assert response.status_code == 409 and "is al afgerond" in response.get_data(as_text=True)


def test_task_access_rules(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "pol")  # politie has no lane for this task
    assert client.get(f"/taken/{task['id']}").status_code == 403
    assert post_form(client, f"/taken/{task['id']}", {"woonsituatie": "woont"}, page="/").status_code == 403
    login(client, "pol_elders")  # another region: the task does not exist
    assert client.get(f"/taken/{task['id']}").status_code == 404
    assert post_form(client, f"/taken/{task['id']}", {"woonsituatie": "woont"}, page="/").status_code == 404
    assert client.get("/taken/" + "x" * 500).status_code == 404
    assert api.task("hovj", case_id)["state"] == "ready"


def test_task_form_needs_csrf(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    response = client.post(f"/taken/{task['id']}", data={"meerderjarig": "true", "woonsituatie": "woont"})
    assert response.status_code == 400
    assert api.task("hovj", case_id)["state"] == "ready"


def test_the_api_answers_a_completion_with_the_next_tasks(client, api, case_id):
    from tests.web.conftest import bearer

    task = api.task("hovj", case_id, "Task_toets")
    answer = client.post(
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"meerderjarig": True, "woonsituatie": "woont"}},
        headers=bearer(api.tokens["hovj"]),
    )
    assert answer.status_code == 200
    rihg = api.task("hovj", case_id)
    assert answer.json == {
        "status": "afgerond",
        "case_id": case_id,
        "case_status": "active",
        "next_tasks": [
            {"id": rihg["id"], "title": "RiHG afnemen", "role": "hulpofficier", "due_at": rihg["due_at"], "acute": True}
        ],
    }
    assert rihg["due_at"] == "2026-02-02T23:15:00+00:00"  # 21:15 Amsterdam + PT3H (behandeltermijn)


def test_the_beschikking_starts_from_the_address_and_names_of_the_melding(client, api, case_id):
    api.complete("hovj", api.to_rihg(case_id)["id"], RIHG)
    api.consult_veilig_thuis(case_id)
    api.complete("hovj", api.task("hovj", case_id)["id"], {"besluit": "opleggen"})
    task = api.task("hovj", case_id, "Task_beschikking")
    login(client, "hovj")
    page = client.get(f"/taken/{task['id']}").get_data(as_text=True)
    assert re.search(r'name="beschikking_plaats"[^>]*value="Dorpsstraat 1, Ergens"', page)  # from the melding
    assert 'value="Els Jansen"' in page  # the achterblijver, under the contactverbod


def _crumbs(page: str) -> str:
    match = re.search(r'<nav class="utrecht-breadcrumb-nav crumbs" aria-label="Kruimelpad">(.*?)</nav>', page, re.S)
    assert match, "no breadcrumb navigation"
    return match.group(1)


def test_the_breadcrumbs_are_a_named_list_with_the_current_page_marked(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    on_task = _crumbs(client.get(f"/taken/{task['id']}").get_data(as_text=True))
    assert re.findall(r'<li class="utrecht-breadcrumb-nav__item"><a [^>]*href="([^"]+)">([^<]+)</a></li>', on_task) == [
        ("/", "Werklijst"),
        (f"/zaken/{case_id}", f"Zaak {case_id}"),
    ]
    assert "aria-current" not in on_task and 'data-testid="case-title"' in on_task  # the title follows the list
    on_case = _crumbs(client.get(f"/zaken/{case_id}").get_data(as_text=True))
    assert on_case.count("<li ") == 2
    assert f'aria-current="page">Zaak {case_id}</span></li>' in on_case  # the page itself, not a link

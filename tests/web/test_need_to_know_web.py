"""Need-to-know on the web: a case without a relation offers break-the-glass; the reason is recorded and
the burgemeester's office sees it; designers see the process without people."""

from __future__ import annotations

from tests.web.conftest import bearer, login, post_form
from tests.web.document_steps import make_via_api, serve_via_api
from tests.web.test_visibility import imposed_case  # noqa: F401 - the fixture


def test_break_the_glass_on_the_web(app, client, tokens, imposed_case):  # noqa: F811
    login(client, "ovj")
    refused = client.get(f"/zaken/{imposed_case}")
    assert refused.status_code == 403
    assert 'data-testid="need-to-know"' in refused.get_data(as_text=True)
    short = post_form(client, f"/zaken/{imposed_case}/doorbreken", {"reden": "kort"}, page="/")
    assert short.status_code == 400 and "minstens 10 tekens" in short.get_data(as_text=True)
    assert client.get(f"/zaken/{imposed_case}").status_code == 403  # nothing was granted
    done = post_form(client, f"/zaken/{imposed_case}/doorbreken", {"reden": "ZSM-zitting morgen, samenloop"}, page="/")
    assert done.status_code == 302
    page = client.get(f"/zaken/{imposed_case}").get_data(as_text=True)
    assert "doorbraak met reden" in page
    assert client.get(f"/api/v1/cases/{imposed_case}", headers=bearer(tokens["ovj"])).status_code == 200
    login(client, "bm")
    overview = client.get("/doorbraken").get_data(as_text=True)
    assert "ZSM-zitting morgen, samenloop" in overview and "ovj" in overview
    login(client, "pol")
    assert client.get("/doorbraken").status_code == 403


def test_the_designer_sees_the_process_without_people(client, imposed_case):  # noqa: F811
    login(client, "ontwerper")
    page = client.get(f"/zaken/{imposed_case}").get_data(as_text=True)
    for personal in ("Jan Jansen", "Els Jansen", "Dorpsstraat", "pol", "hovj"):
        assert f">{personal}<" not in page and f" {personal} " not in page, personal
    assert "Jan Jansen" not in page and "Dorpsstraat" not in page


def test_the_designer_learns_whether_the_ban_was_served_not_to_whom(client, api, tokens, case_id):
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    assert serve_via_api(api, "pol", document["id"]).status_code == 201
    caseworker = client.get(f"/api/v1/cases/{case_id}/service-status", headers=bearer(tokens["hovj"])).json
    served = caseworker["beschikking"]["service"]
    assert served and any(r["recipient_name"] for r in served)  # the caseworker sees who received it
    designer = client.get(f"/api/v1/cases/{case_id}/service-status", headers=bearer(tokens["ontwerper"])).json
    assert designer["served"] == caseworker["served"]
    assert all(r["recipient_name"] == "" and r["recorded_by"] == "" for r in designer["beschikking"]["service"])
    for name in {r["recipient_name"] for r in served} | {r["recorded_by"] for r in served}:
        assert f"'{name}'" not in str(designer)

"""The documents API: list, make (422 with the missing parts), metadata, PDF, service, service status, dossier."""

from __future__ import annotations

import pytest

from tests.web.conftest import bearer
from tests.web.document_steps import make_via_api, pdf_text, serve_via_api
from tests.web.test_visibility import glass


def test_make_list_and_read_a_document(client, api, case_id, tokens):
    api.to_imposed(case_id)
    made = make_via_api(api, "hovj", case_id, "beschikking")
    assert (made["kind"], made["version"], made["case_id"], made["current"]) == ("beschikking", 1, case_id, True)
    assert len(made["sha256"]) == 64 and made["generated_by"] == "hovj" and made["service"] == []
    again = make_via_api(api, "bm", case_id, "beschikking")
    assert again["version"] == 2 and again["generated_role"] == "burgemeester"
    listed = client.get(f"/api/v1/cases/{case_id}/documents", headers=bearer(tokens["vt"])).json
    assert [(d["id"], d["current"]) for d in listed] == [(made["id"], False), (again["id"], True)]
    assert client.get(f"/api/v1/documents/{made['id']}", headers=bearer(tokens["ovj"])).status_code == 403
    glass(client.application, "ovj", case_id)  # the OM has no task before a violation: need-to-know
    one = client.get(f"/api/v1/documents/{made['id']}", headers=bearer(tokens["ovj"])).json
    assert one == {**made, "current": False}
    pdf = client.get(made["pdf"], headers=bearer(tokens["pol"]))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and f"Zaaknummer {case_id}" in pdf_text(pdf.data)
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="zaak-{case_id}-beschikking-v1.pdf"'


def test_missing_parts_are_a_422_with_a_field_per_part(client, case_id, tokens):
    response = client.post(
        f"/api/v1/cases/{case_id}/documents", json={"kind": "beschikking"}, headers=bearer(tokens["hovj"])
    )
    assert response.status_code == 422 and response.json["error"] == "ongeldige_gegevens"
    assert response.json["fields"]["beschikking_plaats"] == "de plaats waarvoor het huisverbod geldt (Wth 2(4)(a))"
    assert response.json["detail"].startswith("de beschikking tijdelijk huisverbod kan niet worden gemaakt; ontbreekt:")


def test_document_requests_are_checked(client, api, case_id, tokens):
    api.to_imposed(case_id)
    url = f"/api/v1/cases/{case_id}/documents"

    def post(user: str, body, **kwargs):
        return client.post(url, json=body, headers=bearer(tokens[user]), **kwargs)

    assert post("hovj", {"kind": "verlengingsbeschikking"}).status_code == 403  # the burgemeester only
    assert post("vt", {"kind": "beschikking"}).status_code == 403
    assert post("hovj", {"kind": "onzin"}).status_code == 400
    assert post("hovj", {"kind": "beschikking", "extra": 1}).status_code == 400
    assert post("hovj", {"kind": 7}).status_code == 400
    assert post("pol", {"kind": "bewijs_sleutels", "inputs": "sleutels"}).status_code == 400
    assert post("pol", {"kind": "bewijs_sleutels", "inputs": {"onbekend": "x"}}).status_code == 400
    assert post("pol", {"kind": "bewijs_sleutels", "inputs": {"sleutels_omschrijving": "x" * 501}}).status_code == 400
    missing = post("pol", {"kind": "bewijs_sleutels", "inputs": {"sleutels_omschrijving": ""}})
    assert missing.status_code == 422 and "invoer.sleutels_omschrijving" in missing.json["fields"]
    assert post("pol_elders", {"kind": "beschikking"}).status_code == 404
    assert client.post(url, data="kind=beschikking", headers=bearer(tokens["hovj"])).status_code == 415
    assert (
        client.post(
            url, data="x" * (2 * 1024 * 1024), headers={**bearer(tokens["hovj"]), "Content-Type": "application/json"}
        ).status_code
        == 413
    )
    assert client.get(url, headers=bearer(tokens["pol_elders"])).status_code == 404
    assert client.get("/api/v1/documents/424242", headers=bearer(tokens["pol"])).status_code == 404


def test_record_service_and_the_service_status(client, api, case_id, tokens):
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    assert client.get(f"/api/v1/cases/{case_id}/service-status", headers=bearer(tokens["ovj"])).status_code == 403
    glass(client.application, "ovj", case_id)
    status = client.get(f"/api/v1/cases/{case_id}/service-status", headers=bearer(tokens["ovj"])).json
    assert status["served"] is False and status["beschikking"]["version"] == 1 and status["reasons"]
    refused = serve_via_api(api, "pol", document["id"], method="in_persoon_geweigerd")
    assert refused.status_code == 400 and "toelichting" in refused.json["detail"]
    assert serve_via_api(api, "pol", document["id"], method="per_post").status_code == 403
    assert serve_via_api(api, "pol", document["id"], method="onzin").status_code == 400
    assert serve_via_api(api, "pol", document["id"], recipient_role="verzoeker").status_code == 400
    assert serve_via_api(api, "pol", document["id"], recipient_name="Piet").status_code == 400
    assert serve_via_api(api, "pol", document["id"], served_at="morgen").status_code == 400
    assert serve_via_api(api, "pol", document["id"], served_at="0001-01-01T00:00").status_code == 400
    assert serve_via_api(api, "pol", document["id"], served_at=20260202).status_code == 400
    assert serve_via_api(api, "pol", document["id"], note="x" * 2001).status_code == 400
    assert serve_via_api(api, "pol", document["id"], wat="extra").status_code == 400
    assert serve_via_api(api, "vt", document["id"]).status_code == 403
    assert serve_via_api(api, "pol_elders", document["id"]).status_code == 404
    served = serve_via_api(api, "pol", document["id"], note="<script>x</script>", recipient_name="")
    assert served.status_code == 201
    assert {
        k: served.json[k] for k in ("recipient_name", "recipient_role", "method", "served_at", "recorded_by", "note")
    } == {
        "recipient_name": "Jan Jansen",
        "recipient_role": "uithuisgeplaatste",
        "method": "in_persoon_getekend",
        "served_at": "2026-02-02T20:15:00+00:00",
        "recorded_by": "pol",
        "note": "<script>x</script>",
    }
    status = client.get(f"/api/v1/cases/{case_id}/service-status", headers=bearer(tokens["ovj"])).json
    assert status["served"] is True and status["reasons"] == []
    assert status["beschikking"]["proof"]["method"] == "in_persoon_getekend"
    assert status["verlengingsbeschikking"]["needed"] is False
    detail = client.get(f"/api/v1/documents/{document['id']}", headers=bearer(tokens["pol"])).json
    assert detail["served_to"] == ["uithuisgeplaatste"] and detail["service"][0]["id"] == served.json["id"]


def test_the_dossier_over_the_api(client, api, case_id, tokens):
    api.to_imposed(case_id)
    make_via_api(api, "hovj", case_id, "beschikking")
    assert client.get(f"/api/v1/cases/{case_id}/dossier", headers=bearer(tokens["ovj"])).status_code == 403
    glass(client.application, "ovj", case_id)  # no ZSM task yet: need-to-know
    response = client.get(f"/api/v1/cases/{case_id}/dossier", headers=bearer(tokens["ovj"]))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Dossier tijdelijk huisverbod" in text and "Beschikking tijdelijk huisverbod" in text
    assert client.get(f"/api/v1/cases/{case_id}/dossier", headers=bearer(tokens["vt"])).status_code == 403
    assert client.get(f"/api/v1/cases/{case_id}/dossier", headers=bearer(tokens["pol_elders"])).status_code == 404
    assert client.get(f"/api/v1/cases/{case_id}/dossier").status_code == 401


@pytest.mark.parametrize(
    ("user", "status"),
    # A case just started: politie and hulpofficier have tasks; the OM and the burgemeester none yet (need-to-know).
    [("ovj", 403), ("bm", 403), ("hovj", 200), ("pol", 200), ("vt", 403), ("hv", 403), ("ontwerper", 403)],
)
def test_who_may_export_the_dossier(client, case_id, tokens, user, status):
    response = client.get(f"/api/v1/cases/{case_id}/dossier", headers=bearer(tokens[user]))
    assert response.status_code == status
    if status == 200:
        assert (
            response.data.startswith(b"%PDF")
            and f"zaak-{case_id}-dossier-1.pdf" in response.headers["Content-Disposition"]
        )

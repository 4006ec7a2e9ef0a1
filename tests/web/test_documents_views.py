"""The documents of a case on the web: the section and banner on the case page, making a document, PDF,
print view, recording service, the dossier, the note on a task that waits for service; roles, regions,
CSRF and hostile input.
"""

from __future__ import annotations

import pytest
from markupsafe import escape

from tests.web.conftest import MELDING, login, post_form
from tests.web.document_steps import field_error, make_via_api, make_via_web, pdf_text, section, serve_via_web
from tests.web.test_visibility import glass

CASE_PAGE = "/zaken/{}"


def test_the_case_page_offers_what_the_user_may_make_and_names_what_is_missing(client, api, case_id):
    login(client, "hovj")
    page = client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    blocked = section(page, "not-yet")
    assert "Beschikking tijdelijk huisverbod" in blocked
    assert "de plaats waarvoor het huisverbod geldt (Wth 2(4)(a))" in section(page, "missing-beschikking")
    assert 'data-testid="service-banner"' not in page  # nothing imposed, nothing made: no banner yet
    assert 'data-testid="make-beschikking"' not in page
    login(client, "ontwerper")
    assert 'data-testid="documents"' not in client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)


def test_making_a_beschikking_and_a_new_version_keeps_the_old_one(client, api, case_id):
    api.to_imposed(case_id)
    response = make_via_web(client, "hovj", case_id, "beschikking")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/zaken/{case_id}#document-beschikking"
    )
    page = client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    assert "Beschikking tijdelijk huisverbod versie 1 is gemaakt." in page
    banner = section(page, "service-banner")
    assert "Niet betekend" in banner and "aan de uithuisgeplaatste is niet vastgelegd" in banner
    assert make_via_web(client, "hovj", case_id, "beschikking").status_code == 302
    glass(client.application, "ovj", case_id)  # need-to-know
    listed = api.client.get(
        f"/api/v1/cases/{case_id}/documents", headers={"Authorization": f"Bearer {api.tokens['ovj']}"}
    ).json
    assert [(d["version"], d["current"]) for d in listed] == [(1, False), (2, True)]
    page = client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    documents = section(page, "document-beschikking")
    assert all(d["sha256"] in documents for d in listed)
    assert f'data-testid="version-{listed[1]["id"]}"' in documents and "actueel" in documents
    assert "Document gemaakt" in section(page, "history")


def test_make_page_shows_missing_parts_and_input_errors(client, api, case_id):
    login(client, "hovj")
    response = post_form(client, f"/zaken/{case_id}/documenten/beschikking", page=CASE_PAGE.format(case_id))
    assert response.status_code == 422
    assert "de feiten en omstandigheden die het huisverbod dragen (Wth 2(4)(b))" in response.get_data(as_text=True)
    api.to_imposed(case_id)
    login(client, "pol")
    page = client.get(f"/zaken/{case_id}/documenten/bewijs_sleutels").get_data(as_text=True)
    assert 'name="invoer.sleutels_omschrijving"' in page
    empty = post_form(client, f"/zaken/{case_id}/documenten/bewijs_sleutels", {"invoer.sleutels_omschrijving": " "})
    assert empty.status_code == 422
    assert "Vul dit in: de ingenomen sleutels" in field_error(
        empty.get_data(as_text=True), "mk-bewijs_sleutels-sleutels_omschrijving"
    )
    long = post_form(
        client, f"/zaken/{case_id}/documenten/bewijs_sleutels", {"invoer.sleutels_omschrijving": "x" * 501}
    )
    assert long.status_code == 422 and "Maximaal 500 tekens." in long.get_data(as_text=True)
    made = post_form(
        client,
        f"/zaken/{case_id}/documenten/bewijs_sleutels",
        {"invoer.sleutels_omschrijving": "Twee sleutels <b>voordeur</b>"},
    )
    assert made.status_code == 302


def test_who_may_make_which_document(client, api, case_id):
    api.to_imposed(case_id)
    login(client, "hovj")
    assert client.get(f"/zaken/{case_id}/documenten/verlengingsbeschikking").status_code == 403
    assert (
        post_form(
            client, f"/zaken/{case_id}/documenten/verlengingsbeschikking", page=CASE_PAGE.format(case_id)
        ).status_code
        == 403
    )  # not mandatable: the burgemeester only
    login(client, "bm")
    refused = post_form(client, f"/zaken/{case_id}/documenten/verlengingsbeschikking", page=CASE_PAGE.format(case_id))
    assert refused.status_code == 422 and "het huisverbod is niet verlengd" in refused.get_data(as_text=True)
    login(client, "pol")
    assert client.get(f"/zaken/{case_id}/documenten/beschikking").status_code == 403
    assert client.get(f"/zaken/{case_id}/documenten/onzin").status_code == 404
    login(client, "pol_elders")
    assert client.get(f"/zaken/{case_id}/documenten/beschikking").status_code == 404


def test_pdf_print_view_and_stored_html(client, api, case_id):
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    login(client, "vt")  # a reader: Veilig Thuis gets a copy of the beschikking
    pdf = client.get(f"/documenten/{document['id']}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="zaak-{case_id}-beschikking-v1.pdf"'
    text = pdf_text(pdf.data)
    assert f"Zaaknummer {case_id}" in text and "Jan Jansen" in text
    view = client.get(f"/documenten/{document['id']}/afdrukken").get_data(as_text=True)
    assert f'src="/documenten/{document["id"]}/document"' in view and 'data-print="print-frame"' in view
    stored = client.get(f"/documenten/{document['id']}/document")
    assert stored.status_code == 200 and stored.mimetype == "text/html"
    assert stored.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'unsafe-inline'")
    assert stored.headers["X-Frame-Options"] == "SAMEORIGIN" and "<script" not in stored.get_data(as_text=True)
    assert document["sha256"] in stored.get_data(as_text=True)
    login(client, "ontwerper")
    assert client.get(f"/documenten/{document['id']}/pdf").status_code == 403
    login(client, "pol_elders")
    for path in ("pdf", "afdrukken", "document", "uitreiking"):
        assert client.get(f"/documenten/{document['id']}/{path}").status_code == 404
    assert client.get("/documenten/99999/pdf").status_code == 404


def test_recording_service_shows_in_the_banner_the_section_and_the_history(client, api, case_id):
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    response = serve_via_web(client, "pol", document["id"], case_id, ontvanger_naam="jan  jansen")
    assert response.status_code == 302
    page = client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    assert "De uitreiking van Beschikking tijdelijk huisverbod versie 1 aan jan jansen is vastgelegd." in page
    banner = section(page, "service-banner")
    assert "Betekend: de uithuisgeplaatste heeft de beschikking ontvangen" in banner
    assert "sterk: handtekening van de ontvanger" in section(page, "proof-beschikking")
    assert "Uitreiking vastgelegd" in section(page, "history")
    assert "aan jan jansen (Uithuisgeplaatste): in persoon uitgereikt, voor ontvangst getekend" in page
    glass(client.application, "ovj", case_id)  # the OM, without a task before a violation: need-to-know
    login(client, "ovj")  # then sees it at a glance
    assert "Betekend" in section(client.get(CASE_PAGE.format(case_id)).get_data(as_text=True), "service-banner")


def test_the_service_form_puts_each_error_next_to_its_field_and_escapes_input(client, api, case_id):
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    prefix = f"sv{document['id']}-"

    def post(**fields):
        response = serve_via_web(client, "pol", document["id"], case_id, **fields)
        assert response.status_code == 422, response.status_code
        return response.get_data(as_text=True)

    assert field_error(post(wijze=""), prefix + "wijze") == "Kies hoe het document is uitgereikt."
    assert field_error(post(wijze="per_post"), prefix + "wijze") == "Kies een wijze van uitreiken uit de lijst."
    assert field_error(post(ontvanger_rol="verzoeker"), prefix + "ontvanger_rol") == "Kies een ontvanger uit de lijst."
    assert field_error(post(ontvanger_rol="burgemeester", wijze="in_persoon_geweigerd"), prefix + "wijze") == (
        "Deze wijze van uitreiken kan niet bij deze ontvanger."
    )
    assert "niet Piet Puk" in field_error(post(ontvanger_naam="Piet Puk"), prefix + "ontvanger_naam")
    assert "toelichting" in field_error(post(wijze="in_persoon_geweigerd"), prefix + "toelichting")
    assert "toekomst" in field_error(post(uitgereikt_op="2026-02-03T10:00"), prefix + "uitgereikt_op")
    assert field_error(post(uitgereikt_op="gisteren"), prefix + "uitgereikt_op")
    assert field_error(post(uitgereikt_op="0001-01-01T00:00"), prefix + "uitgereikt_op")  # overflows in UTC
    assert field_error(post(toelichting="x" * 2001), prefix + "toelichting") == "Maximaal 2000 tekens."
    kept = post(ontvanger_naam="Piet <b>Puk</b>")
    assert 'value="Piet &lt;b&gt;Puk&lt;/b&gt;"' in kept and "<b>Puk</b>" not in kept
    oversized = serve_via_web(client, "pol", document["id"], case_id, toelichting="x" * (1024 * 1024))
    assert oversized.status_code == 413
    note = "<script>alert('weigering')</script>"
    assert (
        serve_via_web(
            client, "pol", document["id"], case_id, wijze="in_persoon_geweigerd", toelichting=note
        ).status_code
        == 302
    )
    page = client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    assert str(escape(note)) in page and note not in page


def test_kennisgevingen_go_to_the_achterblijver_and_the_hulpverlening(client, api, case_id):
    api.to_imposed(case_id)
    achterblijver = make_via_api(api, "bm", case_id, "kennisgeving_achterblijver")
    hulp = make_via_api(api, "bm", case_id, "kennisgeving_hulpverlening")
    wrong = serve_via_web(
        client,
        "bm",
        achterblijver["id"],
        case_id,
        ontvanger_rol="achterblijver",
        ontvanger_naam="Kees",
        wijze="per_post",
    )
    assert "Kees is geen achterblijver" in field_error(
        wrong.get_data(as_text=True), f"sv{achterblijver['id']}-ontvanger_naam"
    )
    assert (
        serve_via_web(
            client,
            "bm",
            achterblijver["id"],
            case_id,
            ontvanger_rol="achterblijver",
            ontvanger_naam=MELDING["achterblijvers"][0]["naam"],
            wijze="per_post",
        ).status_code
        == 302
    )
    assert (
        serve_via_web(
            client,
            "bm",
            hulp["id"],
            case_id,
            ontvanger_rol="hulpverlening",
            ontvanger_naam="Ambulant team",
            wijze="digitaal",
        ).status_code
        == 302
    )
    page = client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    assert "Els Jansen" in section(page, "document-kennisgeving_achterblijver")
    assert "Beveiligd digitaal verzonden" in section(page, "document-kennisgeving_hulpverlening")


def test_only_those_who_serve_a_document_get_the_service_form(client, api, case_id):
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    login(client, "vt")
    page = client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    assert 'data-testid="document-beschikking"' in page and 'data-testid="service-form-beschikking"' not in page
    assert client.get(f"/documenten/{document['id']}/uitreiking").status_code == 403
    assert serve_via_web(client, "vt", document["id"], case_id).status_code == 403
    login(client, "hv")  # kennisgeving_hulpverlening is not made yet; the beschikking is theirs to read
    assert 'data-testid="service-banner"' in client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)


def test_posts_without_a_csrf_token_are_refused(client, api, case_id):
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    login(client, "hovj")
    for url, data in (
        (f"/zaken/{case_id}/documenten/beschikking", {}),
        (f"/documenten/{document['id']}/uitreiking", {"wijze": "in_persoon_getekend"}),
        (f"/zaken/{case_id}/dossier", {}),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert (
        len(
            api.client.get(
                f"/api/v1/cases/{case_id}/documents", headers={"Authorization": f"Bearer {api.tokens['hovj']}"}
            ).json
        )
        == 1
    )


def test_the_dossier_is_for_om_burgemeester_hulpofficier_and_politie(client, api, case_id):
    api.to_imposed(case_id)
    make_via_api(api, "hovj", case_id, "beschikking")
    glass(client.application, "ovj", case_id)  # no ZSM task yet: need-to-know
    login(client, "ovj")
    page = client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    assert 'data-testid="dossier"' in page
    response = post_form(client, f"/zaken/{case_id}/dossier", page=CASE_PAGE.format(case_id))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == f'attachment; filename="zaak-{case_id}-dossier-1.pdf"'
    assert str(case_id) in pdf_text(response.data) and "Dossier tijdelijk huisverbod" in pdf_text(response.data)
    assert "Dossier geëxporteerd" in client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    login(client, "vt")
    assert 'data-testid="dossier"' not in client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    assert post_form(client, f"/zaken/{case_id}/dossier", page=CASE_PAGE.format(case_id)).status_code == 403
    login(client, "pol_elders")
    assert post_form(client, f"/zaken/{case_id}/dossier", page="/").status_code == 404


def test_the_documents_section_in_english(client, api, case_id):
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    login(client, "pol")
    post_form(client, "/taal", {"lang": "en"}, page="/")
    page = client.get(CASE_PAGE.format(case_id)).get_data(as_text=True)
    assert "Documents" in page and "Not served" in page and "Record service (version 1)" in page
    assert "In person, receipt signed" in page
    assert "Record service" in client.get(f"/documenten/{document['id']}/uitreiking").get_data(as_text=True)


@pytest.mark.parametrize(
    ("back", "lands_on_task"),
    [
        ("TASK", True),  # opened from the task that waits for it: back to that task
        ("https://elders.example/taken/x", False),  # never another site
        ("/zaken/1", False),  # only a task page
        ("/taken/../zaken/1", False),
    ],
)
def test_a_service_recorded_from_a_waiting_task_returns_to_that_task_and_nowhere_else(
    client, api, case_id, back, lands_on_task
):
    api.to_imposed(case_id)
    document = make_via_api(api, "hovj", case_id, "beschikking")
    task = api.task("pol", case_id, "Task_uitreiken")
    target = f"/taken/{task['id']}" if back == "TASK" else back
    login(client, "pol")
    page = client.get(f"/taken/{task['id']}").get_data(as_text=True)
    if lands_on_task:
        assert f"/documenten/{document['id']}/uitreiking?terug=/taken/{task['id']}" in page.replace("%2F", "/")
    form = client.get(f"/documenten/{document['id']}/uitreiking", query_string={"terug": target})
    assert ('data-testid="back-to-task"' in form.get_data(as_text=True)) == lands_on_task
    answer = post_form(
        client,
        f"/documenten/{document['id']}/uitreiking?terug={target}",
        {"ontvanger_rol": "uithuisgeplaatste", "ontvanger_naam": "", "wijze": "in_persoon_getekend",
         "uitgereikt_op": "2026-02-02T21:15", "toelichting": ""},
        page=f"/zaken/{case_id}",
    )  # fmt: skip
    assert answer.status_code == 302
    assert answer.headers["Location"] == (target if lands_on_task else f"/zaken/{case_id}#document-beschikking")

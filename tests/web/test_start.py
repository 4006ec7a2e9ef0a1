"""Starting a case or request from the web with the start event's form."""

from __future__ import annotations

import re

from tests.web.conftest import login, post_form

START_FORM = {
    "adres": "Kerkstraat 2",
    "omschrijving": "Melding na ruzie",
    "uithuisgeplaatste_naam": "Piet",
    "kinderen.0.voornaam": "Sam",
    "kinderen.0.leeftijd": "4",
    "kinderen.1.leeftijd": "",
    "achterblijvers.0.naam": "Anna",
    "achterblijvers.0.relatie": "partner",
}


def test_politie_starts_a_case_with_the_crisismelding_form(client, api):
    login(client, "pol")
    response = client.get("/zaken/nieuw")  # only one option: straight to its form
    assert response.status_code == 302 and response.headers["Location"] == "/zaken/nieuw/basis/wth-basis"
    page = client.get("/zaken/nieuw/basis/wth-basis").get_data(as_text=True)
    assert "Crisismelding" in page and 'name="kinderen.0.leeftijd"' in page and "row-template" in page
    response = post_form(client, "/zaken/nieuw/basis/wth-basis", START_FORM)
    assert response.status_code == 302
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    variables = api.case("pol", case_id)["variables"]
    assert variables["kinderen"] == [{"voornaam": "Sam", "leeftijd": 4}]
    assert variables["aanhouding"] is False and variables["verzoeker"] == {"rol": "politie", "gebruiker": "pol"}
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert f"Zaak {case_id} is gestart." in page
    assert "Volgende stap: Meerderjarigheid en woonsituatie toetsen (Hulpofficier van justitie, uiterlijk" in page


def test_start_form_errors_keep_the_input(client, api):
    login(client, "pol")
    response = post_form(
        client, "/zaken/nieuw/basis/wth-basis", {**START_FORM, "adres": "", "kinderen.0.leeftijd": "vier"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-adres-error"' in page and 'id="f-kinderen-0-leeftijd-error"' in page
    assert 'value="vier"' in page and 'value="Piet"' in page
    assert api.tasks("hovj") == []


def test_choosing_a_variant_and_a_role(client, api):
    login(client, "pol_vt")
    page = client.get("/zaken/nieuw").get_data(as_text=True)
    assert page.count(">Starten</a>") == 3  # basis: wth-basis; pilot1: wth-basis and v1 (its default)
    assert re.search(r"Pilot V1: brede toegang acuut.*?standaard", page, re.S)
    form = client.get("/zaken/nieuw/pilot1/v1-brede-toegang").get_data(as_text=True)
    assert 'name="rol" value="politie"' in form and 'name="rol" value="veilig_thuis"' in form
    data = {
        "route": "acuut",
        "onderbouwing": "zorgen",
        "adres": "Laan 3",
        "omschrijving": "x",
        "uithuisgeplaatste_naam": "Piet",
    }
    response = post_form(client, "/zaken/nieuw/pilot1/v1-brede-toegang", data)
    assert response.status_code == 400 and "Kies de rol" in response.get_data(as_text=True)
    response = post_form(client, "/zaken/nieuw/pilot1/v1-brede-toegang", {**data, "rol": "veilig_thuis"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    case_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert api.case("pol_vt", case_id)["variables"]["verzoeker"]["rol"] == "veilig_thuis"


def test_start_access_rules(client, api):
    login(client, "hv")  # hulpverlening may not start in the baseline
    page = client.get("/zaken/nieuw").get_data(as_text=True)
    assert "niet voor jouw rol" in page
    assert client.get("/zaken/nieuw/basis/wth-basis").status_code == 403
    assert post_form(client, "/zaken/nieuw/basis/wth-basis", START_FORM, page="/").status_code == 403
    login(client, "pol")
    assert client.get("/zaken/nieuw/pilot1/wth-basis").status_code == 404
    assert client.get("/zaken/nieuw/basis/bestaat-niet").status_code == 404
    assert client.post("/zaken/nieuw/basis/wth-basis", data=START_FORM).status_code == 400  # no CSRF token
    assert api.tasks("hovj") == []

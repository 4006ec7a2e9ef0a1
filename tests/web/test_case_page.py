"""The case page: diagram status, ban and countdown, milestones, open tasks, history; reporting events."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from lxml import html

from tests.web.conftest import RIHG, login, post_form

OVERTREDING = {"overtreding_tijdstip": "2026-02-04T10:00", "overtreding_omschrijving": "Stond weer voor de deur."}


def _diagram(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="diagram-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_case_page_before_imposition(client, api, case_id):
    api.to_rihg(case_id)
    login(client, "hovj")
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    diagram = _diagram(page)
    assert 'id="wth_basis"' in diagram["xml"]  # the main process, not a subprocess
    assert "Call_rihg" in diagram["active"]  # the call activity is active while the RIHG runs
    assert {"Start_verzoek", "Script_variant", "Task_toets"} <= set(diagram["completed"])
    assert "Task_beschikking" not in diagram["completed"] + diagram["active"]
    assert "Er is (nog) geen huisverbod opgelegd." in page
    assert "Verzoek ontvangen" in page  # milestone timeline
    assert "bpmn-navigated-viewer.production.min.js" in page
    assert 'data-testid="case-title">Dorpsstraat 1, Ergens · Jan Jansen<' in page  # which home, which person


def shown(page: str, key: str) -> str:
    """The value the page's data list shows for ``key``: one NL Design System row holds both."""
    rows = html.fromstring(page).xpath(
        "//dl[contains(@class, 'utrecht-data-list')]/div[@class='utrecht-data-list__item']"
        "[dt[contains(@class, 'utrecht-data-list__item-key')][normalize-space() = $key]]",
        key=key,
    )
    assert rows, f"no row {key!r}"
    values = rows[0].xpath("dd[contains(@class, 'utrecht-data-list__item-value')]")
    assert len(values) == 1
    return str(values[0].text_content().strip())


def test_a_choice_shows_its_title_not_its_code(client, api, case_id):
    """Stored as a code (woonsituatie "woont"); shown as the form offered it."""
    api.to_rihg(case_id)
    login(client, "hovj")
    for url in (f"/zaken/{case_id}", f"/taken/{api.task('hovj', case_id)['id']}"):
        page = client.get(url).get_data(as_text=True)
        assert shown(page, "Woonsituatie") == "Woont in de woning", url
        assert shown(page, "Relatie tot de uithuisgeplaatste") == "partner"  # free text as it was typed
    api.complete("hovj", api.task("hovj", case_id)["id"], RIHG)  # signals: a list of choices ("1a.1")
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert "<li>registraties (HKS) en mutaties geweld</li>" in page and "<li>1a.1</li>" not in page


def test_case_page_after_imposition(client, api, case_id, clock):
    api.to_imposed(case_id)
    clock.advance(timedelta(days=2))
    login(client, "bm")
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert 'data-testid="ban"' in page and "Opgelegd" in page
    assert "ma 2 feb 2026 21:15" in page and "do 12 feb 2026 21:15" in page  # imposed and end, Amsterdam time
    assert "nog 8 dagen" in page
    assert shown(page, "Einde") == "do 12 feb 2026 21:15"
    assert shown(page, "Besluit door") == "Hulpofficier van justitie"  # a role code the variant's script set
    assert "Huisverbod opgelegd" in page and "RIHG afgenomen" in page
    diagram = _diagram(page)
    assert {"Sub_huisverbod", "Call_hulpverlening"} <= set(diagram["active"])
    assert "Task_beschikking" in diagram["completed"]
    # open tasks with their holders and deadlines; the burgemeester's own task is a link
    assert "Kennisgevingen aan achterblijvers en hulpverlening" in page and "24 uur te laat" in page
    assert re.search(r'<a class="utrecht-link utrecht-link--html-a"\s+href="/taken/[^"]+">Kennisgevingen', page)
    # history, newest first
    history = page[page.index('data-testid="history"') :]
    assert history.index("Huisverbod opgelegd") < history.index("Zaak gestart")


def test_case_of_another_region_is_404(client, api, case_id):
    login(client, "pol_elders")
    assert client.get(f"/zaken/{case_id}").status_code == 404
    assert client.get("/zaken/999999").status_code == 404
    assert client.get(f"/zaken/{case_id}/gebeurtenissen/overtreding_gemeld").status_code == 404


def test_reporting_an_event(client, api, case_id):
    api.to_imposed(case_id)
    login(client, "pol")
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert f'href="/zaken/{case_id}/gebeurtenissen/overtreding_gemeld"' in page
    assert "Beroep ingesteld" in page and "alleen" in page  # others' events, without a link
    form = client.get(f"/zaken/{case_id}/gebeurtenissen/overtreding_gemeld").get_data(as_text=True)
    assert 'type="datetime-local"' in form and "overtreding_omschrijving" in form
    response = post_form(
        client, f"/zaken/{case_id}/gebeurtenissen/overtreding_gemeld", {"overtreding_omschrijving": "x"}
    )
    assert response.status_code == 422
    assert 'id="f-overtreding_tijdstip-error"' in response.get_data(as_text=True)
    response = post_form(client, f"/zaken/{case_id}/gebeurtenissen/overtreding_gemeld", OVERTREDING)
    assert response.status_code == 302 and response.headers["Location"] == f"/zaken/{case_id}"
    case = api.case("pol", case_id)
    assert "overtreding_gemeld" in [m["name"] for m in case["milestones"]]
    assert case["variables"]["overtreding"]["overtreding_tijdstip"] == "2026-02-04T10:00:00+01:00"
    assert "Gebeurtenis gemeld" in client.get(f"/zaken/{case_id}").get_data(as_text=True)


def test_event_access_rules(client, api, case_id):
    login(client, "hv")
    assert client.get(f"/zaken/{case_id}/gebeurtenissen/overtreding_gemeld").status_code == 404  # not waiting yet
    api.to_imposed(case_id)
    assert client.get(f"/zaken/{case_id}/gebeurtenissen/overtreding_gemeld").status_code == 403
    response = post_form(
        client, f"/zaken/{case_id}/gebeurtenissen/overtreding_gemeld", OVERTREDING, page=f"/zaken/{case_id}"
    )
    assert response.status_code == 403
    login(client, "pol")
    assert client.post(f"/zaken/{case_id}/gebeurtenissen/overtreding_gemeld", data=OVERTREDING).status_code == 400
    assert "overtreding_gemeld" not in [m["name"] for m in api.case("pol", case_id)["milestones"]]
    assert client.get(f"/zaken/{case_id}/gebeurtenissen/bestaat_niet").status_code == 404


def test_designer_sees_the_process_but_no_case_data(client, api, case_id):
    api.to_imposed(case_id)
    login(client, "ontwerper")
    page = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert "Je rol geeft geen inzage in de zaakgegevens." in page
    assert "Jan Jansen" not in page and "Dorpsstraat" not in page and 'data-testid="case-title"' not in page
    assert _diagram(page)["active"]

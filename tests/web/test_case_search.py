"""Finding a case without a task (issue 16, item 2): /zaken and GET /api/v1/cases search by number, address and
name, filter by status and variant, and find only the cases the user's roles have a relation to (need-to-know)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.storage.tables import ProcessingLog
from tests.web.conftest import MELDING, bearer, login


def _found(api, user: str, **params) -> tuple[int, list]:
    response = api.client.get("/api/v1/cases", query_string=params, headers=bearer(api.tokens[user]))
    return response.status_code, response.json


def test_a_case_is_found_by_number_address_and_name(app, api, case_id):
    other = api.start(data={**MELDING, "adres": "Kerkpad 7, Elders", "uithuisgeplaatste_naam": "Piet de Vries"})
    for query, expected in (
        (str(case_id), [case_id]),
        ("dorpsstraat", [case_id]),
        ("KERKPAD 7", [other]),
        ("de vries", [other]),
        ("jansen", [other, case_id]),  # Jan Jansen left the first home; Els Jansen stays behind in both
        ("", [other, case_id]),  # newest first
    ):
        status, hits = _found(api, "hovj", q=query)
        assert status == 200 and [h["id"] for h in hits] == expected, query
    status, hits = _found(api, "hovj", q="Kerkpad")
    assert hits[0]["address"] == "Kerkpad 7, Elders" and hits[0]["status"] == "active"
    # What a search showed is in the processing log, per case, for the functionaris gegevensbescherming.
    with app.app_context():
        from web.extensions import db

        logged = db.session.scalars(
            select(ProcessingLog.case_id).where(ProcessingLog.activity == "zaken_zoeken", ProcessingLog.actor == "hovj")
        ).all()
    assert set(logged) == {case_id, other} and logged.count(other) == 5  # kerkpad 7, de vries, jansen, "", Kerkpad


def test_only_cases_a_role_has_a_relation_to_are_found(api, case_id):
    # The hulpofficier has the toets; the OM and hulpverlening have no task in the case yet.
    assert [h["id"] for h in _found(api, "hovj", q="Dorpsstraat")[1]] == [case_id]
    assert [h["id"] for h in _found(api, "pol", q="Dorpsstraat")[1]] == [case_id]  # politie started it
    assert _found(api, "ovj", q="Dorpsstraat") == (200, [])
    assert _found(api, "hv", q=str(case_id)) == (200, [])
    assert _found(api, "pol_elders", q="Dorpsstraat") == (200, [])  # another region
    assert _found(api, "ontwerper", q="x")[0] == 403  # designers see processes, not cases


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 101},
        {"q": "a\x00b"},
        {"status": "weg"},
        {"per_page": "0"},
        {"page": "-1"},
        {"variant": "v" * 81},
        {"ban_end_from": "12-02-2026"},
        {"ban_end_to": "2026-02-30"},
        {"ban_end_from": "2026-02-13", "ban_end_to": "2026-02-12"},
    ],
)
def test_a_bad_search_is_a_400_in_dutch(api, case_id, params):
    status, body = _found(api, "hovj", **params)
    assert status == 400 and body["detail"], body


def test_odd_characters_are_searched_literally(api, case_id):
    assert _found(api, "hovj", q="%")[1] == [] and _found(api, "hovj", q="_")[1] == []
    assert _found(api, "hovj", q="'; DROP TABLE thv_case; --") == (200, [])
    assert [h["id"] for h in _found(api, "hovj", q=str(case_id))[1]] == [case_id]


def test_the_cases_page_searches_and_filters(client, api, case_id):
    login(client, "hovj")
    page = client.get("/zaken?q=dorpsstraat").get_data(as_text=True)
    assert f'data-case="{case_id}"' in page and "Dorpsstraat 1, Ergens" in page and 'href="/zaken"' in page
    done = client.get("/zaken?status=completed").get_data(as_text=True)
    assert f'data-case="{case_id}"' not in done and 'data-testid="no-cases"' in done
    refused = client.get("/zaken?q=" + "x" * 101)
    assert refused.status_code == 400 and "te lang" in refused.get_data(as_text=True)
    # A refused filter: the page again, the user's input kept, the reason shown and its field marked.
    bad_day = client.get("/zaken?q=dorpsstraat&einde_van=morgen")
    html = bad_day.get_data(as_text=True)
    assert bad_day.status_code == 400 and 'data-testid="search-refused"' in html and "jjjj-mm-dd" in html
    assert 'value="morgen" aria-invalid="true"' in html and 'value="dorpsstraat"' in html
    ends = client.get("/zaken?einde_tot=2026-02-12").get_data(as_text=True)  # the case has no ban yet
    assert 'data-testid="no-cases"' in ends and 'value="2026-02-12"' in ends
    login(client, "ontwerper")
    assert client.get("/zaken").status_code == 403


def test_a_case_is_found_by_the_day_its_ban_ends(client, api):
    case_id = api.start()
    api.to_imposed(case_id)  # imposed at the test clock's now: ends ten days later
    status, hits = _found(api, "hovj", q=str(case_id))
    end = hits[0]["ban_end"]
    assert status == 200 and hits[0]["ban_status"] == "opgelegd" and end
    day = end[:10]  # the clock's instants lie in the Dutch afternoon: the UTC day is the Dutch day
    assert [h["id"] for h in _found(api, "hovj", ban_end_from=day, ban_end_to=day)[1]] == [case_id]
    login(client, "hovj")
    page = client.get(f"/zaken?einde_van={day}&einde_tot={day}").get_data(as_text=True)
    assert f'data-case="{case_id}"' in page and "opgelegd, eindigt" in page

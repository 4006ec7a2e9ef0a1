"""The simulation page beside the dashboard: who may use it, the figures as SVG and tables, CSV, bad input."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import PASSWORD
from tests.web.conftest import login


@pytest.fixture(autouse=True)
def coordinator(app):
    from engine.accounts.users import add_user
    from web.extensions import db

    with app.app_context():
        now = app.extensions["thv"].clock.now()
        add_user(db.session, "coordinator", ["beheerder"], ["basis"], password=PASSWORD, now=now)


def test_the_page_simulates_and_downloads_csv(client):
    login(client, "coordinator")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="to-simulation"' in dashboard and 'href="/simulatie"' in dashboard  # beside the dashboard
    form = client.get("/simulatie")
    assert form.status_code == 200 and 'data-testid="simulation-form"' in form.get_data(as_text=True)
    assert 'aria-current="page">Simulatie' in form.get_data(as_text=True)  # in the main menu
    query = "/simulatie?regio=basis&variant=v3-termijnflex&zaken=4&seed=2&profiel=landelijk"
    page = client.get(query).get_data(as_text=True)
    assert 'data-testid="simulation-hours"' in page and "<svg" in page and "v3-termijnflex" in page
    download = client.get(query.replace("/simulatie?", "/simulatie/per_year.csv?"))
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert {r["variant"] for r in rows} == {"wth-basis", "v3-termijnflex"}


def test_only_dashboard_users_and_their_regions(client):
    login(client, "pol")
    assert client.get("/simulatie").status_code == 403
    login(client, "coordinator")
    assert client.get("/simulatie?regio=pilot3&variant=v1-brede-toegang&zaken=2").status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("regio=basis&variant=v9&zaken=2", "bestaat niet"),
        ("regio=basis&variant=v1-brede-toegang&zaken=5000", "Kies tussen 1 en 500"),
        ("regio=basis&variant=v1-brede-toegang&zaken=veel", "geen geheel getal"),
    ],
)
def test_bad_input_is_a_dutch_message(client, query, message):
    login(client, "coordinator")
    response = client.get(f"/simulatie?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)

"""The comparison dashboard: who sees which regions, the SVG charts, CSV per figure, the event log.

There is no coordinator role: a beheerder or designer sees the regions of their
account; "all" means all of those. Figures come from engine.design.dashboard, the
event log from engine.design.event_log (pseudonymised).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from lxml import etree

from engine.design.dashboard import COLUMNS, FIGURES
from tests.conftest import PASSWORD
from tests.web.conftest import MELDING, login, post_form


@pytest.fixture(autouse=True)
def coordinators(app):
    from engine.accounts.users import add_user
    from web.extensions import db

    with app.app_context():
        now = app.extensions["thv"].clock.now()
        add_user(db.session, "coordinator", ["beheerder"], ["basis", "pilot1"], password=PASSWORD, now=now)
        add_user(db.session, "beheer_p1", ["beheerder"], ["pilot1"], password=PASSWORD, now=now)


@pytest.fixture
def cases(api) -> dict[str, list[int]]:
    """Two basis cases (one imposed) and one pilot1 case."""
    basis = [api.start(), api.start()]
    api.to_imposed(basis[0])
    request = {**MELDING, "route": "acuut", "onderbouwing": "Geweld in de woning."}
    return {"basis": basis, "pilot1": [api.start(user="pol_elders", region="pilot1", data=request)]}


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_only_beheerders_and_designers(client):
    for name in ("pol", "vt"):
        login(client, name)
        assert 'href="/dashboard"' not in client.get("/").get_data(as_text=True)
        for url in ("/dashboard", "/dashboard/counts.csv", "/dashboard/gebeurtenissenlog.xes"):
            assert client.get(url).status_code == 403, (name, url)


def test_dashboard_shows_charts_and_tables(client, cases):
    login(client, "coordinator")
    response = client.get("/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for figure in FIGURES:
        assert f'data-testid="figure-{figure}"' in html and f'href="/dashboard/{figure}.csv"' in html
    counts = html[html.index('data-testid="chart-counts"') : html.index('data-testid="figure-durations"')]
    assert "<svg" in counts and "<rect" in counts and "Gestart" in counts and "Huisverbod opgelegd" in counts
    assert "Basisregio" in counts and "Pilotregio 1" in counts  # both regions side by side
    assert re.search(r'<rect[^>]*fill="#[0-9a-f]{6}"[^>]*><title>Basisregio[^<]*: 2</title>', counts)
    workload = html[html.index('data-testid="chart-workload"') :]
    assert "Hulpofficier van justitie" in workload and "<svg" in workload
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # the charts need no JavaScript


def test_a_designer_sees_only_own_region(client, cases):
    login(client, "ontwerper")
    html = client.get("/dashboard").get_data(as_text=True)
    assert '<option value="basis"' in html and '<option value="pilot1"' not in html
    assert "Pilotregio 1" not in html.split('data-testid="figure-counts"')[1]
    started = {(r["region"], r["variant"]): r["started"] for r in rows(client.get("/dashboard/counts.csv"))}
    assert started == {("basis", "wth-basis"): "2"}
    assert client.get("/dashboard?regio=pilot1").status_code == 403
    assert client.get("/dashboard/counts.csv?regio=pilot1").status_code == 403
    assert client.get("/dashboard?regio=narnia").status_code == 400


def test_every_figure_downloads_as_csv(client, cases):
    login(client, "coordinator")
    for figure in FIGURES:
        response = client.get(f"/dashboard/{figure}.csv?regio=basis")
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == f'attachment; filename="{figure}-basis.csv"'
        assert response.get_data(as_text=True).splitlines()[0] == ",".join(COLUMNS[figure])
    counts = {(r["region"], r["variant"]): r for r in rows(client.get("/dashboard/counts.csv"))}
    assert counts[("basis", "wth-basis")]["started"] == "2" and counts[("basis", "wth-basis")]["imposed"] == "1"
    assert (
        counts[("pilot1", "v1-brede-toegang")]["started"] == "1" and counts[("pilot1", "wth-basis")]["started"] == "0"
    )
    late = rows(client.get("/dashboard/deadlines.csv"))
    assert {r["role"] for r in late} >= {"hulpofficier"}
    assert client.get("/dashboard/nothing.csv").status_code == 404


def test_period_filter_and_bad_periods(client, cases):
    login(client, "coordinator")
    assert rows(client.get("/dashboard/counts.csv?van=2026-02-03"))[0]["started"] == "0"
    inclusive = rows(client.get("/dashboard/counts.csv?van=2026-02-02&tot=2026-02-02&regio=basis"))
    assert inclusive[0]["started"] == "2"  # "tot en met" the day itself
    response = client.get("/dashboard/counts.csv?van=2026-02-02&tot=2026-02-02")
    assert 'filename="counts-alle-2026-02-02-2026-02-02.csv"' in response.headers["Content-Disposition"]
    assert client.get("/dashboard?van=gisteren").status_code == 400
    assert client.get("/dashboard?van=2026-03-01&tot=2026-02-01").status_code == 400
    assert client.get("/dashboard?tot=2026-02-31").status_code == 400
    page = client.get("/dashboard?van=2026-02-01&tot=2026-02-28").get_data(as_text=True)
    assert 'value="2026-02-01"' in page and 'value="2026-02-28"' in page


def test_event_log_as_xes_parses(client, cases):
    login(client, "coordinator")
    response = client.get("/dashboard/gebeurtenissenlog.xes")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="gebeurtenissenlog-alle.xes"'
    root = etree.fromstring(response.get_data(), etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == "log" and root.get("xes.version") == "1849-2016"
    traces = root.findall("trace")
    ids = sorted(int(t.find("string[@key='concept:name']").get("value")) for t in traces)
    assert ids == sorted(cases["basis"] + cases["pilot1"])
    regions = {t.find("string[@key='case:region']").get("value") for t in traces}
    assert regions == {"basis", "pilot1"}
    resources = {e.get("value") for e in root.iter("string") if e.get("key") == "org:resource"}
    assert resources and not resources & {"pol", "hovj", "pol_elders"}  # pseudonymised
    one = etree.fromstring(client.get("/dashboard/gebeurtenissenlog.xes?regio=pilot1").get_data())
    assert [t.find("string[@key='concept:name']").get("value") for t in one.findall("trace")] == [
        str(c) for c in cases["pilot1"]
    ]


def test_event_log_as_csv_for_several_regions(client, cases):
    login(client, "coordinator")
    response = client.get("/dashboard/gebeurtenissenlog.csv")
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("case:concept:name,concept:name,time:timestamp")
    assert sum(1 for line in lines if line.startswith("case:concept:name")) == 1  # one header
    log = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["case:region"] for r in log} == {"basis", "pilot1"}
    assert client.get("/dashboard/gebeurtenissenlog.json").status_code == 404
    login(client, "beheer_p1")
    own = list(csv.DictReader(io.StringIO(client.get("/dashboard/gebeurtenissenlog.csv").get_data(as_text=True))))
    assert {r["case:region"] for r in own} == {"pilot1"}
    assert client.get("/dashboard/gebeurtenissenlog.csv?regio=basis").status_code == 403


def test_dashboard_in_english(client, cases):
    login(client, "coordinator")
    post_form(client, "/taal", {"lang": "en"}, page="/")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Dashboard: regions and variants compared" in html and "Download CSV" in html and "Ban imposed" in html

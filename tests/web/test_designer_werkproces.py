"""The werkprocesbeschrijving in the designer area: the page, its downloads, who may see it, escaped output."""

from __future__ import annotations

import io
import zipfile

from tests.web.conftest import login
from tests.web.designer_helpers import (  # noqa: F401 - designers is an autouse fixture
    BASIS,
    MAIN,
    ORIGINAL,
    PILOT1_V1,
    deploy,
    designers,
    versions,
)


def test_the_page_describes_the_variant_against_the_baseline(client):
    login(client, "ontwerper_p1")
    version_page = client.get(f"/ontwerp/versies/{PILOT1_V1}").get_data(as_text=True)
    assert f"/ontwerp/versies/{PILOT1_V1}/werkproces" in version_page
    response = client.get(f"/ontwerp/versies/{PILOT1_V1}/werkproces")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Werkprocesbeschrijving" in html and 'data-testid="werkproces"' in html
    for phase in ("Opstarten &amp; verzoeken", "Beoordelen", "Opleggen", "Uitvoeren", "Handhaven", "Verlengen"):
        assert f"<h2>{phase}</h2>" in html
    assert 'data-testid="per-organisatie"' in html and "Voorleggen aan de burgemeester" in html
    for fmt in ("md", "pdf", "docx"):
        assert f'/ontwerp/versies/{PILOT1_V1}/werkproces.{fmt}"' in html


def test_downloads_in_markdown_pdf_and_word(client):
    login(client, "beheer")
    md = client.get(f"/ontwerp/versies/{PILOT1_V1}/werkproces.md")
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    assert "attachment" in md.headers["Content-Disposition"] and md.headers["Cache-Control"] == "no-store"
    assert md.get_data(as_text=True).startswith("# Werkprocesbeschrijving: Pilot V1")
    pdf = client.get(f"/ontwerp/versies/{PILOT1_V1}/werkproces.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    docx = client.get(f"/ontwerp/versies/{BASIS}/werkproces.docx")
    assert docx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(docx.data)) as archive:
        assert "Beschikking opstellen" in archive.read("word/document.xml").decode("utf-8")
    assert client.get(f"/ontwerp/versies/{BASIS}/werkproces.exe").status_code == 404


def test_only_designers_and_beheerders_of_the_region(client):
    login(client, "pol")
    assert client.get(f"/ontwerp/versies/{BASIS}/werkproces").status_code == 403
    assert client.get(f"/ontwerp/versies/{BASIS}/werkproces.md").status_code == 403
    login(client, "ontwerper_p1")
    assert client.get(f"/ontwerp/versies/{BASIS}/werkproces").status_code == 404  # another region
    assert client.get("/ontwerp/versies/999/werkproces.md").status_code == 404


def test_names_from_a_model_are_escaped(client, app):
    login(client, "ontwerper_beide")
    hostile = ORIGINAL.replace(
        'name="Beschikking opstellen"', 'name="Beschikking &lt;script&gt;alert(1)&lt;/script&gt;"'
    )
    assert deploy(client, hostile, BASIS, MAIN).status_code in (200, 302, 303)
    newest = max(v["id"] for v in versions(app) if v["region"] == "basis")
    html = client.get(f"/ontwerp/versies/{newest}/werkproces").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "Beschikking &lt;script&gt;alert(1)&lt;/script&gt;" in html

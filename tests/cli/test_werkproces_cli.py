"""``thv werkproces VERSION_ID --format md|html|pdf|docx [--out FILE]``: the description of a deployed version."""

from __future__ import annotations

import io
import zipfile

import pytest

from engine.base.paths import FORMS_DIR, PROJECT_ROOT

PROCESSES = PROJECT_ROOT / "processes"


@pytest.fixture
def deployed(thv, monkeypatch):
    monkeypatch.setenv("THV_FORMS_DIR", str(FORMS_DIR))
    for folder in ("wth-basis", "v3-termijnflex"):
        assert thv("deploy", str(PROCESSES / folder), "--region", "pilot3").code == 0
    ids = {v["variant"]: v["id"] for v in thv("versions", "--json").json()}
    return thv, ids


def test_markdown_on_stdout_names_the_phases_and_the_differences(deployed):
    thv, ids = deployed
    result = thv("werkproces", str(ids["v3-termijnflex"]))
    assert result.code == 0, result.err
    text = result.out
    assert text.startswith("# Werkprocesbeschrijving: Pilot V3: termijnflex en opschorting")
    for phase in ("Opstarten & verzoeken", "Beoordelen", "Opleggen", "Uitvoeren", "Handhaven", "Verlengen"):
        assert f"## {phase}" in text
    assert "## Verschillen met de basis" in text
    assert "| eerste termijn | 10 dagen | 14 dagen | 8D |" in text
    assert "### Opschorting beoordelen **\\[nieuw t.o.v. de basis (in de basis niet bereikt)\\]**" in text


@pytest.mark.parametrize("fmt", ["md", "html", "pdf", "docx"])
def test_every_format_is_written_to_a_file(deployed, tmp_path, fmt):
    thv, ids = deployed
    (tmp_path / "uit").mkdir()
    out = tmp_path / "uit" / f"werkproces.{fmt}"
    result = thv("werkproces", str(ids["wth-basis"]), "--format", fmt, "--out", str(out))
    assert result.code == 0, result.err
    assert f"geschreven naar {out}" in result.err
    data = out.read_bytes()
    if fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            body = archive.read("word/document.xml").decode("utf-8")
        assert "Werkprocesbeschrijving: Tijdelijk huisverbod: huidige praktijk (Wth)" in body
        assert "Beschikking opstellen" in body
    else:
        assert "Beschikking opstellen" in data.decode("utf-8")
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no partial file left behind


def test_an_unknown_version_is_a_dutch_error_and_writes_nothing(deployed, tmp_path):
    thv, _ = deployed
    (tmp_path / "uit").mkdir()
    out = tmp_path / "uit" / "werkproces.md"
    result = thv("werkproces", "999", "--out", str(out))
    assert result.code == 1
    assert result.err.strip() == "fout: modelversie 999 bestaat niet; zie 'thv versions' voor de uitgerolde versies"
    assert list(out.parent.iterdir()) == []


def test_binary_formats_need_a_file_and_a_missing_folder_is_refused(deployed, tmp_path):
    thv, ids = deployed
    result = thv("werkproces", str(ids["wth-basis"]), "--format", "pdf")
    assert result.code == 1 and "geef --out BESTAND.pdf" in result.err and result.out == ""
    missing = tmp_path / "bestaat-niet" / "w.docx"
    result = thv("werkproces", str(ids["wth-basis"]), "--format", "docx", "--out", str(missing))
    assert result.code == 1 and "bestaat niet; er is niets geschreven" in result.err
    unknown = thv("werkproces", str(ids["wth-basis"]), "--format", "odt")
    assert unknown.code == 2 and "odt" in unknown.err

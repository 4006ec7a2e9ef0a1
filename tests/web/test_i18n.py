"""Dutch first, English complete: the catalogue covers every text, the compiled .mo matches the .po."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.web.conftest import login, post_form

WEB = Path(__file__).resolve().parents[2] / "web"
PO = WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _catalog():
    with PO.open("rb") as handle:
        return read_po(handle)


def _extracted() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_text_is_in_the_catalogue_and_translated():
    catalog = _catalog()
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert _extracted() - known == set(), "run `make translations` and translate the new texts"
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert untranslated == []
    assert not any(m.fuzzy for m in catalog if m.id)


def test_compiled_catalogue_matches_the_po():
    """The .mo the app loads is the compiled .po (``make catalogs`` / ``pybabel compile``)."""
    compiled = BytesIO()
    write_mo(compiled, _catalog())
    with MO.open("rb") as handle:
        shipped = read_mo(handle)
    fresh = read_mo(BytesIO(compiled.getvalue()))

    def as_dict(catalog):
        return {str(m.id): str(m.string) for m in catalog if m.id}

    assert as_dict(shipped) == as_dict(fresh)


def test_pages_in_english(client, api, case_id):
    api.to_imposed(case_id)
    login(client, "hovj")
    post_form(client, "/taal", {"lang": "en"}, page="/")
    worklist = client.get("/").get_data(as_text=True)
    assert "Worklist" in worklist and "2 hours left" in worklist and "Mon 2 Feb 2026 23:15" in worklist
    case = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert "Milestones" in case and "History" in case and "Thu 12 Feb 2026 21:15" in case
    # The chrome is English; the case content stays Dutch, and the page says so (issue 16.10).
    assert 'data-testid="dutch-content"' in case and "Case content (task names, instructions" in case
    post_form(client, "/taal", {"lang": "nl"}, page="/")
    assert 'data-testid="dutch-content"' not in client.get(f"/zaken/{case_id}").get_data(as_text=True)


def test_dutch_is_the_default(client):
    login(client, "pol")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl" ' in page and "Werklijst" in page and "Uitloggen" in page

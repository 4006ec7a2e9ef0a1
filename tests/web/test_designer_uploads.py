"""Uploads from a desktop modeller: check or deploy, files put onto the bundle by name; hostile files
(not XML, XXE, billion laughs, a DMN where a BPMN belongs, a script that imports os, not UTF-8) are
refused with the engine's findings and change nothing; 50 MB is a 413; every POST needs CSRF.
"""

from __future__ import annotations

import pytest

from tests.web.conftest import PROCESSES, csrf_token, login
from tests.web.designer_helpers import (  # noqa: F401 - designers is an autouse fixture
    BASIS,
    MAIN,
    ORIGINAL,
    RENAMED,
    designers,
    upload,
    versions,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol3;</bpmn:definitions>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D"><bpmn:process id="p" name="&xxe;"/>
</bpmn:definitions>"""
HOSTILE = {
    "not xml": ({MAIN: b"dit is geen xml, maar tekst"}, "geen geldige XML"),
    "xxe": ({MAIN: XXE}, "DOCTYPE"),
    "billion laughs": ({MAIN: BILLION_LAUGHS}, "DOCTYPE"),
    "dmn as bpmn": ({MAIN: (PROCESSES / "common" / "rihg_advies.dmn").read_bytes()}, "maar is geen BPMN"),
    "import os": (
        {MAIN: ORIGINAL.replace("<bpmn:script>variant = {", "<bpmn:script>import os\nvariant = {", 1).encode()},
        "import is niet toegestaan",
    ),
    "latin-1": ({MAIN: ORIGINAL.replace("Kenmerken", "Kenmérken").encode("latin-1")}, "geen geldige XML"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_uploads_are_refused_with_findings(client, app, case):
    files, expected = HOSTILE[case]
    login(client, "ontwerper")
    for action in ("controleren", "uitrollen"):
        response = upload(client, files, action)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (case, action, html[:400])
        assert 'data-testid="findings"' in html and expected in html, (case, action)
        assert "root:x:" not in html
    assert len(versions(app)) == 3


def test_upload_with_a_bad_name_or_nothing_is_a_400(client, app):
    login(client, "ontwerper")
    assert upload(client, {"evil.exe": b"MZ"}).status_code == 400
    assert upload(client, {"a;b.bpmn": ORIGINAL.encode()}).status_code == 400
    assert upload(client, {}).status_code == 400
    assert len(versions(app)) == 3


def test_a_50_mb_upload_is_a_413_with_a_clear_message(client, app):
    login(client, "ontwerper")
    token = csrf_token(client, f"/ontwerp/versies/{BASIS}")
    # A hand-made multipart body: the test client would spool 50 MB to a temporary file it never closes.
    body = (
        (
            f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--b\r\nContent-Disposition: form-data; name="bestanden"; filename="{MAIN}"\r\n\r\n'
        ).encode()
        + b"<"
        + b"x" * (50 * 1024 * 1024)
        + b"\r\n--b--\r\n"
    )
    response = client.post(
        f"/ontwerp/versies/{BASIS}/uploaden", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 413
    assert "Het bestand is te groot" in response.get_data(as_text=True)
    assert len(versions(app)) == 3


def test_upload_check_then_deploy(client, api, app):
    login(client, "ontwerper")
    checked = upload(client, {MAIN: RENAMED.encode()}, "controleren")
    assert checked.status_code == 200 and "De controle vond niets" in checked.get_data(as_text=True)
    assert len(versions(app)) == 3
    looptijd = (PROCESSES / "common" / "huisverbod_looptijd.bpmn").read_text(encoding="utf-8")
    changed = looptijd.replace('name="Verlengen?"', 'name="Verlengen of niet?"')
    assert changed != looptijd
    response = upload(client, {MAIN: RENAMED.encode(), "huisverbod_looptijd.bpmn": changed.encode()})
    assert response.status_code == 302
    new = [v for v in versions(app) if v["region"] == "basis"][-1]
    assert new["version"] == 2 and new["live"] and "huisverbod_looptijd.bpmn" not in new["files"]
    stored = client.get(f"/ontwerp/versies/{new['id']}/bestanden/common/huisverbod_looptijd.bpmn")
    assert "Verlengen of niet?" in stored.get_data(as_text=True)  # put onto the common file of that name


def test_every_post_needs_the_csrf_token(client):
    login(client, "ontwerper")
    for url in (
        f"/ontwerp/versies/{BASIS}/uitrollen",
        f"/ontwerp/versies/{BASIS}/uploaden",
        f"/ontwerp/versies/{BASIS}/live",
        f"/ontwerp/versies/{BASIS}/migreren",
        f"/ontwerp/versies/{BASIS}/controleren",
    ):
        response = client.post(url, data={"bestand": MAIN, "xml": ORIGINAL, "zaak": "1"})
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True), url

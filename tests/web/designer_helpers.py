"""Shared pieces of the designer tests: users, the baseline model and helpers to deploy and upload."""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest

from engine.modeling.registry import list_versions
from tests.conftest import PASSWORD
from tests.web.conftest import PROCESSES, csrf_token, post_form

MAIN = "wth_basis.bpmn"
ORIGINAL = (PROCESSES / "wth-basis" / MAIN).read_text(encoding="utf-8")
BASIS, PILOT1_BASIS, PILOT1_V1 = 1, 2, 3  # version ids in the web template database
RENAMED = ORIGINAL.replace('name="Beschikking opstellen"', 'name="Beschikking opstellen en tekenen"')
LONGER_TERM = ORIGINAL.replace("\"eerste_termijn\": 'P10D'", "\"eerste_termijn\": 'P14D'")


@pytest.fixture(autouse=True)
def designers(app):
    """A designer of pilot1, a beheerder of basis and pilot1, and a designer of both regions."""
    from engine.accounts.users import add_user
    from web.extensions import db

    with app.app_context():
        now = app.extensions["thv"].clock.now()
        for name, roles, regions in (
            ("ontwerper_p1", ["designer"], ["pilot1"]),
            ("beheer", ["beheerder"], ["basis", "pilot1"]),
            ("ontwerper_beide", ["designer"], ["basis", "pilot1"]),
        ):
            add_user(db.session, name, roles, regions, password=PASSWORD, now=now)


def versions(app) -> list[dict]:
    from web.extensions import db

    with app.app_context():
        return list_versions(db.session)


def deploy(client, xml: str, version_id: int = BASIS, name: str = MAIN):
    return post_form(
        client,
        f"/ontwerp/versies/{version_id}/uitrollen",
        {"bestand": name, "xml": xml},
        page=f"/ontwerp/versies/{version_id}/modeller",
    )


def upload(client, files: dict[str, bytes], action: str = "uitrollen", version_id: int = BASIS):
    token = csrf_token(client, f"/ontwerp/versies/{version_id}")
    data = {
        "csrf_token": token,
        "actie": action,
        "bestanden": [(BytesIO(content), name) for name, content in files.items()],
    }
    return client.post(f"/ontwerp/versies/{version_id}/uploaden", data=data, content_type="multipart/form-data")


def page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="modeller-data">(.*?)</script>', html, re.S)
    assert match, html[:500]
    return json.loads(match.group(1))

"""Personal API tokens: created in the UI, shown once, stored hashed, revocable, optional expiry."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from engine.storage.tables import ApiToken
from tests.web.conftest import bearer, login, post_form
from web.extensions import db


def _create(client, name="koppeling", expires=""):
    response = post_form(client, "/account/tokens", {"name": name, "expires": expires}, page="/account")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    match = re.search(r'data-testid="token-secret">(thv_[A-Za-z0-9_-]+)<', response.get_data(as_text=True))
    return response, match.group(1)


def test_create_use_and_revoke_a_token(client, app):
    login(client, "bm")
    response, secret = _create(client)
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me", headers=bearer(secret)).json["name"] == "bm"
    page = client.get("/account").get_data(as_text=True)
    assert secret not in page and secret[:10] in page  # shown once; afterwards only its first characters
    with app.app_context():
        stored = db.session.scalars(select(ApiToken).where(ApiToken.name == "koppeling")).one()
        assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        token_id = stored.id
        db.session.remove()
    post_form(client, f"/account/tokens/{token_id}/intrekken", page="/account")
    assert "ingetrokken" in client.get("/account").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_expired_tokens_stop_working(client, clock):
    login(client, "bm")
    _, secret = _create(client, expires="2026-02-03")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    clock.advance(timedelta(days=1, hours=4))  # 00:15 on 4 February in Amsterdam: past the expiry day
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert "verlopen" in client.get("/account").get_data(as_text=True)


def test_bad_token_requests(client, app):
    login(client, "bm")
    for data in (
        {"name": ""},
        {"name": "x" * 81},
        {"name": "ok", "expires": "morgen"},
        {"name": "ok", "expires": "2020-01-01"},
    ):
        response = post_form(client, "/account/tokens", data, page="/account")
        assert response.status_code == 400, data
    assert client.post("/account/tokens", data={"name": "zonder csrf"}).status_code == 400
    login(client, "pol")
    assert post_form(client, "/account/tokens/3/intrekken", page="/account").status_code == 404  # bm's token
    with app.app_context():
        assert db.session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_not(None))).all() == []
        db.session.remove()

"""Login, logout, session cookies, CSRF on every form and the language switch."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.web.conftest import csrf_token, login, post_form
from web import create_app


def test_pages_need_login(client):
    for url in ("/", "/zaken/1", "/zaken/nieuw", "/account", "/taken/abc"):
        response = client.get(url)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], url


def test_login_and_logout(client):
    response = login(client, "pol")
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "pol" in page and "Politie" in page and "Werklijst" in page
    response = post_form(client, "/uitloggen", page="/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "name, password", [("pol", "fout-wachtwoord"), ("niemand", PASSWORD), ("pol" * 100, "x" * 5000)]
)
def test_wrong_credentials(client, name, password):
    token = csrf_token(client)
    response = client.post("/inloggen", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 401
    assert "Onbekende gebruikersnaam of onjuist wachtwoord." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_empty_credentials_are_asked_for(client):
    response = client.post("/inloggen", data={"name": "", "password": "", "csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert "Vul je gebruikersnaam en wachtwoord in." in response.get_data(as_text=True)


@pytest.mark.parametrize("token", [None, "", "vervalst-token"])
def test_login_without_valid_csrf_token_is_refused(client, token):
    data = {"name": "pol", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/inloggen", data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_next_only_redirects_within_the_site(client):
    token = csrf_token(client)
    for target, expected in (
        ("/zaken/nieuw", "/zaken/nieuw"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
    ):
        response = client.post(
            f"/inloggen?next={target}", data={"name": "pol", "password": PASSWORD, "csrf_token": token}
        )
        assert response.headers["Location"] == expected, target
        post_form(client, "/uitloggen", page="/")
        token = csrf_token(client)


def test_session_cookie_flags(client):
    response = login(client, "pol")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("thv_sessie="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # testing mode: plain http


def test_secure_cookies_in_production(tmp_path):
    app = create_app(
        {"THV_MODE": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}", "SECRET_KEY": "x"}
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_security_headers(client):
    response = client.get("/inloggen")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_language_switch(client):
    login(client, "pol")
    assert "Werklijst" in client.get("/").get_data(as_text=True)
    response = post_form(client, "/taal", {"lang": "en", "next": "/"}, page="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Worklist" in page and 'lang="en"' in page
    post_form(client, "/taal", {"lang": "xx", "next": "https://evil.example"}, page="/")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    post_form(client, "/taal", {"lang": "nl"}, page="/")
    assert 'lang="nl"' in client.get("/").get_data(as_text=True)


def test_language_switch_needs_csrf(client):
    assert client.post("/taal", data={"lang": "en"}).status_code == 400


def test_logout_needs_csrf(client):
    login(client, "pol")
    assert client.post("/uitloggen").status_code == 400
    assert client.get("/").status_code == 200

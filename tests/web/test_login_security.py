"""A login that resists guessing: lockout per account name that ends by itself, a limit per
address, the same answer (and time) for unknown names, sessions that end at logout and at a
password change, a harmless malformed ``next``, HSTS in production, no server version, and
the optional TOTP second factor.
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.request
from datetime import timedelta

import pyotp
import pytest
from werkzeug.serving import make_server

from engine.accounts import login as accounts
from tests.conftest import PASSWORD
from tests.web.conftest import csrf_token, login, post_form
from web import create_app

WRONG = "fout-wachtwoord"
LOCKED = "Te veel mislukte pogingen met deze gebruikersnaam"


def attempt(client, name: str, password: str, next_: str | None = None):
    url = "/inloggen" + (f"?next={next_}" if next_ is not None else "")
    return client.post(url, data={"name": name, "password": password, "csrf_token": csrf_token(client)})


def _fail(client, name: str, times: int) -> list[int]:
    return [attempt(client, name, WRONG).status_code for _ in range(times)]


# --- lockout per account name ---------------------------------------------------------------


def test_five_failures_lock_the_name_and_the_lock_ends_by_itself(client, clock):
    assert _fail(client, "pol", accounts.MAX_FAILURES) == [401] * accounts.MAX_FAILURES
    refused = attempt(client, "pol", PASSWORD)  # the right password does not help while locked
    assert refused.status_code == 429 and LOCKED in refused.get_data(as_text=True)
    clock.advance(accounts.LOCKOUT - timedelta(minutes=1))
    assert attempt(client, "pol", PASSWORD).status_code == 429  # one minute before the end
    clock.advance(timedelta(minutes=1))
    assert attempt(client, "pol", PASSWORD).status_code == 302  # exactly at the end: open again


def test_unknown_names_lock_the_same_way(client):
    statuses = _fail(client, "bestaat-niet", accounts.MAX_FAILURES + 1)
    assert statuses == [401] * accounts.MAX_FAILURES + [429]  # as for a real name: nothing to learn


def test_failures_spread_over_more_than_the_window_do_not_lock(client, clock):
    _fail(client, "pol", accounts.MAX_FAILURES - 1)
    clock.advance(accounts.WINDOW + timedelta(minutes=1))
    assert _fail(client, "pol", 1) == [401]
    assert attempt(client, "pol", PASSWORD).status_code == 302


def test_a_success_clears_the_count(client):
    _fail(client, "pol", accounts.MAX_FAILURES - 1)
    login(client, "pol")
    post_form(client, "/uitloggen", page="/")
    assert _fail(client, "pol", accounts.MAX_FAILURES - 1) == [401] * (accounts.MAX_FAILURES - 1)
    assert attempt(client, "pol", PASSWORD).status_code == 302


def test_failures_per_address_are_limited(client):
    statuses = [attempt(client, f"naam{i}", WRONG).status_code for i in range(31)]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429
    response = attempt(client, "pol", PASSWORD)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert "vanaf dit adres" in response.get_data(as_text=True)


# --- constant time ------------------------------------------------------------------------------


def test_known_and_unknown_names_take_as_long(client, app, monkeypatch):
    from engine.accounts import users

    monkeypatch.setattr(users, "PASSWORD_HASH_METHOD", "scrypt")  # the real, slow hash
    with app.app_context():
        from web.extensions import db

        users.add_user(
            db.session(), "traag", ["politie"], ["basis"], password=PASSWORD, now=app.extensions["thv"].clock.now()
        )
    attempt(client, "opwarmen", WRONG)  # the decoy hash is made once

    def timed(name: str) -> float:
        began = time.perf_counter()
        assert attempt(client, name, WRONG).status_code == 401
        return time.perf_counter() - began

    known = statistics.median(timed("traag") for _ in range(accounts.MAX_FAILURES - 1))
    unknown = statistics.median(timed(f"onbekend{i}") for i in range(accounts.MAX_FAILURES - 1))
    assert abs(known - unknown) <= 0.2 * max(known, unknown), (known, unknown)


# --- sessions that end ----------------------------------------------------------------------------


def test_a_copied_cookie_stops_working_at_logout(app, client):
    login(client, "pol")
    cookie = client.get_cookie("thv_sessie").value
    thief = app.test_client()
    thief.set_cookie("thv_sessie", cookie)
    assert thief.get("/").status_code == 200
    post_form(client, "/uitloggen", page="/")
    assert thief.get("/").status_code == 302  # ended on the server, not only in the browser


def test_a_password_change_ends_the_other_sessions(app, client):
    other_device = app.test_client()
    login(other_device, "pol")
    login(client, "pol")
    changed = post_form(
        client,
        "/account/wachtwoord",
        {"current": PASSWORD, "new": "nieuw-wachtwoord-1", "repeated": "nieuw-wachtwoord-1"},
        page="/account",
    )
    assert changed.status_code == 302
    assert client.get("/account").status_code == 200  # this session goes on
    assert other_device.get("/").status_code == 302
    post_form(client, "/uitloggen", page="/")
    assert attempt(client, "pol", PASSWORD).status_code == 401
    assert attempt(client, "pol", "nieuw-wachtwoord-1").status_code == 302


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"current": WRONG, "new": "nieuw-wachtwoord-1", "repeated": "nieuw-wachtwoord-1"},
            "huidige wachtwoord klopt niet",
        ),
        ({"current": PASSWORD, "new": "nieuw-wachtwoord-1", "repeated": "anders-wachtwoord"}, "verschillen"),
        ({"current": PASSWORD, "new": "kort", "repeated": "kort"}, "8 tot 200 tekens"),
        ({"current": PASSWORD, "new": PASSWORD, "repeated": PASSWORD}, "gelijk aan het huidige"),
    ],
)
def test_a_refused_password_change_changes_nothing(app, client, fields, message):
    other_device = app.test_client()
    login(other_device, "pol")
    login(client, "pol")
    refused = post_form(client, "/account/wachtwoord", fields, page="/account")
    assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    assert other_device.get("/").status_code == 200
    post_form(client, "/uitloggen", page="/")
    assert attempt(client, "pol", PASSWORD).status_code == 302


# --- headers and next ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/zaken%0d%0aSet-Cookie:%20x=1", "/zaken%0d%0aSet-Cookie:%20x=1"),  # still encoded: a harmless path
        ("/%00", "/%00"),
        ("/zaken\r\nSet-Cookie: x=1", "/"),
        ("/a\tb", "/"),
        ("/zaak/é", "/"),
        ("/" + "a" * 600, "/"),
    ],
)
def test_a_malformed_next_sends_to_the_worklist(client, target, expected):
    response = client.post(
        "/inloggen",
        query_string={"next": target},
        data={"name": "pol", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location
    assert location == expected


def test_hsts_in_production_only(tmp_path, client):
    app = create_app(
        {"THV_MODE": "production", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}", "SECRET_KEY": "x"}
    )
    with app.app_context():
        from web.extensions import db

        db.create_all()
        response = app.test_client().get("/inloggen")
        db.engine.dispose()
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in client.get("/inloggen").headers


def test_the_development_server_names_no_version(app):
    from cli.serving import QuietRequestHandler

    server = make_server("127.0.0.1", 0, app, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/health/live", timeout=5) as response:
            assert response.headers["Server"] == "thv"
    finally:
        server.shutdown()
        thread.join(timeout=5)


# --- the second factor --------------------------------------------------------------------------


def _turn_on_totp(client, clock) -> str:
    login(client, "pol")
    page = post_form(client, "/account/tweestaps/instellen", page="/account").get_data(as_text=True)
    secret = page.split('data-testid="totp-secret">', 1)[1].split("<", 1)[0]
    wrong = post_form(client, "/account/tweestaps/bevestigen", {"code": "000000"}, page="/account")
    assert wrong.status_code == 400 and "code klopt niet" in wrong.get_data(as_text=True)
    done = post_form(
        client, "/account/tweestaps/bevestigen", {"code": pyotp.TOTP(secret).at(clock.now())}, page="/account"
    )
    assert done.status_code == 302
    assert 'data-testid="totp-on"' in client.get("/account").get_data(as_text=True)
    post_form(client, "/uitloggen", page="/")
    return secret


def test_totp_second_factor(client, clock):
    secret = _turn_on_totp(client, clock)
    clock.advance(timedelta(minutes=1))
    first = attempt(client, "pol", PASSWORD)
    assert first.status_code == 302 and first.headers["Location"] == "/inloggen/code"
    assert client.get("/").status_code == 302  # the password alone logs nobody in
    wrong = client.post("/inloggen/code", data={"code": "123456", "csrf_token": csrf_token(client, "/inloggen/code")})
    assert wrong.status_code == 401
    code = pyotp.TOTP(secret).at(clock.now())
    right = client.post("/inloggen/code", data={"code": code, "csrf_token": csrf_token(client, "/inloggen/code")})
    assert right.status_code == 302 and client.get("/").status_code == 200
    post_form(client, "/uitloggen", page="/")
    attempt(client, "pol", PASSWORD)
    reused = client.post("/inloggen/code", data={"code": code, "csrf_token": csrf_token(client, "/inloggen/code")})
    assert reused.status_code == 401  # a code works once


def test_the_code_must_follow_the_password_soon(client, clock):
    _turn_on_totp(client, clock)
    attempt(client, "pol", PASSWORD)
    clock.advance(timedelta(minutes=6))
    late = client.get("/inloggen/code")
    assert late.status_code == 302 and late.headers["Location"].startswith("/inloggen")


def test_turning_totp_off_needs_the_password(client, clock):
    secret = _turn_on_totp(client, clock)
    clock.advance(timedelta(minutes=1))
    attempt(client, "pol", PASSWORD)
    client.post(
        "/inloggen/code",
        data={"code": pyotp.TOTP(secret).at(clock.now()), "csrf_token": csrf_token(client, "/inloggen/code")},
    )
    refused = post_form(client, "/account/tweestaps/uitzetten", {"password": WRONG}, page="/account")
    assert refused.status_code == 400
    assert post_form(client, "/account/tweestaps/uitzetten", {"password": PASSWORD}, page="/account").status_code == 302
    assert client.get("/account").status_code == 200  # still logged in
    post_form(client, "/uitloggen", page="/")
    assert attempt(client, "pol", PASSWORD).headers["Location"] == "/"


def test_a_user_sets_the_name_and_function_documents_and_histories_show(client, app):
    from engine.storage.tables import User
    from web.extensions import db

    login(client, "hovj")
    page = client.get("/account").get_data(as_text=True)
    assert 'data-testid="profile"' in page and 'name="display_name"' in page
    saved = post_form(
        client,
        "/account/persoon",
        {"display_name": " Anna  de Vries ", "job_title": "hulpofficier van justitie"},
        "/account",
    )
    assert saved.status_code == 302
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.name == "hovj")).one()
        assert (user.display_name, user.job_title, user.organisation) == (
            "Anna de Vries",
            "hulpofficier van justitie",
            None,
        )
    assert "Anna de Vries" in client.get("/").get_data(as_text=True)  # the header names the person
    refused = post_form(client, "/account/persoon", {"display_name": "x" * 201, "job_title": ""}, "/account")
    assert refused.status_code == 400 and "hoogstens 200 tekens" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(User).where(User.name == "hovj")).one().display_name == "Anna de Vries"

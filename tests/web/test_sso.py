"""Single sign-on with OpenID Connect against a real provider (tools/oidc-provider), beside local accounts."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from engine.storage.tables import User
from tests.web.conftest import PASSWORD, login


def _back_to_app(client, oidc_provider, account: str, next_url: str | None = None):
    """Start at /inloggen/sso, log in at the provider as ``account``; returns the app's answer to the callback."""
    started = client.get("/inloggen/sso" + (f"?next={next_url}" if next_url else ""))
    assert started.status_code == 302, started.get_data(as_text=True)[:300]
    assert started.location.startswith(oidc_provider.issuer + "/auth?")
    back = urlsplit(oidc_provider.login(started.location, account))
    return client.get(f"{back.path}?{back.query}")


def _users(app) -> dict[str, User]:
    from web.extensions import db

    with app.app_context():
        return {u.name: u for u in db.session.scalars(select(User))}


def test_a_user_logs_in_through_the_provider_and_gets_roles_and_regions_from_its_claims(sso_app, oidc_provider):
    client = sso_app.test_client()
    answer = _back_to_app(client, oidc_provider, "anna", next_url="/account")
    assert answer.status_code == 302 and answer.location == "/account"
    user = _users(sso_app)["anna.devries"]
    assert (user.roles, user.regions) == ({"hulpofficier"}, {"basis"})
    assert user.sso_subject == f"{oidc_provider.issuer}#anna"
    assert (user.display_name, user.organisation) == ("Anna de Vries", None)  # the "name" claim
    page = client.get("/")
    assert page.status_code == 200 and "anna.devries" in page.get_data(as_text=True)
    assert client.post("/uitloggen", data={"csrf_token": _csrf(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302  # logged out again


def _csrf(client, url: str) -> str:
    from tests.web.conftest import csrf_token

    return csrf_token(client, url)


def test_each_login_sets_roles_and_regions_to_what_the_claims_map_to_now(
    web_template, tmp_path, clock, oidc_provider, sso_settings
):
    from tests.web.conftest import _dispose, _test_app

    first = _test_app(web_template, tmp_path, clock, sso_settings())
    assert _back_to_app(first.test_client(), oidc_provider, "anna").status_code == 302
    _dispose(first)
    remapped = sso_settings(
        tables='[roles]\n"THV-Hulpofficier" = ["hulpofficier", "politie"]\n'
        '[regions]\n"Regio-Basis" = ["basis", "pilot1"]\n'
    )
    second = _test_app(web_template, tmp_path, clock, remapped)
    assert _back_to_app(second.test_client(), oidc_provider, "anna").status_code == 302
    users = _users(second)
    assert (users["anna.devries"].roles, users["anna.devries"].regions) == (
        {"hulpofficier", "politie"},
        {"basis", "pilot1"},
    )
    assert sum(1 for u in users.values() if u.sso_subject) == 1  # the same account, not a second one
    _dispose(second)


def test_local_accounts_keep_working_beside_single_sign_on(sso_app):
    client = sso_app.test_client()
    page = client.get("/inloggen").get_data(as_text=True)
    assert "Inloggen met Test-IdP" in page and 'name="password"' in page
    login(client, "pol", PASSWORD)
    assert client.get("/").status_code == 200


def test_an_sso_account_has_no_local_password(sso_app, oidc_provider):
    from tests.web.conftest import csrf_token

    _back_to_app(sso_app.test_client(), oidc_provider, "anna")
    client = sso_app.test_client()
    for password in ("", "!sso", PASSWORD):
        answer = client.post(
            "/inloggen", data={"name": "anna.devries", "password": password, "csrf_token": csrf_token(client)}
        )
        assert answer.status_code in (400, 401)


FORGED = {
    "wrong issuer": ({"iss": "http://127.0.0.1:1/nep"}, False),
    "wrong audience": ({"aud": "een-andere-client"}, False),
    "wrong nonce": ({"nonce": "niet-de-nonce-van-deze-poging"}, False),
    "no nonce": ({"nonce": None}, False),
    "expired": ({"exp": 1_600_000_000, "iat": 1_599_999_000}, False),
    "signed with a key the provider never published": ({}, True),
}


@pytest.mark.parametrize("forgery", FORGED, ids=list(FORGED))
def test_a_forged_id_token_is_refused_logged_and_changes_nothing(sso_app, oidc_provider, caplog, forgery):
    claims, foreign_key = FORGED[forgery]
    before = len(_users(sso_app))
    oidc_provider.forge_next_token(claims, foreign_key=foreign_key)
    client = sso_app.test_client()
    with caplog.at_level(logging.WARNING):
        answer = _back_to_app(client, oidc_provider, "anna")
    assert answer.status_code == 401
    assert "Het inlogbewijs van Test-IdP is ongeldig" in answer.get_data(as_text=True)
    assert len(_users(sso_app)) == before
    assert client.get("/").status_code == 302  # not logged in
    assert any("sso geweigerd: ongeldig ID-token" in r.getMessage() for r in caplog.records)
    assert not any("anna" in r.getMessage() for r in caplog.records)  # no personal data in the log


def test_a_callback_that_does_not_belong_to_this_session_is_refused(sso_app, oidc_provider):
    mine, theirs = sso_app.test_client(), sso_app.test_client()
    started = mine.get("/inloggen/sso")
    back = urlsplit(oidc_provider.login(started.location, "anna"))
    answer = theirs.get(f"{back.path}?{back.query}")  # another browser brings the code (login CSRF)
    assert answer.status_code == 401 and "hoort niet bij deze inlogpoging" in answer.get_data(as_text=True)
    assert mine.get(f"{back.path}?{back.query}").status_code == 302  # its own session: logged in
    assert mine.get(f"{back.path}?{back.query}").status_code == 302  # already logged in: to the worklist
    assert "anna.devries" in _users(sso_app)


def test_a_code_is_used_once(sso_app, oidc_provider):
    client = sso_app.test_client()
    started = client.get("/inloggen/sso")
    back = urlsplit(oidc_provider.login(started.location, "anna"))
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    client.post("/uitloggen", data={"csrf_token": _csrf(client, "/")})
    replayed = client.get(f"{back.path}?{back.query}")
    assert replayed.status_code == 401  # the state was used; the provider would refuse the code too


def test_a_login_the_provider_refuses_is_reported(sso_app, oidc_provider):
    answer = _back_to_app(sso_app.test_client(), oidc_provider, "niemand-bij-de-aanbieder")
    assert answer.status_code == 401 and "is geweigerd of afgebroken" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("account", "message"),
    [
        ("onbekende-rol", "Onbekende waarde in claim &#39;thv_rollen&#39;: THV-Schoonmaak"),
        ("zonder-rol", "geeft geen rol voor deze toepassing (claim &#39;thv_rollen&#39;)"),
        ("onbekende-regio", "Onbekende waarde in claim &#39;thv_regio&#39;: Regio-Elders"),
        ("naam-bezet", "De gebruikersnaam &#39;pol&#39; hoort al bij een ander account"),
    ],
)
def test_claims_that_do_not_map_are_refused_logged_and_change_nothing(sso_app, oidc_provider, caplog, account, message):
    before = {name: (u.roles, u.regions, u.sso_subject) for name, u in _users(sso_app).items()}
    client = sso_app.test_client()
    with caplog.at_level(logging.WARNING):
        answer = _back_to_app(client, oidc_provider, account)
    assert answer.status_code == 403
    assert message in answer.get_data(as_text=True)
    after = {name: (u.roles, u.regions, u.sso_subject) for name, u in _users(sso_app).items()}
    assert after == before
    assert client.get("/").status_code == 302
    refusals = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sso geweigerd")]
    assert len(refusals) == 1 and account not in refusals[0] and "Schoonmaak" not in refusals[0]


def test_a_deactivated_sso_account_is_refused(sso_app, oidc_provider):
    from web.extensions import db

    _back_to_app(sso_app.test_client(), oidc_provider, "anna")
    with sso_app.app_context():
        db.session.scalars(select(User).where(User.name == "anna.devries")).one().active = False
        db.session.commit()
    answer = _back_to_app(sso_app.test_client(), oidc_provider, "anna")
    assert answer.status_code == 403 and "uitgeschakeld" in answer.get_data(as_text=True)


def test_an_unreachable_provider_gets_a_clear_answer(web_template, tmp_path, clock, sso_settings):
    from tests.local_servers import free_port
    from tests.web.conftest import _dispose, _test_app

    app = _test_app(web_template, tmp_path, clock, sso_settings(issuer=f'issuer = "http://127.0.0.1:{free_port()}"'))
    answer = app.test_client().get("/inloggen/sso")
    assert answer.status_code == 503
    assert "Inloggen via Test-IdP lukt nu niet" in answer.get_data(as_text=True)
    _dispose(app)


def test_without_single_sign_on_there_is_no_sso_route(client):
    assert client.get("/inloggen/sso").status_code == 404
    assert client.get("/inloggen/sso/terug?code=x&state=y").status_code == 404
    assert "Inloggen met" not in client.get("/inloggen").get_data(as_text=True)


def test_refused_callbacks_count_against_the_address_limit(sso_app):
    client = sso_app.test_client()
    codes = [client.get("/inloggen/sso/terug?code=x&state=onbekend").status_code for _ in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429


def test_an_sso_user_manages_password_and_second_factor_at_the_organisation(sso_app, oidc_provider):
    from tests.web.conftest import post_form

    client = sso_app.test_client()
    _back_to_app(client, oidc_provider, "anna")
    page = client.get("/account").get_data(as_text=True)
    assert "Je logt in met het account van Test-IdP" in page and 'name="current"' not in page
    changed = post_form(
        client,
        "/account/wachtwoord",
        {"current": "", "new": "nieuw-wachtwoord", "repeated": "nieuw-wachtwoord"},
        "/account",
    )
    assert changed.status_code == 400 and "eenmalige aanmelding" in changed.get_data(as_text=True)
    post_form(client, "/account/tweestaps/instellen", {}, "/account")
    enabled = post_form(client, "/account/tweestaps/bevestigen", {"code": "123456"}, "/account")
    assert enabled.status_code == 400 and "eenmalige aanmelding" in enabled.get_data(as_text=True)
    assert (
        _users(sso_app)["anna.devries"].password_hash == "!sso" and _users(sso_app)["anna.devries"].totp_secret is None
    )


def test_the_providers_verified_address_becomes_the_mail_address_of_a_user_without_one(sso_app, oidc_provider):
    """Notification mails need an address: a new SSO user gets the one the provider vouches for; an address the
    provider marks unverified, or one that is no address, is left out and the login still works."""
    for account in ("anna", "onbevestigd", "vreemd-adres"):
        assert _back_to_app(sso_app.test_client(), oidc_provider, account).status_code == 302
    users = _users(sso_app)
    assert users["anna.devries"].email == "Anna.deVries@politie.example"
    assert users["bert"].email is None  # email_verified: false
    assert users["carla"].email is None  # "geen adres"


def test_an_address_the_user_chose_is_kept_at_the_next_login(sso_app, oidc_provider):
    from engine.accounts.users import set_notifications
    from web.extensions import db

    assert _back_to_app(sso_app.test_client(), oidc_provider, "anna").status_code == 302
    with sso_app.app_context():
        set_notifications(db.session, "anna.devries", "meldingen@gemeente.nl", "digest")
    assert _back_to_app(sso_app.test_client(), oidc_provider, "anna").status_code == 302
    user = _users(sso_app)["anna.devries"]
    assert (user.email, user.notify) == ("meldingen@gemeente.nl", "digest")

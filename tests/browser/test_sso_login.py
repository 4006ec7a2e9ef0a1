"""Single sign-on in a real browser: Chromium, the app and a real OpenID provider, each on its own port."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from engine.base.settings import Settings
from engine.modeling.forms import FORMS_DIR
from engine.modeling.registry import ModelRegistry
from engine.storage.db import make_engine
from engine.storage.tables import Base
from tests.local_servers import free_port
from tests.web.conftest import SSO_ACCOUNTS
from tests.web.oidc_provider import CLIENT_SECRET, OidcProvider, sso_config_text
from web import create_app


@pytest.fixture(scope="module")
def sso_site(tmp_path_factory, clock) -> Iterator[str]:
    """The app with single sign-on on 127.0.0.1:<port>, its provider registered with that callback."""
    folder = tmp_path_factory.mktemp("sso-browser")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider = OidcProvider.start(folder, SSO_ACCOUNTS, redirect_uris=(f"{base}/inloggen/sso/terug",))
    config = folder / "sso.toml"
    config.write_text(sso_config_text(provider.issuer), encoding="utf-8")
    path = folder / "thv.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "THV_REGISTRY": ModelRegistry(FORMS_DIR),
            "THV_CLOCK_OBJECT": clock,
            "SECRET_KEY": "browser-sso",
        },
        settings=Settings(mode="test", oidc_config=config, oidc_client_secret=CLIENT_SECRET),
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="thv-sso-server", daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    provider.stop()
    with app.app_context():
        from web.extensions import db

        db.engine.dispose()


def test_a_caseworker_logs_in_with_the_organisation_account(browser, sso_site):
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{sso_site}/account")  # a protected page: to the login page first
    page.click("text=Inloggen met Test-IdP")
    page.wait_for_url("**/interaction/**")
    page.fill("input[name=login]", "anna")
    page.click("button")
    page.wait_for_url(f"{sso_site}/account")
    assert "Je logt in met het account van Test-IdP" in page.content()
    assert "anna.devries" in page.content()
    page.goto(f"{sso_site}/inloggen/sso")  # already logged in: straight to the worklist
    assert page.url == f"{sso_site}/"
    assert errors == []
    context.close()


def test_a_refused_claim_is_shown_on_the_login_page(browser, sso_site):
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(f"{sso_site}/inloggen/sso")
    page.fill("input[name=login]", "onbekende-rol")
    page.click("button")
    page.wait_for_url(f"{sso_site}/inloggen/sso/terug**")
    alert = page.locator("[role=alert]").inner_text()
    assert "Onbekende waarde in claim 'thv_rollen': THV-Schoonmaak" in alert
    context.close()

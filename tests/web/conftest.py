"""A Flask app on SQLite with the real baseline model (processes/wth-basis, forms/) deployed.

The database is built once per session (models deployed, users and API tokens
created) and copied for every test, so each test starts from the same state in
milliseconds; the parsed models are shared through one registry, whose cache is
keyed by version id and the copies all have the same ids.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from engine.accounts.api_tokens import create_token
from engine.accounts.users import add_user
from engine.base.clock import FixedClock
from engine.base.settings import Settings
from engine.modeling.bundle import collect_bundle
from engine.modeling.forms import FORMS_DIR
from engine.modeling.registry import ModelRegistry, deploy_bundle
from engine.storage.db import make_engine, make_session_factory, stamp_schema
from engine.storage.tables import Base
from tests.conftest import PASSWORD, PROJECT_ROOT, START
from tests.web.oidc_provider import CLIENT_SECRET, OidcProvider, sso_config_text
from tests.web.openapi_contract import SpecCheckedClient
from web import create_app

PROCESSES = PROJECT_ROOT / "processes"
# name: (roles, regions)
USERS = {
    "pol": (["politie"], ["basis"]),
    "hovj": (["hulpofficier"], ["basis"]),
    "bm": (["burgemeester"], ["basis"]),
    "vt": (["veilig_thuis"], ["basis"]),
    "hv": (["hulpverlening"], ["basis"]),
    "ovj": (["om"], ["basis"]),
    "pol_elders": (["politie"], ["pilot1"]),
    "vt_pilot": (["veilig_thuis"], ["pilot1"]),
    "ontwerper": (["designer"], ["basis"]),
    "pol_vt": (["politie", "veilig_thuis"], ["basis", "pilot1"]),
    "fg": (["fg"], ["basis"]),
}
MELDING = {
    "adres": "Dorpsstraat 1, Ergens",
    "omschrijving": "Ruzie met geweld in de woning.",
    "uithuisgeplaatste_naam": "Jan Jansen",
    "achterblijvers": [{"naam": "Els Jansen", "relatie": "partner"}],
    "kinderen": [{"voornaam": "Kim", "leeftijd": 7}],
    "aanhouding": False,
    "vermoeden_kindermishandeling": False,
}
TOETS = {"meerderjarig": True, "woonsituatie": "woont"}
RIHG = {
    "persoon": {"1a": {"signalen": ["1a.1"], "score": "hoog", "toelichting": "HKS-registratie geweld 2024"}},
    "incident": {"2a": {"signalen": ["2a.4"], "score": "hoog"}, "2c": {"signalen": ["2c.4"], "score": "hoog"}},
}


@pytest.fixture(autouse=True)
def api_responses_match_the_spec(monkeypatch):
    """Every app's test client checks each /api/ response against web/openapi.json (tests/web/openapi_contract.py)."""
    monkeypatch.setattr(Flask, "test_client_class", SpecCheckedClient)


@pytest.fixture(scope="session")
def web_template(tmp_path_factory) -> dict[str, Any]:
    """The database file every web test copies, the shared registry and the users' API tokens."""
    path = tmp_path_factory.mktemp("webdb") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    stamp_schema(engine)  # the readiness check compares the schema with the migrations
    registry = ModelRegistry(FORMS_DIR)
    clock = FixedClock(START)
    tokens = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("engine.accounts.users.PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
        with make_session_factory(engine)() as session:
            for region, variant in (("basis", "wth-basis"), ("pilot1", "wth-basis"), ("pilot1", "v1-brede-toegang")):
                deploy_bundle(
                    session,
                    registry,
                    collect_bundle(PROCESSES / variant),
                    region=region,
                    variant=variant,
                    actor="test",
                    now=clock.now(),
                )
            for name, (roles, regions) in USERS.items():
                user, _ = add_user(session, name, roles, regions, password=PASSWORD, now=clock.now())
                tokens[name] = create_token(session, user, name="test", now=clock.now())[1]
    engine.dispose()
    return {"path": path, "registry": registry, "tokens": tokens}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def _test_app(web_template, tmp_path, clock, settings: Settings | None = None) -> Flask:
    db_file = tmp_path / "web.sqlite"
    if not db_file.exists():
        shutil.copy(web_template["path"], db_file)
    return create_app(
        {
            "TESTING": True,
            "THV_MODE": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "THV_REGISTRY": web_template["registry"],
            "THV_CLOCK_OBJECT": clock,
            "SECRET_KEY": "test",
        },
        settings=settings,
    )


def _dispose(app: Flask) -> None:
    with app.app_context():
        from web.extensions import db

        db.engine.dispose()


@pytest.fixture
def app(web_template, tmp_path, clock):
    app = _test_app(web_template, tmp_path, clock)
    yield app
    _dispose(app)


# Accounts of the test OpenID provider: its claims besides sub (tests/web/test_sso.py).
SSO_ACCOUNTS = {
    "anna": {
        "preferred_username": "anna.devries",
        "name": "Anna de Vries",
        "email": "Anna.deVries@politie.example",
        "email_verified": True,
        "thv_rollen": ["THV-Hulpofficier"],
        "thv_regio": "Regio-Basis",
    },
    "onbevestigd": {
        "preferred_username": "bert",
        "email": "bert@politie.example",
        "email_verified": False,
        "thv_rollen": ["THV-Politie"],
        "thv_regio": "Regio-Basis",
    },
    "vreemd-adres": {
        "preferred_username": "carla",
        "email": "geen adres",
        "thv_rollen": ["THV-Politie"],
        "thv_regio": "Regio-Basis",
    },
    "onbekende-rol": {
        "preferred_username": "piet",
        "thv_rollen": ["THV-Politie", "THV-Schoonmaak"],
        "thv_regio": "Regio-Basis",
    },
    "zonder-rol": {"preferred_username": "kees", "thv_regio": "Regio-Basis"},
    "onbekende-regio": {"preferred_username": "bram", "thv_rollen": "THV-Politie", "thv_regio": "Regio-Elders"},
    "naam-bezet": {"preferred_username": "pol", "thv_rollen": ["THV-Politie"], "thv_regio": ["Regio-Basis"]},
}


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """A real OpenID provider (tools/oidc-provider) on 127.0.0.1 for the whole session."""
    provider = OidcProvider.start(tmp_path_factory.mktemp("oidc"), SSO_ACCOUNTS)
    yield provider
    provider.stop()


@pytest.fixture
def sso_settings(oidc_provider, tmp_path) -> Callable[..., Settings]:
    """Settings with single sign-on at the test provider; keyword arguments replace lines of its config file."""

    def make(**overrides: str) -> Settings:
        config = tmp_path / "sso.toml"
        config.write_text(sso_config_text(oidc_provider.issuer, **overrides), encoding="utf-8")
        return Settings(mode="test", oidc_config=config, oidc_client_secret=CLIENT_SECRET)

    return make


@pytest.fixture
def sso_app(web_template, tmp_path, clock, sso_settings):
    """The web app with single sign-on at the test provider, beside the local accounts."""
    app = _test_app(web_template, tmp_path, clock, sso_settings())
    yield app
    _dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tokens(web_template) -> dict[str, str]:
    return web_template["tokens"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str = "/inloggen") -> str:
    response = client.get(url)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({response.status_code})"
    return match.group(1)


def login(client, name: str, password: str = PASSWORD):
    """Log in as ``name``, ending any earlier session of this client first."""
    client.delete_cookie("thv_sessie", domain="localhost")
    token = csrf_token(client, "/inloggen")
    response = client.post("/inloggen", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def post_form(client, url: str, data: dict[str, Any] | None = None, page: str | None = None):
    """POST a browser form with the CSRF token taken from ``page`` (default: the same URL)."""
    fields = dict(data or {})
    fields["csrf_token"] = csrf_token(client, page or url)
    return client.post(url, data=fields)


class Api:
    """Shortcuts over the JSON API with a user's token."""

    def __init__(self, client, tokens: dict[str, str]):
        self.client, self.tokens = client, tokens

    def start(self, user: str = "pol", data: dict | None = None, region: str = "basis") -> int:
        response = self.client.post(
            "/api/v1/cases", json={"region": region, "data": data or MELDING}, headers=bearer(self.tokens[user])
        )
        assert response.status_code == 201, response.json
        return response.json["id"]

    def tasks(self, user: str, case_id: int | None = None) -> list[dict]:
        url = "/api/v1/tasks" + (f"?case={case_id}" if case_id else "")
        response = self.client.get(url, headers=bearer(self.tokens[user]))
        assert response.status_code == 200, response.json
        return response.json

    def task(self, user: str, case_id: int, element: str | None = None) -> dict:
        tasks = [t for t in self.tasks(user, case_id) if element is None or t["element"] == element]
        assert len(tasks) == 1, tasks
        return tasks[0]

    def complete(self, user: str, task_id: str, data: dict) -> None:
        response = self.client.post(
            f"/api/v1/tasks/{task_id}/complete", json={"data": data}, headers=bearer(self.tokens[user])
        )
        assert response.status_code == 200, response.json

    def case(self, user: str, case_id: int) -> dict:
        response = self.client.get(f"/api/v1/cases/{case_id}", headers=bearer(self.tokens[user]))
        assert response.status_code == 200, response.json
        return response.json

    def to_rihg(self, case_id: int) -> dict:
        """Start → toets done: the RIHG task of the hulpofficier is ready."""
        self.complete("hovj", self.task("hovj", case_id, "Task_toets")["id"], TOETS)
        return self.task("hovj", case_id)

    def consult_veilig_thuis(self, case_id: int) -> None:
        """The melding has a child in the household: Veilig Thuis is consulted before the decision (Wth 2(3))."""
        self.complete(
            "vt",
            self.task("vt", case_id, "Task_vt_raadplegen")["id"],
            {"bekend_bij_veilig_thuis": False, "advies_veilig_thuis": "Huisverbod aangewezen."},
        )

    def to_imposed(self, case_id: int) -> None:
        """Through RIHG, decision and beschikking: the ban is imposed."""
        self.complete("hovj", self.to_rihg(case_id)["id"], RIHG)
        self.consult_veilig_thuis(case_id)
        self.complete("hovj", self.task("hovj", case_id)["id"], {"besluit": "opleggen"})
        self.complete(
            "hovj",
            self.task("hovj", case_id, "Task_beschikking")["id"],
            {
                "opgelegd_op": "2026-02-02T21:15:00+01:00",
                "beschikking_plaats": "Dorpsstraat 1",
                "feiten_en_omstandigheden": "Zie melding.",
                "contactverbod_namen": ["Els Jansen"],
                "mondeling_aangezegd": False,
            },
        )


@pytest.fixture
def api(client, tokens) -> Api:
    return Api(client, tokens)


@pytest.fixture
def case_id(api) -> int:
    return api.start()

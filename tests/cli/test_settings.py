"""Every variable of README's configuration table takes effect in the command line and in the web app.

The table is read from README.md; each documented variable needs a check below that
sets it in the environment and observes its effect through ``thv`` (in-process, as
in the other CLI tests) and through ``create_app`` (no test_config for what the
variable decides). Invalid values are refused in Dutch, naming the variable, by both;
the command line prints one line, never a traceback.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import time

import pytest
from flask import Flask
from pythonjsonlogger.json import JsonFormatter

from cli.main import main
from cli.serving import ProductionServer
from engine.base.errors import ConfigurationError
from engine.base.settings import Settings
from tests.cli.conftest import Result
from tests.conftest import BUNDLES, PASSWORD, PROJECT_ROOT, TEST_FORMS
from tests.mail_server import SmtpServer
from tests.tls_certs import make_ca
from tests.web.conftest import csrf_token, login
from web import create_app

README = PROJECT_ROOT / "README.md"
CLOCK = "2026-02-02T21:15:00+01:00"
CLOCK_UTC = "2026-02-02T20:15:00+00:00"


def documented_variables(section: str = "## Configuration") -> list[str]:
    """The variables in the first table of README's configuration section, in order."""
    text = README.read_text(encoding="utf-8").split(section, 1)[1]
    rows = re.findall(r"^\| `(THV_[A-Z_]+)` \|", text.split("\n\n| name |", 1)[0], flags=re.MULTILINE)
    return rows


def test_the_readme_table_lists_exactly_the_variables_settings_reads():
    read = re.findall(r'env\.get\("(THV_[A-Z_]+)"', inspect.getsource(Settings.from_env))
    assert documented_variables() == list(dict.fromkeys(read))
    assert set(EFFECTS) == set(read)


def test_every_thv_name_in_the_project_is_documented_in_the_readme():
    sources = [PROJECT_ROOT / "Makefile"] + [
        path for folder in ("engine", "web", "cli", "tests") for path in (PROJECT_ROOT / folder).rglob("*.py")
    ]
    found = {name for path in sources for name in re.findall(r"\bTHV_[A-Z][A-Z_]*\b", path.read_text("utf-8"))}
    readme = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert {"THV_MODE", "THV_REQUIRE_POSTGRES", "THV_CLOCK_OBJECT"} <= found
    assert sorted(name for name in found if f"`{name}" not in readme) == []


def test_only_the_settings_module_reads_the_environment():
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for folder in ("engine", "web", "cli")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if "node_modules" not in path.parts and path != PROJECT_ROOT / "engine" / "base" / "settings.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"os\.environ|getenv\(", line)
    ]
    assert offenders == []


# --- running thv and the web app with an environment ------------------------------


@pytest.fixture
def env(monkeypatch, tmp_path) -> dict[str, str]:
    """The THV_ environment of the test (cleared first); a fresh SQLite file and test mode unless changed."""
    import os

    for name in [n for n in os.environ if n.startswith("THV_")]:
        monkeypatch.delenv(name)
    values = {"THV_MODE": "test", "THV_DATABASE_URL": f"sqlite:///{tmp_path / 'thv.sqlite'}"}

    class Environment(dict):
        def __setitem__(self, name: str, value: str) -> None:
            super().__setitem__(name, value)
            monkeypatch.setenv(name, value)

        def __delitem__(self, name: str) -> None:
            super().__delitem__(name)
            monkeypatch.delenv(name, raising=False)

    environment = Environment()
    for name, value in values.items():
        environment[name] = value
    return environment


@pytest.fixture
def thv(env, capsys, monkeypatch) -> Callable[..., Result]:
    def run(*args: str, stdin: str | None = None) -> Result:
        capsys.readouterr()
        if stdin is not None:
            import io

            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def served(thv, monkeypatch) -> Callable[[], Flask]:
    """The app ``thv serve`` would serve (neither Flask's server nor gunicorn is started).

    In production mode that is the app a gunicorn worker loads.
    """

    def serve() -> Flask:
        apps: list[Flask] = []
        monkeypatch.setattr(Flask, "run", lambda app, **_: apps.append(app))
        monkeypatch.setattr(ProductionServer, "run", lambda server: apps.append(server.load()))
        assert thv("init-db").code == 0  # as before any start: production refuses a schema behind the code
        result = thv("serve", "--no-timers")
        assert result.code == 0, result.err
        return apps[0]

    return serve


@contextmanager
def web_app() -> Iterator[Flask]:
    """``create_app`` as a server starts it: everything from the environment."""
    app = create_app()
    try:
        yield app
    finally:
        from web.extensions import db

        with app.app_context():
            db.engine.dispose()


def _user(thv, name: str, roles: str = "politie", regions: str = "basis") -> None:
    assert thv("init-db").code == 0
    added = thv("user-add", name, "--roles", roles, "--regions", regions, "--password-stdin", stdin=PASSWORD + "\n")
    assert added.code == 0, added.err


def _session_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("thv_sessie="))


# --- one check per variable --------------------------------------------------------


def check_mode(env, thv, served, tmp_path) -> None:
    nowhere = str(tmp_path / "geen-processen")
    env["THV_MODE"] = "production"
    assert "productie" in thv("seed-demo", "--processes", nowhere).err
    with web_app() as app:
        assert app.test_client().get("/health").json["mode"] == "production"
    assert "THV_SECRET_KEY ontbreekt" in thv("serve").err  # gunicorn, which needs one key for all workers
    env["THV_SECRET_KEY"] = "een-lang-geheim"
    assert served().config["THV_MODE"] == "production"
    env["THV_MODE"] = "training"
    assert "geen map 'wth-basis'" in thv("seed-demo", "--processes", nowhere).err  # past the production refusal
    with web_app() as app:
        assert app.test_client().get("/health").json["mode"] == "training"


def check_clock(env, thv, served, tmp_path) -> None:
    env["THV_FORMS_DIR"] = str(TEST_FORMS)  # the forms of the sample bundle
    env["THV_CLOCK"] = CLOCK
    assert thv("init-db").code == 0
    assert thv("deploy", str(BUNDLES / "sample"), "--region", "basis").code == 0
    case_id = thv("start", "--region", "basis").out.strip()
    assert thv("tasks", "--case", case_id, "--json").json()[0]["created_at"] == CLOCK_UTC
    with web_app() as app:
        assert app.extensions["thv"].clock.now().isoformat() == CLOCK_UTC
    assert served().extensions["thv"].clock.now().isoformat() == CLOCK_UTC


def check_database_url(env, thv, served, tmp_path) -> None:
    path = tmp_path / "elders" / "eigen.sqlite"
    path.parent.mkdir()
    env["THV_DATABASE_URL"] = f"sqlite:///{path}"
    _user(thv, "agent")
    assert path.is_file() and [u["name"] for u in thv("users", "--json").json()] == ["agent"]
    with web_app() as app:
        login(app.test_client(), "agent")  # the user the CLI made, in the same database
    assert served().config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{path}"


def check_forms_dir(env, thv, served, tmp_path) -> None:
    """A copy of the forms with one form changed is what deploy and the designer's check read."""
    changed = tmp_path / "formulieren"
    shutil.copytree(TEST_FORMS, changed)
    form = changed / "termijn_beroep.schema.json"
    form.write_text(form.read_text(encoding="utf-8").replace('"type": "object"', '"type": "array"', 1), "utf-8")
    sample = (BUNDLES / "sample" / "sample.bpmn").read_text(encoding="utf-8")
    edited = sample.replace('value="sample_besluit.schema.json"', 'value="termijn_beroep.schema.json"')
    assert edited != sample
    shutil.copytree(BUNDLES, tmp_path / "bundles")  # with the common subprocesses the sample calls
    bundle = tmp_path / "bundles" / "sample"
    (bundle / "sample.bpmn").write_text(edited, encoding="utf-8")

    env["THV_FORMS_DIR"] = str(TEST_FORMS)
    _user(thv, "ontwerper", roles="designer")
    assert thv("deploy", str(BUNDLES / "sample"), "--region", "basis").code == 0  # version 1, unchanged
    assert thv("deploy", str(bundle), "--region", "basis", "--variant", "edited").code == 0
    checked = _designer_check(edited)  # the edit leaves the version's stored form unused: said, not refused
    assert [(f["file"], f["severity"]) for f in checked] == [("forms/sample_besluit.schema.json", "waarschuwing")]

    env["THV_FORMS_DIR"] = str(changed)
    refused = thv("deploy", str(bundle), "--region", "basis", "--variant", "other", "--json")
    assert refused.code == 1 and "termijn_beroep.schema.json" in json.dumps(refused.json()["findings"])
    findings = [f for f in _designer_check(edited) if f["severity"] == "fout"]
    assert len(findings) == 1 and "termijn_beroep.schema.json" in findings[0]["message"]
    assert served().extensions["thv"].registry.forms_dir == changed


def _designer_check(xml: str) -> list[dict]:
    with web_app() as app:
        client = app.test_client()
        login(client, "ontwerper")
        token = csrf_token(client, "/ontwerp/versies/1")
        response = client.post(
            "/ontwerp/versies/1/controleren", json={"file": "sample.bpmn", "xml": xml}, headers={"X-CSRFToken": token}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json["findings"]


def check_secret_key(env, thv, served, tmp_path) -> None:
    """Sessions survive a restart with the same key, and only then."""
    _user(thv, "agent")
    env["THV_SECRET_KEY"] = "een-lang-geheim"
    with web_app() as first:
        client = first.test_client()
        login(client, "agent")
        cookie = client.get_cookie("thv_sessie").value
    with web_app() as restarted:
        again = restarted.test_client()
        again.set_cookie("thv_sessie", cookie)
        assert again.get("/").status_code == 200
    assert served().secret_key == "een-lang-geheim"
    del env["THV_SECRET_KEY"]
    with web_app() as other:
        stranger = other.test_client()
        stranger.set_cookie("thv_sessie", cookie)
        assert stranger.get("/").status_code == 302  # to the login page


def check_secure_cookies(env, thv, served, tmp_path) -> None:
    _user(thv, "agent")
    env["THV_MODE"] = "development"  # not Secure by default
    with web_app() as app:
        assert "; Secure" not in _session_cookie(login(app.test_client(), "agent"))
    env["THV_SECURE_COOKIES"] = "1"
    with web_app() as app:
        assert "; Secure" in _session_cookie(login(app.test_client(), "agent"))
    assert served().config["SESSION_COOKIE_SECURE"] is True
    env["THV_MODE"] = "production"  # Secure by default
    env["THV_SECRET_KEY"] = "een-lang-geheim"  # production's server refuses to start without one
    env["THV_SECURE_COOKIES"] = "nee"
    with web_app() as app:
        assert "; Secure" not in _session_cookie(login(app.test_client(), "agent"))
    assert served().config["SESSION_COOKIE_SECURE"] is False


def _log_formatter() -> logging.Formatter | None:
    handlers = [h for h in logging.getLogger().handlers if getattr(h, "thv", False)]
    return handlers[-1].formatter if handlers else None


def check_log_format(env, thv, served, tmp_path) -> None:
    env["THV_LOG_FORMAT"] = "json"
    served()
    assert isinstance(_log_formatter(), JsonFormatter)
    env["THV_LOG_FORMAT"] = "text"
    served()
    assert not isinstance(_log_formatter(), JsonFormatter)
    del env["THV_LOG_FORMAT"]
    env["THV_MODE"] = "development"  # text outside production by default
    served()
    assert not isinstance(_log_formatter(), JsonFormatter)


def check_metrics_token(env, thv, served, tmp_path) -> None:
    assert thv("init-db").code == 0
    env["THV_METRICS_TOKEN"] = "een-lang-scrapergeheim"
    with web_app() as app:
        client = app.test_client()
        assert client.get("/metrics").status_code == 401
        scraped = client.get("/metrics", headers={"Authorization": "Bearer een-lang-scrapergeheim"})
        assert scraped.status_code == 200 and b"thv_timers_due" in scraped.data
    assert served().config["THV_METRICS_TOKEN"] == "een-lang-scrapergeheim"
    del env["THV_METRICS_TOKEN"]
    env["THV_MODE"] = "production"
    env["THV_SECRET_KEY"] = "een-lang-geheim"
    with web_app() as app:
        assert app.test_client().get("/metrics").status_code == 404  # not served in production without a token


def _failed_logins_from(client, address: str, count: int) -> list[int]:
    from tests.web.conftest import csrf_token

    token = csrf_token(client)
    return [
        client.post(
            "/inloggen",
            data={"name": f"onbekend{i}", "password": "fout-wachtwoord", "csrf_token": token},
            headers={"X-Forwarded-For": address},
        ).status_code
        for i in range(count)
    ]


def check_trusted_proxies(env, thv, served, tmp_path) -> None:
    assert thv("init-db").code == 0
    env["THV_TRUSTED_PROXIES"] = "1"
    with web_app() as app:
        client = app.test_client()
        assert set(_failed_logins_from(client, "203.0.113.7", 30)) == {401}
        assert _failed_logins_from(client, "203.0.113.7", 1) == [429]  # that client's limit is reached
        assert _failed_logins_from(client, "198.51.100.4", 1) == [401]  # another client behind the proxy is not
    assert served().wsgi_app.x_for == 1
    env["THV_TRUSTED_PROXIES"] = "0"
    with web_app() as app:
        client = app.test_client()
        _failed_logins_from(client, "203.0.113.7", 30)
        assert _failed_logins_from(client, "198.51.100.4", 1) == [429]  # without a trusted proxy the header is ignored
    env["THV_TRUSTED_PROXIES"] = "twee"
    result = thv("serve", "--no-timers")
    assert result.code != 0 and "THV_TRUSTED_PROXIES" in result.err


SSO_CONFIG = """issuer = "https://login.gemeente.example/realms/thv"
client_id = "thv"
label = "Gemeente Test"
role_claim = "thv_rollen"
region_claim = "thv_regio"
[roles]
"THV-Politie" = "politie"
[regions]
"Regio-Basis" = "basis"
"""


def _sso_config(tmp_path, text: str = SSO_CONFIG) -> str:
    path = tmp_path / "sso.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def check_oidc_config(env, thv, served, tmp_path) -> None:
    assert thv("init-db").code == 0
    env["THV_OIDC_CONFIG"] = _sso_config(tmp_path)
    env["THV_OIDC_CLIENT_SECRET"] = "een-clientgeheim"
    with web_app() as app:
        assert "Inloggen met Gemeente Test" in app.test_client().get("/inloggen").get_data(as_text=True)
    assert served().extensions["thv_sso"].config.roles == {"THV-Politie": ("politie",)}
    env["THV_OIDC_CONFIG"] = _sso_config(tmp_path, SSO_CONFIG.replace('= "politie"', '= "agent"'))
    result = thv("serve", "--no-timers")
    assert result.code == 1 and "noemt onbekende code agent" in result.err
    assert len(result.err.strip().splitlines()) == 1
    with pytest.raises(ConfigurationError, match="onbekende code agent"):
        create_app()
    del env["THV_OIDC_CONFIG"], env["THV_OIDC_CLIENT_SECRET"]
    with web_app() as app:
        assert "Inloggen met" not in app.test_client().get("/inloggen").get_data(as_text=True)


def check_oidc_client_secret(env, thv, served, tmp_path) -> None:
    assert thv("init-db").code == 0
    env["THV_OIDC_CONFIG"] = _sso_config(tmp_path)
    env["THV_OIDC_CLIENT_SECRET"] = "een-clientgeheim"
    assert served().extensions["thv_sso"].config.client_secret == "een-clientgeheim"
    with web_app() as app:
        assert app.extensions["thv_sso"].provider.client_secret == "een-clientgeheim"
    del env["THV_OIDC_CLIENT_SECRET"]
    result = thv("serve", "--no-timers")
    assert result.code == 1 and "THV_OIDC_CLIENT_SECRET ontbreekt" in result.err
    with pytest.raises(ConfigurationError, match="THV_OIDC_CLIENT_SECRET ontbreekt"):
        create_app()


def check_theme_css(env, thv, served, tmp_path) -> None:
    """A region's theme is linked after the neutral one on every page and served at a fixed address."""
    theme = tmp_path / "thema-regio.css"
    theme.write_text(".thv-theme { --utrecht-page-header-background-color: #262626; }\n", encoding="utf-8")
    assert thv("init-db").code == 0
    env["THV_THEME_CSS"] = str(theme)
    with web_app() as app:
        client = app.test_client()
        page = client.get("/inloggen").get_data(as_text=True)
        assert page.index("css/theme-neutraal.css") < page.index('href="/static/thema/regio.css?v=')
        served_css = client.get("/static/thema/regio.css")
        assert served_css.status_code == 200 and served_css.mimetype == "text/css" and b"#262626" in served_css.data
    assert served().extensions["thv_theme"].text == theme.read_text(encoding="utf-8")
    del env["THV_THEME_CSS"]
    with web_app() as app:
        client = app.test_client()
        assert "/static/thema/" not in client.get("/inloggen").get_data(as_text=True)
        assert client.get("/static/thema/regio.css").status_code == 404


# --- e-mail notifications (engine.notify), against a real SMTP server ---------------------


def _mail_case(env, thv) -> str:
    """A politie task for pol2 (who has an address), queued by a case pol starts; returns the case id."""
    env["THV_FORMS_DIR"] = str(TEST_FORMS)
    env["THV_CLOCK"] = CLOCK
    _user(thv, "pol")
    added = thv("user-add", "pol2", "--roles", "politie", "--regions", "basis", "--email", "pol2@politie.example",
                "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
    assert added.code == 0, added.err
    assert thv("deploy", str(BUNDLES / "sample"), "--region", "basis").code == 0
    return thv("start", "--region", "basis", "--as", "pol").out.strip()


def _web_mailer(app: Flask):
    return app.extensions["thv"].mailer


def _send_from_the_web_app(app: Flask):
    """What the app's own timer thread does after a sweep (web.timer_worker)."""
    from web.extensions import db, db_session

    with app.app_context():
        try:
            return _web_mailer(app).run(db_session())
        finally:
            db.session.remove()


@contextmanager
def _smtp(**kwargs) -> Iterator[SmtpServer]:
    server = SmtpServer(**kwargs).start()
    try:
        yield server
    finally:
        server.stop()


def check_base_url(env, thv, served, tmp_path) -> None:
    with _smtp() as server:
        env["THV_SMTP_URL"] = server.url
        env["THV_BASE_URL"] = "https://thv.gemeente.example/zaken/"
        case_id = _mail_case(env, thv)
        assert "verstuurd: 1" in thv("mail", "send").out
        task_id = thv("tasks", "--case", case_id, "--json").json()[0]["id"]
        assert f"https://thv.gemeente.example/zaken/taken/{task_id}\n" in server.received[0].text
    with web_app() as app:
        assert _web_mailer(app).settings.base_url == "https://thv.gemeente.example/zaken"
    assert _web_mailer(served()).settings.base_url == "https://thv.gemeente.example/zaken"


def check_smtp_url(env, thv, served, tmp_path) -> None:
    with web_app() as app:
        assert _web_mailer(app) is None  # no server: nothing is sent
    with _smtp() as server:
        env["THV_SMTP_URL"] = server.url
        env["THV_BASE_URL"] = "https://thv.example.nl"
        _mail_case(env, thv)
        with web_app() as app:
            assert _send_from_the_web_app(app).sent == 1
        assert [m.recipients for m in server.received] == [["pol2@politie.example"]]
        _mail_case_again = thv("start", "--region", "basis", "--as", "pol")
        assert _mail_case_again.code == 0 and "verstuurd: 1" in thv("mail", "send").out
        assert len(server.received) == 2
        assert (_web_mailer(served()).settings.host, _web_mailer(served()).settings.port) == (server.host, server.port)


def check_smtp_password(env, thv, served, tmp_path) -> None:
    with _smtp(login=("thv-relay", "relay-geheim")) as server:
        env["THV_SMTP_URL"] = f"smtp://thv-relay@{server.host}:{server.port}"
        env["THV_BASE_URL"] = "https://thv.example.nl"
        env["THV_SMTP_PASSWORD"] = "fout-geheim"
        _mail_case(env, thv)
        assert "later opnieuw: 1" in thv("mail", "send").out
        env["THV_SMTP_PASSWORD"] = "relay-geheim"
        env["THV_CLOCK"] = "2026-02-02T21:16:00+01:00"  # its next try
        assert "verstuurd: 1" in thv("mail", "send").out
        assert server.logins == ["thv-relay"] and len(server.received) == 1
    with web_app() as app:
        assert _web_mailer(app).settings.password == "relay-geheim"
    assert "relay-geheim" not in repr(_web_mailer(served()).settings)


def check_mail_from(env, thv, served, tmp_path) -> None:
    with _smtp() as server:
        env["THV_SMTP_URL"] = server.url
        env["THV_BASE_URL"] = "https://thv.example.nl"
        env["THV_MAIL_FROM"] = "Gemeente Basis <thv@gemeente.example>"
        _mail_case(env, thv)
        assert "verstuurd: 1" in thv("mail", "send").out
        [mail] = server.received
        assert mail.sender == "thv@gemeente.example" and mail.message["From"] == "Gemeente Basis <thv@gemeente.example>"
    with web_app() as app:
        assert _web_mailer(app).settings.sender == "Gemeente Basis <thv@gemeente.example>"
    del env["THV_MAIL_FROM"]
    assert _web_mailer(served()).settings.sender == "Zaaksysteem tijdelijk huisverbod <noreply@thv.example.nl>"


def check_digest_time(env, thv, served, tmp_path) -> None:
    with _smtp() as server:
        env["THV_SMTP_URL"] = server.url
        env["THV_BASE_URL"] = "https://thv.example.nl"
        _user(thv, "bm", roles="burgemeester")
        assert thv("user-notify", "bm", "--email", "bm@gemeente.example").code == 0
        case_id = _mail_case(env, thv)
        task_id = thv("tasks", "--case", case_id, "--json").json()[0]["id"]
        data = '{"naam": "A", "ernst": 4}'
        assert thv("complete", task_id, "--data", data, "--as", "pol").code == 0  # the besluit, due in 24 hours
        env["THV_DIGEST_TIME"] = "06:30"
        env["THV_CLOCK"] = "2026-02-04T06:29:00+01:00"
        assert "overzichten gemaakt: 0" in thv("mail", "send").out
        env["THV_CLOCK"] = "2026-02-04T06:30:00+01:00"
        assert "overzichten gemaakt: 1" in thv("mail", "send").out
        assert [m.recipients for m in server.received if m.message["Subject"].startswith("Overzicht")] == [
            ["bm@gemeente.example"]
        ]
        env["THV_DIGEST_TIME"] = "uit"
        env["THV_CLOCK"] = "2026-02-05T12:00:00+01:00"
        assert "overzichten gemaakt: 0" in thv("mail", "send").out
    with web_app() as app:
        assert _web_mailer(app).settings.digest_at is None
    env["THV_DIGEST_TIME"] = "06:30"
    assert _web_mailer(served()).settings.digest_at == time(6, 30)


def check_smtp_ca_file(env, thv, served, tmp_path) -> None:
    ca = make_ca(tmp_path)
    with _smtp(tls="starttls", cert=ca.server) as server:
        env["THV_SMTP_URL"] = f"smtp+starttls://{server.host}:{server.port}"
        env["THV_BASE_URL"] = "https://thv.example.nl"
        untrusted = thv("mail", "test", "beheer@gemeente.example")
        assert untrusted.code == 1 and "THV_SMTP_CA_FILE" in untrusted.err and server.received == []
        env["THV_SMTP_CA_FILE"] = str(ca.ca_file)
        trusted = thv("mail", "test", "beheer@gemeente.example")
        assert trusted.code == 0, trusted.err
        assert [(m.recipients, m.encrypted) for m in server.received] == [(["beheer@gemeente.example"], True)]
    with web_app() as app:
        assert _web_mailer(app).settings.ca_file == str(ca.ca_file)
    assert _web_mailer(served()).settings.ca_file == str(ca.ca_file)


EFFECTS: dict[str, Callable[..., None]] = {
    "THV_MODE": check_mode,
    "THV_CLOCK": check_clock,
    "THV_DATABASE_URL": check_database_url,
    "THV_FORMS_DIR": check_forms_dir,
    "THV_SECRET_KEY": check_secret_key,
    "THV_SECURE_COOKIES": check_secure_cookies,
    "THV_LOG_FORMAT": check_log_format,
    "THV_METRICS_TOKEN": check_metrics_token,
    "THV_TRUSTED_PROXIES": check_trusted_proxies,
    "THV_OIDC_CONFIG": check_oidc_config,
    "THV_OIDC_CLIENT_SECRET": check_oidc_client_secret,
    "THV_THEME_CSS": check_theme_css,
    "THV_BASE_URL": check_base_url,
    "THV_SMTP_URL": check_smtp_url,
    "THV_SMTP_PASSWORD": check_smtp_password,
    "THV_SMTP_CA_FILE": check_smtp_ca_file,
    "THV_MAIL_FROM": check_mail_from,
    "THV_DIGEST_TIME": check_digest_time,
}


@pytest.mark.parametrize("variable", documented_variables())
def test_each_documented_variable_takes_effect_in_the_cli_and_the_web_app(variable, env, thv, served, tmp_path):
    assert variable in EFFECTS, f"{variable} is documented in README.md but nothing here checks it"
    EFFECTS[variable](env, thv, served, tmp_path)


# --- invalid values ------------------------------------------------------------------

INVALID = [
    ({"THV_MODE": "prod"}, "THV_MODE 'prod' is onbekend"),
    ({"THV_MODE": "production", "THV_CLOCK": CLOCK}, "THV_CLOCK is alleen toegestaan"),
    ({"THV_CLOCK": "gisteren"}, "THV_CLOCK 'gisteren' is geen geldig ISO 8601-tijdstip"),
    ({"THV_DATABASE_URL": "mysql://localhost/thv"}, "THV_DATABASE_URL moet een sqlite:- of postgresql-URL zijn"),
    ({"THV_FORMS_DIR": "/bestaat/niet"}, "THV_FORMS_DIR '/bestaat/niet' is geen bestaande map"),
    ({"THV_SECURE_COOKIES": "misschien"}, "THV_SECURE_COOKIES 'misschien' is geen ja/nee-waarde"),
    ({"THV_LOG_FORMAT": "xml"}, "THV_LOG_FORMAT 'xml' is onbekend"),
    ({"THV_METRICS_TOKEN": "kort"}, "THV_METRICS_TOKEN is te kort"),
    ({"THV_OIDC_CONFIG": "/bestaat/niet.toml"}, "THV_OIDC_CONFIG '/bestaat/niet.toml' is geen bestaand bestand"),
    ({"THV_OIDC_CLIENT_SECRET": "geheim"}, "THV_OIDC_CLIENT_SECRET is gezet zonder THV_OIDC_CONFIG"),
    ({"THV_THEME_CSS": "/bestaat/niet.css"}, "THV_THEME_CSS '/bestaat/niet.css' is geen bestaand bestand"),
    ({"THV_THEME_CSS": str(PROJECT_ROOT / "README.md")}, "is geen .css-bestand"),
    ({"THV_BASE_URL": "thv.example.nl"}, "THV_BASE_URL moet een http(s)-adres zijn"),
    (
        {"THV_MODE": "production", "THV_BASE_URL": "http://thv.example.nl"},
        "THV_BASE_URL moet in productie met https://",
    ),
    ({"THV_SMTP_URL": "mail.example.nl"}, "THV_SMTP_URL moet beginnen met smtp://, smtp+starttls:// of smtps://"),
    ({"THV_SMTP_URL": "smtp://mail.example.nl"}, "THV_SMTP_URL is gezet zonder THV_BASE_URL"),
    (
        {"THV_SMTP_URL": "smtp://relay:geheim@mail.example.nl", "THV_BASE_URL": "https://thv.example.nl"},
        "THV_SMTP_URL bevat een wachtwoord; zet dat in THV_SMTP_PASSWORD",
    ),
    ({"THV_SMTP_PASSWORD": "geheim"}, "THV_SMTP_PASSWORD is gezet zonder THV_SMTP_URL"),
    (
        {"THV_SMTP_URL": "smtp://relay@mail.example.nl", "THV_SMTP_PASSWORD": "x", "THV_BASE_URL": "https://t.nl"},
        "THV_SMTP_PASSWORD gaat niet onversleuteld over het netwerk",
    ),
    (
        {
            "THV_SMTP_URL": "smtps://mail.example.nl",
            "THV_BASE_URL": "https://t.nl",
            "THV_MAIL_FROM": "THV <geen adres>",
        },
        "THV_MAIL_FROM is geen e-mailadres",
    ),
    ({"THV_MAIL_FROM": "thv@gemeente.nl"}, "THV_MAIL_FROM is gezet zonder THV_SMTP_URL"),
    ({"THV_SMTP_CA_FILE": "/etc/ssl/certs/ca.pem"}, "THV_SMTP_CA_FILE is gezet zonder THV_SMTP_URL"),
    (
        {"THV_SMTP_URL": "smtp://localhost", "THV_BASE_URL": "https://t.nl", "THV_SMTP_CA_FILE": "/bestaat/niet.pem"},
        "THV_SMTP_CA_FILE heeft alleen zin met smtp+starttls:// of smtps://",
    ),
    (
        {"THV_SMTP_URL": "smtps://mail.t.nl", "THV_BASE_URL": "https://t.nl", "THV_SMTP_CA_FILE": "/bestaat/niet.pem"},
        "THV_SMTP_CA_FILE: dat bestand bestaat niet",
    ),
    (
        {
            "THV_SMTP_URL": "smtps://mail.t.nl",
            "THV_BASE_URL": "https://t.nl",
            "THV_SMTP_CA_FILE": str(PROJECT_ROOT / "README.md"),
        },
        "THV_SMTP_CA_FILE is geen leesbaar PEM-bestand met certificaten",
    ),
    ({"THV_DIGEST_TIME": "7 uur"}, "THV_DIGEST_TIME '7 uur' is geen tijd als 07:00"),
]


@pytest.mark.parametrize(
    ("values", "message"), INVALID, ids=[next(iter(v)) + "=" + v[next(iter(v))] for v, _ in INVALID]
)
def test_an_invalid_value_is_refused_in_dutch_by_both(values, message, env, thv):
    for name, value in values.items():
        env[name] = value
    for args in (("users",), ("serve", "--no-timers")):
        result = thv(*args)
        assert result.code == 1 and message in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        create_app()
    assert thv("regions", "--json").code == 0  # a command that needs no settings still works

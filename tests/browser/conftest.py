"""Browser tests: Debian's Chromium driven by Playwright against a live server on 127.0.0.1.

The server runs the real app in a thread (werkzeug's make_server on a random
port) on a SQLite file with the baseline model (processes/wth-basis) and the
real forms deployed, and a fixed clock the tests move by hand. Nothing is
downloaded: Playwright's Python package carries its driver and launches
/usr/bin/chromium. The tests are skipped only when Chromium is missing and
apt cannot install it (``make test`` installs it, and the npm assets).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.accounts.users import add_user
from engine.base.clock import FixedClock
from engine.modeling.bundle import collect_bundle
from engine.modeling.forms import FORMS_DIR
from engine.modeling.registry import ModelRegistry, deploy_bundle
from engine.storage.db import make_engine, make_session_factory
from engine.storage.tables import Base
from tests.conftest import PROJECT_ROOT, START
from web import create_app

CHROMIUM = Path("/usr/bin/chromium")
ASSETS = PROJECT_ROOT / "web" / "assets"
SCREENSHOTS = PROJECT_ROOT / "test-output" / "browser"
PASSWORD = "browser-wachtwoord"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ROLES = ("politie", "hulpofficier", "burgemeester", "hulpverlening", "veilig_thuis", "designer")


def _ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True, timeout=900)
    if not CHROMIUM.exists():
        pytest.skip("Chromium ontbreekt en apt kon het niet installeren")


def _ensure_assets() -> None:
    if (ASSETS / "node_modules" / "bpmn-js" / "dist").is_dir():
        return
    npm = shutil.which("npm")
    assert npm, "bpmn-js ontbreekt en npm is er niet: draai `make test`"
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ASSETS, check=True, timeout=600)


@pytest.fixture(scope="session")
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, clock) -> Iterator[str]:
    """The app on http://127.0.0.1:<random port>, with the baseline model and one user per role."""
    _ensure_chromium()
    _ensure_assets()
    path = tmp_path_factory.mktemp("browser") / "thv.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    registry = ModelRegistry(FORMS_DIR)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("engine.accounts.users.PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
        with make_session_factory(engine)() as session:
            deploy_bundle(
                session,
                registry,
                collect_bundle(PROJECT_ROOT / "processes" / "wth-basis"),
                region="basis",
                variant="wth-basis",
                actor="test",
                now=clock.now(),
            )
            for role in ROLES:
                add_user(session, f"{role}.basis", [role], ["basis"], password=PASSWORD, now=clock.now())
    engine.dispose()
    app = create_app(
        {
            "THV_MODE": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "THV_REGISTRY": registry,
            "THV_CLOCK_OBJECT": clock,
            "SECRET_KEY": "browser-tests",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="thv-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        from web.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class Person:
    """One logged-in browser session of one organisation."""

    def __init__(self, browser, base: str, role: str, screenshots: Path):
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.base, self.role, self.screenshots = base, role, screenshots
        self.page.goto(f"{base}/inloggen")
        self.page.fill("#name", f"{role}.basis")
        self.page.fill("#password", PASSWORD)
        self.page.click("form button.utrecht-button--primary-action")

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.screenshots / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def person(browser, live_server, screenshots):
    people: list[Person] = []

    def login(role: str) -> Person:
        people.append(Person(browser, live_server, role, screenshots))
        return people[-1]

    yield login
    for p in people:
        assert p.errors == [], p.errors  # no JavaScript errors on any page
        p.close()

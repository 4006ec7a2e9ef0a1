"""The designer's modeller in a real browser: edit a timer, check, deploy, compare; and a round trip of
every bundled model through the real bpmn-js modeller (with the properties panel and the
SpiffWorkflow moddle extension) that keeps every extension element, every DI shape and edge.

A server of its own (this module's fixture) runs v2-weegteam in pilot2, with a case waiting at
the weegteam's step whose two-day SLA timer is running. Screenshots go to test-output/browser/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from lxml import etree
from playwright.sync_api import expect
from werkzeug.serving import make_server

from engine.accounts.users import add_user
from engine.base.clock import FixedClock
from engine.cases import operations as cases
from engine.demo.demo_cases import VERZOEK
from engine.modeling.bundle import collect_bundle
from engine.modeling.forms import FORMS_DIR
from engine.modeling.registry import ModelRegistry, deploy_bundle
from engine.storage.db import make_engine, make_session_factory
from engine.storage.tables import Base, Case
from tests.browser.conftest import ASSETS, PASSWORD
from tests.conftest import PROJECT_ROOT, START
from web import create_app

MODELS = sorted((PROJECT_ROOT / "processes").rglob("*.bpmn"))
DIST = ASSETS / "dist" / "designer.js"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
DI = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
}
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _ensure_bundle() -> None:
    """The modeller bundle (web/assets/dist), built by `make assets`; built here when missing."""
    if DIST.exists():
        return
    npm = shutil.which("npm")
    assert npm, "web/assets/dist ontbreekt en npm is er niet: draai `make assets`"
    subprocess.run([npm, "run", "build"], cwd=ASSETS, check=True, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser) -> Iterator[dict]:
    """The app on a port of its own: v2-weegteam in pilot2, a designer, and one running case."""
    _ensure_bundle()
    path = tmp_path_factory.mktemp("modeller") / "thv.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    registry, clock = ModelRegistry(FORMS_DIR), FixedClock(START)
    sessions = make_session_factory(engine)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("engine.accounts.users.PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")
        with sessions() as session:
            deploy_bundle(
                session,
                registry,
                collect_bundle(PROJECT_ROOT / "processes" / "v2-weegteam"),
                region="pilot2",
                variant="v2-weegteam",
                actor="test",
                now=clock.now(),
            )
            add_user(session, "designer.pilot2", ["designer"], ["pilot2"], password=PASSWORD, now=clock.now())
            starter, _ = add_user(
                session, "wijkteam.pilot2", ["wijkteam"], ["pilot2"], password=PASSWORD, now=clock.now()
            )
            case_id = cases.start_case(
                session, registry, clock, region="pilot2", variant="v2-weegteam", data=VERZOEK, user=starter
            )
    app = create_app(
        {
            "THV_MODE": "test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "THV_REGISTRY": registry,
            "THV_CLOCK_OBJECT": clock,
            "SECRET_KEY": "modeller-tests",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="thv-modeller-server", daemon=True)
    thread.start()
    yield {"base": f"http://127.0.0.1:{server.server_port}", "case_id": case_id, "sessions": sessions}
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        from web.extensions import db

        db.engine.dispose()
    engine.dispose()


@pytest.fixture
def designer(browser, site, screenshots):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="nl-NL", timezone_id="Europe/Amsterdam"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site["base"] + "/inloggen")
    page.fill("#name", "designer.pilot2")
    page.fill("#password", PASSWORD)
    page.click("form button.utrecht-button--primary-action")
    page.shot = lambda name: page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    yield page
    assert errors == []  # no JavaScript errors on any page
    context.close()


def _changes(page, count: int) -> None:
    expect(page.locator("#modeller")).to_have_attribute("data-changes", str(count))


def _check(page) -> None:
    page.get_by_role("button", name="Controleren", exact=True).click()
    expect(page.locator("#findings")).to_have_attribute("data-state", "checked")


def test_edit_a_timer_deploy_and_compare(designer, site):
    page, base, case_id = designer, site["base"], site["case_id"]
    page.goto(base + "/ontwerp")
    row = page.locator('[data-testid="versions-pilot2-v2-weegteam"] tr[data-version="1"]')
    expect(row).to_contain_text("1 actief")
    expect(row).to_contain_text(f"zaken {case_id}")
    row.get_by_role("link", name="Modeller").click()
    page.select_option('[data-testid="file-switch"]', "common/weegteam.bpmn")
    page.locator(".file-switch button").click()
    expect(page.locator("#modeller")).to_have_attribute("data-ready", "true")
    expect(page.locator("h1")).to_contain_text("common/weegteam.bpmn")

    # The SLA timer: the panel shows its Python expression and refuses an unquoted duration.
    page.locator('.djs-element[data-element-id="Timer_weegteam"]').click()
    field = page.locator("#bio-properties-panel-spiffTimerValue")
    expect(field).to_have_value('"P2D"')
    field.fill("P3D")
    expect(page.locator(".bio-properties-panel-error")).to_contain_text("aanhalingstekens")
    expect(page.locator("#modeller")).not_to_have_attribute("data-changes", re.compile("[1-9]"))

    # A value the engine refuses: 'Controleren' shows its finding, which selects the element.
    field.fill('"P3X"')
    _changes(page, 1)
    expect(page.locator("#modeller-status")).to_have_text("Gewijzigd: nog niet uitgerold.")
    _check(page)
    finding = page.locator(
        '#findings button[data-element="TimerDef_Timer_weegteam"], #findings button[data-element="Timer_weegteam"]'
    ).first
    expect(finding).to_contain_text("geen ISO 8601-duur")
    expect(page.locator("#findings-summary")).to_have_attribute("data-errors", "1")
    expect(page.locator("#modeller-status")).to_contain_text("Gecontroleerd: 1 fouten")
    expect(page.locator("#modeller")).to_have_attribute("data-checked", "errors")
    page.locator('.djs-element[data-element-id="Task_wegen"]').click()
    finding.click()
    expect(page.locator('.djs-element.selected[data-element-id="Timer_weegteam"]')).to_have_count(1)

    # The real change: three days.
    field.fill('"P3D"')
    _changes(page, 2)
    _check(page)
    expect(page.locator("#findings-summary")).to_have_attribute("data-errors", "0")
    # 'Controleren' says its result when all is well too, and bpmnlint speaks Dutch.
    expect(page.locator("#modeller-status")).to_contain_text(re.compile(r"^Gecontroleerd: .*Uitrollen kan\.$"))
    expect(page.locator("#modeller")).to_have_attribute("data-checked", "ok")
    said = page.locator("#findings").inner_text()
    assert not any(english in said for english in ("is missing", " must ", " should ", "Element ")), said
    page.shot("20-modeller-timer")
    page.get_by_role("button", name="Uitrollen als nieuwe versie").click()

    # The new version is live; the stored file has the new term; the running case stays on version 1.
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("Versie 2 van v2-weegteam is uitgerold en live")
    expect(page.locator('[data-testid="live-badge"]')).to_be_visible()
    new_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    stored = page.request.get(f"{base}/ontwerp/versies/{new_id}/bestanden/common/weegteam.bpmn").text()
    assert '"P3D"' in stored and '"P2D"' not in stored
    old_row = page.locator('[data-testid="siblings"] tr[data-version="1"]')
    expect(old_row).to_contain_text("1 actief")
    expect(old_row).to_contain_text(f"zaken {case_id}")
    with site["sessions"]() as session:
        assert session.get(Case, case_id).model_version_id != new_id
    page.shot("21-nieuwe-versie-live")

    # Migrating the case would move a running term: refused, per case, with the reason.
    page.get_by_role("link", name="Controleren welke zaken naar versie 2 kunnen").click()
    refused = page.locator(f'tr[data-case="{case_id}"]')
    expect(refused).to_contain_text("kan niet")
    expect(refused).to_contain_text("loopt al en is gewijzigd")

    # The two versions side by side: the timer is marked as changed in both diagrams.
    page.goto(
        f"{base}/ontwerp/vergelijken?a={new_id - 1}&b={new_id}&bestand_a=common/weegteam.bpmn"
        "&bestand_b=common/weegteam.bpmn"
    )
    for side in ("a", "b"):
        expect(page.locator(f"#diagram-{side}")).to_have_attribute("data-ready", "true")
        expect(
            page.locator(f'#diagram-{side} .djs-element.thv-changed[data-element-id="Timer_weegteam"]')
        ).to_have_count(1)
    expect(page.locator('[data-testid="diff-list"]')).to_contain_text("P3D")
    page.shot("22-versies-vergelijken")

    page.goto(base + "/dashboard")
    expect(page.locator('[data-testid="chart-counts"] svg rect').first).to_be_visible()
    page.shot("23-dashboard")


# --- the round trip ------------------------------------------------------------------------


def _number(value: str) -> str:
    return str(float(value)) if NUMBER.match(value) else value


def _owner_and_path(node: etree._Element) -> tuple[str, str]:
    """The nearest element with an id (the node itself or an ancestor) and the tags from there to the node."""
    tags = []
    while node is not None:
        tags.append(etree.QName(node).localname)
        if node.get("id"):
            return node.get("id"), "/".join(reversed(tags))
        node = node.getparent()
    return "", "/".join(reversed(tags))


def extract(xml: str) -> tuple[Counter, set[str], int, int]:
    """Signatures of every spiffworkflow element/attribute and every DI element (with bounds,
    waypoints and labels, numbers normalised), the element ids, and the counts of DI shapes and edges."""
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    signatures: Counter = Counter()
    ids, shapes, edges = set(), 0, 0
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        qname = etree.QName(node)
        if node.get("id"):
            ids.add(node.get("id"))
        spiff_attributes = sorted((k, v) for k, v in node.attrib.items() if k.startswith(f"{{{SPIFF}}}"))
        if qname.namespace != SPIFF and qname.namespace not in DI and not spiff_attributes:
            continue
        shapes += qname.localname == "BPMNShape"
        edges += qname.localname == "BPMNEdge"
        attributes = tuple(sorted((k, _number(v)) for k, v in node.attrib.items()))
        text = (node.text or "").strip() if len(node) == 0 else ""
        owner, path = _owner_and_path(node)
        signatures[(owner, path, qname.text, attributes, text)] += 1
    return signatures, ids, shapes, edges


def test_every_bundled_model_survives_the_modeller(designer, site):
    page = designer
    page.goto(site["base"] + "/ontwerp/versies/1/modeller")
    expect(page.locator("#modeller")).to_have_attribute("data-ready", "true")
    assert len(MODELS) >= 15
    problems = {}
    for path in MODELS:
        original = path.read_text(encoding="utf-8")
        result = page.evaluate(
            """async (xml) => {
            const modeler = window.thvDesigner.modeler;
            const imported = await modeler.importXML(xml);
            const saved = await modeler.saveXML({ format: true });
            return { xml: saved.xml, warnings: imported.warnings.map((w) => String(w.message || w)),
                     drawn: modeler.get('elementRegistry').getAll().length };
        }""",
            original,
        )
        before, after = extract(original), extract(result["xml"])
        lost = before[0] - after[0]
        appeared = after[0] - before[0]
        name = str(path.relative_to(PROJECT_ROOT))
        if result["warnings"] or lost or appeared or before[1] - after[1] or before[2:] != after[2:]:
            problems[name] = {
                "warnings": result["warnings"],
                "lost": list(lost)[:5],
                "appeared": list(appeared)[:5],
                "ids": sorted(before[1] - after[1])[:5],
            }
        assert before[2] > 0 and before[3] > 0 and result["drawn"] > 0, name
    assert problems == {}

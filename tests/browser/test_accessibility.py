"""axe-core (from the npm registry, web/assets) on every main page: no WCAG 2.1 A/AA violations (issue 16.10).

The pages keep their Content-Security-Policy in use; only this test's browser context is allowed to add
axe's script to them.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ASSETS, PASSWORD

AXE = ASSETS / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(n['target'][0] for n in v['nodes'][:3])}"
        for v in result["violations"]
    ]


@pytest.fixture
def visitor(browser):
    context = browser.new_context(bypass_csp=True, locale="nl-NL", timezone_id="Europe/Amsterdam")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_the_main_pages_have_no_accessibility_violations(visitor, live_server):
    page = visitor
    checked = {}
    page.goto(f"{live_server}/toegankelijkheid")
    checked["toegankelijkheid"] = _violations(page)
    page.keyboard.press("Tab")  # the first stop is the skip link, and it leads past the menu
    expect(page.locator(".utrecht-skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#inhoud")).to_be_focused()
    page.goto(f"{live_server}/inloggen")
    checked["inloggen"] = _violations(page)
    page.fill("#name", "politie.basis")
    page.fill("#password", PASSWORD)
    page.click("form button.utrecht-button--primary-action")
    page.goto(f"{live_server}/zaken/nieuw")
    if page.locator("#f-adres").count() == 0:
        page.get_by_role("link").filter(has_text="Crisismelding").first.click()
    checked["nieuwe zaak"] = _violations(page)
    page.fill("#f-adres", "Dorpsstraat 1, Ergens")
    page.fill("#f-omschrijving", "Ruzie met geweld.")
    page.fill("#f-uithuisgeplaatste_naam", "Jan Jansen")
    page.fill("#f-achterblijvers-0-naam", "Els Jansen")
    page.locator("form.schema-form button.utrecht-button--primary-action").click()
    expect(page.locator("#diagram[data-ready=true]")).to_have_count(1)
    checked["zaak"] = _violations(page)
    for name, path in (("werklijst", "/"), ("zaken", "/zaken?q=a"), ("account", "/account")):
        page.goto(f"{live_server}{path}")
        checked[name] = _violations(page)
    page.context.clear_cookies()
    page.goto(f"{live_server}/inloggen")
    page.fill("#name", "hulpofficier.basis")
    page.fill("#password", PASSWORD)
    page.click("form button.utrecht-button--primary-action")
    page.get_by_role("link", name="Meerderjarigheid en woonsituatie toetsen").first.click()
    checked["taak"] = _violations(page)
    page.locator("form.schema-form button.utrecht-button--primary-action").click()  # nothing filled in
    expect(page.locator('[data-testid="form-errors"]')).to_be_visible()
    checked["taak met fouten"] = _violations(page)
    # The pilot coordinator's and designer's pages: dashboard, a small simulation, the werkprocesbeschrijving.
    page.context.clear_cookies()
    page.goto(f"{live_server}/inloggen")
    page.fill("#name", "designer.basis")
    page.fill("#password", PASSWORD)
    page.click("form button.utrecht-button--primary-action")
    for name, path in (
        ("dashboard", "/dashboard"),
        ("simulatie", "/simulatie?regio=basis&zaken=3&seed=1&profiel=landelijk"),
        ("procesontwerp", "/ontwerp"),
    ):
        page.goto(f"{live_server}{path}")
        checked[name] = _violations(page)
    page.get_by_role("link", name="Openen").first.click()
    page.get_by_test_id("werkproces-link").click()
    expect(page.locator("h1")).to_contain_text("Werkprocesbeschrijving")
    checked["werkproces"] = _violations(page)
    assert {name: found for name, found in checked.items() if found} == {}

"""A phone at the front door (issue 16.7): 390×844 and 360 wide, no page scrolls sideways, the worklist as cards."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


@pytest.fixture(params=[390, 360], ids=["390px", "360px"])
def phone(browser, live_server, request):
    viewport = {**PHONE, "width": request.param}
    context = browser.new_context(viewport=viewport, locale="nl-NL", timezone_id="Europe/Amsterdam", is_mobile=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(el => !el.closest('#diagram') && el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 8).map(el => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))"""


def _overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: nothing scrolls sideways)."""
    extra = int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))
    if extra:
        print("too wide:", page.url, page.evaluate(WIDEST))
    return extra


def _login(page, base: str, role: str) -> None:
    page.goto(f"{base}/inloggen")
    assert _overflow(page) == 0, "login"
    page.fill("#name", f"{role}.basis")
    page.fill("#password", PASSWORD)
    page.click("form button.utrecht-button--primary-action")


def test_the_main_pages_fit_a_phone(phone, live_server):
    _login(phone, live_server, "politie")
    phone.goto(f"{live_server}/zaken/nieuw")
    if phone.locator("#f-adres").count() == 0:
        phone.get_by_role("link").filter(has_text="Crisismelding").first.click()
    assert _overflow(phone) == 0, "start form"
    phone.fill("#f-adres", "Dorpsstraat 1, Ergens")
    phone.fill("#f-omschrijving", "Ruzie met geweld.")
    phone.fill("#f-uithuisgeplaatste_naam", "Jan Jansen")
    phone.fill("#f-achterblijvers-0-naam", "Els Jansen")
    phone.locator("form.schema-form button.utrecht-button--primary-action").click()
    expect(phone.locator('[data-testid="case-status"]')).to_be_visible()
    expect(phone.locator("#diagram[data-ready=true]")).to_have_count(1)
    assert _overflow(phone) == 0, "case page"
    case_id = int(phone.url.rsplit("/", 1)[1])
    for path in ("/account", "/zaken/nieuw", "/zaken"):
        phone.goto(f"{live_server}{path}")
        assert _overflow(phone) == 0, path

    phone.context.clear_cookies()  # another person on the same phone
    _login(phone, live_server, "hulpofficier")
    phone.goto(f"{live_server}/?zaak={case_id}")
    worklist = phone.locator('[data-testid="worklist"]')
    expect(worklist).to_be_visible()
    assert _overflow(phone) == 0, "worklist"
    row = worklist.locator("tbody tr").first
    assert row.bounding_box()["width"] <= phone.viewport_size["width"]  # a card, not a table row
    label = row.locator("td.deadline").evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Termijn"'  # each cell says what it is
    row.locator("a.task-link").click()  # nothing lies over the link on a phone
    expect(phone.locator('[data-testid="task-form"]')).to_be_visible()
    assert _overflow(phone) == 0, "task page"
    phone.check("#f-meerderjarig")
    phone.get_by_label("Woont in de woning").check()
    phone.locator("form.schema-form button.utrecht-button--primary-action").click()
    expect(phone.locator(".utrecht-alert--ok")).to_contain_text("is afgerond")
    phone.goto(f"{live_server}/?zaak={case_id}")
    phone.get_by_role("link", name="RiHG afnemen").first.click()
    expect(phone.locator('input[name="persoon.1a.score"]').first).to_be_attached()
    assert _overflow(phone) == 0, "RIHG form"
    # Each indicator folds away once scored; its summary keeps the choice in view.
    indicator = phone.locator("details.indicator").first
    assert indicator.evaluate("d => d.open") is True
    indicator.locator('input[type=radio]:not([value=""])').first.check()
    expect(indicator.locator(".indicator-choice")).to_contain_text("\u2014")
    indicator.locator("summary").click()
    assert indicator.evaluate("d => d.open") is False
    assert indicator.locator("summary").bounding_box()["height"] >= 44  # a finger-sized target

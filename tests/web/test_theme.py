"""The look (issue 16.10): NL Design System components on every main page, the neutral theme, a region's theme.

The region's setting itself (THV_THEME_CSS through the environment, refusals at start) is in
tests/cli/test_settings.py and tests/engine/test_settings.py.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from engine.base.settings import Settings
from tests.conftest import PROJECT_ROOT
from tests.web.conftest import _dispose, _test_app, login, post_form
from web.theme import STYLESHEETS

NEUTRAL_THEME = PROJECT_ROOT / "web" / "static" / "css" / "theme-neutraal.css"
LINKS = re.compile(r'<link rel="stylesheet" href="([^"]+)">')


def _stylesheets(page: str) -> list[str]:
    head = page[: page.index("</head>")]
    return [href.split("?", 1)[0] for href in LINKS.findall(head)]


def test_every_page_links_the_components_then_the_project_css_then_the_neutral_theme(client):
    expected = ["/static/dist/nlds.css", "/static/css/app.css", "/static/css/theme-neutraal.css"]
    assert _stylesheets(client.get("/inloggen").get_data(as_text=True)) == expected
    login(client, "hovj")
    page = client.get("/").get_data(as_text=True)
    assert _stylesheets(page) == expected
    assert '<html lang="nl" class="utrecht-root thv-theme">' in page
    assert '<body class="utrecht-document utrecht-document--surface thv-page">' in page
    for component in (
        "utrecht-skip-link",
        "utrecht-page-header",
        "utrecht-nav-bar",
        "utrecht-page-body",
        "utrecht-page-footer",
    ):
        assert f'class="{component}' in page, component


def test_the_stylesheets_are_served_from_the_app_itself(client):
    """After `make assets`: the bundle of the components and their token map, and the project's own CSS."""
    for endpoint, filename in STYLESHEETS:
        url = "/static/dist/" + filename if endpoint == "built_assets.static" else "/static/" + filename
        with client.get(url) as response:
            assert response.status_code == 200 and response.mimetype == "text/css", url
    with client.get("/static/dist/nlds.css") as response:
        bundle = response.get_data(as_text=True)
    for component in ("utrecht-button", "utrecht-form-field", "utrecht-textbox", "utrecht-alert", "utrecht-table"):
        assert f".{component}" in bundle, component
    assert ".thv-theme{" in bundle and "--utrecht-button-primary-action-background-color:" in bundle  # the token map
    assert "http://" not in bundle and "https://" not in bundle  # nothing is fetched from elsewhere


def test_every_component_class_the_templates_use_is_in_the_bundle(client):
    """A component whose package is missing from web/assets/src/nlds.css would be unstyled (checked per component,
    not per modifier: some modifiers, like utrecht-form-field--text, only name the kind and have no rules)."""
    sources = [*(PROJECT_ROOT / "web" / "templates").rglob("*.html"), PROJECT_ROOT / "web" / "presentation.py"]
    used = {name for path in sources for name in re.findall(r"\butrecht-[a-z0-9-]+", path.read_text(encoding="utf-8"))}
    with client.get("/static/dist/nlds.css") as response:
        bundle = response.get_data(as_text=True)
    components = {name.split("--")[0].split("__")[0].rstrip("-") for name in used} - {"utrecht"}
    assert {"utrecht-button-link", "utrecht-status-badge", "utrecht-form-field", "utrecht-pagination"} <= components
    assert sorted(name for name in components if f".{name}" not in bundle) == []


def test_the_main_pages_use_nl_design_system_components(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    worklist = client.get("/").get_data(as_text=True)
    assert '<h1 class="utrecht-heading-1">Werklijst</h1>' in worklist
    assert 'class="utrecht-table utrecht-table--html-table worklist cards-on-phone"' in worklist
    assert 'class="utrecht-select utrecht-select--html-select" name="stap"' in worklist
    assert '<button class="utrecht-button utrecht-button--secondary-action">Claimen</button>' in worklist
    assert 'class="utrecht-status-badge utrecht-status-badge--warning badge-acute"' in worklist

    page = client.get(f"/taken/{task['id']}").get_data(as_text=True)
    assert '<div class="utrecht-form-field utrecht-form-field--checkbox field">' in page
    assert re.search(
        r'class="utrecht-radio-button utrecht-radio-button--html-input"\s+type="radio" name="woonsituatie"', page
    )
    assert '<label class="utrecht-form-label" for="f-toets_toelichting">' in page
    assert 'class="utrecht-button utrecht-button--primary-action" type="submit">Taak afronden</button>' in page

    refused = post_form(client, f"/taken/{task['id']}", {}).get_data(as_text=True)
    assert 'class="utrecht-alert utrecht-alert--error" role="alert" data-testid="form-errors"' in refused
    assert re.search(
        r'<fieldset class="utrecht-form-fieldset [^"]*utrecht-form-fieldset--invalid[^"]*" id="f-woonsituatie">',
        refused,
    )
    assert (
        'class="utrecht-form-field-error-message utrecht-form-field__error-message" id="f-woonsituatie-error"'
        in refused
    )

    case = client.get(f"/zaken/{case_id}").get_data(as_text=True)
    assert 'class="utrecht-status-badge utrecht-status-badge--active badge-active" data-testid="case-status"' in case


def test_a_flash_message_is_an_nl_design_system_alert(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    data = {"meerderjarig": "true", "woonsituatie": "woont", "toets_toelichting": "woont er al jaren"}
    done = post_form(client, f"/taken/{task['id']}", data, page=f"/taken/{task['id']}")
    assert done.status_code == 302
    page = client.get(done.location).get_data(as_text=True)
    assert re.search(
        r'<div class="utrecht-alert utrecht-alert--ok" role="status">\s*<div class="utrecht-alert__message">', page
    )


@pytest.fixture
def region_app(web_template, tmp_path, clock):
    theme = tmp_path / "regio.css"
    theme.write_text(".thv-theme { --utrecht-page-header-background-color: #262626; }\n", encoding="utf-8")
    settings = replace(Settings(mode="test"), theme_css=theme)
    app = _test_app(web_template, tmp_path, clock, settings=settings)
    yield app, theme
    _dispose(app)


def test_a_region_theme_comes_after_the_neutral_one_and_is_revalidated_cheaply(region_app):
    app, theme = region_app
    client = app.test_client()
    page = client.get("/inloggen").get_data(as_text=True)
    assert _stylesheets(page)[-2:] == ["/static/css/theme-neutraal.css", "/static/thema/regio.css"]
    version = app.extensions["thv_theme"].version
    assert f'href="/static/thema/regio.css?v={version}"' in page
    served = client.get("/static/thema/regio.css")
    assert served.status_code == 200 and served.get_data(as_text=True) == theme.read_text(encoding="utf-8")
    assert served.headers["Cache-Control"] == "no-cache" and served.headers["ETag"] == f'"{version}"'
    assert client.get("/static/thema/regio.css", headers={"If-None-Match": f'"{version}"'}).status_code == 304
    theme.write_text(".thv-theme { --basis-color-default-bg-document: red; }", encoding="utf-8")
    assert b"#262626" in client.get("/static/thema/regio.css").data  # read once, at start


# --- the neutral theme's colours meet WCAG 2.1 AA ----------------------------------------------

# (text, background) tokens the components put together; text needs 4.5:1, a control's border 3:1 (1.4.11).
TEXT_PAIRS = [
    ("--basis-color-default-color-document", "--basis-color-default-bg-document"),
    ("--basis-color-default-color-document", "--basis-color-default-bg-default"),
    ("--basis-color-default-color-document", "--basis-color-default-bg-hover"),
    ("--basis-color-default-color-default", "--basis-color-default-bg-default"),
    ("--basis-color-default-color-subtle", "--basis-color-default-bg-document"),
    ("--basis-color-default-color-subtle", "--basis-color-default-bg-subtle"),
    ("--basis-color-default-color-subtle", "--basis-color-default-bg-default"),
    ("--basis-color-default-inverse-color-document", "--basis-color-default-inverse-bg-document"),
    ("--basis-color-accent-1-color-default", "--basis-color-default-bg-document"),
    ("--basis-color-accent-1-color-default", "--basis-color-accent-1-bg-default"),
    ("--basis-color-accent-1-color-hover", "--basis-color-accent-1-bg-hover"),
    ("--basis-color-accent-1-inverse-color-default", "--basis-color-action-1-inverse-bg-default"),
    ("--basis-color-accent-1-inverse-color-hover", "--basis-color-accent-1-inverse-bg-hover"),
    ("--basis-color-action-2-color-default", "--basis-color-default-bg-document"),
    ("--basis-color-action-2-color-default", "--basis-color-default-bg-subtle"),
    ("--basis-color-action-2-color-hover", "--basis-color-default-bg-hover"),
    ("--utrecht-page-header-color", "--utrecht-page-header-background-color"),
    ("--basis-color-default-color-document", "--utrecht-page-footer-background-color"),
] + [
    (f"--basis-color-{kind}-color-{shade}", f"--basis-color-{kind}-bg-default")
    for kind in ("negative", "positive", "warning", "info")
    for shade in ("default", "document")
]
BORDER_PAIRS = [
    ("--basis-color-default-border-default", "--basis-color-default-bg-document"),
    ("--basis-color-negative-border-default", "--basis-color-default-bg-document"),
    ("--utrecht-focus-outline-color", "--basis-color-default-bg-document"),
    ("--utrecht-focus-inverse-outline-color", "--utrecht-page-header-background-color"),
]


def theme_colours(path: Path) -> dict[str, str]:
    """Each custom property of a theme file, with var() references resolved to a hex colour where there is one."""
    raw = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", path.read_text(encoding="utf-8")))

    def resolve(value: str, depth: int = 0) -> str:
        match = re.fullmatch(r"var\((--[\w-]+)\)", value.strip())
        known = match and match.group(1) in raw and depth < 10
        return resolve(raw[match.group(1)], depth + 1) if known else value.strip()

    return {name: resolve(value) for name, value in raw.items()}


def contrast(one: str, other: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize(("pairs", "minimum"), [(TEXT_PAIRS, 4.5), (BORDER_PAIRS, 3.0)], ids=["text", "borders"])
def test_the_neutral_theme_meets_wcag_aa_contrast(pairs, minimum):
    colours = theme_colours(NEUTRAL_THEME)
    too_low = {}
    for text, background in pairs:
        assert re.fullmatch(r"#[0-9a-f]{6}", colours[text]) and re.fullmatch(r"#[0-9a-f]{6}", colours[background])
        ratio = contrast(colours[text], colours[background])
        if ratio < minimum:
            too_low[f"{text} on {background}"] = round(ratio, 2)
    assert too_low == {}


def test_the_contrast_check_can_fail():
    assert contrast("#696969", "#e6e6e6") < 4.5 < contrast("#535353", "#ffffff")

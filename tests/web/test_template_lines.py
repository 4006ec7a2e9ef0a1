"""Templates hold markup; logic lives in presenters (web/presenters). A long template line is where logic hides,
so no line of a Jinja template (the screens and the documents) is longer than 160 characters."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import PROJECT_ROOT

MAX_LINE = 160
TEMPLATE_DIRS = (PROJECT_ROOT / "web" / "templates", PROJECT_ROOT / "documents" / "templates")
# A template that compares audit-trail actions decides what a history row shows: that is a presenter's job.
ACTION_TEST = re.compile(r"\.action\s*(==|!=|in\b|not\s+in\b)|\baction\s*==")


def jinja_templates() -> list[Path]:
    """Every file Jinja renders: the .html templates and the style sheet the documents include."""
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*") if p.suffix in (".html", ".css"))


def long_lines(paths: list[Path], root: Path = PROJECT_ROOT) -> list[str]:
    return [
        f"{path.relative_to(root)}:{number}: {len(line)} tekens"
        for path in paths
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if len(line) > MAX_LINE
    ]


def test_the_scan_names_file_and_line_of_a_long_line(tmp_path):
    template = tmp_path / "page.html"
    template.write_text("<p>kort</p>\n" + "x" * MAX_LINE + "\n" + "y" * (MAX_LINE + 1) + "\n", encoding="utf-8")
    assert long_lines([template], root=tmp_path) == ["page.html:3: 161 tekens"]


def test_the_scan_covers_the_screens_and_the_documents():
    names = {str(p.relative_to(PROJECT_ROOT)) for p in jinja_templates()}
    assert {"web/templates/cases/case.html", "web/templates/forms/_fields.html"} <= names
    assert {"documents/templates/beschikking.html", "documents/templates/_stijl.css"} <= names


def test_no_template_line_is_longer_than_160_characters():
    assert long_lines(jinja_templates()) == []


def test_no_template_decides_by_action_code():
    assert ACTION_TEST.search("{% if h.action == 'uitgereikt' %}") and ACTION_TEST.search("h.action in ('a', 'b')")
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in jinja_templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ACTION_TEST.search(line)
    ]
    assert offenders == []

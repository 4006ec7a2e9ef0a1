"""Views (and CLI commands) turn requests into engine calls: they never query the database or commit themselves."""

from __future__ import annotations

import re

from tests.conftest import PROJECT_ROOT

WEB = PROJECT_ROOT / "web"
FORBIDDEN = [
    r"\bselect\(",
    r"\.query\(",
    r"\.execute\(",
    r"\.commit\(",
    r"\.scalars?\(",
    r"\.add\(",
    r"^from sqlalchemy",
    r"^import sqlalchemy",
]


def test_views_leave_the_database_to_the_engine():
    files = sorted(WEB.glob("views/*.py")) + [WEB / "api.py"] + sorted((PROJECT_ROOT / "cli").glob("*.py"))
    assert PROJECT_ROOT / "cli" / "main.py" in files
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(re.search(pattern, line) for pattern in FORBIDDEN)
    ]
    assert offenders == []


def test_templates_never_mark_data_safe():
    offenders = [
        str(path.relative_to(WEB))
        for path in WEB.glob("templates/**/*.html")
        if re.search(r"\|\s*safe\b|autoescape\s+false|Markup\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

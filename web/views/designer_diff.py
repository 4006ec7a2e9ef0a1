"""Comparing two versions (two regions' variants, or two versions of one): a list and two diagrams.

The list is ``engine.design.model_diff`` element by element; the diagrams are two
bpmn-js viewers side by side with the diff's markers (added green, removed red,
changed orange) on the chosen file of each side.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.base.errors import InvalidInput
from engine.design import designer
from engine.design.read_models import ComparedVersion, Comparison, SideMarkers
from web.designer_texts import CHANGE_LABELS, KIND_LABELS, property_text
from web.extensions import db_session
from web.views.auth import engine_user

bp = Blueprint("designer_diff", __name__, url_prefix="/ontwerp")
MAX_VALUE = 4000


def _version_id(name: str) -> int | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise InvalidInput(_("Versie '%(value)s' is geen nummer.", value=raw[:20]))
    return int(raw)


def _side_file(files: dict[str, bytes], markers: SideMarkers, main: str | None, chosen: str | None) -> str | None:
    options = _file_options(files, markers, main)
    if chosen and chosen in options:
        return chosen
    return main if main in options else (options[0] if options else None)


def _file_options(files: dict[str, bytes], markers: SideMarkers, main: str | None) -> list[str]:
    marked = [
        name for name in sorted(markers) if name.endswith(".bpmn") and name in files and any(markers[name].values())
    ]
    return ([main] if main else []) + [name for name in marked if name != main]


def _changes(result: Comparison) -> list[dict[str, Any]]:
    rows = []
    for change in result.changes:
        properties = [
            {
                **p,
                "label": property_text(p["property"], p["label"]),
                "a": (p["a"] or "")[:MAX_VALUE],
                "b": (p["b"] or "")[:MAX_VALUE],
            }
            for p in change["properties"]
        ]
        rows.append(
            {
                **change,
                "kind_label": str(KIND_LABELS.get(change["kind"], change["kind"])),
                "change_label": str(CHANGE_LABELS[change["change"]]),
                "properties": properties,
            }
        )
    return rows


def _side(version: ComparedVersion, chosen: str | None) -> dict[str, Any]:
    files, markers = version.files, version.markers
    name = _side_file(files, markers, version.main_file, chosen)
    return {
        "file": name,
        "options": _file_options(files, markers, version.main_file),
        "xml": files[name].decode("utf-8") if name else "",
        "markers": markers.get(name, {}) if name else {},
    }


@bp.get("/vergelijken")
@login_required
def compare() -> ResponseReturnValue:
    user = engine_user()
    choices = designer.all_versions(db_session(), user)
    a, b = _version_id("a"), _version_id("b")
    if a is None or b is None:
        return render_template("designer/diff.html", choices=choices, result=None, a=a, b=b)
    result = designer.compare(db_session(), user, a, b)
    sides = {side: _side(result.side(side), request.args.get(f"bestand_{side}")) for side in ("a", "b")}
    diagram = {side: {"xml": s["xml"], "markers": s["markers"], "file": s["file"]} for side, s in sides.items()}
    return render_template(
        "designer/diff.html",
        choices=choices,
        result=result,
        a=a,
        b=b,
        sides=sides,
        changes=_changes(result),
        diagram=diagram,
        change_labels=CHANGE_LABELS,
    )

"""The designer area: variants and their versions per region, files, the live version, case migration.

Who may do what is decided by ``engine.design.designer``: a designer works in their own
regions, a beheerder may look at every region, anyone else gets a 403, and a
version of a region one cannot see is a 404. Editing, uploading and deploying
are in ``web.views.designer_edit``; the comparison in ``web.views.designer_diff``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from engine.base.errors import InvalidInput, refuses
from engine.design import designer
from engine.design.case_migration import MIGRATED, REFUSED, SAFE
from web.extensions import db_session, thv
from web.views.auth import engine_user

bp = Blueprint("designer", __name__, url_prefix="/ontwerp")
MAX_SELECTED = 200
LIVE_ACTIONS = {"uitrol": _l("uitgerold"), "terugdraaien": _l("teruggedraaid"), "vooruitzetten": _l("vooruitgezet")}
MIGRATION_LABELS = {MIGRATED: _l("gemigreerd"), SAFE: _l("kan veilig"), REFUSED: _l("kan niet")}


def render_version(
    version_id: int,
    *,
    findings: list | None = None,
    checked: bool = False,
    status: int = 200,
    uploaded: list[str] | None = None,
) -> ResponseReturnValue:
    """The version page, optionally with the findings of an upload check or a refused deploy."""
    detail = designer.version_detail(db_session(), engine_user(), version_id)
    return render_template(
        "designer/version.html",
        detail=detail,
        version=detail.version,
        findings=findings or [],
        refused=refuses(findings or []),
        checked=checked,
        uploaded=uploaded or [],
    ), status


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    user = engine_user()
    regions = designer.overview(db_session(), user)
    return render_template("designer/index.html", regions=regions, choices=designer.all_versions(db_session(), user))


@bp.get("/versies/<id:version_id>")
@login_required
def version(version_id: int) -> ResponseReturnValue:
    return render_version(version_id)


@bp.get("/versies/<id:version_id>/bestanden/<path:path>")
@login_required
def download(version_id: int, path: str) -> ResponseReturnValue:
    content = designer.version_file(db_session(), engine_user(), version_id, path)
    name = PurePosixPath(path).name
    mimetype = "application/json" if name.endswith(".json") else "application/xml"
    response = Response(content, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/versies/<id:version_id>/live")
@login_required
def make_live(version_id: int) -> ResponseReturnValue:
    result = designer.make_live(db_session(), engine_user(), version_id, thv.ctx.clock.now())
    flash(
        _(
            "Versie %(version)s van %(variant)s is nu live (was versie %(previous)s). Lopende zaken blijven op "
            "hun versie.",
            version=result["version"],
            variant=result["variant"],
            previous=result["previous_version"] or "—",
        ),
        "success",
    )
    return redirect(url_for("designer.version", version_id=version_id))


def _selected_cases() -> list[int]:
    raw = request.form.getlist("zaak")
    if len(raw) > MAX_SELECTED:
        raise InvalidInput(_("Kies hoogstens %(num)s zaken tegelijk.", num=MAX_SELECTED))
    if not all(value.isdigit() and len(value) <= 12 for value in raw):
        raise InvalidInput(_("Een gekozen zaaknummer is geen nummer."))
    return [int(value) for value in raw]


@bp.route("/versies/<id:version_id>/migreren", methods=["GET", "POST"])
@login_required
def migrate(version_id: int) -> ResponseReturnValue:
    user = engine_user()
    detail = designer.version_detail(db_session(), user, version_id)
    if request.method == "GET":
        preview = designer.migration_preview(db_session(), thv.ctx.registry, thv.ctx.clock, user, version_id)
        return render_template(
            "designer/migrate.html",
            detail=detail,
            version=detail.version,
            preview=preview,
            results=None,
            status_labels=MIGRATION_LABELS,
        )
    results = designer.migrate(db_session(), thv.ctx.registry, thv.ctx.clock, user, version_id, _selected_cases())
    migrated = sum(1 for r in results if r["status"] == MIGRATED)
    flash(
        _(
            "%(done)s van %(total)s zaken gemigreerd naar versie %(version)s.",
            done=migrated,
            total=len(results),
            version=detail.version.version,
        ),
        "success" if migrated == len(results) else "error",
    )
    detail = designer.version_detail(db_session(), user, version_id)
    return render_template(
        "designer/migrate.html",
        detail=detail,
        version=detail.version,
        preview=None,
        results=results,
        status_labels=MIGRATION_LABELS,
    )


@bp.app_context_processor
def _designer_navigation() -> dict[str, Any]:
    def designer_area() -> bool:
        return bool(current_user.is_authenticated and {"designer", "beheerder"} & set(current_user.roles))

    return {"designer_area": designer_area, "LIVE_ACTIONS": LIVE_ACTIONS}

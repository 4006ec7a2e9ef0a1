"""Editing a version: the in-browser modeller, the deploy checks, deploying, and uploading files.

Every edit is a bundle: the version's stored files with the edited or uploaded
files put in. Checking runs every deploy check and stores nothing; deploying
stores the next version of the version's own region and variant (the engine
checks everything again; a refused model changes nothing and its findings are
shown with file, line and element).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from engine.base.errors import DeployRefused, Finding, InvalidInput, ThvError, refuses
from engine.design import designer
from engine.design.read_models import DeployedEdit
from web.designer_texts import modeller_texts
from web.errors import error_page
from web.extensions import db_session, thv
from web.views.auth import engine_user
from web.views.designer import render_version

bp = Blueprint("designer_edit", __name__, url_prefix="/ontwerp")
MAX_UPLOAD_FILES = 20
CHECK, DEPLOY = "controleren", "uitrollen"


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "file": finding.file,
        "line": finding.line,
        "element": finding.element,
        "message": finding.message,
        "severity": finding.severity,
    }


def _render_modeller(
    version_id: int, name: str, xml: str, findings: list[Finding] | None = None, status: int = 200
) -> ResponseReturnValue:
    detail = designer.version_detail(db_session(), engine_user(), version_id)
    data = {
        "xml": xml,
        "file": name,
        "csrfToken": generate_csrf(),
        "validateUrl": url_for("designer_edit.validate", version_id=version_id),
        "findings": [finding_dict(f) for f in findings or []],
        **modeller_texts(),
    }
    return render_template(
        "designer/modeller.html",
        detail=detail,
        version=detail.version,
        file=name,
        data=data,
        findings=findings or [],
    ), status


@bp.get("/versies/<id:version_id>/modeller")
@login_required
def modeller(version_id: int) -> ResponseReturnValue:
    detail = designer.version_detail(db_session(), engine_user(), version_id)
    name = request.args.get("bestand") or detail.main_file or ""
    content = designer.version_file(db_session(), engine_user(), version_id, name)
    if not name.endswith(".bpmn"):
        raise InvalidInput(
            _("Alleen BPMN-bestanden openen in de modeller; download '%(name)s' om het te bewerken.", name=name)
        )
    return _render_modeller(version_id, name, content.decode("utf-8"))


def _json_error(exc: ThvError) -> ResponseReturnValue:
    status = exc.status if exc.status != 500 else 503
    return jsonify(error="geweigerd", detail=exc.message, findings=[]), status


@bp.post("/versies/<id:version_id>/controleren")
@login_required
def validate(version_id: int) -> ResponseReturnValue:
    """The deploy checks on the modeller's current XML (JSON in, findings out); nothing is stored."""
    payload = request.get_json(silent=True)
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("file"), str)
        or not isinstance(payload.get("xml"), str)
    ):
        return jsonify(error="ongeldig_verzoek", detail=_("Stuur JSON met 'file' en 'xml'."), findings=[]), 400
    try:
        findings = designer.check_edit(
            db_session(), thv.ctx.registry, engine_user(), version_id, {payload["file"]: payload["xml"].encode("utf-8")}
        )
    except ThvError as exc:
        return _json_error(exc)
    return jsonify(ok=not refuses(findings), findings=[finding_dict(f) for f in findings])


@bp.post("/versies/<id:version_id>/uitrollen")
@login_required
def deploy(version_id: int) -> ResponseReturnValue:
    """Deploy the modeller's XML (with the version's other files) as the next version."""
    name, xml = request.form.get("bestand", ""), request.form.get("xml", "")
    if not xml.strip():
        raise InvalidInput(_("Er is geen model meegestuurd; er is niets gewijzigd."))
    try:
        result = designer.deploy_edit(
            db_session(), thv.ctx.registry, engine_user(), version_id, {name: xml.encode("utf-8")}, thv.ctx.clock.now()
        )
    except DeployRefused as refused:
        return _render_modeller(version_id, name, xml, refused.findings, 422)
    return _deployed(result)


def _deployed(result: DeployedEdit) -> ResponseReturnValue:
    if result.created:
        flash(
            _(
                "Versie %(version)s van %(variant)s is uitgerold en live. Lopende zaken blijven op hun versie.",
                version=result.version,
                variant=result.variant,
            ),
            "success",
        )
    else:
        flash(
            _("Niets uitgerold: de bestanden zijn gelijk aan de live versie %(version)s.", version=result.version),
            "success",
        )
    for warning in result.warnings:
        flash(_("Waarschuwing bij het uitrollen: %(finding)s", finding=str(warning)), "info")
    return redirect(url_for("designer.version", version_id=result.id))


def _uploads() -> dict[str, bytes]:
    files = [f for f in request.files.getlist("bestanden") if f.filename]
    if not files:
        raise InvalidInput(_("Kies een .bpmn-, .dmn- of .schema.json-bestand om te uploaden."))
    if len(files) > MAX_UPLOAD_FILES:
        raise InvalidInput(_("Hoogstens %(num)s bestanden tegelijk.", num=MAX_UPLOAD_FILES))
    # (f.filename or ""): never empty here, the list keeps only files with a name; this tells mypy.
    return {PurePosixPath((f.filename or "").replace("\\", "/")).name: f.read() for f in files}


@bp.post("/versies/<id:version_id>/uploaden")
@login_required
def upload(version_id: int) -> ResponseReturnValue:
    """Files from a desktop modeller: check them against the version's bundle, or deploy them."""
    user = engine_user()
    action = request.form.get("actie", CHECK)
    if action not in (CHECK, DEPLOY):
        raise InvalidInput(_("Onbekende actie."))
    detail = designer.version_detail(db_session(), user, version_id)
    if action == DEPLOY:
        designer.require_change(user, detail.version.region)
    placed = designer.place_files([f.path for f in detail.files], _uploads())
    if action == CHECK:
        findings = designer.check_edit(db_session(), thv.ctx.registry, user, version_id, placed)
        return render_version(
            version_id,
            findings=findings,
            checked=True,
            uploaded=sorted(placed),
            status=422 if refuses(findings) else 200,
        )
    try:
        result = designer.deploy_edit(db_session(), thv.ctx.registry, user, version_id, placed, thv.ctx.clock.now())
    except DeployRefused as refused:
        return render_version(version_id, findings=refused.findings, checked=True, uploaded=sorted(placed), status=422)
    return _deployed(result)


@bp.errorhandler(413)
def _too_large(exc) -> ResponseReturnValue:
    limit = max(1, (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024))
    return error_page(
        413,
        _(
            "Het bestand is te groot: een upload of model mag samen hoogstens %(mb)s MB zijn. Er is niets gewijzigd.",
            mb=limit,
        ),
    )

"""Documents of a case: make a document, download it as PDF, print it, record its service, export the dossier.

The "Documenten" section and the service banner are part of the case page (web.views.cases
hands it ``engine.documents.service_view.documents_panel``); the pages here are where its buttons and
forms lead. Who may do what is the engine's (engine.modeling.document_rules): a case elsewhere is a
404, a role without the right a 403.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.base.errors import Forbidden, InvalidInput, NotFound
from engine.documents import generation as documents
from engine.documents import service, service_view
from engine.documents.dossier import export_dossier
from engine.documents.generation import MissingParts
from engine.documents.read_models import MakeForm, ServiceForm, ServiceOptions
from engine.modeling.document_rules import KINDS
from web import documents_texts
from web.documents_forms import INPUT_PREFIX, parse_make, parse_service, place_engine_error, service_defaults
from web.documents_http import pdf_response, stored_html_response
from web.extensions import db_session, thv
from web.views.auth import engine_user

bp = Blueprint("documents", __name__)
bp.record_once(lambda state: documents_texts.register(state.app))


@bp.app_template_global()
def service_form_defaults(options: ServiceOptions) -> dict[str, str]:
    """The values of an empty service form (the case page shows one per current document)."""
    return service_defaults(options, thv.ctx.clock.now())


def _back_to_case(case_id: int, kind: str):
    return redirect(url_for("cases.show", case_id=case_id, _anchor=f"document-{kind}"))


# --- making a document ------------------------------------------------------------------------


def _render_make(form: MakeForm, values: dict[str, str], errors: dict[str, str], status: int = 200):
    return render_template("documents/make.html", form=form, values=values, errors=errors), status


@bp.route("/zaken/<id:case_id>/documenten/<kind>", methods=["GET", "POST"])
@login_required
def make(case_id: int, kind: str) -> ResponseReturnValue:
    if kind not in KINDS:
        raise NotFound(_("Documentsoort '%(kind)s' bestaat niet.", kind=kind[:40]))
    user = engine_user()
    form = service_view.make_form(db_session(), thv.ctx.registry, case_id, kind, user, thv.ctx.clock.now())
    if request.method == "GET":
        return _render_make(form, {}, {})
    inputs, role, errors = parse_make(request.form, form.inputs, form.roles)
    values = {INPUT_PREFIX + name: value for name, value in inputs.items()} | {"rol": role or ""}
    if errors:
        return _render_make(form, values, errors, 422)
    try:
        document = documents.generate_document(
            db_session(), thv.ctx.registry, thv.ctx.clock, case_id, kind, user, role=role, inputs=inputs
        )
    except MissingParts as exc:
        errors = {
            path: _("Vul dit in: %(part)s.", part=label)
            for path, label in exc.missing.items()
            if path.startswith(INPUT_PREFIX)
        }
        form = replace(form, missing={p: label for p, label in exc.missing.items() if not p.startswith(INPUT_PREFIX)})
        return _render_make(form, values, errors, 422)
    flash(_("%(title)s versie %(version)s is gemaakt.", title=form.title, version=document.version), "success")
    return _back_to_case(case_id, kind)


# --- reading: PDF, print view, the stored HTML --------------------------------------------------


@bp.get("/documenten/<id:document_id>/pdf")
@login_required
def pdf(document_id: int) -> ResponseReturnValue:
    document = documents.get_document(
        db_session(), document_id, engine_user(), thv.ctx.clock.now(), purpose="document_downloaden"
    )
    return pdf_response(document.pdf, documents.filename(document))


@bp.get("/documenten/<id:document_id>/afdrukken")
@login_required
def print_view(document_id: int) -> ResponseReturnValue:
    detail = service_view.document_detail(db_session(), document_id, engine_user(), thv.ctx.clock.now())
    return render_template("documents/print.html", document=detail)


@bp.get("/documenten/<id:document_id>/document")
@login_required
def stored_html(document_id: int) -> ResponseReturnValue:
    document = documents.get_document(
        db_session(), document_id, engine_user(), thv.ctx.clock.now(), purpose="document_downloaden"
    )
    return stored_html_response(document.html, documents.filename(document, "html"))


# --- recording service (uitreiking) ---------------------------------------------------------------


_TASK_PAGE = re.compile(r"/taken/[0-9a-f-]{36}")


def _render_service(
    form: ServiceForm, values: dict[str, str], errors: dict[str, str], status: int = 200, *, back: str | None = None
):
    return render_template(
        "documents/service.html",
        form=form,
        document=form.document,
        options=form.service,
        values=values,
        errors=errors,
        back=back,
    ), status


@bp.route("/documenten/<id:document_id>/uitreiking", methods=["GET", "POST"])
@login_required
def serve(document_id: int) -> ResponseReturnValue:
    user = engine_user()
    form = service_view.service_form(db_session(), document_id, user, thv.ctx.clock.now())
    if not form.service.possible:
        raise Forbidden(_("Je rol kan de uitreiking van dit document niet vastleggen."))
    back = _task_to_return_to()
    if request.method == "GET":
        return _render_service(form, service_defaults(form.service, thv.ctx.clock.now()), {}, back=back)
    posted = parse_service(request.form, form.service)
    if not posted.valid:
        return _render_service(form, posted.values, posted.errors, 422, back=back)
    values = posted.values
    try:
        record = service.record_service(
            db_session(),
            thv.ctx.clock,
            document_id=document_id,
            recipient_role=values["ontvanger_rol"],
            method=values["wijze"],
            served_at=values["uitgereikt_op"],
            user=user,
            recipient_name=values["ontvanger_naam"] or None,
            note=values["toelichting"] or None,
        )
    except InvalidInput as exc:
        name, message = place_engine_error(exc)
        return _render_service(form, values, {name or "_form": message}, 422, back=back)
    document = form.document
    flash(
        _(
            "De uitreiking van %(title)s versie %(version)s aan %(name)s is vastgelegd.",
            title=form.title,
            version=document.version,
            name=record.recipient_name,
        ),
        "success",
    )
    if back:  # recorded from a task that waited for it: back to that task, whose draft the browser kept
        return redirect(back)
    return _back_to_case(document.case_id, document.kind)


def _task_to_return_to() -> str | None:
    """The task page the service form was opened from (``terug``), only ever a task page of this site."""
    target = request.values.get("terug", "")
    return target if _TASK_PAGE.fullmatch(target) else None


# --- the dossier for the OM and the court ----------------------------------------------------------


@bp.post("/zaken/<id:case_id>/dossier")
@login_required
def dossier(case_id: int) -> ResponseReturnValue:
    exported = export_dossier(db_session(), thv.ctx.registry, thv.ctx.clock, case_id, engine_user())
    return pdf_response(exported.pdf, exported.filename)

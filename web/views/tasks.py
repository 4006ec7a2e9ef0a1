"""The task page: instructions, the case data the user may see, and the form to complete the task.

A task that may only be completed after a document was served (``requiresService``) says
what is still missing, with a link to the case's documents, before the form is sent.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.base.errors import Conflict
from engine.cases import case_view
from engine.cases import operations as cases
from engine.cases.read_models import TaskPage
from engine.documents import service_view
from web.extensions import db_session, thv
from web.form_parsing import parse_form
from web.presenters.tasks import next_steps_message
from web.views.auth import engine_user
from web.views.forms import form_context, submit

bp = Blueprint("tasks", __name__)


def _render(page: TaskPage, form: dict, status: int = 200, blocked: bool = False):
    missing = service_view.missing_service_for_task(db_session(), thv.ctx.registry, page.task["id"], engine_user())
    return render_template(
        "tasks/task.html",
        page=page,
        task=page.task,
        case=page.case,
        missing_service=missing,
        blocked=blocked,
        **form,
    ), status


@bp.get("/taken/<task_id>")
@login_required
def show(task_id: str) -> ResponseReturnValue:
    page = case_view.task_page(db_session(), thv.ctx.registry, task_id, engine_user(), thv.ctx.clock.now())
    return _render(page, form_context(page.schema, page.prefill))  # what the case knows, to change where needed


@bp.post("/taken/<task_id>")
@login_required
def complete(task_id: str) -> ResponseReturnValue:
    user = engine_user()
    target = case_view.task_form(db_session(), thv.ctx.registry, task_id, user)

    completed = []

    def action(data):
        completed.append(
            cases.complete_task(
                db_session(),
                thv.ctx.registry,
                thv.ctx.clock,
                task_id=task_id,
                data=data,
                user=user,
                respect_claims=True,
            )
        )

    try:
        done, form = submit(target.schema, action)
    except Conflict:
        if not service_view.missing_service_for_task(db_session(), thv.ctx.registry, task_id, user):
            raise
        # Refused because a document was not served yet: the page says what is missing; the input stays.
        page = case_view.task_page(db_session(), thv.ctx.registry, task_id, user, thv.ctx.clock.now())
        values = parse_form(target.schema, request.form) if target.schema else {}
        return _render(page, form_context(page.schema, values), 409, blocked=True)
    if not done:
        page = case_view.task_page(db_session(), thv.ctx.registry, task_id, user, thv.ctx.clock.now())
        return _render(page, form, 422)
    flash(
        _(
            "Taak '%(title)s' van zaak %(case)s is afgerond.",
            title=target.task["title"],
            case=target.task["case_id"],
        ),
        "success",
    )
    flash(next_steps_message(completed[0]), "info")
    return redirect(url_for("worklist.index"))

"""The case page (diagram, ban, milestones, open tasks, history), starting a case and reporting events."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from engine.base.errors import InvalidInput
from engine.base.vocabulary import CASE_ROLE_CODES
from engine.cases import case_search, case_view
from engine.cases import operations as cases
from engine.cases.read_models import Started, StartOption
from engine.documents import service_view
from engine.workflow import need_to_know
from web.extensions import db_session, thv
from web.i18n import moment
from web.presenters.paging import paging, parse_page
from web.presenters.tasks import next_steps_message
from web.views.auth import engine_user
from web.views.forms import form_context, submit

bp = Blueprint("cases", __name__)


SEARCH_FILTERS = ("q", "status", "variant", "einde_van", "einde_tot")
MAX_FILTER = 200  # characters of a refused filter shown back to the user
CASE_STATUS_LABELS = {"active": _l("lopend"), "completed": _l("afgerond"), "error": _l("vastgelopen")}


@bp.app_context_processor
def _cases_navigation() -> dict[str, Any]:
    def works_cases() -> bool:
        return bool(current_user.is_authenticated and CASE_ROLE_CODES & set(current_user.roles))

    return {"works_cases": works_cases}


@bp.get("/zaken")
@login_required
def index() -> ResponseReturnValue:
    """Find a case without a task: by number, address or name, with filters; only cases the user may see.

    A search the engine refuses shows the page again with the user's input and the reason at its field (400).
    """
    args = request.args
    query: dict[str, Any] = {k: v[:MAX_FILTER] for k, v in args.items() if k in SEARCH_FILTERS and v}
    try:
        page = case_search.search_cases(
            db_session(),
            engine_user(),
            thv.ctx.clock.now(),
            q=args.get("q"),
            status=args.get("status") or None,
            variant=args.get("variant") or None,
            ban_end=case_search.BanEndRange.from_text(args.get("einde_van"), args.get("einde_tot")),
            page=parse_page(args.get("pagina")),
        )
    except InvalidInput as refused:
        empty = case_search.CaseSearch([], 0, 1, case_search.PER_PAGE, query.get("q", ""))
        html = render_template(
            "cases/index.html", search=empty, filters=query, statuses=CASE_STATUS_LABELS, pager=None, refused=refused
        )
        return html, 400
    return render_template(
        "cases/index.html",
        search=page,
        filters=query,
        statuses=CASE_STATUS_LABELS,
        pager=paging(page, lambda number: url_for("cases.index", **query, pagina=number)),
        refused=None,
    )


@bp.get("/zaken/<id:case_id>")
@login_required
def show(case_id: int) -> ResponseReturnValue:
    user = engine_user()
    page = case_view.case_page(db_session(), thv.ctx.registry, case_id, user, thv.ctx.clock.now())
    documents = service_view.documents_panel(db_session(), thv.ctx.registry, case_id, user, thv.ctx.clock.now())
    return render_template("cases/case.html", page=page, case=page.case, documents=documents)


@bp.post("/zaken/<id:case_id>/doorbreken")
@login_required
def break_glass(case_id: int) -> ResponseReturnValue:
    """Read a case without a relation to it: the reason is recorded and shown to the burgemeester's office."""
    user = engine_user()
    try:
        until = need_to_know.break_the_glass(
            db_session(), case_id, user, request.form.get("reden", "")[:2000], thv.ctx.clock.now()
        )
    except InvalidInput as exc:
        return render_template("cases/need_to_know.html", case_id=case_id, detail=exc.message, error=True), 400
    flash(_("Je reden is vastgelegd; je kunt deze zaak inzien tot %(moment)s.", moment=moment(until)), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.get("/doorbraken")
@login_required
def glass_overview() -> ResponseReturnValue:
    """The burgemeester's office: who read which case without a relation, and why."""
    return render_template("cases/glass.html", entries=need_to_know.glass_entries(db_session(), engine_user()))


# --- starting a case ----------------------------------------------------------


@bp.get("/zaken/nieuw")
@login_required
def choose() -> ResponseReturnValue:
    options = case_view.startable_variants(db_session(), thv.ctx.registry, engine_user())
    startable = [o for o in options if o["roles"]]
    if len(startable) == 1:
        only = startable[0]
        return redirect(url_for("cases.start", region=only["region"], variant=only["variant"]))
    return render_template("cases/choose.html", options=options)


def _start_role(option: StartOption) -> str | None:
    role = request.form.get("rol") or None
    if role is None and len(option["roles"]) > 1:
        raise InvalidInput(_("Kies de rol waarin je de zaak start."))
    return role


@bp.route("/zaken/nieuw/<region>/<variant>", methods=["GET", "POST"])
@login_required
def start(region: str, variant: str) -> ResponseReturnValue:
    user = engine_user()
    option = case_view.start_option(db_session(), thv.ctx.registry, user, region, variant)
    if request.method == "GET":
        return render_template("cases/start.html", option=option, **form_context(option["schema"]))
    started: list[Started] = []

    def action(data):
        started.append(
            cases.start_case_answer(
                db_session(),
                thv.ctx.registry,
                thv.ctx.clock,
                region=region,
                variant=variant,
                data=data,
                user=user,
                role=_start_role(option),
            )
        )

    done, form = submit(option["schema"], action)
    if not done:
        return render_template("cases/start.html", option=option, chosen_role=request.form.get("rol"), **form), 422
    flash(_("Zaak %(case)s is gestart.", case=started[0]["id"]), "success")
    flash(next_steps_message(started[0]), "info")
    return redirect(url_for("cases.show", case_id=started[0]["id"]))


# --- reporting an event ---------------------------------------------------------


@bp.route("/zaken/<id:case_id>/gebeurtenissen/<message>", methods=["GET", "POST"])
@login_required
def report(case_id: int, message: str) -> ResponseReturnValue:
    user = engine_user()
    event = case_view.event_form(db_session(), thv.ctx.registry, case_id, message, user)
    if request.method == "GET":
        return render_template("cases/event.html", case_id=case_id, event=event, **form_context(event["schema"]))

    def action(data):
        cases.send_message(
            db_session(), thv.ctx.registry, thv.ctx.clock, case_id=case_id, message=message, data=data, user=user
        )

    done, form = submit(event["schema"], action)
    if not done:
        return render_template("cases/event.html", case_id=case_id, event=event, **form), 422
    flash(_("'%(event)s' is gemeld bij zaak %(case)s.", event=event["title"], case=case_id), "success")
    return redirect(url_for("cases.show", case_id=case_id))

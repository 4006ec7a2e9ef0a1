"""The worklist: ready tasks of the user's roles and regions, by deadline; claim and release."""

from __future__ import annotations

from typing import Any, TypedDict

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from engine.base.errors import InvalidInput
from engine.workflow import worklist, worklist_pages
from web.extensions import db_session, thv
from web.presenters.paging import paging, parse_page
from web.views.auth import engine_user, safe_next

bp = Blueprint("worklist", __name__)

PAGE_SIZES = (20, 50, 100)  # tasks per page the user may choose; 50 unless chosen
DUE_LABELS = {"te_laat": _l("te laat"), "vandaag": _l("vandaag"), "week": _l("deze week (7 dagen)")}
CLAIM_LABELS = {"mijn": _l("door mij geclaimd"), "vrij": _l("niet geclaimd")}


class _Filters(TypedDict):
    """The worklist's filters from the query string (None: not filtered), by their parameter names."""

    zaak: int | None
    stap: str | None
    termijn: str | None
    claim: str | None
    aantal: int | None


def _case_filter(raw: str | None) -> int | None:
    raw = (raw or "").strip().lstrip("#")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise InvalidInput(_("Zaaknummer '%(value)s' is geen nummer.", value=raw[:20]))
    return int(raw)


def _choice(raw: str | None, allowed) -> str | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw not in allowed:
        raise InvalidInput(_("Onbekend filter '%(value)s'.", value=raw[:40]))
    return raw


def _page_size(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw not in {str(n) for n in PAGE_SIZES}:
        raise InvalidInput(_("Kies %(sizes)s taken per pagina.", sizes=", ".join(map(str, PAGE_SIZES))))
    return int(raw)


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    user = engine_user()
    filters: _Filters = {
        "zaak": _case_filter(request.args.get("zaak")),
        "stap": (request.args.get("stap") or "").strip()[:200] or None,
        "termijn": _choice(request.args.get("termijn"), DUE_LABELS),
        "claim": _choice(request.args.get("claim"), CLAIM_LABELS),
        "aantal": _page_size(request.args.get("aantal")),
    }
    now = thv.ctx.clock.now()
    page = worklist_pages.task_page(
        db_session(),
        page=parse_page(request.args.get("pagina")),
        per_page=filters["aantal"] or worklist_pages.PER_PAGE,
        clamp=True,
        user=user,
        case_id=filters["zaak"],
        element=filters["stap"],
        due=filters["termijn"],
        now=now,
        claimed=filters["claim"],
    )
    query: dict[str, Any] = {name: value for name, value in filters.items() if value is not None}
    return render_template(
        "worklist/index.html",
        tasks=page.rows,
        pager=paging(page, lambda number: url_for("worklist.index", **query, pagina=number)),
        filters=filters,
        counts=worklist_pages.worklist_counts(db_session(), user, now),
        steps=worklist.task_steps(db_session(), user),
        due_labels=DUE_LABELS,
        claim_labels=CLAIM_LABELS,
        page_sizes=PAGE_SIZES,
        page_size=page.per_page,
        filtered=any(v is not None for name, v in filters.items() if name != "aantal"),
    )


@bp.post("/taken/<task_id>/claimen")
@login_required
def claim(task_id: str) -> ResponseReturnValue:
    task = worklist.claim_task(db_session(), task_id, user=engine_user(), now=thv.ctx.clock.now())
    flash(_("Je hebt '%(title)s' in behandeling genomen.", title=task["title"]), "success")
    return redirect(safe_next(request.form.get("next")))


@bp.post("/taken/<task_id>/vrijgeven")
@login_required
def release(task_id: str) -> ResponseReturnValue:
    task = worklist.release_task(db_session(), task_id, user=engine_user(), now=thv.ctx.clock.now())
    flash(_("'%(title)s' is vrijgegeven.", title=task["title"]), "success")
    return redirect(safe_next(request.form.get("next")))


@bp.app_context_processor
def _navigation():
    return {"safe_next_url": lambda: request.full_path.rstrip("?")}

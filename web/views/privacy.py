"""The functionaris gegevensbescherming's page: the processing log of their regions, by case or by actor."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.base.errors import InvalidInput
from engine.workflow.processing_log import log_entries
from web.extensions import db_session
from web.views.auth import engine_user

bp = Blueprint("privacy", __name__)


def _case_filter(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput(_("Het zaaknummer '%(value)s' is geen getal.", value=raw[:20]), field="zaak")
    return int(raw)


@bp.get("/verwerkingen")
@login_required
def processing_log() -> ResponseReturnValue:
    case_id = _case_filter(request.args.get("zaak", ""))
    actor = request.args.get("gebruiker", "").strip()[:80] or None
    entries = log_entries(db_session(), engine_user(), case_id=case_id, actor=actor)
    return render_template("privacy/log.html", entries=entries, case_id=case_id, actor=actor or "")

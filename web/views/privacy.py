"""The functionaris gegevensbescherming's page: the processing log of their regions, by case or by actor."""

from __future__ import annotations

import dataclasses
import json

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.base.errors import InvalidInput
from engine.cases import persons
from engine.workflow.processing_log import log_entries
from web.extensions import db_session, thv
from web.views.auth import engine_user

bp = Blueprint("privacy", __name__)


def _case_filter(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput(_("Het zaaknummer '%(value)s' is geen getal.", value=raw[:20]), field="zaak")
    return int(raw)


@bp.post("/verwerkingen/inzage")
@login_required
def subject_access() -> ResponseReturnValue:
    """An AVG art. 15 request: everything about one person, as a JSON download."""
    found = persons.subject_access(db_session(), engine_user(), request.form.get("naam", "")[:200], thv.ctx.clock.now())
    body = json.dumps([dataclasses.asdict(c) for c in found], ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="inzageverzoek.json"', "Cache-Control": "no-store"},
    )


@bp.get("/verwerkingen")
@login_required
def processing_log() -> ResponseReturnValue:
    case_id = _case_filter(request.args.get("zaak", ""))
    actor = request.args.get("gebruiker", "").strip()[:80] or None
    person = request.args.get("persoon", "").strip()[:200] or None
    entries = log_entries(db_session(), engine_user(), case_id=case_id, actor=actor, person=person)
    return render_template("privacy/log.html", entries=entries, case_id=case_id, actor=actor or "", person=person or "")

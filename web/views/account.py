"""The user's own account page: roles and regions, and personal API tokens (created, shown once, revoked)."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from engine.accounts import api_tokens
from engine.base.clock import AMSTERDAM
from engine.base.errors import InvalidInput
from web.extensions import db_session, thv
from web.views.auth import engine_user

bp = Blueprint("account", __name__)


def _expiry(raw: str) -> datetime | None:
    """A date from the form as the end of that day in Amsterdam."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("De vervaldatum '%(value)s' is geen datum (JJJJ-MM-DD).", value=raw[:20])) from None
    return datetime.combine(day, time(23, 59), tzinfo=AMSTERDAM)


@bp.get("/account")
@login_required
def index() -> ResponseReturnValue:
    user = engine_user()
    return render_template(
        "account/index.html", tokens=api_tokens.list_tokens(db_session(), user, thv.ctx.clock.now()), new_secret=None
    )


@bp.post("/account/tokens")
@login_required
def create_token() -> ResponseReturnValue:
    user = engine_user()
    now = thv.ctx.clock.now()
    token, secret = api_tokens.create_token(
        db_session(),
        user,
        name=request.form.get("name", "")[:200],
        expires_at=_expiry(request.form.get("expires", "")),
        now=now,
    )
    flash(
        _("Token '%(name)s' is aangemaakt. Kopieer het nu: het wordt niet opnieuw getoond.", name=token["name"]),
        "success",
    )
    # Rendered, not redirected: the secret exists only in this response.
    response = render_template(
        "account/index.html", tokens=api_tokens.list_tokens(db_session(), user, now), new_secret=secret, new_token=token
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/account/tokens/<id:token_id>/intrekken")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    api_tokens.revoke_token(db_session(), engine_user(), token_id, thv.ctx.clock.now())
    flash(_("Het token is ingetrokken."), "success")
    return redirect(url_for("account.index"))

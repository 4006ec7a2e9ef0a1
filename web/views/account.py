"""The user's own account page: roles and regions, e-mail notifications (and a test mail), personal API tokens
(created, shown once, revoked), the password and the optional second factor (TOTP)."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required, login_user

from engine.accounts import api_tokens, users
from engine.accounts import login as accounts
from engine.base.clock import AMSTERDAM
from engine.base.errors import InvalidInput
from engine.base.vocabulary import NOTIFY_CHOICES
from engine.notify import trial_mail
from web.extensions import db_session, thv
from web.presenters.account import trial_mail_line
from web.views.auth import WebUser, engine_user

bp = Blueprint("account", __name__)
NEW_SECRET = "thv_totp_new"  # the secret being set up, until a code shows the app has it


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
    return _page()


def _page(status: int = 200, **extra: object) -> ResponseReturnValue:
    user = engine_user()
    extra.setdefault("new_secret", None)
    extra.setdefault("notify_form", {"email": user.email or "", "notify": user.notify})
    return (
        render_template(
            "account/index.html",
            notify_choices=NOTIFY_CHOICES,
            mail_on=thv.ctx.mailer is not None,
            saved_email=user.email,
            trial_mail=trial_mail_line(trial_mail.last_trial_mail(db_session(), user.id)) if user.email else None,
            tokens=api_tokens.list_tokens(db_session(), user, thv.ctx.clock.now()),
            totp_on=user.totp_secret is not None,
            sso_label=_sso_label() if user.signs_in_with_sso else None,
            **extra,
        ),
        status,
        {"Cache-Control": "no-store"},
    )


def _sso_label() -> str:
    client = current_app.extensions.get("thv_sso")
    return client.config.label if client is not None else _("de organisatie")


@bp.post("/account/persoon")
@login_required
def profile() -> ResponseReturnValue:
    """One's own name and function, as documents and histories show them (the organisation is the beheerder's)."""
    user = engine_user()
    if user.signs_in_with_sso:
        return _page(400, profile_error=_("Je naam en functie komen van %(label)s.", label=_sso_label()))
    form = request.form
    try:
        users.set_profile(
            db_session(),
            user.name,
            users.Profile(form.get("display_name", "")[:300], form.get("job_title", "")[:300], user.organisation),
        )
    except InvalidInput as exc:
        return _page(400, profile_error=exc.message)
    flash(_("Je naam en functie zijn opgeslagen."), "success")
    return redirect(url_for("account.index"))


@bp.post("/account/meldingen")
@login_required
def notifications() -> ResponseReturnValue:
    """Where one's notification mails go and which one wants; a refusal shows the form again as it was sent."""
    form = {"email": request.form.get("email", "")[:300], "notify": request.form.get("notify", "")[:20]}
    try:
        users.set_notifications(db_session(), engine_user().name, form["email"], form["notify"])
    except InvalidInput as exc:
        message = (
            _("Kies welke e-mail je wilt ontvangen.")
            if exc.field == "notify"
            else _(
                "'%(value)s' is geen geldig e-mailadres, bijvoorbeeld naam@organisatie.nl.", value=form["email"][:60]
            )
        )
        return _page(400, notify_error=message, notify_field=exc.field, notify_form=form)
    flash(_("Je instellingen voor e-mailmeldingen zijn opgeslagen."), "success")
    return redirect(url_for("account.index"))


@bp.post("/account/meldingen/test")
@login_required
def ask_trial_mail() -> ResponseReturnValue:
    """Queue a test mail to one's saved address; the timer worker sends it as it sends every notification."""
    if thv.ctx.mailer is None:
        return _page(409, notify_error=_("Deze installatie verstuurt nog geen e-mail; een testbericht kan nog niet."))
    try:
        address = trial_mail.request_trial_mail(db_session(), engine_user().name, thv.ctx.clock.now())
    except InvalidInput:
        return _page(400, notify_error=_("Sla eerst een e-mailadres op; daar gaat het testbericht heen."))
    flash(_("Het testbericht gaat binnen een paar minuten naar %(address)s.", address=address), "success")
    return redirect(url_for("account.index", _anchor="meldingen"))


@bp.post("/account/wachtwoord")
@login_required
def change_password() -> ResponseReturnValue:
    form = request.form
    try:
        user = accounts.change_password(
            db_session(),
            engine_user().name,
            form.get("current", "")[:200],
            form.get("new", "")[:300],
            form.get("repeated", "")[:300],
        )
    except InvalidInput as exc:
        return _page(400, password_error=exc.message)
    login_user(WebUser(user))  # this session goes on; every other one has ended
    flash(_("Je wachtwoord is gewijzigd. Je andere sessies zijn beëindigd."), "success")
    return redirect(url_for("account.index"))


@bp.post("/account/tweestaps/instellen")
@login_required
def setup_totp() -> ResponseReturnValue:
    secret = accounts.new_totp_secret()
    session[NEW_SECRET] = secret
    return _page(totp_secret=secret, totp_uri=accounts.totp_uri(secret, engine_user().name))


@bp.post("/account/tweestaps/bevestigen")
@login_required
def confirm_totp() -> ResponseReturnValue:
    secret = session.get(NEW_SECRET)
    if not isinstance(secret, str):
        flash(_("Begin opnieuw met instellen."), "error")
        return redirect(url_for("account.index"))
    try:
        accounts.enable_totp(
            db_session(), engine_user().name, secret, request.form.get("code", "")[:20], thv.ctx.clock.now()
        )
    except InvalidInput as exc:
        return _page(
            400, totp_secret=secret, totp_uri=accounts.totp_uri(secret, engine_user().name), totp_error=exc.message
        )
    session.pop(NEW_SECRET, None)
    flash(_("Tweestapsverificatie staat aan. Voortaan vraagt het inloggen ook om een code."), "success")
    return redirect(url_for("account.index"))


@bp.post("/account/tweestaps/uitzetten")
@login_required
def disable_totp() -> ResponseReturnValue:
    name = engine_user().name
    try:
        accounts.disable_totp(db_session(), name, request.form.get("password", "")[:200])
    except InvalidInput as exc:
        return _page(400, totp_error=exc.message)
    user = accounts.user_after_change(db_session(), name)
    login_user(WebUser(user))  # the change ended every session; this one goes on
    flash(_("Tweestapsverificatie staat uit."), "success")
    return redirect(url_for("account.index"))


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
    return _page(new_secret=secret, new_token=token)


@bp.post("/account/tokens/<id:token_id>/intrekken")
@login_required
def revoke_token(token_id: int) -> ResponseReturnValue:
    api_tokens.revoke_token(db_session(), engine_user(), token_id, thv.ctx.clock.now())
    flash(_("Het token is ingetrokken."), "success")
    return redirect(url_for("account.index"))

"""Login and logout with Flask-Login against the local accounts, and the language switch."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from engine.accounts import login as accounts
from engine.base.errors import ThvError
from engine.storage.tables import User
from web.extensions import db_session, limiter, login_manager, thv
from web.i18n import LANGUAGES, moment

bp = Blueprint("auth", __name__)
MAX_NAME = 80
MAX_PASSWORD = 200
MAX_NEXT = 500
CODE_STEP_MINUTES = 5  # how long the code page waits after the password
PENDING = "thv_login_pending"
# Failed logins per client address (the lockout per account is the engine's, in the database).
ADDRESS_LIMIT = "30 per minute;300 per hour"


def failed_response(response) -> bool:
    return bool(response.status_code >= 400)


class WebUser(UserMixin):
    """The logged-in person: wraps the engine's User, which the views hand to the engine."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        # The session generation too: a logout or password change raises it, which ends this session.
        return accounts.session_id(self.user)

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def display_name(self) -> str:
        """The person's name where one is set (the header shows it), else the login name."""
        return self.user.display_name or self.user.name

    @property
    def roles(self) -> frozenset[str]:
        return self.user.roles

    @property
    def regions(self) -> frozenset[str]:
        return self.user.regions


@login_manager.user_loader
def load_user(stored: str) -> WebUser | None:
    user = accounts.user_of_session(db_session(), stored)
    return WebUser(user) if user is not None else None  # ended, removed or deactivated: logged out


def engine_user() -> User:
    """The engine User of the logged-in person (views call this after @login_required)."""
    return current_user.user


def safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (no open redirect), and nothing a header cannot carry."""
    if (
        target
        and len(target) <= MAX_NEXT
        and target.isprintable()
        and target.isascii()
        and " " not in target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("worklist.index")


def start_session(user: User) -> None:
    language = session.get("lang")
    session.clear()  # a fresh session for the new login
    if language:
        session["lang"] = language
    session.permanent = True
    login_user(WebUser(user))
    flash(_("Welkom, %(name)s.", name=user.name), "success")


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(ADDRESS_LIMIT, methods=["POST"], deduct_when=failed_response)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("worklist.index"))
    error = None
    status = 200
    name = ""
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:MAX_NAME]
        password = request.form.get("password", "")[:MAX_PASSWORD]
        if not name or not password:
            error, status = _("Vul je gebruikersnaam en wachtwoord in."), 400
        else:
            try:
                step = accounts.check_password(db_session(), name, password, thv.ctx.clock.now())
            except ThvError as exc:  # wrong name or password (401), or the name is locked for now (429)
                error, status = _translated(exc), exc.status
            else:
                target = safe_next(request.args.get("next"))
                if step.needs_code:
                    language = session.get("lang")
                    session.clear()
                    if language:
                        session["lang"] = language
                    session[PENDING] = {
                        "name": step.user.name,
                        "generation": step.user.session_generation,
                        "at": thv.ctx.clock.now().isoformat(),
                        "next": target,
                    }
                    return redirect(url_for("auth.code"))
                start_session(step.user)
                return redirect(target)
    return login_page(error, name, status)


def login_page(error: str | None, name: str, status: int) -> ResponseReturnValue:
    """The login form; with single sign-on configured (web/views/sso.py) it offers that too."""
    sso = current_app.extensions.get("thv_sso")
    return render_template(
        "auth/login.html", error=error, name=name, sso_label=sso.config.label if sso else None
    ), status


@bp.route("/inloggen/code", methods=["GET", "POST"])
@limiter.limit(ADDRESS_LIMIT, methods=["POST"], deduct_when=failed_response)
def code() -> ResponseReturnValue:
    """The second step for users with a TOTP second factor."""
    pending = session.get(PENDING)
    now = thv.ctx.clock.now()
    if not isinstance(pending, dict) or not _recent(pending.get("at"), now):
        session.pop(PENDING, None)
        flash(
            _(
                "Log opnieuw in; de code moet binnen %(minutes)d minuten na het wachtwoord komen.",
                minutes=CODE_STEP_MINUTES,
            ),
            "error",
        )
        return redirect(url_for("auth.login"))
    error = None
    status = 200
    if request.method == "POST":
        try:
            user = accounts.check_code(
                db_session(),
                str(pending.get("name")),
                int(pending.get("generation", -1)),
                request.form.get("code", "")[:20],
                now,
            )
        except ThvError as exc:
            error, status = _translated(exc), exc.status
        else:
            target = safe_next(pending.get("next"))
            start_session(user)
            return redirect(target)
    return render_template("auth/code.html", error=error), status


def _recent(at: object, now: datetime) -> bool:
    try:
        started = datetime.fromisoformat(str(at))
    except ValueError:
        return False
    return timedelta(0) <= now - started <= timedelta(minutes=CODE_STEP_MINUTES)


def _translated(exc: ThvError) -> str:
    if isinstance(exc, accounts.LoginLocked):
        return _(
            "Te veel mislukte pogingen met deze gebruikersnaam. Probeer het opnieuw na %(moment)s.",
            moment=moment(exc.until),
        )
    if exc.message == accounts.FAILED:
        return _("Onbekende gebruikersnaam of onjuist wachtwoord.")
    return exc.message


@bp.post("/uitloggen")
@login_required
def logout() -> ResponseReturnValue:
    language = session.get("lang")
    accounts.end_sessions(db_session(), current_user.name)  # a copy of this cookie stops working too
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_("Je bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))


@bp.post("/taal")
def language() -> ResponseReturnValue:
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next")))

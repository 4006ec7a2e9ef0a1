"""Login and logout with Flask-Login against the local accounts, and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_required, login_user, logout_user

from engine.accounts import users
from engine.base.errors import NotFound
from engine.storage.tables import User
from web.extensions import db_session, login_manager
from web.i18n import LANGUAGES

bp = Blueprint("auth", __name__)
MAX_NAME = 80
MAX_PASSWORD = 200


class WebUser(UserMixin):
    """The logged-in person: wraps the engine's User, which the views hand to the engine."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return self.user.name

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def roles(self) -> frozenset[str]:
        return self.user.roles

    @property
    def regions(self) -> frozenset[str]:
        return self.user.regions


@login_manager.user_loader
def load_user(name: str) -> WebUser | None:
    try:
        return WebUser(users.get_user(db_session(), name))
    except NotFound:
        return None  # removed or deactivated since login: logged out


def engine_user() -> User:
    """The engine User of the logged-in person (views call this after @login_required)."""
    return current_user.user


def safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("worklist.index")


@bp.route("/inloggen", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("worklist.index"))
    error = None
    name = ""
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:MAX_NAME]
        password = request.form.get("password", "")[:MAX_PASSWORD]
        user = users.authenticate(db_session(), name, password) if name and password else None
        if user is None:
            error = _("Onbekende gebruikersnaam of onjuist wachtwoord.")
        else:
            language = session.get("lang")
            session.clear()  # a fresh session for the new login
            if language:
                session["lang"] = language
            session.permanent = True
            login_user(WebUser(user))
            flash(_("Welkom, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, name=name), status


@bp.post("/uitloggen")
@login_required
def logout() -> ResponseReturnValue:
    language = session.get("lang")
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

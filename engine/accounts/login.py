"""Logging in with a local account, as a CISO working to the BIO expects it.

* **Lockout per account name**: after ``MAX_FAILURES`` wrong attempts within ``WINDOW`` the
  name is locked for ``LOCKOUT``; the lock ends by itself. Names that do not exist are
  counted and locked the same way, so the lockout does not tell which names exist. The
  count lives in the database (``login_failure``), so every web worker sees it. (Limits per
  address are the web layer's, with Flask-Limiter.)
* **Constant time**: an unknown or inactive name still costs one password hash.
* **Sessions that end**: a web session carries the user's ``session_generation``; logging
  out and changing the password raise it, which ends every session issued before.
* **Optional second factor**: a TOTP code (RFC 6238, pyotp) after the password, for users
  who turned it on; a code is accepted once.

Messages never say whether the name or the password was wrong.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.accounts import users
from engine.base.clock import dutch_instant
from engine.base.errors import InvalidInput, ThvError
from engine.storage.tables import LoginFailure, User
from engine.storage.transaction import in_transaction

log = logging.getLogger(__name__)

MAX_FAILURES = 5  # ASSUMPTION: BIO 9.4.2 asks for a limit on failed logins; 5 in 15 minutes is common practice
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
TOTP_ISSUER = "Tijdelijk huisverbod"
FAILED = "Onbekende gebruikersnaam of onjuist wachtwoord."
SSO_ACCOUNT = (
    "dit account logt in via eenmalige aanmelding (SSO); wachtwoord en tweestapsverificatie horen bij de organisatie"
)


class LoginRefused(ThvError):
    """Wrong name, password or code; the message never says which."""

    status = 401


class LoginLocked(ThvError):
    """Too many failed attempts for this name; ``until`` is when the lock ends by itself."""

    status = 429

    def __init__(self, until: datetime):
        super().__init__(
            f"Te veel mislukte pogingen met deze gebruikersnaam. Probeer het opnieuw na {dutch_instant(until)}."
        )
        self.until = until


@dataclass(frozen=True)
class LoginStep:
    """A password that was right: ``user`` is logged in now, or must still give a code (``needs_code``)."""

    user: User
    needs_code: bool


def name_key(name: str) -> str:
    """How a name is counted in ``login_failure``: a hash, so the table holds no names typed by anyone."""
    return hashlib.sha256(name.strip().lower().encode("utf-8")).hexdigest()


@lru_cache(maxsize=4)
def _decoy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def check_password(session: Session, name: str, password: str, now: datetime) -> LoginStep:
    """The first step of a login; raises :class:`LoginRefused` or :class:`LoginLocked`.

    A failure is counted (and committed) before the refusal is raised.
    """
    key = name_key(name)

    def work() -> LoginStep | LoginLocked | None:
        failure = session.get(LoginFailure, key, with_for_update=True)
        if failure is not None and failure.locked_until is not None and failure.locked_until > now:
            return LoginLocked(failure.locked_until)
        user = session.scalars(select(User).where(User.name == name)).first()
        stored = user.password_hash if user is not None else _decoy_hash(users.PASSWORD_HASH_METHOD)
        right = check_password_hash(stored, password)  # always one hash: unknown names take as long
        if user is not None and user.active and right:
            if failure is not None and not user.totp_secret:
                session.delete(failure)
            return LoginStep(user, needs_code=bool(user.totp_secret))
        _count_failure(session, key, failure, now)
        return None

    result = in_transaction(session, work)
    if isinstance(result, LoginStep):
        return result
    raise result if result is not None else LoginRefused(FAILED)


def check_code(session: Session, name: str, generation: int, code: str, now: datetime) -> User:
    """The second step: the TOTP code of a user whose password was right in this session.

    ``generation`` is the user's session generation at the first step: a logout or password
    change in between ends the half-finished login too.
    """
    key = name_key(name)
    code = "".join(code.split())

    def work() -> User | LoginLocked | None:
        failure = session.get(LoginFailure, key, with_for_update=True)
        if failure is not None and failure.locked_until is not None and failure.locked_until > now:
            return LoginLocked(failure.locked_until)
        user = session.scalars(select(User).where(User.name == name).with_for_update()).first()
        if user is None or not user.active or not user.totp_secret or user.session_generation != generation:
            return None
        step = _accepted_step(user.totp_secret, code, now)
        if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
            _count_failure(session, key, failure, now)  # wrong, or a code already used
            return None
        user.totp_last_step = step
        if failure is not None:
            session.delete(failure)
        return user

    result = in_transaction(session, work)
    if isinstance(result, User):
        return result
    raise result if result is not None else LoginRefused("De code klopt niet. Log opnieuw in.")


def _count_failure(session: Session, key: str, failure: LoginFailure | None, now: datetime) -> None:
    """Count a failed attempt; the fifth within the window locks the name (this attempt is refused as wrong)."""
    if failure is None:
        failure = LoginFailure(name_key=key, failures=0, window_start=now)
        session.add(failure)
    if now - failure.window_start > WINDOW:
        failure.failures, failure.window_start = 0, now
    failure.failures += 1
    failure.locked_until = None
    if failure.failures >= MAX_FAILURES:
        failure.locked_until = now + LOCKOUT
        failure.failures, failure.window_start = 0, now
        log.warning("inloggen geblokkeerd na %s mislukte pogingen (naam %s…)", MAX_FAILURES, key[:10])
    else:
        log.info("inloggen mislukt (naam %s…, poging %s)", key[:10], failure.failures)


def _accepted_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` belongs to (the current one or one either side), or None."""
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


# --- sessions ------------------------------------------------------------------------------


def session_id(user: User) -> str:
    """What a web session stores to name its user: the name and the session generation."""
    return f"{user.name}:{user.session_generation}"


def user_of_session(session: Session, stored: str) -> User | None:
    """The user a web session names, or None when that session has ended (logout, password change)."""
    name, _, generation = stored.rpartition(":")
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None or not user.active:
        return None
    if str(user.session_generation) != generation:
        log.info("sessie geweigerd: beëindigd bij uitloggen of wachtwoordwijziging (naam %s…)", name_key(name)[:10])
        return None
    return user


def end_sessions(session: Session, name: str) -> None:
    """End every session of ``name`` (logout: a copied cookie stops working too)."""

    def work() -> None:
        user = session.scalars(select(User).where(User.name == name).with_for_update()).first()
        if user is not None:
            user.session_generation += 1

    in_transaction(session, work)


def change_password(session: Session, name: str, current: str, new: str, repeated: str) -> User:
    """Change one's own password; ends every other session. Returns the user (with its new generation)."""
    if new != repeated:
        raise InvalidInput("de twee nieuwe wachtwoorden verschillen", field="repeated")
    if len(new) < users.MIN_PASSWORD or len(new) > 200:
        raise InvalidInput(f"het nieuwe wachtwoord moet {users.MIN_PASSWORD} tot 200 tekens hebben", field="new")

    def work() -> User:
        user = session.scalars(select(User).where(User.name == name).with_for_update()).first()
        if user is not None and user.signs_in_with_sso:
            raise InvalidInput(SSO_ACCOUNT)
        if user is None or not check_password_hash(user.password_hash, current):
            raise InvalidInput("het huidige wachtwoord klopt niet", field="current")
        if check_password_hash(user.password_hash, new):
            raise InvalidInput("het nieuwe wachtwoord is gelijk aan het huidige", field="new")
        user.password_hash = generate_password_hash(new, method=users.PASSWORD_HASH_METHOD)
        user.session_generation += 1
        return user

    return in_transaction(session, work)


def reset_password(session: Session, name: str, new: str) -> None:
    """A beheerder sets a password (CLI); every session of the user ends."""
    if len(new) < users.MIN_PASSWORD or len(new) > 200:
        raise InvalidInput(f"het wachtwoord moet {users.MIN_PASSWORD} tot 200 tekens hebben")

    def work() -> None:
        user = users.get_user(session, name)
        if user.signs_in_with_sso:
            raise InvalidInput(SSO_ACCOUNT)
        user.password_hash = generate_password_hash(new, method=users.PASSWORD_HASH_METHOD)
        user.session_generation += 1
        session.execute(delete(LoginFailure).where(LoginFailure.name_key == name_key(name)))

    in_transaction(session, work)


# --- the second factor -------------------------------------------------------------------------


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, name: str) -> str:
    """The otpauth:// address an authenticator app reads (typed or scanned)."""
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=TOTP_ISSUER)


def enable_totp(session: Session, name: str, secret: str, code: str, now: datetime) -> None:
    """Turn the second factor on, once the user shows a code of the new secret works."""
    code = "".join(code.split())

    def work() -> None:
        user = users.get_user(session, name)
        if user.signs_in_with_sso:
            raise InvalidInput(SSO_ACCOUNT)
        step = _accepted_step(secret, code, now)
        if step is None:
            raise InvalidInput("de code klopt niet; controleer de klok van je telefoon en probeer het opnieuw", "code")
        user.totp_secret, user.totp_last_step = secret, step

    in_transaction(session, work)


def user_after_change(session: Session, name: str) -> User:
    """The user as stored now (its new session generation), to keep the changer's own session going."""
    return users.get_user(session, name)


def disable_totp(session: Session, name: str, password: str | None) -> None:
    """Turn the second factor off (the user, with the password) or reset it (``password`` None: a beheerder, CLI)."""

    def work() -> None:
        user = users.get_user(session, name)
        if password is not None and not check_password_hash(user.password_hash, password):
            raise InvalidInput("het wachtwoord klopt niet", field="password")
        user.totp_secret, user.totp_last_step = None, None
        user.session_generation += 1

    in_transaction(session, work)

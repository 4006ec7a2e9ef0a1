"""Local user accounts: roles and regions from the fixed vocabulary, hashed passwords."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.base.errors import Conflict, InvalidInput, NotFound
from engine.base.mail_settings import valid_address
from engine.base.vocabulary import NOTIFY_CHOICES, REGION_CODES, ROLE_CODES
from engine.storage.tables import User
from engine.storage.transaction import in_transaction

# scrypt is deliberately slow; tests swap in a cheap method (the hash records its own method).
PASSWORD_HASH_METHOD = "scrypt"
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,78}$")
MIN_PASSWORD = 8


def _codes(values: Iterable[str], allowed: frozenset[str], what: str) -> list[str]:
    codes = sorted({v.strip() for v in values if v.strip()})
    if not codes:
        raise InvalidInput(f"geef minstens één {what}")
    unknown = [c for c in codes if c not in allowed]
    if unknown:
        raise InvalidInput(f"onbekende {what}: {', '.join(unknown)}; kies uit {', '.join(sorted(allowed))}")
    return codes


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


@dataclass(frozen=True)
class Profile:
    """The person behind a login: shown on documents (the signature) and in case histories."""

    display_name: str | None = None
    job_title: str | None = None
    organisation: str | None = None


PROFILE_FIELDS = {"display_name": "naam", "job_title": "functie", "organisation": "organisatie"}
MAX_PROFILE_TEXT = 200


def checked_profile(profile: Profile) -> Profile:
    """Each part trimmed, one line of printable text up to 200 characters, or None when empty."""
    values: dict[str, str | None] = {}
    for key, label in PROFILE_FIELDS.items():
        raw = getattr(profile, key)
        text = " ".join(raw.split()) if isinstance(raw, str) else ""
        if len(text) > MAX_PROFILE_TEXT:
            raise InvalidInput(f"{label}: hoogstens {MAX_PROFILE_TEXT} tekens", key)
        if text and not text.isprintable():
            raise InvalidInput(f"{label}: alleen gewone tekens", key)
        values[key] = text or None
    return Profile(**values)


def set_profile(session: Session, name: str, profile: Profile) -> User:
    """Set the display name, function and organisation of ``name`` (each None or empty: cleared)."""
    checked = checked_profile(profile)

    def work() -> User:
        user = session.scalars(select(User).where(User.name == name).with_for_update()).first()
        if user is None:
            raise NotFound(f"gebruiker '{name}' bestaat niet")
        user.display_name, user.job_title, user.organisation = (
            checked.display_name,
            checked.job_title,
            checked.organisation,
        )
        return user

    return in_transaction(session, work)


MAX_EMAIL = 254


def checked_email(raw: str | None) -> str | None:
    """An e-mail address as stored (an international domain in its ASCII form), or None when empty."""
    text = (raw or "").strip()
    if not text:
        return None
    address = valid_address(text) if len(text) <= MAX_EMAIL else None
    if address is None:
        shown = "".join(c if c.isprintable() else "?" for c in text[:60]) + ("…" if len(text) > 60 else "")
        raise InvalidInput(
            f"e-mailadres: '{shown}' is geen geldig e-mailadres (bijvoorbeeld naam@organisatie.nl)", "email"
        )
    return address


def set_notifications(session: Session, name: str, email: str | None, choice: str) -> User:
    """Where ``name``'s notification mails go (None or empty: nowhere) and which they want (NOTIFY_CHOICES)."""
    address = checked_email(email)
    if choice not in NOTIFY_CHOICES:
        raise InvalidInput(f"meldingen: kies uit {', '.join(NOTIFY_CHOICES)}", "notify")

    def work() -> User:
        user = session.scalars(select(User).where(User.name == name).with_for_update()).first()
        if user is None:
            raise NotFound(f"gebruiker '{name}' bestaat niet")
        user.email, user.notify = address, choice
        return user

    return in_transaction(session, work)


def add_user(
    session: Session,
    name: str,
    roles: Iterable[str],
    regions: Iterable[str],
    *,
    password: str | None,
    now: datetime,
    profile: Profile | None = None,
    email: str | None = None,
) -> tuple[User, str]:
    """Create a user; returns the user and the password (generated when none is given)."""
    checked = checked_profile(profile or Profile())
    address = checked_email(email)
    if not _NAME.match(name or ""):
        raise InvalidInput("gebruikersnaam: 2-79 kleine letters, cijfers, punt, streepje of underscore")
    role_codes = _codes(roles, ROLE_CODES, "rol")
    region_codes = _codes(regions, REGION_CODES, "regio")
    if password is None:
        password = secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"wachtwoord moet minstens {MIN_PASSWORD} tekens hebben")
    user = User(
        name=name,
        password_hash=generate_password_hash(password, method=PASSWORD_HASH_METHOD),
        roles_csv=",".join(role_codes),
        regions_csv=",".join(region_codes),
        active=True,
        created_at=now,
        display_name=checked.display_name,
        job_title=checked.job_title,
        organisation=checked.organisation,
        email=address,
        notify="all",
    )

    def work() -> User:
        session.add(user)
        try:
            session.flush()  # the unique name, checked here so the refusal can name the user
        except IntegrityError:
            raise Conflict(f"gebruiker '{name}' bestaat al") from None
        return user

    return in_transaction(session, work), password


def get_user(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None or not user.active:
        raise NotFound(f"gebruiker '{name}' bestaat niet")
    return user


def set_active(session: Session, name: str, active: bool) -> User:
    """Switch an account off or on (a beheerder, CLI); switching off ends its sessions at once.

    For single sign-on accounts this is how the application says no while the provider still says yes.
    """

    def work() -> User:
        user = session.scalars(select(User).where(User.name == name).with_for_update()).first()
        if user is None:
            raise NotFound(f"gebruiker '{name}' bestaat niet")
        if user.active != active:
            user.active = active
            user.session_generation += 1
        return user

    return in_transaction(session, work)


def authenticate(session: Session, name: str, password: str) -> User | None:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def list_users(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "name": u.name,
            "roles": sorted(u.roles),
            "regions": sorted(u.regions),
            "active": u.active,
            "login": "sso" if u.signs_in_with_sso else "lokaal",
            "display_name": u.display_name,
            "job_title": u.job_title,
            "organisation": u.organisation,
            "email": u.email,
            "notify": u.notify,
        }
        for u in session.scalars(select(User).order_by(User.name))
    ]

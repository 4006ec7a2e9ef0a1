"""Single sign-on with OpenID Connect: the configuration, and who a verified ID token makes a user.

The protocol itself (redirect, state, PKCE, code exchange, the ID token's signature, issuer,
audience, nonce and expiry) is Authlib's, in the web layer (web/views/sso.py). What reaches
this module are the claims of an ID token Authlib has verified; here they become a user:

* **Roles and regions come from claims**, through a mapping in the configuration file
  (``THV_OIDC_CONFIG``): claim value -> role or region code. A value the mapping does not
  know is refused, not skipped: it means the provider and this application disagree on
  who may do what, and guessing would give or withhold access silently.
* **The provider is the source of truth**: each login sets the user's roles and regions to
  what the claims say now, so a change at the provider takes effect at the next login.
* **The account is bound to the provider's subject** (issuer + ``sub``), never to a name:
  a provider that asserts the name of an existing local account does not get that account.
* SSO users have no local password; a local login with their name fails like a wrong password.

Every refusal is logged without personal data (the subject hashed) and changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.users import MAX_PROFILE_TEXT, Profile, checked_email, checked_profile, valid_name
from engine.base.errors import ConfigurationError, InvalidInput, ThvError
from engine.base.vocabulary import REGION_CODES, ROLE_CODES
from engine.storage.tables import User
from engine.storage.transaction import in_transaction

log = logging.getLogger(__name__)

NO_PASSWORD = "!sso"  # not a hash: no password matches it (werkzeug's check returns False)
DEFAULT_SCOPES = ("openid", "profile")
MAX_CLAIM_VALUES = 50


@dataclass(frozen=True)
class SsoConfig:
    """One OpenID provider and how its claims map to this application's roles and regions."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)  # never in a log line or traceback
    label: str  # the login button: "Inloggen met …"
    scopes: tuple[str, ...]
    name_claim: str
    role_claim: str
    region_claim: str
    roles: Mapping[str, tuple[str, ...]]  # claim value -> role codes
    regions: Mapping[str, tuple[str, ...]]  # claim value -> region codes
    display_name_claim: str = "name"  # the person's name on documents and in histories
    job_title_claim: str | None = None  # their function, if the provider sends it
    organisation: str | None = None  # the organisation every user of this provider works for
    email_claim: str = "email"  # where notification mails go, for a user who has not chosen an address

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def load_sso_config(path: Path, client_secret: str | None) -> SsoConfig:
    """Read and check the TOML file of ``THV_OIDC_CONFIG``; a mistake is refused in one Dutch line."""
    where = f"THV_OIDC_CONFIG ({path.name})"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{where} is niet te lezen: {exc.__class__.__name__}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{where} is geen geldig TOML: {exc}") from None
    if not client_secret:
        raise ConfigurationError("THV_OIDC_CLIENT_SECRET ontbreekt; THV_OIDC_CONFIG vraagt het clientgeheim")

    def text(key: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"{where}: '{key}' ontbreekt of is geen tekst")
        return value.strip()

    issuer = text("issuer")
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigurationError(f"{where}: 'issuer' moet een https-adres zijn")
    scopes = data.get("scopes", list(DEFAULT_SCOPES))
    if not isinstance(scopes, list) or not all(isinstance(s, str) and s for s in scopes) or "openid" not in scopes:
        raise ConfigurationError(f"{where}: 'scopes' moet een lijst met teksten zijn, met 'openid' erin")
    return SsoConfig(
        issuer=issuer,
        client_id=text("client_id"),
        client_secret=client_secret,
        label=text("label", "de organisatie"),
        scopes=tuple(scopes),
        name_claim=text("name_claim", "preferred_username"),
        role_claim=text("role_claim"),
        region_claim=text("region_claim"),
        roles=_mapping(data.get("roles"), "roles", ROLE_CODES, where),
        regions=_mapping(data.get("regions"), "regions", REGION_CODES, where),
        display_name_claim=text("display_name_claim", "name"),
        job_title_claim=text("job_title_claim") if "job_title_claim" in data else None,
        email_claim=text("email_claim", "email"),
        organisation=_organisation(data, where),
    )


def _organisation(data: dict[str, Any], where: str) -> str | None:
    value = data.get("organisation")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_PROFILE_TEXT or not value.isprintable():
        raise ConfigurationError(
            f"{where}: 'organisation' moet een regel tekst van hoogstens {MAX_PROFILE_TEXT} tekens zijn"
        )
    return " ".join(value.split())


def _mapping(table: object, key: str, allowed: frozenset[str], where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(table, dict) or not table:
        raise ConfigurationError(f"{where}: de tabel [{key}] ontbreekt of is leeg")
    mapping: dict[str, tuple[str, ...]] = {}
    for value, codes in table.items():
        listed = [codes] if isinstance(codes, str) else codes
        if not isinstance(listed, list) or not listed or not all(isinstance(c, str) for c in listed):
            raise ConfigurationError(f"{where}: [{key}] '{value}' moet een code of een lijst met codes zijn")
        unknown = sorted(set(listed) - allowed)
        if unknown:
            raise ConfigurationError(
                f"{where}: [{key}] '{value}' noemt onbekende code {', '.join(unknown)}; "
                f"kies uit {', '.join(sorted(allowed))}"
            )
        mapping[value] = tuple(sorted(set(listed)))
    return mapping


class SsoRefused(ThvError):
    """The provider vouched for someone this application cannot let in (the message says why, in Dutch)."""

    status = 403


def subject_key(issuer: str, subject: str) -> str:
    """What the log names a subject by: a hash, so the log holds no identifier of a person."""
    return hashlib.sha256(f"{issuer}#{subject}".encode()).hexdigest()[:12]


def sign_in(session: Session, config: SsoConfig, claims: Mapping[str, Any], now: datetime) -> User:
    """The user for the verified ID token ``claims``: found by subject, or created; roles and regions set anew."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise _refused(config, "?", "geen geldig subject", "Het inlogbewijs van de organisatie noemt geen persoon.")
    bound = f"{config.issuer}#{subject}"
    roles = _codes(config, claims, config.role_claim, config.roles, "rol", subject)
    regions = _codes(config, claims, config.region_claim, config.regions, "regio", subject)
    name = claims.get(config.name_claim)
    if not isinstance(name, str) or not valid_name(name.lower()):
        raise _refused(
            config,
            subject,
            f"claim {config.name_claim} ontbreekt of is geen geldige gebruikersnaam",
            f"Het inlogbewijs geeft geen bruikbare gebruikersnaam (claim '{config.name_claim}'). "
            "Vraag de beheerder van je organisatie dit na te kijken.",
        )
    name = name.lower()
    profile = _profile(config, claims)
    email = _email(config, claims)

    def work() -> User | SsoRefused:
        user = session.scalars(select(User).where(User.sso_subject == bound).with_for_update()).first()
        if user is None:
            if session.scalars(select(User.id).where(User.name == name)).first() is not None:
                return _refused(
                    config,
                    subject,
                    "naam al in gebruik door een ander account",
                    f"De gebruikersnaam '{name}' hoort al bij een ander account van deze toepassing. "
                    "Vraag de beheerder de accounts samen te voegen of de naam bij de organisatie te wijzigen.",
                )
            user = User(name=name, password_hash=NO_PASSWORD, active=True, created_at=now, sso_subject=bound)
            session.add(user)
            log.info("sso: account aangemaakt (subject %s…)", subject_key(config.issuer, subject))
        elif not user.active:
            return _refused(config, subject, "account uitgeschakeld", "Je account in deze toepassing is uitgeschakeld.")
        user.roles_csv, user.regions_csv = ",".join(roles), ",".join(regions)
        if user.email is None:  # an address the user or the beheerder chose is kept
            user.email = email
        user.display_name, user.job_title, user.organisation = (
            profile.display_name,
            profile.job_title,
            profile.organisation,
        )
        return user

    result = in_transaction(session, work)
    if isinstance(result, SsoRefused):
        raise result
    return result


def _profile(config: SsoConfig, claims: Mapping[str, Any]) -> Profile:
    """The person as the provider names them; a claim that is no usable text is left out, not refused."""

    def claim(name: str | None) -> str | None:
        value = claims.get(name) if name else None
        return value[:MAX_PROFILE_TEXT] if isinstance(value, str) else None

    try:
        return checked_profile(
            Profile(claim(config.display_name_claim), claim(config.job_title_claim), config.organisation)
        )
    except InvalidInput:
        return Profile(organisation=config.organisation)


def _email(config: SsoConfig, claims: Mapping[str, Any]) -> str | None:
    """The address the provider vouches for; one it marks unverified (``email_verified`` false), or that is no
    valid address, is left out, not refused: mails are a convenience, logging in is not."""
    value = claims.get(config.email_claim)
    if claims.get("email_verified") is False or not isinstance(value, str):
        return None
    try:
        return checked_email(value)
    except InvalidInput:
        return None


def _codes(
    config: SsoConfig,
    claims: Mapping[str, Any],
    claim: str,
    mapping: Mapping[str, tuple[str, ...]],
    what: str,
    subject: str,
) -> list[str]:
    value = claims.get(claim)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or len(values) > MAX_CLAIM_VALUES:
        raise _refused(
            config,
            subject,
            f"claim {claim} ontbreekt",
            f"Je account bij {config.label} geeft geen {what} voor deze toepassing (claim '{claim}'). "
            "Vraag de beheerder van je organisatie je die toe te kennen.",
        )
    unknown = sorted({str(v)[:80] for v in values if not isinstance(v, str) or v not in mapping})
    if unknown:
        raise _refused(
            config,
            subject,
            f"{len(unknown)} onbekende waarde(n) in claim {claim}",  # the values stay out of the log
            f"Onbekende waarde in claim '{claim}': {', '.join(unknown)}. Deze toepassing kent die {what} niet; "
            "vraag de beheerder de koppeling in de SSO-configuratie aan te vullen.",
        )
    return sorted({code for v in values for code in mapping[v]})


def _refused(config: SsoConfig, subject: str, reason: str, message: str) -> SsoRefused:
    log.warning("sso geweigerd: %s (subject %s…)", reason, subject_key(config.issuer, subject))
    return SsoRefused(message)

"""Personal API tokens: created and revoked by their owner, shown once, stored as a sha256 hash.

A token is ``thv_`` followed by 43 random URL-safe characters (256 bits), so a
plain sha256 is enough: there is nothing to guess or look up in a dictionary.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.errors import InvalidInput, NotFound
from engine.storage.tables import ApiToken, User
from engine.storage.transaction import in_transaction

TOKEN_PREFIX = "thv_"
MAX_TOKENS_PER_USER = 20
MAX_NAME = 80
LAST_USED_RESOLUTION = timedelta(hours=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenView(TypedDict):
    """An API token as its owner sees it on the account page: never the secret, only its prefix.

    ``state`` is ``actief``, ``verlopen`` or ``ingetrokken`` (shown in Dutch); instants are ISO 8601 in UTC.
    """

    id: int
    name: str
    prefix: str
    state: str
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None


def token_view(token: ApiToken, now: datetime) -> TokenView:
    expired = token.expires_at is not None and token.expires_at <= now
    state = "ingetrokken" if token.revoked_at else "verlopen" if expired else "actief"
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "state": state,
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
    }


def create_token(
    session: Session, user: User, *, name: str, now: datetime, expires_at: datetime | None = None
) -> tuple[TokenView, str]:
    """Create a token for ``user``; returns its description and the secret (shown only now)."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise InvalidInput(f"geef het token een naam van 1 tot {MAX_NAME} tekens")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInput("de vervaldatum heeft geen tijdzone")
        if expires_at <= now:
            raise InvalidInput("de vervaldatum moet in de toekomst liggen")
    active = [t for t in _tokens(session, user) if t.revoked_at is None]
    if len(active) >= MAX_TOKENS_PER_USER:
        raise InvalidInput(f"je hebt al {MAX_TOKENS_PER_USER} tokens; trek er eerst een in")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=_hash(secret), prefix=secret[:10], created_at=now, expires_at=expires_at
    )
    in_transaction(session, lambda: session.add(token))
    return token_view(token, now), secret


def _tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def list_tokens(session: Session, user: User, now: datetime) -> list[TokenView]:
    """The user's own tokens, newest first (never the secrets: they are not stored)."""
    return [token_view(t, now) for t in reversed(_tokens(session, user))]


def revoke_token(session: Session, user: User, token_id: int, now: datetime) -> None:
    """Revoke one of the user's own tokens; someone else's token does not exist for them."""

    def work() -> None:
        token = session.get(ApiToken, token_id)
        if token is None or token.user_id != user.id:
            raise NotFound(f"token {token_id} bestaat niet")
        if token.revoked_at is None:
            token.revoked_at = now

    in_transaction(session, work)


def authenticate_token(session: Session, secret: str, now: datetime) -> User | None:
    """The active user a token belongs to, or None when it is unknown, revoked or expired."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    # One query for token and user: every API request pays it.
    found = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == _hash(secret))
    ).first()
    if found is None:
        return None
    token, user = found
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:

        def touch() -> None:
            token.last_used_at = now  # at most one write per token per hour

        in_transaction(session, touch)
    return user

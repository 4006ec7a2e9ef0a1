"""Single sign-on with OpenID Connect (Authlib's Flask client), beside the local accounts.

Authlib does the protocol: the redirect with state, nonce and PKCE (S256), the code exchange
with the client secret, and the ID token's checks (signature against the provider's JWKS,
issuer, audience, expiry, nonce). The engine (engine.accounts.sso) turns the verified claims
into a user. A forged or broken answer gets one Dutch line and a log line without personal
data; nothing is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import JoseError

from engine.accounts import sso
from engine.base.errors import ThvError
from engine.base.settings import Settings
from web.extensions import db_session, limiter, thv
from web.views.auth import ADDRESS_LIMIT, failed_response, login_page, safe_next, start_session

log = logging.getLogger(__name__)
bp = Blueprint("sso", __name__)
TIMEOUT_SECONDS = 10  # a provider that does not answer must not hold a web worker
NEXT = "thv_sso_next"


@dataclass(frozen=True)
class SsoClient:
    config: sso.SsoConfig
    oauth: OAuth

    @property
    def provider(self):  # Authlib's FlaskOAuth2App (untyped)
        return self.oauth.create_client("provider")


def init_app(app: Flask, settings: Settings) -> None:
    """Register the provider of ``THV_OIDC_CONFIG``, if any (the login page then offers it)."""
    if settings.oidc_config is None:
        return
    config = sso.load_sso_config(settings.oidc_config, settings.oidc_client_secret)
    oauth = OAuth(app)
    oauth.register(
        "provider",
        client_id=config.client_id,
        client_secret=config.client_secret,
        server_metadata_url=config.metadata_url,
        client_kwargs={"scope": " ".join(config.scopes), "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS},
    )
    app.extensions["thv_sso"] = SsoClient(config, oauth)


def _client() -> SsoClient:
    client = current_app.extensions.get("thv_sso")
    if client is None:
        abort(404)
    return client


@bp.get("/inloggen/sso")
def start() -> ResponseReturnValue:
    """Send the browser to the provider, with a fresh state, nonce and PKCE verifier in the session."""
    client = _client()
    if current_user.is_authenticated:
        return redirect(url_for("worklist.index"))
    session[NEXT] = safe_next(request.args.get("next"))
    try:
        return client.provider.authorize_redirect(url_for("sso.callback", _external=True))
    except (requests.RequestException, AuthlibBaseError, ValueError, KeyError) as exc:
        log.warning("sso: aanbieder niet bereikbaar of onbruikbaar (%s)", exc.__class__.__name__)
        return _refused(
            _("Inloggen via %(label)s lukt nu niet: de aanbieder antwoordt niet.", label=client.config.label), 503
        )


@bp.get("/inloggen/sso/terug")
@limiter.limit(ADDRESS_LIMIT, deduct_when=failed_response)
def callback() -> ResponseReturnValue:
    """The provider's answer: exchange the code, verify the ID token, and log the user in."""
    client = _client()
    if current_user.is_authenticated:  # a replayed or foreign answer never switches a logged-in user
        return redirect(url_for("worklist.index"))
    label = client.config.label
    try:
        token = client.provider.authorize_access_token()
    except requests.RequestException as exc:
        log.warning("sso: tokenaanvraag mislukt (%s)", exc.__class__.__name__)
        return _refused(_("Inloggen via %(label)s lukt nu niet: de aanbieder antwoordt niet.", label=label), 503)
    except AuthlibBaseError as exc:  # an error answer, a state that is not ours, a refused code
        log.warning("sso geweigerd: antwoord van de aanbieder (%s)", getattr(exc, "error", None) or "onbekend")
        if getattr(exc, "error", None) == "access_denied":
            return _refused(_("Inloggen bij %(label)s is geweigerd of afgebroken.", label=label), 401)
        return _refused(
            _("Het antwoord van %(label)s hoort niet bij deze inlogpoging. Log opnieuw in.", label=label), 401
        )
    except JoseError as exc:  # a bad signature, or the wrong issuer, audience, nonce or an expired token
        log.warning("sso geweigerd: ongeldig ID-token (%s)", exc.error)
        return _refused(_("Het inlogbewijs van %(label)s is ongeldig. Log opnieuw in.", label=label), 401)
    claims = token.get("userinfo")
    if not claims:
        log.warning("sso geweigerd: antwoord zonder ID-token")
        return _refused(_("Het inlogbewijs van %(label)s is ongeldig. Log opnieuw in.", label=label), 401)
    try:
        user = sso.sign_in(db_session(), client.config, claims, thv.ctx.clock.now())
    except ThvError as exc:
        return _refused(exc.message, exc.status)
    target = safe_next(session.pop(NEXT, None))
    start_session(user)
    return redirect(target)


def _refused(message: str, status: int) -> ResponseReturnValue:
    session.pop(NEXT, None)
    return login_page(message, "", status)

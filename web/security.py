"""Session cookies and response headers that every page gets."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


HSTS = "max-age=31536000; includeSubDomains"


def configure(app: Flask) -> None:
    """Cookies: HttpOnly and SameSite=Lax always; Secure and HSTS in production (served over HTTPS).

    The ``THV_SECURE_COOKIES`` setting (environment, put in the config by ``create_app``;
    tests may set the config key) forces it either way, for example behind a
    TLS-terminating proxy in a training environment.
    """
    insecure = app.debug or app.testing or app.config["THV_MODE"] != "production"
    secure = app.config.get("THV_SECURE_COOKIES", not insecure)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(secure),
        SESSION_COOKIE_NAME="thv_sessie",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=bool(secure),
        WTF_CSRF_TIME_LIMIT=12 * 3600,
    )

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        if secure:  # served over HTTPS: browsers must never try plain HTTP again
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

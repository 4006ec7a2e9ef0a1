"""Engine errors and HTTP errors: JSON ``{error, detail, fields}`` for the API, a Dutch page for people.

Never a 500 for bad input: every engine refusal carries its own status (400,
403, 404, 409, 422); anything unexpected is logged, rolled back and answered
with a page that says nothing changed.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.base.errors import DeployRefused, FormInvalid, ThvError
from engine.storage.db import DATABASE_UNAVAILABLE
from engine.storage.transaction import discard
from engine.workflow.need_to_know import NeedToKnow
from web.extensions import db_session

_CODES = {
    400: "ongeldig_verzoek",
    401: "niet_aangemeld",
    403: "geen_toegang",
    404: "niet_gevonden",
    405: "methode_niet_toegestaan",
    409: "conflict",
    413: "te_groot",
    415: "verkeerd_formaat",
    422: "ongeldige_gegevens",
    500: "interne_fout",
    503: "niet_beschikbaar",
}


def error_response(status: int, detail: str, fields: dict | None = None):
    response = jsonify(error=_CODES.get(status, "fout"), detail=detail, fields=fields or {})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="thv"'
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.blueprint == "api"


def _titles() -> dict[int, str]:
    return {
        400: _("Dit verzoek klopt niet"),
        401: _("Log eerst in"),
        403: _("Geen toegang"),
        404: _("Niet gevonden"),
        405: _("Dat kan hier niet"),
        409: _("De zaak is intussen veranderd"),
        413: _("Te veel gegevens"),
        415: _("Verkeerd formaat"),
        422: _("De gegevens kloppen niet"),
        503: _("Tijdelijk niet beschikbaar"),
    }


def error_page(status: int, detail: str, fields: dict | None = None):
    if _wants_json():
        return error_response(status, detail, fields)
    title = _titles().get(status, _("Er ging iets mis"))
    return render_template("errors/error.html", status=status, title=title, detail=detail, fields=fields or {}), status


def _discard_quietly() -> None:
    """Drop what the failed request did; with the database gone even the rollback may fail, which changes nothing."""
    try:
        discard(db_session())
    except DATABASE_UNAVAILABLE:
        pass


def register(app: Flask) -> None:
    @app.errorhandler(ThvError)
    def _engine_error(exc: ThvError):
        _discard_quietly()
        if isinstance(exc, NeedToKnow) and not _wants_json():
            # Offer to break the glass: a reason, recorded and shown to the burgemeester's office.
            return render_template("cases/need_to_know.html", case_id=exc.case_id, detail=exc.message), 403
        fields = exc.fields if isinstance(exc, FormInvalid) else None
        if isinstance(exc, DeployRefused):
            fields = {str(i): str(f) for i, f in enumerate(exc.findings)}
        status = exc.status if exc.status != 500 else 503
        return error_page(status, exc.message, fields)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        return error_page(
            400,
            _(
                "Het formulier is verlopen of niet van deze site (CSRF). Laad de pagina opnieuw "
                "en probeer het nog eens; er is niets gewijzigd."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code == 413:
            return error_page(413, _("Het verzoek is te groot; er is niets gewijzigd."))
        if exc.code == 429:
            response = app.make_response(
                error_page(
                    429, _("Te veel mislukte pogingen vanaf dit adres. Wacht een minuut en probeer het opnieuw.")
                )
            )
            response.headers.setdefault("Retry-After", "60")
            return response
        return error_page(exc.code or 500, exc.description or exc.name)

    def _database_unavailable(exc: Exception):
        # The database is unreachable (restart, failover, network): nothing was stored (the transaction
        # never committed) and the next request tries a fresh connection (pool_pre_ping).
        _discard_quietly()
        app.logger.warning("database niet bereikbaar: %s", type(exc).__name__)
        response = error_page(
            503, _("De database is even niet bereikbaar; er is niets gewijzigd. Probeer het over een minuut opnieuw.")
        )
        response = app.make_response(response)
        response.headers["Retry-After"] = "30"
        return response

    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, _database_unavailable)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        _discard_quietly()
        app.logger.exception("onverwachte fout")
        return error_page(500, _("Er ging iets mis aan onze kant; de zaak is niet gewijzigd."))

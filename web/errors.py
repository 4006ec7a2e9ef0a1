"""Engine errors and HTTP errors as JSON ``{error, detail, fields}``; never a 500 for bad input."""
from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from engine.errors import DeployRefused, FormInvalid, ThvError
from web.extensions import db

_CODES = {400: "ongeldig_verzoek", 401: "niet_aangemeld", 403: "geen_toegang", 404: "niet_gevonden",
          405: "methode_niet_toegestaan", 409: "conflict", 413: "te_groot", 415: "verkeerd_formaat",
          422: "ongeldige_gegevens", 500: "interne_fout"}


def error_response(status: int, detail: str, fields: dict | None = None):
    response = jsonify(error=_CODES.get(status, "fout"), detail=detail, fields=fields or {})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="thv"'
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ThvError)
    def _engine_error(exc: ThvError):
        db.session.rollback()
        fields = exc.fields if isinstance(exc, FormInvalid) else None
        if isinstance(exc, DeployRefused):
            fields = {str(i): str(f) for i, f in enumerate(exc.findings)}
        status = exc.status if exc.status != 500 else 503
        return error_response(status, exc.message, fields)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return error_response(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        db.session.rollback()
        app.logger.exception("onverwachte fout")
        return error_response(500, "Er ging iets mis aan onze kant; de zaak is niet gewijzigd.")

"""HTTP responses for documents (PDF downloads, the stored HTML for printing) and their JSON shape in the API."""

from __future__ import annotations

from typing import Any

from flask import Response

# The stored document is self-contained HTML (engine.documents.templates): no scripts, no fetches.
# It may be framed only by our own print page, which holds the print button.
PRINT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'self'"
)


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF as a download (never shown inline by the browser from our origin)."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def stored_html_response(html: str, filename: str) -> Response:
    """The stored HTML of a document, under a CSP that allows nothing but its own inline style."""
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = PRINT_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the API's shape (English keys, as the request bodies) ------------------------------------------


def api_service_record(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["id"],
        "document_id": record["document_id"],
        "recipient_name": record["ontvanger"],
        "recipient_role": record["rol"],
        "method": record["wijze"],
        "method_label": record["wijze_naam"],
        "proof": record["bewijs"],
        "served_at": record["uitgereikt_op"],
        "recorded_at": record["vastgelegd_op"],
        "recorded_by": record["vastgelegd_door"],
        "recorded_role": record["vastgelegd_als"],
        "note": record["toelichting"],
    }


def api_document(entry: dict[str, Any], case_id: int) -> dict[str, Any]:
    """An entry of engine.documents.service.documents_of_case as the API shows it."""
    return {
        "id": entry["id"],
        "case_id": case_id,
        "kind": entry["soort"],
        "title": entry["titel"],
        "version": entry["versie"],
        "current": entry["actueel"],
        "template_version": entry["sjabloonversie"],
        "generated_at": entry["gemaakt_op"],
        "generated_by": entry["gemaakt_door"],
        "generated_role": entry["gemaakt_als"],
        "sha256": entry["sha256"],
        "pdf_sha256": entry["pdf_sha256"],
        "served_to": entry["uitgereikt_aan"],
        "service": [api_service_record(r) for r in entry["uitreikingen"]],
        "pdf": f"/api/v1/documents/{entry['id']}/pdf",
    }


def _api_decision_status(part: dict[str, Any]) -> dict[str, Any]:
    shaped = {
        "document_id": part["document_id"],
        "version": part["versie"],
        "served": part["betekend"],
        "proof": api_service_record(part["bewijs"]) if part["bewijs"] else None,
        "service": [api_service_record(r) for r in part["uitreikingen"]],
    }
    if "nodig" in part:
        shaped.update(needed=part["nodig"], current=part["actueel"])
    return shaped


def api_service_status(status: dict[str, Any]) -> dict[str, Any]:
    """engine.documents.service.service_status as the API shows it."""
    return {
        "served": status["betekend"],
        "reasons": status["redenen"],
        "beschikking": _api_decision_status(status["beschikking"]),
        "verlengingsbeschikking": _api_decision_status(status["verlengingsbeschikking"]),
    }

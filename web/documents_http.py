"""HTTP responses for documents (PDF downloads, the stored HTML for printing) and their JSON shape in the API."""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.documents.read_models import DocumentVersion

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


# --- the API's shape: the engine's read models (engine.documents.read_models) as JSON, plus links -----


def api_document(document: DocumentVersion) -> dict[str, Any]:
    """A document version as the API shows it: the read model and the link to its PDF."""
    return {**document.to_json(), "pdf": f"/api/v1/documents/{document.id}/pdf"}

"""Helpers of the document tests of the web layer: make and serve documents as a user, read PDFs."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader

from tests.web.conftest import Api, bearer, login, post_form


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF with runs of whitespace made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def make_via_api(api: Api, user: str, case_id: int, kind: str, **body: Any) -> dict:
    response = api.client.post(
        f"/api/v1/cases/{case_id}/documents", json={"kind": kind, **body}, headers=bearer(api.tokens[user])
    )
    assert response.status_code == 201, response.json
    return response.json


def serve_via_api(api: Api, user: str, document_id: int, **body: Any):
    body = {
        "recipient_role": "uithuisgeplaatste",
        "method": "in_persoon_getekend",
        "served_at": "2026-02-02T21:15:00+01:00",
        **body,
    }
    return api.client.post(f"/api/v1/documents/{document_id}/service", json=body, headers=bearer(api.tokens[user]))


def make_via_web(client, user: str, case_id: int, kind: str, data: dict[str, str] | None = None):
    login(client, user)
    return post_form(client, f"/zaken/{case_id}/documenten/{kind}", data, page=f"/zaken/{case_id}")


def serve_via_web(client, user: str, document_id: int, case_id: int, **fields: str):
    """Post the service form as ``user``; defaults: the uithuisgeplaatste, in person, signed, now."""
    login(client, user)
    data = {
        "ontvanger_rol": "uithuisgeplaatste",
        "ontvanger_naam": "",
        "wijze": "in_persoon_getekend",
        "uitgereikt_op": "2026-02-02T21:15",
        "toelichting": "",
        **fields,
    }
    return post_form(client, f"/documenten/{document_id}/uitreiking", data, page=f"/zaken/{case_id}")


def field_error(html: str, field_id: str) -> str | None:
    """The error shown next to the field with this id, or None."""
    match = re.search(
        rf'<div class="utrecht-form-field-error-message" id="{re.escape(field_id)}-error" role="alert">([^<]*)</div>',
        html,
    )
    return match.group(1) if match else None


def section(html: str, testid: str) -> str:
    """The element with ``data-testid=testid`` up to the end of the page (enough for 'in' checks)."""
    start = html.find(f'data-testid="{testid}"')
    assert start >= 0, f"no {testid} on the page"
    return html[start:]

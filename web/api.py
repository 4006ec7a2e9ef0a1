"""JSON API under /api/v1, described in web/openapi.json (served at /api/v1/openapi.json).

Authentication: a personal API token as ``Authorization: Bearer thv_…`` (created
and revoked by the user on the account page). The API has no cookie login, so
it needs no CSRF token. Views turn requests into engine calls; the engine
checks roles, regions and visibility, and commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, Literal, overload

from flask import Blueprint, Response, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from engine.accounts import api_tokens
from engine.base.errors import InvalidInput, ThvError
from engine.cases import case_search, case_view
from engine.cases import operations as cases
from engine.documents import generation as documents
from engine.documents import service, service_view
from engine.documents.dossier import export_dossier
from engine.documents.generation import MissingParts
from engine.workflow import worklist, worklist_pages
from web.documents_forms import readable_instant
from web.documents_http import api_document, pdf_response
from web.errors import error_response
from web.extensions import csrf, db_session, thv

bp = Blueprint("api", __name__, url_prefix="/api/v1")
API_PER_PAGE = 100  # tasks per page when the client does not say (at most worklist_pages.MAX_PER_PAGE)
csrf.exempt(bp)
OPENAPI = Path(__file__).parent / "openapi.json"


class UnsupportedMediaType(ThvError):
    status = 415


def token_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        auth = request.headers.get("Authorization", "")
        scheme, _, secret = auth.partition(" ")
        user = None
        if scheme.lower() == "bearer" and secret.strip():
            user = api_tokens.authenticate_token(db_session(), secret.strip(), thv.ctx.clock.now())
        if user is None:
            return error_response(401, "Stuur een geldig persoonlijk API-token: Authorization: Bearer <token>.")
        g.user = user
        return view(*args, **kwargs)

    return wrapped


def _json_body() -> dict[str, Any]:
    if not request.is_json:
        raise UnsupportedMediaType("stuur JSON met Content-Type: application/json")
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise InvalidInput("de JSON is te diep genest") from None
    if not isinstance(body, dict):
        raise InvalidInput("de body moet een JSON-object zijn")
    return body


def _allowed(body: dict[str, Any], *names: str) -> None:
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise InvalidInput(f"onbekende velden: {', '.join(unknown)}")


@overload
def _text(body: dict[str, Any], name: str, required: Literal[True]) -> str: ...
@overload
def _text(body: dict[str, Any], name: str, required: bool = False) -> str | None: ...
def _text(body: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{name} moet tekst zijn" if value is not None else f"geef {name} op")
    return value


def _optional_text(body: dict[str, Any], name: str) -> str | None:
    """An optional text field: absent, null and "" are all None."""
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} moet tekst zijn")
    return value


def _query_int(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise InvalidInput(f"{name} moet een geheel getal zijn")
    return int(raw)


def _query_int_or(name: str, default: int) -> int:
    value = _query_int(name)
    return default if value is None else value


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return Response(OPENAPI.read_text(encoding="utf-8"), mimetype="application/json")


@bp.get("/me")
@token_required
def me() -> ResponseReturnValue:
    return jsonify(name=g.user.name, roles=sorted(g.user.roles), regions=sorted(g.user.regions))


@bp.get("/tasks")
@token_required
def my_tasks() -> ResponseReturnValue:
    """A page of the worklist; the total is in X-Total-Count, the neighbouring pages in Link (RFC 8288)."""
    page = worklist_pages.task_page(
        db_session(),
        page=_query_int_or("page", 1),
        per_page=_query_int_or("per_page", API_PER_PAGE),
        user=g.user,
        case_id=_query_int("case"),
        element=request.args.get("step") or None,
        due=request.args.get("due") or None,
        now=thv.ctx.clock.now(),
        claimed=request.args.get("claimed") or None,
    )
    response = jsonify(page.rows)
    response.headers["X-Total-Count"] = str(page.total)
    links = []
    for rel, number, show in (("prev", page.page - 1, page.has_previous), ("next", page.page + 1, page.has_next)):
        if show:
            args: dict[str, Any] = {**request.args.to_dict(), "page": number, "per_page": page.per_page}
            links.append(f'<{url_for("api.my_tasks", **args)}>; rel="{rel}"')
    if links:
        response.headers["Link"] = ", ".join(links)
    return response


@bp.get("/tasks/<task_id>")
@token_required
def get_task(task_id: str) -> ResponseReturnValue:
    page = case_view.task_page(db_session(), thv.ctx.registry, task_id, g.user, thv.ctx.clock.now())
    return jsonify({**page.task, "form_schema": page.schema, "instructions": page.instructions, "case": page.case})


@bp.post("/tasks/<task_id>/complete")
@token_required
def complete_task(task_id: str) -> ResponseReturnValue:
    body = _json_body()
    _allowed(body, "data", "case_version")
    version = body.get("case_version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput("case_version moet een geheel getal zijn")
    completion = cases.complete_task(
        db_session(),
        thv.ctx.registry,
        thv.ctx.clock,
        task_id=task_id,
        data=body.get("data"),
        user=g.user,
        expected_version=version,
        respect_claims=True,
    )
    return jsonify(completion)


@bp.post("/tasks/<task_id>/claim")
@token_required
def claim_task(task_id: str) -> ResponseReturnValue:
    return jsonify(worklist.claim_task(db_session(), task_id, user=g.user, now=thv.ctx.clock.now()))


@bp.post("/tasks/<task_id>/release")
@token_required
def release_task(task_id: str) -> ResponseReturnValue:
    return jsonify(worklist.release_task(db_session(), task_id, user=g.user, now=thv.ctx.clock.now()))


@bp.get("/start-options")
@token_required
def start_options() -> ResponseReturnValue:
    return jsonify(case_view.startable_variants(db_session(), thv.ctx.registry, g.user))


@bp.post("/cases")
@token_required
def start_case() -> ResponseReturnValue:
    body = _json_body()
    _allowed(body, "region", "variant", "data", "role")
    region = _text(body, "region", required=True)
    started = cases.start_case_answer(
        db_session(),
        thv.ctx.registry,
        thv.ctx.clock,
        region=region,
        variant=_text(body, "variant"),
        data=body.get("data"),
        user=g.user,
        role=_text(body, "role"),
    )
    return jsonify(started), 201


@bp.get("/cases")
@token_required
def find_cases() -> ResponseReturnValue:
    """The cases the user may see that match ``q`` (number, address or name); the total in X-Total-Count."""
    found = case_search.search_cases(
        db_session(),
        g.user,
        thv.ctx.clock.now(),
        q=request.args.get("q"),
        status=request.args.get("status") or None,
        variant=request.args.get("variant") or None,
        ban_end=case_search.BanEndRange.from_text(request.args.get("ban_end_from"), request.args.get("ban_end_to")),
        page=_query_int_or("page", 1),
        per_page=_query_int_or("per_page", case_search.PER_PAGE),
    )
    response = jsonify([case_search.case_hit(hit) for hit in found.hits])
    response.headers["X-Total-Count"] = str(found.total)
    return response


@bp.get("/cases/<id:case_id>")
@token_required
def get_case(case_id: int) -> ResponseReturnValue:
    return jsonify(case_view.case_for_user(db_session(), thv.ctx.registry, case_id, g.user, thv.ctx.clock.now()))


@bp.get("/cases/<id:case_id>/messages")
@token_required
def waiting_messages(case_id: int) -> ResponseReturnValue:
    return jsonify(case_view.waiting_events(db_session(), thv.ctx.registry, case_id, g.user))


@bp.post("/cases/<id:case_id>/messages")
@token_required
def send_message(case_id: int) -> ResponseReturnValue:
    body = _json_body()
    _allowed(body, "message", "data")
    message = _text(body, "message", required=True)
    cases.send_message(
        db_session(),
        thv.ctx.registry,
        thv.ctx.clock,
        case_id=case_id,
        message=message,
        data=body.get("data"),
        user=g.user,
    )
    return jsonify(status="afgeleverd")


# --- documents and their service ----------------------------------------------------------


@bp.get("/cases/<id:case_id>/documents")
@token_required
def case_documents(case_id: int) -> ResponseReturnValue:
    return jsonify(
        [api_document(d) for d in service.documents_of_case(db_session(), case_id, g.user, thv.ctx.clock.now())]
    )


@bp.post("/cases/<id:case_id>/documents")
@token_required
def make_document(case_id: int) -> ResponseReturnValue:
    body = _json_body()
    _allowed(body, "kind", "inputs", "role")
    kind = _text(body, "kind", required=True)
    try:
        made = documents.generate_document(
            db_session(),
            thv.ctx.registry,
            thv.ctx.clock,
            case_id,
            kind,
            g.user,
            role=_optional_text(body, "role"),
            inputs=body.get("inputs"),
        )
    except MissingParts as exc:
        return error_response(422, exc.message, exc.missing)
    return jsonify(api_document(service_view.document_detail(db_session(), made.id, g.user, thv.ctx.clock.now()))), 201


@bp.get("/cases/<id:case_id>/service-status")
@token_required
def service_status(case_id: int) -> ResponseReturnValue:
    return jsonify(service.service_status(db_session(), case_id, g.user, thv.ctx.clock.now()).to_json())


@bp.get("/cases/<id:case_id>/dossier")
@token_required
def dossier(case_id: int) -> ResponseReturnValue:
    exported = export_dossier(db_session(), thv.ctx.registry, thv.ctx.clock, case_id, g.user)
    return pdf_response(exported.pdf, exported.filename)


@bp.get("/documents/<id:document_id>")
@token_required
def get_document(document_id: int) -> ResponseReturnValue:
    return jsonify(api_document(service_view.document_detail(db_session(), document_id, g.user, thv.ctx.clock.now())))


@bp.get("/documents/<id:document_id>/pdf")
@token_required
def document_pdf(document_id: int) -> ResponseReturnValue:
    document = documents.get_document(
        db_session(), document_id, g.user, thv.ctx.clock.now(), purpose="document_downloaden"
    )
    return pdf_response(document.pdf, documents.filename(document))


@bp.post("/documents/<id:document_id>/service")
@token_required
def record_service(document_id: int) -> ResponseReturnValue:
    body = _json_body()
    _allowed(body, "recipient_role", "recipient_name", "method", "served_at", "note", "role")
    served_at = _text(body, "served_at", required=True)
    if not readable_instant(served_at):
        raise InvalidInput("served_at moet een datum en tijd zijn (ISO 8601)")
    record = service.record_service(
        db_session(),
        thv.ctx.clock,
        document_id=document_id,
        recipient_role=_text(body, "recipient_role", required=True),
        method=_text(body, "method", required=True),
        served_at=served_at,
        user=g.user,
        recipient_name=_optional_text(body, "recipient_name"),
        note=_optional_text(body, "note"),
        role=_optional_text(body, "role"),
    )
    return jsonify(service.service_record(record).to_json()), 201


def openapi_document() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))

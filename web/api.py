"""JSON API under /api/v1. Views turn requests into engine calls; the engine commits.

Authentication is HTTP Basic against the local accounts for now; personal API
tokens replace it with the caseworker front end.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Blueprint, g, jsonify, request

from engine import cases, users, worklist
from engine.errors import InvalidInput
from engine.models import User
from web.errors import error_response
from web.extensions import db, thv

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _current_user() -> User | None:
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username or auth.password is None:
        return None
    return users.authenticate(db.session, auth.username, auth.password)


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(*args, **kwargs):
        user = _current_user()
        if user is None:
            return error_response(401, "Meld je aan met je gebruikersnaam en wachtwoord.")
        g.user = user
        return view(*args, **kwargs)
    return wrapped


def _json_body() -> dict[str, Any]:
    if not request.is_json:
        raise InvalidInput("stuur JSON met Content-Type: application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("de body moet een JSON-object zijn")
    return body


def _allowed(body: dict[str, Any], *names: str) -> None:
    unknown = sorted(set(body) - set(names))
    if unknown:
        raise InvalidInput(f"onbekende velden: {', '.join(unknown)}")


@bp.get("/tasks")
@login_required
def my_tasks():
    case_id = request.args.get("case", type=int)
    return jsonify(worklist.list_tasks(db.session, case_id=case_id, user=g.user))


@bp.get("/cases/<int:case_id>")
@login_required
def get_case(case_id: int):
    return jsonify(cases.case_details(db.session, thv.ctx.registry, case_id, regions=g.user.regions))


@bp.post("/cases")
@login_required
def start_case():
    body = _json_body()
    _allowed(body, "region", "variant", "data", "role")
    region = body.get("region")
    if not isinstance(region, str):
        raise InvalidInput("geef de regio op (region)")
    variant = body.get("variant")
    if variant is not None and not isinstance(variant, str):
        raise InvalidInput("variant moet tekst zijn")
    role = body.get("role")
    if role is not None and not isinstance(role, str):
        raise InvalidInput("role moet tekst zijn")
    case_id = cases.start_case(db.session, thv.ctx.registry, thv.ctx.clock, region=region, variant=variant,
                               data=body.get("data"), user=g.user, role=role)
    return jsonify(id=case_id), 201


@bp.post("/tasks/<task_id>/complete")
@login_required
def complete_task(task_id: str):
    body = _json_body()
    _allowed(body, "data", "case_version")
    version = body.get("case_version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise InvalidInput("case_version moet een geheel getal zijn")
    cases.complete_task(db.session, thv.ctx.registry, thv.ctx.clock, task_id=task_id, data=body.get("data"),
                        user=g.user, expected_version=version)
    return jsonify(status="afgerond")


@bp.post("/cases/<int:case_id>/messages")
@login_required
def send_message(case_id: int):
    body = _json_body()
    _allowed(body, "message", "data")
    message = body.get("message")
    if not isinstance(message, str) or not message:
        raise InvalidInput("geef het bericht op (message)")
    cases.send_message(db.session, thv.ctx.registry, thv.ctx.clock, case_id=case_id, message=message,
                       data=body.get("data"), user=g.user)
    return jsonify(status="afgeleverd")

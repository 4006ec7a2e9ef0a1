"""Every JSON API response in the tests is checked against web/openapi.json, so the spec cannot drift.

``SpecCheckedClient`` is the Flask test client of every app in tests/web (installed by an autouse
fixture in conftest.py): after each request under /api/ it calls :func:`check_response`, which
fails the test unless

* the path and method are an operation of the spec (a request the spec does not describe may only
  be answered with the generic 404 or 405 error),
* the status code is one the operation documents,
* the content type is one the spec gives for that status, with every header it marks required,
* a JSON body validates against the documented schema (``$ref``s resolved, OpenAPI 3.1 dialect,
  formats such as ``date-time`` checked).

The schemas say ``required`` and ``additionalProperties: false`` where the code's shape is fixed,
so an added, renamed or missing field fails the test that produced it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask.testing import FlaskClient
from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from web.api import openapi_document

SPEC_URI = "urn:thv:openapi"
API_PREFIX = "/api/"
# What the app answers for a request that no operation describes (web/errors.py, the API's JSON errors).
OFF_SPEC_STATUSES = {404, 405}


class SpecMismatch(AssertionError):
    """A response that web/openapi.json does not describe."""


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    pointer: str  # JSON pointer of the operation object in the spec
    operation: dict[str, Any]


@cache
def spec() -> dict[str, Any]:
    return openapi_document()


@cache
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec()))


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@cache
def validator(pointer: str) -> OAS31Validator:
    """A validator for the schema at ``pointer`` in the spec; its ``$ref``s resolve against the whole spec."""
    return OAS31Validator({"$ref": f"{SPEC_URI}#{pointer}"}, registry=_registry(), format_checker=oas31_format_checker)


def _at(pointer: str) -> Any:
    """The object at a JSON pointer of the spec."""
    node: Any = spec()
    for token in pointer.lstrip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _base_path() -> str:
    return spec()["servers"][0]["url"]


def _parameter_matches(parameter: dict[str, Any], raw: str) -> bool:
    """Whether a path segment is a valid value of the parameter (an integer parameter must be digits)."""
    schema = parameter.get("schema", {})
    value: Any = raw
    if schema.get("type") == "integer":
        if not raw.isdigit():
            return False
        value = int(raw)
    return OAS31Validator(schema, format_checker=oas31_format_checker).is_valid(value)


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(pattern + "$")


def find_operation(method: str, path: str) -> tuple[str | None, Operation | None]:
    """(the spec path that describes ``path``, its operation for ``method``); None where the spec has none."""
    base = _base_path()
    if not path.startswith(base + "/"):
        return None, None
    relative = path[len(base) :]
    for template, item in spec()["paths"].items():
        match = _template_regex(template).match(relative)
        if match is None:
            continue
        operation = item.get(method.lower())
        # Without an operation for this method, the path's parameters are those of its other operations.
        declared = [
            p
            for op in ([operation] if operation else item.values())
            if isinstance(op, dict)
            for p in op.get("parameters", [])
        ]
        parameters = {p["name"]: p for p in item.get("parameters", []) + declared if p.get("in") == "path"}
        if not all(_parameter_matches(parameters[name], raw) for name, raw in match.groupdict().items()):
            continue
        if operation is None:
            return template, None
        pointer = f"/paths/{_escape(template)}/{method.lower()}"
        return template, Operation(template, method.lower(), pointer, operation)
    return None, None


def _fail(method: str, path: str, status: int, why: str) -> SpecMismatch:
    return SpecMismatch(f"{method} {path} → {status}: {why} (web/openapi.json)")


def _check_off_spec(method: str, path: str, template: str | None, status: int, mimetype: str, body: bytes) -> None:
    """A request no operation describes must get the API's generic 404 or 405 error, nothing else."""
    if status not in OFF_SPEC_STATUSES:
        where = f"{template} has no {method}" if template else "no path of the spec matches"
        raise _fail(method, path, status, f"{where}, so only {sorted(OFF_SPEC_STATUSES)} may answer it")
    _check_json(method, path, status, mimetype, body, "/components/schemas/Error")


def _check_json(method: str, path: str, status: int, mimetype: str, body: bytes, pointer: str | None) -> None:
    if mimetype != "application/json":
        raise _fail(method, path, status, f"content type {mimetype!r}, the spec says application/json")
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise _fail(method, path, status, f"the body is not JSON ({exc})") from None
    if pointer is None:
        return
    error = best_match(validator(pointer).iter_errors(document))
    if error is not None:
        at = "/".join(str(p) for p in error.absolute_path) or "(root)"
        schema_at = "/".join(str(p) for p in error.absolute_schema_path)
        raise _fail(method, path, status, f"body at {at}: {error.message} (schema: {schema_at})")


def check_response(
    method: str, path: str, status: int, mimetype: str, body: bytes, headers: dict[str, str] | None = None
) -> None:
    """Raise :class:`SpecMismatch` unless the spec documents this response to ``method path``."""
    method = method.upper()
    if method == "OPTIONS":  # answered by Flask itself, for every route
        return
    template, operation = find_operation("GET" if method == "HEAD" else method, path)
    if operation is None:
        _check_off_spec(method, path, template, status, mimetype, body)
        return
    responses = operation.operation["responses"]
    documented = responses.get(str(status))
    if documented is None:
        raise _fail(method, path, status, f"{operation.template} {method} documents only {sorted(responses)}")
    response_pointer = f"{operation.pointer}/responses/{status}"
    if "$ref" in documented:  # a shared response of components/responses
        response_pointer = documented["$ref"].removeprefix("#")
        documented = _at(response_pointer)
    present = {name.lower() for name in (headers or {})}
    for name, header in documented.get("headers", {}).items():
        if header.get("required") and name.lower() not in present:
            raise _fail(method, path, status, f"header {name} is required")
    content = documented.get("content")
    if not content:
        if body:
            raise _fail(method, path, status, "the spec documents no body")
        return
    if mimetype not in content:
        raise _fail(method, path, status, f"content type {mimetype!r}, the spec says {sorted(content)}")
    if method == "HEAD":
        return
    media_pointer = f"{response_pointer}/content/{_escape(mimetype)}"
    if mimetype == "application/json":
        schema = content[mimetype].get("schema")
        _check_json(method, path, status, mimetype, body, f"{media_pointer}/schema" if schema else None)
    elif mimetype == "application/pdf" and not body.startswith(b"%PDF-"):
        raise _fail(method, path, status, "the body is not a PDF")


def check_test_response(response: TestResponse) -> None:
    request = response.request
    check_response(
        request.method,
        request.path,
        response.status_code,
        response.mimetype or "",
        response.get_data(),
        dict(response.headers),
    )


class SpecCheckedClient(FlaskClient):
    """The Flask test client, checking every response under /api/ against the spec."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        if response.request.path.startswith(API_PREFIX):
            check_test_response(response)
        return response

"""Every request gets an id (a well-formed ``X-Request-Id`` from the proxy, or a new one), echoed in the
response; one access line per request goes to the log and its duration to the metrics.

The access line holds the method, the Flask endpoint (not the path: paths hold case and task ids
but never names; the query string may hold anything and is left out), the status, the duration
and the user's id. Never a name, a form value or a query string: no personal data in logs.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

from engine.base.log_context import bind_case, request_id
from web import metrics

log = logging.getLogger("thv.access")
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def _start() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if _WELL_FORMED.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    request_id.set(g.request_id)
    bind_case(None)


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a request that failed before our first hook ran
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "onbekend"
    response.headers["X-Request-Id"] = g.request_id
    metrics.observe_request(endpoint, response.status_code, seconds)
    log.info(
        "%s %s %s",
        request.method,
        endpoint,
        response.status_code,
        extra={
            "method": request.method,
            "endpoint": endpoint,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "user_id": _user_id(),
        },
    )
    return response


def _user_id() -> int | None:
    """The acting user's number (never the name): the API's token user or the logged-in person."""
    user = g.get("user")
    if user is None and current_user and current_user.is_authenticated:
        user = current_user.user
    return getattr(user, "id", None)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)

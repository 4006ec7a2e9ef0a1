"""Log lines that say which request and which case they belong to, as JSON in production; no personal data.

The web app sets the request id per request, the engine the case id when it locks a case, the
timer sweep per case it fires; every log record then carries both (``request_id``, ``case_id``).
Only ids go into the context, never names or form data: a log line must not hold personal data.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str | None] = ContextVar("thv_request_id", default=None)
case_id: ContextVar[int | None] = ContextVar("thv_case_id", default=None)


def bind_case(value: int | None) -> None:
    """The case the current request or sweep step works on, for its log lines."""
    case_id.set(value)


class ContextFilter(logging.Filter):
    """Adds ``request_id`` and ``case_id`` of the current context to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.case_id = case_id.get()
        return True


# The only fields a JSON line may carry: libraries put whatever they like in a record's extras
# (SpiffWorkflow logs a task's whole data with every state change), so extras are let through
# by name, never wholesale.
ALLOWED_FIELDS = frozenset(
    {"time", "level", "logger", "message", "request_id", "case_id", "exc_info", "stack_info"}
    | {"method", "endpoint", "status", "duration_ms", "user_id", "worker", "fired"}
)


class _AllowListJsonFormatter(JsonFormatter):
    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in log_data.items() if key in ALLOWED_FIELDS}


_TEXT = "%(asctime)s %(levelname)s %(name)s [verzoek %(request_id)s zaak %(case_id)s] %(message)s"
_JSON_FIELDS = ["levelname", "name", "message", "request_id", "case_id"]


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return _AllowListJsonFormatter(
            _JSON_FIELDS,
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601 in UTC
        )
    return logging.Formatter(_TEXT)


def configure_logging(log_format: str, level: int = logging.INFO) -> logging.Handler:
    """One handler on stderr for the whole process, in ``log_format`` (json or text), with the context."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "thv", False)]:
        root.removeHandler(old)
    handler.thv = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # SpiffWorkflow reports every task state change at INFO, with the task's data: not for our logs.
    logging.getLogger("spiff").setLevel(logging.WARNING)
    # Alembic announces each of its plugins at INFO whenever it reads the migrations (every start checks the schema).
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return handler

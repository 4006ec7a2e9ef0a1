"""Domain errors. The web and CLI layers turn these into responses and exit codes.

Messages are written for the person who triggered them, in Dutch, because they
reach caseworkers and process designers unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ThvError(Exception):
    """Base class of every error the engine raises on purpose."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(ThvError):
    """The request itself is malformed (unknown region, bad JSON, bad option).

    ``field`` names the parameter of the engine function the refusal is about (an English
    identifier such as ``served_at``), so a form can show it next to its field; None when it is
    about the request as a whole.
    """

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(ThvError):
    status = 404


class Forbidden(ThvError):
    """The actor lacks the role or region for this action."""

    status = 403


class Conflict(ThvError):
    """The case moved on: a stale version, a task already done, a message nobody waits for."""

    status = 409


class FieldCode(StrEnum):
    """Why a form field was refused, for code that reacts to it (the Dutch message is for people)."""

    REQUIRED = "required"
    TYPE = "type"
    CHOICE = "choice"  # not one of the listed values (enum)
    FORMAT = "format"  # a date, date-time or pattern that does not match
    MUST_BE_TRUE = "must_be_true"  # a box that must be ticked (const true)
    MUST_EQUAL = "must_equal"  # any other const
    UNKNOWN_FIELD = "unknown_field"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_SMALL = "too_small"
    TOO_LARGE = "too_large"
    TOO_FEW = "too_few"  # items of a list
    TOO_MANY = "too_many"  # items of a list, or fields of an object
    NOT_UNIQUE = "not_unique"
    INVALID = "invalid"


class FormInvalid(ThvError):
    """Submitted data does not satisfy the task's form.

    ``fields`` maps field path to its Dutch message; ``codes`` maps the same paths to a
    :class:`FieldCode`, so callers never match on the message text.
    """

    status = 422

    def __init__(self, message: str, fields: dict[str, str], codes: dict[str, FieldCode] | None = None):
        super().__init__(message)
        self.fields = fields
        self.codes = codes if codes is not None else dict.fromkeys(fields, FieldCode.INVALID)


class ConfigurationError(ThvError):
    """The process cannot run as configured (bad environment, clock, database URL)."""

    status = 500


class Unavailable(ThvError):
    """A server this operation needs (the mail server) did not do its part; trying later may help."""

    status = 503


class ProcessError(ThvError):
    """A script, condition or timer in the model failed while the case ran.

    The operation is rolled back; the message names the element.
    """

    status = 409


class ScriptStopped(ProcessError):
    """Model code went over its CPU or memory budget; ``element`` names where (None at a deploy check).

    The act is rolled back and the case is parked (status 'error') until a designer fixes the
    model and migrates the case.
    """

    def __init__(self, message: str, element: str | None):
        super().__init__(message)
        self.element = element


class RuleRefused(Conflict):
    """The law (as the model states it) refuses the act: too late, beyond a cap, without grounds.

    The message names the rule and, where a term is involved, the instant in Dutch time.
    """


ERROR, WARNING = "fout", "waarschuwing"


@dataclass(frozen=True)
class Finding:
    """What a deploy check found in a model bundle: an error refuses it, a warning is only said."""

    file: str
    line: int | None
    element: str | None
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = self.file or "bundel"
        if self.line:
            where += f", regel {self.line}"
        if self.element:
            where += f", element '{self.element}'"
        return f"{where}: {'waarschuwing: ' if self.severity == WARNING else ''}{self.message}"

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        """Findings are reported by file and line; the bundle's own findings first."""
        return (self.file, self.line or 0, self.element or "", self.message)


def refuses(findings: Iterable[Finding]) -> bool:
    """Findings refuse a deploy when one of them is an error; warnings only say what is ignored."""
    return any(f.severity == ERROR for f in findings)


class DeployRefused(ThvError):
    """A bundle failed the deploy checks; nothing was stored."""

    status = 422

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        first = str(findings[0]) if findings else "onbekende fout"
        more = f" (en nog {len(findings) - 1} bevinding(en))" if len(findings) > 1 else ""
        super().__init__(f"Model geweigerd: {first}{more}")


BUDGET_CPU = "cpu"
BUDGET_MEMORY = "memory"
BUDGET_CRASH = "crash"
_BUDGET_TEXTS = {
    BUDGET_CPU: "gebruikte meer dan 1 s rekentijd en is gestopt",
    BUDGET_MEMORY: "vroeg meer dan 256 MB geheugen en is gestopt",
    BUDGET_CRASH: "brak onverwacht af en is gestopt",
}


class ScriptBudgetExceeded(Exception):
    """Raised where model code runs (engine.modeling.script_limits): it went over its budget.

    ``budget`` is ``cpu``, ``memory`` or ``crash``. The transaction helper turns it into
    :class:`ScriptStopped` with the element.
    """

    def __init__(self, budget: str):
        self.budget = budget
        super().__init__(f"het script of de expressie {_BUDGET_TEXTS[budget]}")


class ModelRefusal(Exception):
    """Raised by a model's script through ``weiger(tekst)``: the rule refuses the act.

    The engine turns it into :class:`engine.base.errors.RuleRefused` with the model's own
    Dutch text, and the case stays as it was.
    """

"""The script sandbox: every script, condition, timer expression and DMN cell in a
BPMN model runs through RestrictedPython with guarded attribute and item access.

SpiffWorkflow's default engine is plain ``eval``/``exec`` with full builtins;
that engine is never used. :func:`script_engine` returns the only engine the
project attaches to a workflow, and it must be re-attached after every load
because SpiffWorkflow does not persist it.
"""

from __future__ import annotations

import ast
import copy
import operator
from collections.abc import Callable
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from engine.base.awb_terms import awb_term_end
from engine.base.clock import add_legal_term, current_now, dutch_instant, parse_instant, subtract_legal_term
from engine.base.errors import ModelRefusal
from engine.modeling.script_limits import run_in_runner, runs_in_process
from engine.rihg.catalogue import child_signals

_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "|=": operator.ior,
    "&=": operator.iand,
}

_EXTRA_BUILTINS = {
    name: obj
    for name, obj in {
        "dict": dict,
        "list": list,
        "tuple": tuple,
        "set": set,
        "frozenset": frozenset,
        "min": min,
        "max": max,
        "sum": sum,
        "sorted": sorted,
        "any": any,
        "all": all,
        "enumerate": enumerate,
        "zip": zip,
        "reversed": reversed,
        "map": map,
        "filter": filter,
    }.items()
}


class SandboxError(Exception):
    """A script or expression does not compile under the sandbox rules."""


def _refuse(text: str) -> None:
    """Script helper ``weiger``: refuse the act with a Dutch message naming the rule."""
    raise ModelRefusal(str(text)[:500])


def _dutch_instant(value: str) -> str:
    """Script helper ``datumtijd``: an ISO instant as '12 februari 2027 om 21:15' (Amsterdam)."""
    return dutch_instant(parse_instant(str(value)))


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    try:
        return _INPLACE[op](x, y)
    except KeyError:
        raise SandboxError(f"operator {op} is niet toegestaan") from None


def _legal_term_end(start: str, duration: str) -> str:
    """Script helper: the end of a legal term as an ISO string with offset."""
    return add_legal_term(parse_instant(start), duration).isoformat()


def _legal_term_start(end: str, duration: str) -> str:
    """Script helper: the instant ``duration`` before ``end`` (for reminders before a deadline)."""
    return subtract_legal_term(parse_instant(end), duration).isoformat()


def _awb_term_end(made_known: str, duration: str) -> str:
    """Script helper ``awb_termijn_einde``: when an Awb term (the beroepstermijn) for a decision made known
    at ``made_known`` has passed, as an ISO string (midnight after its last day; see engine.base.awb_terms)."""
    return awb_term_end(parse_instant(made_known), duration).isoformat()


def _child_signals(outcome: dict[str, Any]) -> list[str]:
    """Script helper ``rihg_kindsignalen``: the RIHG signals about children in an outcome (engine.rihg.catalogue)."""
    return child_signals(outcome if isinstance(outcome, dict) else {})


def _is_later(first: str, second: str) -> bool:
    """Script helper: whether ISO instant ``first`` lies after ``second`` (offsets may differ)."""
    return parse_instant(first) > parse_instant(second)


def _shift(instant: str, since: str, until: str) -> str:
    """Script helper: ``instant`` moved later by the time that passed from ``since`` to ``until``.

    Used when a suspended term resumes: the end shifts by the suspension.
    """
    return (parse_instant(instant) + (parse_instant(until) - parse_instant(since))).isoformat()


def _now_iso() -> str:
    return current_now().isoformat()


def _sandbox_globals() -> dict[str, Any]:
    builtins = {k: v for k, v in safe_builtins.items() if k not in _FORBIDDEN_NAMES}
    builtins.update(_EXTRA_BUILTINS)
    return {
        "__builtins__": builtins,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_apply_": lambda f, *a, **kw: f(*a, **kw),
        # Domain helpers available to every model.
        "termijn_einde": _legal_term_end,
        "termijn_voor": _legal_term_start,
        "awb_termijn_einde": _awb_term_end,
        "rihg_kindsignalen": _child_signals,
        "later_dan": _is_later,
        "schuif_op": _shift,
        "nu": _now_iso,
        "weiger": _refuse,
        "datumtijd": _dutch_instant,
    }


# Builtins that only serve to reach outside the sandbox, or that fail at run
# time: refused when the model is compiled, so such a model never deploys.
# (Harmless names such as "type" stay usable as case-data variables.)
_FORBIDDEN_NAMES = frozenset(
    {
        "open",
        "getattr",
        "setattr",
        "delattr",
        "hasattr",
        "vars",
        "globals",
        "locals",
        "compile",
        "eval",
        "exec",
        "breakpoint",
        "memoryview",
        "print",
        "exit",
        "quit",
    }
)
# str.format/format_map resolve "{0.attr}" fields outside the attribute guard.
_FORBIDDEN_ATTRIBUTES = frozenset({"format", "format_map"})


def _refuse_forbidden(source: str, mode: str) -> None:
    # RestrictedPython would only fail these at run time; refuse them at compile
    # time so a model that uses them never deploys.
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError:
        return  # compile_restricted reports the syntax error itself
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 1)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            raise SandboxError(f"regel {line}: import is niet toegestaan in scripts")
        if isinstance(node, ast.ClassDef):
            raise SandboxError(f"regel {line}: klassen (class) zijn niet toegestaan in scripts")
        if isinstance(node, ast.Name) and node.id in _FORBIDDEN_NAMES:
            raise SandboxError(f"regel {line}: '{node.id}' is niet toegestaan in scripts en expressies")
        if isinstance(node, ast.Attribute) and node.attr in _FORBIDDEN_ATTRIBUTES:
            raise SandboxError(f"regel {line}: '.{node.attr}()' is niet toegestaan; gebruik een f-string")


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    _refuse_forbidden(source.strip(), "eval")
    result = compile_restricted_eval(source.strip())
    if result.errors or result.code is None:
        raise SandboxError("; ".join(result.errors) or "kan niet compileren")
    return result.code


@lru_cache(maxsize=4096)
def compile_script(source: str) -> CodeType:
    _refuse_forbidden(source, "exec")
    result = compile_restricted_exec(source)
    if result.errors or result.code is None:
        raise SandboxError("; ".join(result.errors) or "kan niet compileren")
    return result.code


_GLOBALS = _sandbox_globals()


def run_in_process(mode: str, source: str, context: dict[str, Any], external: dict[str, Any] | None) -> Any:
    """Run model code here, without budgets: for straight-line code and inside the runner.

    ``eval`` returns the expression's value; ``exec`` changes ``context`` (the task data) in
    place and drops what the script defined that is not data (functions, the helpers).
    """
    if mode == "eval":
        code = compile_expression(source)
        scope = copy.copy(_GLOBALS)
        scope.update(external or {})
        scope.update(context)
        return eval(code, scope)
    code = compile_script(source)
    context.update(copy.copy(_GLOBALS))
    context.update(external or {})
    try:
        exec(code, context)
    finally:
        for key in list(context):
            if key == "__builtins__" or key in _GLOBALS or callable(context[key]) or key in (external or {}):
                context.pop(key)
    return None


def run_bounded(mode: str, source: str, context: dict[str, Any], external: dict[str, Any] | None) -> Any:
    """Run model code within the CPU and memory budgets (see engine.modeling.script_limits)."""
    if runs_in_process(source, mode):
        return run_in_process(mode, source, context, external)
    if mode == "eval":
        compile_expression(source)  # a sandbox refusal needs no runner
        return run_in_runner(mode, source, context, dict(external or {}), current_now().isoformat())
    compile_script(source)
    changed = run_in_runner(mode, source, dict(context), dict(external or {}), current_now().isoformat())
    context.clear()
    context.update(changed)
    return None


class RestrictedEnvironment(TaskDataEnvironment):
    """A SpiffWorkflow script environment that only runs sandbox-compiled code, within budgets."""

    def __init__(self) -> None:
        super().__init__(_GLOBALS)

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> Any:
        return run_bounded("eval", expression, context, external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        run_bounded("exec", script, context, external_context)
        return True


class RestrictedScriptEngine(PythonScriptEngine):
    # ``validate`` stays SpiffWorkflow's syntax check: the DMN engine relies on
    # its SyntaxError to tell "== value" cells from "< value" cells.
    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())


_ENGINE: RestrictedScriptEngine | None = None


def script_engine() -> RestrictedScriptEngine:
    """The shared sandboxed script engine (it holds no per-case state)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = RestrictedScriptEngine()
    return _ENGINE


def evaluate_constant(expression: str) -> Any:
    """Evaluate an expression that needs no case data (deploy-time checks), within the budgets.

    Raises NameError when the expression refers to case data.
    """
    return run_bounded("eval", expression, {}, None)

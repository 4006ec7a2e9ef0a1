"""A trial start at deploy: accepted means runnable.

Before a version is stored, its main process is started in memory (no database, no live data)
with example data made from its start form, and run to its first wait state: a user task, a
timer or a message. A model that fails on the way (a script error, a missing variable, an
element SpiffWorkflow cannot run) or that then has nothing to do and waits for nothing is
refused with the element and the reason.
"""

from __future__ import annotations

import re
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.util.task import TaskState

from engine.base.errors import BUDGET_CPU, BUDGET_MEMORY, WARNING, Finding, ModelRefusal, ScriptBudgetExceeded
from engine.base.vocabulary import PROPERTY_FORM, PROPERTY_STARTERS, start_data
from engine.modeling.engine_steps import run_engine_steps
from engine.modeling.sandbox import script_engine
from engine.modeling.spec_properties import start_event_properties

TRIAL_USER = "proefstart"
MAX_ENGINE_STEPS = 500  # a loop without a wait state stops the trial here


def trial_start(
    spec: Any, subprocess_specs: dict[str, Any], forms: dict[str, dict[str, Any]], file: str
) -> list[Finding]:
    """Findings of a trial run of the main process up to its first wait state (none: it runs)."""
    properties = start_event_properties(spec)
    data = example_data(forms.get(properties.get(PROPERTY_FORM, ""), {}))
    starters = [s.strip() for s in properties.get(PROPERTY_STARTERS, "").split(",") if s.strip()]
    data.update(start_data(starters[0] if starters else "politie", TRIAL_USER))
    try:
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine())
        start = workflow.get_next_task(state=TaskState.READY)
        if start is not None:
            start.data.update(data)
        for _ in range(MAX_ENGINE_STEPS):
            before = {t.id: t.state for t in workflow.get_tasks()}
            run_engine_steps(workflow)
            if {t.id: t.state for t in workflow.get_tasks()} == before:
                break
    except WorkflowTaskException as exc:
        if isinstance(exc.__cause__ or exc.__context__, ModelRefusal):
            return []  # the model's own rule refused the example data: a path the law allows
        element = getattr(exc.task_spec, "bpmn_id", None) if getattr(exc, "task_spec", None) else None
        if _missing_name(exc) and not properties.get(PROPERTY_FORM):
            # Without a start form the start data is unknown here (an API client may bring it): said, not refused.
            return [
                Finding(
                    file,
                    None,
                    element,
                    f"de proefstart kon hier niet verder: {_reason(exc)}; zonder startformulier is niet na te gaan "
                    "of de start die gegevens meebrengt (geef de start een formulier)",
                    WARNING,
                )
            ]
        return [Finding(file, None, element, f"de proefstart stopte bij dit element: {_reason(exc)}")]
    except Exception as exc:  # noqa: BLE001 - whatever a model does, a deploy answers with a finding
        return [Finding(file, None, None, f"de proefstart stopte: {_reason(exc)}")]
    if workflow.completed:
        return []
    ready = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
    # A timer, message or signal the case waits for; a join waiting for a branch that cannot come is no wait state.
    waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING) if hasattr(t.task_spec, "event_definition")]
    if not ready and not waiting:
        return [
            Finding(
                file,
                None,
                None,
                "na de start staat er niets klaar en wacht de zaak nergens op (een pad loopt dood); "
                "verbind elk pad met een taak, een wachtende gebeurtenis of een eindgebeurtenis",
            )
        ]
    return []


def _missing_name(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc.__context__ or exc
    return (getattr(exc, "error_type", None) or type(cause).__name__) == "NameError"


def _reason(exc: BaseException) -> str:
    """What went wrong in Dutch, by kind (a model's script may quote data: only the kind and a name)."""
    cause = exc.__cause__ or exc.__context__ or exc
    if isinstance(cause, ScriptBudgetExceeded):
        what = {BUDGET_CPU: "rekentijd", BUDGET_MEMORY: "geheugen"}.get(cause.budget, "middelen")
        return f"het script ging over zijn budget ({what}); maak het eindig en klein"
    kind = getattr(exc, "error_type", None) or type(cause).__name__
    if kind == "NameError":
        found = re.search(r"name '([^']+)' is not defined", str(exc))
        name = getattr(cause, "name", None) or (found.group(1) if found else "?")
        return (
            f"de variabele '{name}' bestaat op dat moment niet; geef haar een waarde in het startformulier of in "
            "een eerder script"
        )
    if kind in ("TypeError", "AttributeError", "KeyError", "IndexError", "ValueError", "ZeroDivisionError"):
        return f"het script of de expressie faalt ({kind}); test het met voorbeeldgegevens"
    return f"het model kan hier niet verder ({kind})"


def example_data(schema: dict[str, Any]) -> dict[str, Any]:
    """Example form data that a start form accepts: defaults, the first choice, or a plain value per type."""
    value = _example(schema, depth=0)
    return value if isinstance(value, dict) else {}


def _example(schema: Any, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > 8:
        return None
    if "default" in schema:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return _example(schema[key][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        return {
            str(name): _example(sub, depth + 1)
            for name, sub in (schema.get("properties") or {}).items()
            if isinstance(sub, dict)
        }
    if kind == "array":
        return []
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2026-01-01T12:00:00+01:00"
        if schema.get("format") == "date":
            return "2026-01-01"
        return "proef"
    return None

"""The ``spiffworkflow:property`` values of a parsed model's task specs: read at deploy (the trial start) and
while a case runs (engine.workflow.state re-exports them)."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition


def properties(task_spec: Any) -> dict[str, str]:
    props: dict[str, str] = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return props


def start_event_properties(spec: Any) -> dict[str, str]:
    """Properties of the process's none start event (starters, form)."""
    for task_spec in spec.bpmn_start_events:
        if isinstance(getattr(task_spec, "event_definition", None), NoneEventDefinition):
            return properties(task_spec)
    return {}

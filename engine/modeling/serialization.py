"""Saving and loading workflows without their spec.

SpiffWorkflow embeds the full spec in every saved workflow (about half the
bytes and half the load time). Here the spec is left out on save and taken from
the cached model version on load. The JSON text keeps SpiffWorkflow's key order,
which 3.2.0 needs to restore task data.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION, BpmnWorkflowSerializer

from engine.modeling.legal_timers import SERIALIZER_CONFIG
from engine.modeling.registry import LoadedModel
from engine.modeling.sandbox import script_engine

SERIALIZER_VERSION = f"spiff-{VERSION}-nospec"


class _SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], model: LoadedModel | None = None) -> Any:
        if model is None:
            raise ValueError("a spec-free workflow needs its model to load")
        workflow = self.target_class(model.spec, model.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_config = dict(SERIALIZER_CONFIG)  # SpiffWorkflow's table plus our legal-term timers
_config[BpmnWorkflow] = _SpecFreeWorkflowConverter
_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config))


def new_workflow(model: LoadedModel) -> BpmnWorkflow:
    return BpmnWorkflow(model.spec, model.subprocess_specs, script_engine=script_engine())


def dump_workflow(workflow: BpmnWorkflow) -> str:
    return json.dumps(_serializer.to_dict(workflow), separators=(",", ":"))


def load_workflow(text: str, model: LoadedModel) -> BpmnWorkflow:
    dct = json.loads(text)
    workflow = _serializer.from_dict(dct, model=model)
    workflow.script_engine = script_engine()  # never persisted; always the sandbox
    return workflow

"""A small corpus of models as other tools write them (issue 17), built from a few lines each.

``process(body)`` wraps flow elements in a BPMN file with one executable process whose lane
(politie) holds every flow node, so each case differs from a runnable model in one thing only.
The DMN files of the corpus are in tests/fixtures/foreign.
"""

from __future__ import annotations

import re

from tests.conftest import FIXTURES

FOREIGN = FIXTURES / "foreign"
FORMS = FIXTURES / "forms"

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'id="Defs" targetNamespace="http://example.org/bpmn">\n'
)
FORM_PROPERTY = (
    "<bpmn:extensionElements><spiffworkflow:properties>"
    '<spiffworkflow:property name="formJsonSchemaFilename" value="sample_check.schema.json"/>'
    "</spiffworkflow:properties></bpmn:extensionElements>"
)
_NOT_FLOW_NODES = (
    "sequenceFlow|laneSet|lane|process|extensionElements|script|conditionExpression|dataStore\\b|association"
)


def process(body: str, process_id: str = "p_main") -> bytes:
    """One executable process; every flow node of ``body`` (one per line below) in the politie lane."""
    ids = re.findall(rf'<bpmn:(?!{_NOT_FLOW_NODES})\w+ id="([^"]+)"', body)
    refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)
    lanes = f'<bpmn:laneSet id="LaneSet"><bpmn:lane id="Lane_politie" name="politie">{refs}</bpmn:lane></bpmn:laneSet>'
    return (
        _HEAD
        + f'<bpmn:process id="{process_id}" isExecutable="true">{lanes}\n'
        + body.replace("><", ">\n<")
        + "\n</bpmn:process></bpmn:definitions>\n"
    ).encode()


def flows(*pairs: tuple[str, str]) -> str:
    return "".join(f'<bpmn:sequenceFlow id="F_{a}_{b}" sourceRef="{a}" targetRef="{b}"/>' for a, b in pairs)


def user_task(ident: str, attributes: str = "") -> str:
    return f'<bpmn:userTask id="{ident}" name="{ident}"{attributes}>{FORM_PROPERTY}</bpmn:userTask>'


def script_task(ident: str, script: str, attributes: str = "") -> str:
    return f'<bpmn:scriptTask id="{ident}"{attributes}><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'


START, END = '<bpmn:startEvent id="S"/>', '<bpmn:endEvent id="E"/>'
RUNNABLE = START + user_task("T") + END + flows(("S", "T"), ("T", "E"))


def with_decision(decision: str) -> bytes:
    """A process that computes ``ernst``, asks the decision and then waits at a user task."""
    rule = (
        f'<bpmn:businessRuleTask id="Regel"><bpmn:extensionElements><spiffworkflow:calledDecisionId>{decision}'
        "</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    return process(
        START
        + script_task("Ernst", "ernst = 4")
        + rule
        + user_task("T")
        + END
        + flows(("S", "Ernst"), ("Ernst", "Regel"), ("Regel", "T"), ("T", "E"))
    )

"""One step of the werkprocesbeschrijving from its BPMN element: who, what, which data, which documents, which
term on which legal basis, which decision on which condition, which events from whom."""

from __future__ import annotations

import json
import re
from typing import Any

from engine.base.errors import ConfigurationError
from engine.base.leidraad import principle_codes
from engine.base.vocabulary import (
    PROPERTY_BEYOND_WTH,
    PROPERTY_FORM,
    PROPERTY_HANDLING_TERM,
    PROPERTY_LEGAL_BASIS,
    PROPERTY_PHASE,
    PROPERTY_PRINCIPLE,
    PROPERTY_REQUIRES_SERVICE,
    PROPERTY_SENDERS,
    PROPERTY_STARTERS,
    ROLES,
    lane_role,
)
from engine.design.condition_text import Labels, condition_text, duration_text, timer_text
from engine.design.werkproces_model import Branch, DocumentLine, FieldLine, Step, TimerLine
from engine.design.werkproces_read import Node, Process, flow_condition
from engine.documents.templates import load_spec
from engine.modeling.bpmn_xml import NS
from engine.modeling.document_rules import KINDS, RECIPIENT_ROLES, required_services
from engine.modeling.forms import FORMS_PREFIX, field_choices

_ROLE_LABELS = {r.code: r.label for r in ROLES}
_KINDS = {
    "userTask": "Taak",
    "manualTask": "Taak",
    "businessRuleTask": "Beslistabel",
    "exclusiveGateway": "Beslissing",
    "inclusiveGateway": "Beslissing (één of meer wegen)",
    "scriptTask": "Vastlegging door het systeem",
    "callActivity": "Deelproces",
}
_TEMPLATE = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_TAG = re.compile(r"\{%.*?%\}")


def forms_of(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    forms = {}
    for name, content in files.items():
        if name.startswith(FORMS_PREFIX):
            try:
                schema = json.loads(content.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(schema, dict):
                forms[name[len(FORMS_PREFIX) :]] = schema
    return forms


def labels_of(forms: dict[str, dict[str, Any]]) -> Labels:
    labels = Labels()
    for name in sorted(forms):
        labels.add_form(forms[name])
    return labels


def role_label(code: str) -> str:
    return _ROLE_LABELS.get(code.strip(), code.strip())


def organisation(lane: str | None) -> str | None:
    role = lane_role(lane)
    return _ROLE_LABELS[role] if role else lane


def field_lines(schema: dict[str, Any] | None) -> list[FieldLine]:
    if not schema:
        return []
    required = set(schema.get("required") or [])
    return [
        FieldLine(str(prop.get("title") or name.replace("_", " ")), _field_kind(prop), name in required)
        for name, prop in (schema.get("properties") or {}).items()
        if isinstance(prop, dict)
    ]


def _field_kind(prop: dict[str, Any]) -> str:
    options = field_choices(prop)
    if options:
        return "keuze uit: " + "; ".join(c.title or str(c.code).replace("_", " ") for c in options)
    kind = prop.get("type")
    if kind == "boolean":
        return "ja/nee"
    if kind in ("integer", "number"):
        return "getal"
    if kind == "array":
        items: dict[str, Any] = prop["items"] if isinstance(prop.get("items"), dict) else {}
        parts = [str(p.get("title") or n) for n, p in (items.get("properties") or {}).items() if isinstance(p, dict)]
        return "lijst" + (f" van: {', '.join(parts)}" if parts else "")
    if kind == "object":
        parts = [str(p.get("title") or n) for n, p in (prop.get("properties") or {}).items() if isinstance(p, dict)]
        return "onderdelen: " + ", ".join(parts)
    return {"date-time": "datum en tijd", "date": "datum"}.get(prop.get("format", ""), "tekst")


def _document_title(kind: str) -> str:
    try:
        return load_spec(kind).title
    except (ConfigurationError, OSError):
        return kind.replace("_", " ")


def document_lines(value: str | None) -> list[DocumentLine]:
    lines = []
    for kind, recipient in required_services(value or ""):
        rule = KINDS.get(kind)
        lines.append(
            DocumentLine(
                kind,
                _document_title(kind),
                tuple(role_label(r) for r in rule.issuers) if rule else (),
                RECIPIENT_ROLES.get(recipient, recipient),
                tuple(RECIPIENT_ROLES.get(r, r) for r in rule.recipients) if rule else (),
            )
        )
    return lines


def plain_instructions(text: str | None) -> str | None:
    """Instructions without their template code: a case value shows as [uit de zaak: …]."""
    if not text:
        return None
    text = _TAG.sub("", text)
    text = _TEMPLATE.sub(lambda m: f"[uit de zaak: {m.group(1).split('|')[0].strip().replace('_', ' ')}]", text)
    return " ".join(text.split()) or None


def _text(node: Any) -> str | None:
    return " ".join((node.text or "").split()) or None if node is not None else None


def _timer(process: Process, node: Node, labels: Labels) -> TimerLine | None:
    definition = node.node.find("bpmn:timerEventDefinition", NS)
    if definition is None:
        return None
    expression = next((c for c in definition if isinstance(c.tag, str)), None)
    term = timer_text(expression.text or "", labels) if expression is not None else "(geen termijn)"
    if expression is not None and expression.tag.endswith("timeDate") and not term[:1].isdigit():
        term = f"op {term}" if not term.startswith("[niet") else term
    elif expression is not None and expression.tag.endswith("timeDuration") and not term.startswith("[niet"):
        term = f"na {term}"
    attached = node.node.get("attachedToRef")
    on_task = _name(process.nodes[attached]) if attached in process.nodes else None
    interrupting = node.node.get("cancelActivity", "true") != "false" if attached else True
    return TimerLine(term, node.props.get(PROPERTY_LEGAL_BASIS) or None, on_task, interrupting)


def _name(node: Node) -> str:
    return " ".join((node.node.get("name") or "").split()) or node.id


def _branches(process: Process, node: Node, labels: Labels) -> list[Branch]:
    branches = []
    default = node.node.get("default")
    for ref in node.node.iterfind("bpmn:outgoing", NS):
        flow = process.flows.get((ref.text or "").strip())
        if flow is None:
            continue
        target = process.nodes.get(flow.get("targetRef") or "")
        condition = flow_condition(flow)
        if flow.get("id") == default:
            text = "anders (geen van de andere voorwaarden)"
        else:
            text = condition_text(condition, labels) if condition else "altijd"
        branches.append(Branch(" ".join((flow.get("name") or "").split()), text, _target_name(process, target)))
    return branches


def _target_name(process: Process, target: Node | None) -> str:
    """Where a branch leads: the first named element along unnamed gateways and scripts."""
    seen = set()
    while target is not None and not target.node.get("name") and target.id not in seen:
        seen.add(target.id)
        refs = [(r.text or "").strip() for r in target.node.iterfind("bpmn:outgoing", NS)]
        flows = [process.flows[r] for r in refs if r in process.flows]
        target = process.nodes.get(flows[0].get("targetRef") or "") if len(flows) == 1 else None
    return _name(target) if target is not None else "verder"


def build_step(
    process: Process, node: Node, labels: Labels, forms: dict[str, dict[str, Any]], messages: dict[str, str]
) -> Step:
    props = node.props
    extensions = node.node.find("bpmn:extensionElements", NS)
    instructions = extensions.find("spiffworkflow:instructionsForEndUser", NS) if extensions is not None else None
    step = Step(
        key=(process.id, node.id),
        element_id=node.id,
        element_kind=node.kind,
        kind=_KINDS.get(node.kind, "Gebeurtenis"),
        name=_name(node),
        process=process.name or process.id,
        phase=props.get(PROPERTY_PHASE),
        organisation=organisation(node.lane),
        instructions=plain_instructions(instructions.text if instructions is not None else None),
        documentation=_text(node.node.find("bpmn:documentation", NS)),
        fields=field_lines(forms.get(props.get(PROPERTY_FORM, ""))),
        documents=document_lines(props.get(PROPERTY_REQUIRES_SERVICE)),
        timer=_timer(process, node, labels),
        principles=tuple(principle_codes(props.get(PROPERTY_PRINCIPLE))),
        beyond_wth=props.get(PROPERTY_BEYOND_WTH) or None,
    )
    if step.timer is not None:
        step.kind = "Termijn"
    message = node.node.find("bpmn:messageEventDefinition", NS)
    if message is not None:
        step.kind = "Gebeurtenis van buiten"
        step.message = messages.get(message.get("messageRef") or "", message.get("messageRef") or "")
        step.senders = tuple(role_label(r) for r in props.get(PROPERTY_SENDERS, "").split(",") if r.strip())
    if node.node.find("bpmn:signalEventDefinition", NS) is not None:
        step.kind = "Signaal binnen de zaak"
    if props.get(PROPERTY_STARTERS):
        step.kind = "Start van de zaak"
        step.starters = tuple(role_label(r) for r in props[PROPERTY_STARTERS].split(",") if r.strip())
    if node.kind in ("exclusiveGateway", "inclusiveGateway"):
        step.branches = _branches(process, node, labels)
    if node.kind == "businessRuleTask" and extensions is not None:
        step.decision = _text(extensions.find("spiffworkflow:calledDecisionId", NS))
    if props.get(PROPERTY_HANDLING_TERM):
        step.handling_term = duration_text(props[PROPERTY_HANDLING_TERM]) or props[PROPERTY_HANDLING_TERM]
    return step

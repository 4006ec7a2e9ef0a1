"""The Leidraad phase of every step of a model (property ``fase``) and the deploy check that keeps it complete.

Which elements are steps that must say their phase (:func:`needs_phase`):

* user, manual, business rule, send, receive and service tasks: work someone or something does;
* catch events with a timer, message, signal or conditional definition (start, intermediate, boundary): a term
  that runs out or an event that arrives;
* the start event that names who may start a case (``starters``);
* exclusive and inclusive gateways that split (two or more outgoing flows): a decision.

Script tasks, call activities, end events, joining gateways and parallel gateways may carry a phase but need
not: they are the engine's bookkeeping or containers whose own steps carry theirs.

The rule (processes/README.md, "Phases"): a bundle that gives any element a phase declares itself a described
chain model and must give every step one, with a code from ``engine.base.vocabulary.PHASES``; a missing or
unknown phase then refuses the deploy, naming element and fix. The chain models in processes/ all carry phases,
so for them the phase is checked at deploy (tests/processes/test_phases.py). A bundle with no phase at all (a
model from another system, a small test model) is accepted without a word: its steps run the same, a phase only
orders the werkprocesbeschrijving, which lists them under "zonder fase" and says so. A warning on every such
deploy would be noise next to the warnings that matter (what the engine ignores).

``leidraadPrincipe`` (Leidraad principle codes, engine.base.leidraad) and ``buitenWth`` (the reason, with its
source) are checked here too: an unknown principle or an empty reason is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from engine.base.errors import Finding
from engine.base.leidraad import principle_codes, unknown_principles
from engine.base.vocabulary import (
    PHASE_CODES,
    PHASE_LABELS,
    PROPERTY_BEYOND_WTH,
    PROPERTY_PHASE,
    PROPERTY_PRINCIPLE,
    PROPERTY_STARTERS,
    PROPERTY_VARIANT_PRINCIPLES,
)
from engine.modeling.bpmn_xml import BPMN_NS, NS, node_finding
from engine.modeling.spec_properties import properties

_TASKS = {"userTask", "manualTask", "businessRuleTask", "sendTask", "receiveTask", "serviceTask"}
_CATCH_EVENTS = {"startEvent", "intermediateCatchEvent", "boundaryEvent"}
_EVENT_KINDS = {
    "timerEventDefinition",
    "messageEventDefinition",
    "signalEventDefinition",
    "conditionalEventDefinition",
}
_SPLITS = {"exclusiveGateway", "inclusiveGateway"}
_CODES = ", ".join(PHASE_CODES)


def phase_of(task_spec: Any) -> str | None:
    """The phase code of a parsed task spec (a SpiffWorkflow spec with spiff extensions), or None.

    The one lookup for code that runs models (the simulation, reports): the same property the deploy checked.
    """
    value = properties(task_spec).get(PROPERTY_PHASE)
    return value.strip() if value and value.strip() in PHASE_LABELS else None


def phase_label(code: str | None) -> str:
    """The Leidraad's name of a phase ("Opstarten & verzoeken"); "zonder fase" for none."""
    return PHASE_LABELS.get(code or "", "zonder fase")


def element_properties(node: etree._Element) -> dict[str, str]:
    """The ``spiffworkflow:property`` values of one BPMN element (its own, not its children's)."""
    found: dict[str, str] = {}
    for prop in node.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
        if prop.get("name"):
            found[str(prop.get("name"))] = (prop.get("value") or "").strip()
    return found


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def needs_phase(node: etree._Element) -> bool:
    """Whether a BPMN element is a step that must say its phase (see the module's docstring)."""
    kind = _local(node)
    if kind in _TASKS:
        return True
    if kind in _CATCH_EVENTS:
        if any(_local(child) in _EVENT_KINDS for child in node):
            return True
        return kind == "startEvent" and PROPERTY_STARTERS in element_properties(node)
    if kind in _SPLITS:
        return len(node.findall("bpmn:outgoing", NS)) > 1
    return False


def _flow_nodes(root: etree._Element) -> Iterator[etree._Element]:
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).namespace == BPMN_NS and node.get("id"):
            yield node


def check_phases(roots: Iterable[tuple[str, etree._Element]]) -> list[Finding]:
    """The phase, principle and beyond-the-Wth findings of every BPMN file of a bundle (file name, root)."""
    bpmn = [(name, root) for name, root in roots if etree.QName(root).namespace == BPMN_NS]
    findings: list[Finding] = []
    phased = any(PROPERTY_PHASE in element_properties(n) for _, root in bpmn for n in _flow_nodes(root))
    missing: list[tuple[str, etree._Element]] = []
    for name, root in bpmn:
        for node in _flow_nodes(root):
            props = element_properties(node)
            phase = props.get(PROPERTY_PHASE)
            if phase is not None and phase not in PHASE_LABELS:
                findings.append(node_finding(name, node, f"fase '{phase[:40]}' bestaat niet; kies een van: {_CODES}"))
            elif phase is None and needs_phase(node):
                missing.append((name, node))
            for key in (PROPERTY_PRINCIPLE, PROPERTY_VARIANT_PRINCIPLES):
                if key in props and ((unknown := unknown_principles(props[key])) or not principle_codes(props[key])):
                    shown = ", ".join(unknown) or "(leeg)"
                    findings.append(
                        node_finding(
                            name,
                            node,
                            f"{key} noemt een onbekend principe van de Leidraad: {shown}; "
                            "gebruik 1 tot en met 10 (8A-8D voor de vier delen van 'uitvoeren'), met komma's",
                        )
                    )
            if PROPERTY_BEYOND_WTH in props and not 10 <= len(props[PROPERTY_BEYOND_WTH]) <= 400:
                findings.append(
                    node_finding(
                        name,
                        node,
                        f"{PROPERTY_BEYOND_WTH} moet zeggen waarom deze stap buiten de huidige Wth gaat, met de bron "
                        "(10 tot 400 tekens)",
                    )
                )
    if phased:
        for name, node in missing:
            what = node.get("name") or node.get("id")
            findings.append(
                node_finding(
                    name,
                    node,
                    f"'{what}' zegt niet in welke fase van de Leidraad het hoort; voeg de eigenschap "
                    f"{PROPERTY_PHASE} toe met een van: {_CODES}",
                )
            )
    return findings

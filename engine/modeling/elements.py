"""The comparable elements of a model bundle, read from the XML (for engine.design.model_diff).

Every flow element of every BPMN process, every lane (matched by its role, since
lane ids differ per variant), every DMN decision and rule becomes an
:class:`Element` with its properties as plain strings: name, lane, timer kind and
expression, condition, called element, form, milestone, senders, starters,
scripts, message, DMN cells. Files are parsed with the hardened parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.base.errors import InvalidInput
from engine.base.vocabulary import PROPERTY_FORM, PROPERTY_MILESTONE, PROPERTY_SENDERS, PROPERTY_STARTERS, lane_role
from engine.modeling.bpmn_xml import BPMN_NS, SPIFF_NS
from engine.modeling.xml_safety import parse_model_xml

NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
_B = f"{{{BPMN_NS}}}"
_S = f"{{{SPIFF_NS}}}"
_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
_NOT_ELEMENTS = {"laneSet", "documentation", "extensionElements", "ioSpecification", "property"}
_TIMER_KINDS = ("timeDate", "timeDuration", "timeCycle")
_NAMED_PROPERTIES = {
    PROPERTY_FORM: "form",
    PROPERTY_MILESTONE: "milestone",
    PROPERTY_SENDERS: "senders",
    PROPERTY_STARTERS: "starters",
}


@dataclass
class Element:
    key: str  # what pairs it with the other side: the element id, or 'lane:<role>'
    id: str  # the id in the diagram (for colour markers)
    kind: str  # the BPMN/DMN tag: userTask, sequenceFlow, lane, rule, ...
    process: str  # the process or decision it belongs to
    file: str
    props: dict[str, str] = field(default_factory=dict)


@dataclass
class Container:
    """A process or a decision: its own properties and its elements by key."""

    id: str
    kind: str  # process, decision
    file: str
    props: dict[str, str] = field(default_factory=dict)
    elements: dict[str, Element] = field(default_factory=dict)


def _local(node: etree._Element) -> str:
    name: str = etree.QName(node).localname
    return name


def _text(node: etree._Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def _script(node: etree._Element | None) -> str:
    """Script text with its lines kept (trailing spaces and blank edges dropped)."""
    if node is None or node.text is None:
        return ""
    return "\n".join(line.rstrip() for line in node.text.strip("\n").splitlines()).strip()


def _put(props: dict[str, str], key: str, value: str | None) -> None:
    if value:
        props[key] = value


def _extension_props(node: etree._Element, props: dict[str, str]) -> None:
    ext = node.find(f"{_B}extensionElements")
    if ext is None:
        return
    for prop in ext.iterfind("spiffworkflow:properties/spiffworkflow:property", NS):
        name = prop.get("name") or ""
        _put(props, _NAMED_PROPERTIES.get(name, f"property:{name}"), prop.get("value"))
    _put(props, "instructions", _text(ext.find(f"{_S}instructionsForEndUser")))
    _put(props, "pre_script", _script(ext.find(f"{_S}preScript")))
    _put(props, "post_script", _script(ext.find(f"{_S}postScript")))
    _put(props, "decision", _text(ext.find(f"{_S}calledDecisionId")))


def _event_props(node: etree._Element, props: dict[str, str], messages: dict[str, str]) -> None:
    kinds = []
    for definition in node:
        if not isinstance(definition.tag, str) or not _local(definition).endswith("EventDefinition"):
            continue
        kind = _local(definition)[: -len("EventDefinition")]
        kinds.append(kind)
        if kind == "timer":
            for timer_kind in _TIMER_KINDS:
                expression = definition.find(f"{_B}{timer_kind}")
                if expression is not None:
                    props["timer_kind"] = timer_kind
                    _put(props, "timer", _text(expression))
        elif kind == "message":
            ref = definition.get("messageRef")
            _put(props, "message", messages.get(ref or "", ref))
            _put(props, "message_variable", _text(definition.find(f"{_B}extensionElements/{_S}messageVariable")))
        elif kind in ("error", "signal", "escalation"):
            _put(props, kind, definition.get(f"{kind}Ref"))
    _put(props, "event", ", ".join(kinds))


def _flow_element(
    node: etree._Element, process: str, file: str, lanes: dict[str, str], messages: dict[str, str]
) -> Element:
    kind = _local(node)
    props: dict[str, str] = {"type": kind}
    _put(props, "name", " ".join((node.get("name") or "").split()))
    _put(props, "lane", lanes.get(node.get("id") or ""))
    _put(props, "documentation", _text(node.find(f"{_B}documentation")))
    for attribute, key in (
        ("sourceRef", "source"),
        ("targetRef", "target"),
        ("default", "default"),
        ("calledElement", "called_element"),
        ("attachedToRef", "attached_to"),
        ("cancelActivity", "cancel_activity"),
        ("isInterrupting", "interrupting"),
        ("triggeredByEvent", "triggered_by_event"),
    ):
        _put(props, key, node.get(attribute))
    _put(props, "condition", _text(node.find(f"{_B}conditionExpression")))
    _put(props, "script", _script(node.find(f"{_B}script")))
    for loop in ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics"):
        found = node.find(f"{_B}{loop}")
        if found is not None:
            detail = "; ".join(f"{_local(c)}={_text(c)}" for c in found if isinstance(c.tag, str) and _text(c))
            sequential = found.get("isSequential", "false")
            props["loop"] = f"{loop} sequentieel={sequential}" + (f"; {detail}" if detail else "")
    _extension_props(node, props)
    _event_props(node, props, messages)
    return Element(node.get("id") or "", node.get("id") or "", kind, process, file, props)


def _lanes(process: etree._Element, name: str, file: str) -> tuple[dict[str, str], list[Element]]:
    """Lane name per flow node id, and the lanes as elements keyed by role."""
    membership: dict[str, str] = {}
    elements = []
    for lane in process.iterfind(".//bpmn:lane", NS):
        lane_name = " ".join((lane.get("name") or "").split())
        members = sorted(_text(ref) for ref in lane.iterfind("bpmn:flowNodeRef", NS))
        for member in members:
            membership[member] = lane_name
        role = lane_role(lane_name) or lane_name or lane.get("id") or ""
        props = {"type": "lane", "name": lane_name, "members": ", ".join(members)}
        elements.append(Element(f"lane:{role}", lane.get("id") or "", "lane", name, file, props))
    return membership, elements


def _bpmn_containers(root: etree._Element, file: str) -> list[Container]:
    messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iterfind("bpmn:message", NS)}
    containers = []
    for process in root.iterfind("bpmn:process", NS):
        pid = process.get("id") or ""
        container = Container(pid, "process", file, {"type": "process"})
        _put(container.props, "name", " ".join((process.get("name") or "").split()))
        _put(container.props, "documentation", _text(process.find(f"{_B}documentation")))
        _put(container.props, "executable", process.get("isExecutable"))
        lanes, lane_elements = _lanes(process, pid, file)
        for lane in lane_elements:
            container.elements[lane.key] = lane
        pending = [process]
        while pending:
            parent = pending.pop()
            for node in parent:
                if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS:
                    continue
                if _local(node) in _NOT_ELEMENTS or not node.get("id"):
                    continue
                element = _flow_element(node, pid, file, lanes, messages)
                container.elements[element.key] = element
                if _local(node) in _CONTAINERS:
                    pending.append(node)
        containers.append(container)
    return containers


def _dmn_containers(root: etree._Element, file: str) -> list[Container]:
    namespace = etree.QName(root).namespace
    d = f"{{{namespace}}}"
    containers = []
    for decision in root.iter(f"{d}decision"):
        did = decision.get("id") or ""
        container = Container(did, "decision", file, {"type": "decision"})
        _put(container.props, "name", decision.get("name"))
        table = decision.find(f"{d}decisionTable")
        if table is None:
            containers.append(container)
            continue
        container.props["hit_policy"] = table.get("hitPolicy") or "UNIQUE"
        inputs = [
            (i.get("label") or i.get("id") or f"{n + 1}", _text(i.find(f"{d}inputExpression/{d}text")))
            for n, i in enumerate(table.iterfind(f"{d}input"))
        ]
        outputs = [
            o.get("name") or o.get("label") or o.get("id") or f"{n + 1}"
            for n, o in enumerate(table.iterfind(f"{d}output"))
        ]
        container.props["inputs"] = " | ".join(f"{label}: {expr}" for label, expr in inputs)
        container.props["outputs"] = " | ".join(outputs)
        for rule in table.iterfind(f"{d}rule"):
            props = {"type": "rule"}
            for (label, _), entry in zip(inputs, rule.iterfind(f"{d}inputEntry")):
                props[f"input:{label}"] = _text(entry.find(f"{d}text")) or "-"
            for name, entry in zip(outputs, rule.iterfind(f"{d}outputEntry")):
                props[f"output:{name}"] = _text(entry.find(f"{d}text")) or "-"
            _put(props, "description", _text(rule.find(f"{d}description")))
            rid = rule.get("id") or ""
            container.elements[rid] = Element(rid, rid, "rule", did, file, props)
        containers.append(container)
    return containers


def read_bundle(files: dict[str, bytes]) -> dict[str, Container]:
    """All processes and decisions of a bundle, by id (forms are skipped)."""
    found: dict[str, Container] = {}
    for name, content in sorted(files.items()):
        if not name.endswith((".bpmn", ".dmn")):
            continue
        root, finding = parse_model_xml(name, content)
        if finding:
            raise InvalidInput(f"model kan niet worden gelezen: {finding}")
        is_bpmn = etree.QName(root).namespace == BPMN_NS
        for container in (_bpmn_containers if is_bpmn else _dmn_containers)(root, name):
            found.setdefault(container.id, container)
    return found


def called_elements(containers: dict[str, Container]) -> set[str]:
    return {
        e.props["called_element"]
        for c in containers.values()
        for e in c.elements.values()
        if "called_element" in e.props
    }

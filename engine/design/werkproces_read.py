"""Reading a bundle's steps for the werkprocesbeschrijving: every step of every process, in flow order, with what
the models say about it, and whether this variant can reach it at all.

Reachability follows the sequence flows from the main process's start, into subprocesses and called processes,
and leaves out a flow whose condition is false for this variant's constants: the ``variant`` dictionary that
"Kenmerken van deze variant" sets, and any other variable that one script sets to a fixed value and no form fills
(``rihg_afnemer = "hulpofficier"`` in the baseline). So the suspension steps of the shared ``huisverbod_looptijd``
are described for V3 and V4 and listed as "niet in deze variant" for the others. Conditions that depend on case
data are never decided here.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.modeling.bpmn_xml import BPMN_NS, NS
from engine.modeling.phases import element_properties, needs_phase
from engine.modeling.xml_safety import parse_model_xml

_B = f"{{{BPMN_NS}}}"
UNKNOWN: Any = object()
_ACTIVITIES = {"subProcess", "callActivity", "transaction", "adHocSubProcess"}


@dataclass
class Node:
    id: str
    kind: str
    process: str
    node: etree._Element
    props: dict[str, str]
    lane: str | None


@dataclass
class Process:
    id: str
    name: str
    file: str
    root: etree._Element
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: dict[str, etree._Element] = field(default_factory=dict)
    starts: list[str] = field(default_factory=list)  # start events of the process itself
    inner_starts: dict[str, list[str]] = field(default_factory=dict)  # subprocess id -> its start events
    attached: dict[str, list[str]] = field(default_factory=dict)  # activity id -> boundary events


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def read_processes(files: dict[str, bytes]) -> tuple[dict[str, Process], dict[str, str]]:
    """Every BPMN process of a bundle by id, and the message names by message id."""
    processes: dict[str, Process] = {}
    messages: dict[str, str] = {}
    for name, content in sorted(files.items()):
        if not name.endswith(".bpmn"):
            continue
        root, finding = parse_model_xml(name, content)
        if finding or root is None:
            continue
        for message in root.iterfind("bpmn:message", NS):
            messages[message.get("id") or ""] = message.get("name") or message.get("id") or ""
        for element in root.iterfind("bpmn:process", NS):
            processes.setdefault(element.get("id") or "", _read_process(name, element))
    return processes, messages


def _read_process(file: str, element: etree._Element) -> Process:
    process = Process(element.get("id") or "", " ".join((element.get("name") or "").split()), file, element)
    lanes: dict[str, str] = {}
    for lane in element.iterfind(".//bpmn:lane", NS):
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = " ".join((lane.get("name") or "").split())
    pending = [element]
    while pending:
        container = pending.pop(0)
        for node in container:
            kind = _local(node)
            if not node.get("id") or etree.QName(node).namespace != BPMN_NS:
                continue
            if kind == "sequenceFlow":
                process.flows[node.get("id")] = node
                continue
            if kind in ("laneSet", "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation"):
                continue
            if kind in ("association", "ioSpecification", "property", "documentation", "extensionElements"):
                continue
            nid = node.get("id")
            process.nodes[nid] = Node(nid, kind, process.id, node, element_properties(node), lanes.get(nid))
            if kind == "startEvent":
                if container is element:
                    process.starts.append(nid)
                else:
                    process.inner_starts.setdefault(container.get("id"), []).append(nid)
            if kind == "boundaryEvent" and node.get("attachedToRef"):
                process.attached.setdefault(node.get("attachedToRef"), []).append(nid)
            if kind in _ACTIVITIES and kind != "callActivity":
                pending.append(node)
    return process


def constants(processes: dict[str, Process], form_fields: set[str]) -> dict[str, Any]:
    """Variables that one script sets to a literal and nothing else writes (see the module's docstring)."""
    assigned: dict[str, list[Any]] = {}
    for process in processes.values():
        for script in process.root.iter(f"{_B}script", "{*}preScript", "{*}postScript"):
            try:
                tree = ast.parse(script.text or "")
            except SyntaxError:
                continue
            for statement in ast.walk(tree):
                for target, value in _assignments(statement):
                    assigned.setdefault(target, []).append(value)
    found = {}
    for name, values in assigned.items():
        if len(values) == 1 and values[0] is not UNKNOWN and name not in form_fields:
            found[name] = values[0]
    return found


def _assignments(statement: ast.AST) -> list[tuple[str, Any]]:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            try:
                return [(target.id, ast.literal_eval(statement.value))]
            except (ValueError, SyntaxError, TypeError):
                return [(target.id, UNKNOWN)]
    written = []
    for node in ast.walk(statement) if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)) else []:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            written.append((node.id, UNKNOWN))
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
            written.append((node.value.id, UNKNOWN))
    return written


def evaluate(expression: str, known: dict[str, Any]) -> Any:
    """The value of a condition from the constants alone, or UNKNOWN."""
    try:
        return _value(ast.parse(expression.strip(), mode="eval").body, known)
    except (SyntaxError, RecursionError):
        return UNKNOWN


def _value(node: ast.expr, known: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_value(e, known) for e in node.elts]
        return UNKNOWN if any(i is UNKNOWN for i in items) else items
    if isinstance(node, ast.Name):
        return known.get(node.id, UNKNOWN)
    if isinstance(node, ast.Subscript):
        base, key = _value(node.value, known), _value(node.slice, known)
        return base.get(key, UNKNOWN) if isinstance(base, dict) and key is not UNKNOWN else UNKNOWN
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        base = _value(node.func.value, known)
        args = [_value(a, known) for a in node.args]
        if isinstance(base, dict) and args and all(a is not UNKNOWN for a in args):
            return base.get(*args[:2])
        return UNKNOWN
    if isinstance(node, ast.BoolOp):
        values = [_value(v, known) for v in node.values]
        decisive = [v for v in values if v is not UNKNOWN and bool(v) == isinstance(node.op, ast.Or)]
        if decisive:
            return decisive[0]
        return values[-1] if all(v is not UNKNOWN for v in values) else UNKNOWN
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        value = _value(node.operand, known)
        return UNKNOWN if value is UNKNOWN else not value
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = _value(node.left, known), _value(node.comparators[0], known)
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        op = node.ops[0]
        if isinstance(op, ast.Eq):
            return left == right
        if isinstance(op, ast.NotEq):
            return left != right
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (list, tuple, str, dict)):
            return (left in right) == isinstance(op, ast.In)
        return UNKNOWN
    return UNKNOWN


def flow_condition(flow: etree._Element) -> str | None:
    condition = flow.find("bpmn:conditionExpression", NS)
    return " ".join((condition.text or "").split()) if condition is not None and condition.text else None


def walk(processes: dict[str, Process], main: str, known: dict[str, Any]) -> list[tuple[str, str]]:
    """The (process id, element id) of every reachable node, in the order the flow reaches them."""
    seen: set[tuple[str, str]] = set()
    order: list[tuple[str, str]] = []
    queue: deque[tuple[str, str]] = deque()
    entered: set[str] = set()

    def enter_process(pid: str) -> None:
        if pid in processes and pid not in entered:
            entered.add(pid)
            queue.extend((pid, s) for s in processes[pid].starts)

    enter_process(main)
    while queue:
        key = queue.popleft()
        if key in seen:
            continue
        seen.add(key)
        order.append(key)
        pid, nid = key
        process = processes[pid]
        node = process.nodes.get(nid)
        if node is None:
            continue
        queue.extend((pid, b) for b in process.attached.get(nid, []))
        queue.extend((pid, s) for s in process.inner_starts.get(nid, []))
        if node.kind == "callActivity":
            enter_process(node.node.get("calledElement") or "")
        for nested in node.node.iterfind("bpmn:subProcess[@triggeredByEvent='true']", NS):
            queue.extend((pid, s) for s in process.inner_starts.get(nested.get("id"), []))
        queue.extend((pid, target) for target in _next(process, node, known))
    return order


def _next(process: Process, node: Node, known: dict[str, Any]) -> list[str]:
    refs = [(ref.text or "").strip() for ref in node.node.iterfind("bpmn:outgoing", NS)]
    flows = [process.flows[r] for r in refs if r in process.flows]
    default = node.node.get("default")
    values = {f.get("id"): evaluate(c, known) if (c := flow_condition(f)) else None for f in flows}
    taken = []
    certain = [fid for fid, v in values.items() if v is not None and v is not UNKNOWN and bool(v)]
    for flow in flows:
        fid, value = flow.get("id"), values.get(flow.get("id"))
        if value is not None and value is not UNKNOWN and not value:
            continue  # false for this variant
        if node.kind == "exclusiveGateway" and certain and fid != certain[0]:
            continue  # an exclusive gateway takes the first flow that is certainly true
        if fid == default and certain and node.kind in ("exclusiveGateway", "inclusiveGateway"):
            continue
        taken.append(flow.get("targetRef"))
    return taken


def is_step(node: Node) -> bool:
    """A node the description lists: every step that must have a phase, and script tasks or call activities that
    carry a phase or a reason beyond the Wth ("Kenmerken van deze variant")."""
    if needs_phase(node.node):
        return True
    return node.kind in ("scriptTask", "callActivity") and bool({"fase", "buitenWth"} & set(node.props))

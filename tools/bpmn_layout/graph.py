"""Reading one BPMN flow-element container (a process or a subprocess) as a graph.

The layout only needs a small, explicit model: which nodes there are, how big
they are drawn, how they are connected and in which lane they live. Keeping
this apart from placement and routing lets each step be reasoned about (and
tested) on plain data instead of on XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

TASK_TAGS = frozenset(
    {
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "businessRuleTask",
        "sendTask",
        "receiveTask",
        "callActivity",
    }
)
# Subprocess kinds that bpmn-js can drill down into (all are bpmn:SubProcess subtypes).
SUBPROCESS_TAGS = frozenset({"subProcess", "transaction", "adHocSubProcess"})
EVENT_TAGS = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
    }
)
GATEWAY_TAGS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
DATA_TAGS = frozenset({"dataObjectReference", "dataStoreReference"})

# Standard bpmn-js sizes, so a shape looks the same as one drawn in the modeller.
SIZES: dict[str, tuple[float, float]] = {
    "task": (100, 80),
    "subprocess": (100, 80),
    "event": (36, 36),
    "boundary": (36, 36),
    "gateway": (50, 50),
    "dataObjectReference": (36, 50),
    "dataStoreReference": (50, 50),
    "annotation": (100, 30),
}


def bpmn(tag: str) -> str:
    """Clark notation for a BPMN model element."""
    return f"{{{BPMN_NS}}}{tag}"


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


@dataclass
class Node:
    """One shape to place: a flow node, a data reference or a text annotation."""

    id: str
    kind: str  # task | subprocess | event | boundary | gateway | data | annotation
    tag: str
    name: str
    width: float
    height: float
    order: int  # document order, the tie breaker that keeps the layout deterministic
    host: str | None = None  # boundary events: the activity they are attached to
    anchor: str | None = None  # data and annotations: the node they are drawn next to
    event_subprocess: bool = False
    band: int = 0
    rank: int = 0
    row: int = 0


@dataclass
class Flow:
    """A connection drawn as an edge: sequence flow or association."""

    id: str
    source: str
    target: str
    name: str
    kind: str = "sequence"
    back: bool = False  # closes a loop; routed below instead of forward


@dataclass
class Band:
    """A horizontal strip of the pool: one leaf lane, or the nodes that have no lane."""

    lane_id: str | None
    nodes: list[str] = field(default_factory=list)
    rows: int = 1
    y: float = 0
    height: float = 0


@dataclass
class LaneTree:
    """A lane with its nested lanes, kept to draw parent lanes around their children."""

    id: str
    children: list[LaneTree]
    first_band: int = 0
    last_band: int = 0


@dataclass
class Container:
    """Everything the layout needs to know about one process or subprocess."""

    element: etree._Element
    nodes: dict[str, Node]
    flows: list[Flow]
    bands: list[Band]
    lanes: list[LaneTree]
    subprocesses: list[etree._Element]


def _kind(tag: str) -> str | None:
    if tag in TASK_TAGS:
        return "task"
    if tag in SUBPROCESS_TAGS:
        return "subprocess"
    if tag == "boundaryEvent":
        return "boundary"
    if tag in EVENT_TAGS:
        return "event"
    if tag in GATEWAY_TAGS:
        return "gateway"
    if tag in DATA_TAGS:
        return "data"
    if tag == "textAnnotation":
        return "annotation"
    return None


def _size(kind: str, tag: str) -> tuple[float, float]:
    if kind == "data":
        return SIZES[tag]
    return SIZES[kind]


def read_container(element: etree._Element, with_lanes: bool) -> Container:
    """Collect nodes, flows and lane bands of a process or subprocess (direct children only)."""
    nodes: dict[str, Node] = {}
    flows: list[Flow] = []
    subprocesses: list[etree._Element] = []
    for child in element:
        tag = local_name(child)
        ident = child.get("id")
        if not ident:
            continue
        kind = _kind(tag)
        if kind is not None:
            width, height = _size(kind, tag)
            nodes[ident] = Node(
                ident,
                kind,
                tag,
                (child.get("name") or "").strip(),
                width,
                height,
                len(nodes),
                host=child.get("attachedToRef") if kind == "boundary" else None,
                event_subprocess=child.get("triggeredByEvent") == "true",
            )
            if kind == "subprocess":
                subprocesses.append(child)
        elif tag in ("sequenceFlow", "association"):
            flows.append(
                Flow(
                    ident,
                    child.get("sourceRef") or "",
                    child.get("targetRef") or "",
                    (child.get("name") or "").strip(),
                    kind=tag,
                )
            )
        if kind in ("task", "subprocess"):
            flows.extend(_data_associations(child, ident))
    io_spec = element.find(bpmn("ioSpecification"))
    for child in io_spec if io_spec is not None else []:
        # A process's declared inputs and outputs: bpmn-js draws them as data input/output shapes.
        if local_name(child) in ("dataInput", "dataOutput") and child.get("id"):
            width, height = SIZES["dataObjectReference"]
            nodes[child.get("id")] = Node(
                child.get("id"), "data", local_name(child), (child.get("name") or "").strip(), width, height, len(nodes)
            )
    flows = [f for f in flows if f.source in nodes and f.target in nodes]
    for node in nodes.values():
        if node.kind == "boundary" and node.host not in nodes:
            node.kind, node.host = "event", None  # a dangling boundary is drawn as a plain event
    lanes, bands = _read_lanes(element, nodes) if with_lanes else ([], [])
    if not bands or any(_unlaned(nodes, bands)):
        bands.append(Band(None, [n.id for n in _unlaned(nodes, bands)]))
    for index, band in enumerate(bands):
        for node_id in band.nodes:
            nodes[node_id].band = index
    for node in nodes.values():
        if node.kind == "boundary":
            node.band = nodes[node.host].band  # type: ignore[index]
    return Container(element, nodes, flows, bands, lanes, subprocesses)


def _unlaned(nodes: dict[str, Node], bands: list[Band]) -> list[Node]:
    laned = {node_id for band in bands for node_id in band.nodes}
    # Boundary events, data and annotations follow the node they belong to, not a lane.
    return [n for n in nodes.values() if n.id not in laned and n.kind in ("task", "subprocess", "event", "gateway")]


def _read_lanes(element: etree._Element, nodes: dict[str, Node]) -> tuple[list[LaneTree], list[Band]]:
    """Leaf lanes become bands in document order; a node goes to the first leaf lane naming it."""
    bands: list[Band] = []
    taken: set[str] = set()

    def walk(lane_set: etree._Element | None) -> list[LaneTree]:
        trees = []
        for lane in lane_set.findall(bpmn("lane")) if lane_set is not None else []:
            child_set = lane.find(bpmn("childLaneSet"))
            tree = LaneTree(lane.get("id") or "", [], first_band=len(bands))
            tree.children = walk(child_set)
            if not tree.children:
                bands.append(Band(tree.id))
            refs = [(r.text or "").strip() for r in lane.findall(bpmn("flowNodeRef"))]
            target = bands[tree.first_band] if tree.first_band < len(bands) else None
            for ref in refs:
                node = nodes.get(ref)
                if target is not None and node is not None and ref not in taken and node.kind != "boundary":
                    taken.add(ref)
                    target.nodes.append(ref)
            tree.last_band = len(bands) - 1
            trees.append(tree)
        return trees

    # Children claim their nodes before the parent does: walk() recurses first.
    lanes = walk(element.find(bpmn("laneSet")))
    lanes = [t for t in lanes if t.last_band >= t.first_band]
    return lanes, bands


def find_back_edges(container: Container) -> None:
    """Mark sequence flows that close a cycle, found by depth-first search from start events.

    Ranking needs an acyclic graph; the flows that return to a node still on the
    search stack are the ones a reader sees as "going back", so they are drawn
    as loops underneath instead of pushing the layout to the right.
    """
    nodes = container.nodes
    successors: dict[str, list[tuple[str, Flow | None]]] = {n: [] for n in nodes}
    for flow in container.flows:
        if flow.kind == "sequenceFlow":
            successors[flow.source].append((flow.target, flow))
    for node in nodes.values():
        if node.kind == "boundary":
            successors[node.host].append((node.id, None))  # type: ignore[index]
    has_incoming = {t for targets in successors.values() for t, _ in targets}
    ordered = sorted(nodes.values(), key=lambda n: n.order)
    roots = (
        [n.id for n in ordered if n.tag == "startEvent"]
        + [n.id for n in ordered if n.id not in has_incoming]
        + [n.id for n in ordered]
    )
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(successors[root]))]
        while stack:
            current, children = stack[-1]
            step = next(children, None)
            if step is None:
                state[current] = 2
                stack.pop()
                continue
            target, flow = step
            if state.get(target) == 1:
                if flow is not None:
                    flow.back = True
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(successors[target])))


def assign_ranks(container: Container) -> None:
    """Longest-path rank over the forward sequence flows; a boundary event shares its host's rank."""
    nodes = container.nodes
    edges: list[tuple[str, str, int]] = [
        (f.source, f.target, 1) for f in container.flows if f.kind == "sequenceFlow" and not f.back
    ]
    edges += [(n.host, n.id, 0) for n in nodes.values() if n.kind == "boundary" and n.host]
    indegree = {n: 0 for n in nodes}
    outgoing: dict[str, list[tuple[str, int]]] = {n: [] for n in nodes}
    for source, target, weight in edges:
        if nodes[target].kind == "boundary" and weight:
            continue  # a flow into a boundary event is invalid BPMN; do not let it move the event
        indegree[target] += 1
        outgoing[source].append((target, weight))
    ready = sorted((n for n, d in indegree.items() if d == 0), key=lambda n: nodes[n].order)
    while ready:
        current = ready.pop(0)
        for target, weight in outgoing[current]:
            nodes[target].rank = max(nodes[target].rank, nodes[current].rank + weight)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    # Data references and annotations stand next to the first node they are associated with.
    placed: set[str] = set()
    for flow in container.flows:
        if flow.kind == "sequenceFlow":
            continue
        for own, other in ((flow.source, flow.target), (flow.target, flow.source)):
            if (
                own not in placed
                and nodes[own].kind in ("data", "annotation")
                and nodes[other].kind not in ("data", "annotation")
            ):
                placed.add(own)
                nodes[own].rank, nodes[own].band = nodes[other].rank, nodes[other].band
                nodes[own].anchor = other


def _data_associations(activity: etree._Element, activity_id: str) -> list[Flow]:
    """Data input/output associations of an activity, as flows between data reference and activity."""
    flows = []
    for assoc in activity:
        tag = local_name(assoc)
        if tag not in ("dataInputAssociation", "dataOutputAssociation") or not assoc.get("id"):
            continue
        refs = assoc.findall(bpmn("sourceRef")) if tag == "dataInputAssociation" else assoc.findall(bpmn("targetRef"))
        for ref in refs[:1]:
            data_id = (ref.text or "").strip()
            source, target = (data_id, activity_id) if tag == "dataInputAssociation" else (activity_id, data_id)
            flows.append(Flow(assoc.get("id") or "", source, target, "", kind=tag))
    return flows

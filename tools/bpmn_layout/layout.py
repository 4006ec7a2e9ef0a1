"""Generate the BPMN DI (diagram interchange) of hand-written BPMN models.

Our process models are written as XML by hand, but process designers open them
in bpmn-js / Camunda Modeler, which can only show what has DI. This tool
(re)generates every bpmndi:BPMNDiagram from the semantic model so the drawing
never drifts from the XML, and leaves everything else as it was:

* a bpmn:collaboration with one participant per process is added when missing,
  because bpmn-js only draws lanes inside a participant (pool);
* lanes become horizontal bands; nodes are placed left to right by rank;
* embedded and event subprocesses are drawn collapsed, each with a diagram of
  its own, which is how bpmn-js offers drill-down.

Usage: ``python -m tools.bpmn_layout FILE... [--check]``. With ``--check``
nothing is written; the exit status is 1 when a file's DI is missing or differs
from what the tool would produce (the files are listed), 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tools.bpmn_layout.graph import Container, LaneTree, assign_ranks, bpmn, find_back_edges, read_container
from tools.bpmn_layout.place import Box, Placement, label_size, place
from tools.bpmn_layout.route import Point, Routing, route_container

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
DI_PREFIXES = {"bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS}

POOL_X, POOL_Y = 120.0, 60.0
POOL_HEADER = 30.0  # the vertical name strip of a participant
LANE_HEADER = 30.0  # the vertical name strip of a lane
CONTENT_MARGIN = 20.0
POOL_GAP = 60.0
SUBPROCESS_ORIGIN = (150.0, 80.0)


class LayoutError(Exception):
    """The file cannot be laid out (not BPMN, not well-formed, or has a DTD)."""


def _parser() -> etree.XMLParser:
    # Model files come from outside: no entities, no network, no DTD.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def _num(value: float) -> str:
    return str(int(round(value)))


def _bounds(parent: etree._Element, box: Box) -> None:
    etree.SubElement(parent, f"{{{DC_NS}}}Bounds", x=_num(box.x), y=_num(box.y), width=_num(box.w), height=_num(box.h))


class PlaneWriter:
    """Appends shapes and edges to one bpmndi:BPMNPlane."""

    def __init__(self, plane: etree._Element) -> None:
        self.plane = plane

    def shape(self, element_id: str, box: Box, label: Box | None = None, **attributes: str) -> None:
        shape = etree.SubElement(
            self.plane, f"{{{BPMNDI_NS}}}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id, **attributes
        )
        _bounds(shape, box)
        if label is not None:
            _bounds(etree.SubElement(shape, f"{{{BPMNDI_NS}}}BPMNLabel"), label)

    def edge(self, element_id: str, points: list[Point], label: Box | None = None) -> None:
        edge = etree.SubElement(self.plane, f"{{{BPMNDI_NS}}}BPMNEdge", id=f"{element_id}_di", bpmnElement=element_id)
        for x, y in points:
            etree.SubElement(edge, f"{{{DI_NS}}}waypoint", x=_num(x), y=_num(y))
        if label is not None:
            _bounds(etree.SubElement(edge, f"{{{BPMNDI_NS}}}BPMNLabel"), label)


def _new_diagram(root: etree._Element, element_id: str, suffix: str) -> PlaneWriter:
    diagram = etree.SubElement(root, f"{{{BPMNDI_NS}}}BPMNDiagram", id=f"BPMNDiagram_{suffix}")
    return PlaneWriter(
        etree.SubElement(diagram, f"{{{BPMNDI_NS}}}BPMNPlane", id=f"BPMNPlane_{suffix}", bpmnElement=element_id)
    )


def _laid_out(container: Container, left: float, top: float) -> tuple[Placement, Routing]:
    """The whole pipeline for one container: loops, ranks, grid placement, edge routing."""
    find_back_edges(container)
    assign_ranks(container)
    placement = place(container, left, top)
    return placement, route_container(container, placement)


def _write_content(writer: PlaneWriter, container: Container, placement: Placement, routing: Routing) -> None:
    """Shapes of the nodes (document order) followed by the edges of the flows."""
    for node in sorted(container.nodes.values(), key=lambda n: n.order):
        attributes = {}
        if node.kind == "subprocess":
            attributes["isExpanded"] = "false"
        if node.tag == "exclusiveGateway":
            attributes["isMarkerVisible"] = "true"
        writer.shape(node.id, placement.boxes[node.id], routing.node_labels.get(node.id), **attributes)
    for flow in container.flows:
        writer.edge(flow.id, routing.waypoints[flow.id], routing.flow_labels.get(flow.id))


def _lane_depth(trees: list[LaneTree]) -> int:
    return max((1 + _lane_depth(t.children) for t in trees), default=0)


def _write_lanes(writer: PlaneWriter, trees: list[LaneTree], placement: Placement, x: float, right: float) -> None:
    """Lanes span the pool to its right edge; nested lanes start one name strip further in."""
    for tree in trees:
        top = placement.band_tops[tree.first_band]
        bottom = placement.band_tops[tree.last_band] + placement.band_heights[tree.last_band]
        writer.shape(tree.id, Box(x, top, right - x, bottom - top), isHorizontal="true")
        _write_lanes(writer, tree.children, placement, x + LANE_HEADER, right)


def ensure_collaboration(root: etree._Element) -> etree._Element:
    """Return the collaboration, creating it and any missing participant (one per process)."""
    ids = {e.get("id") for e in root.iter() if isinstance(e.tag, str)}
    processes = root.findall(bpmn("process"))
    collaboration = root.find(bpmn("collaboration"))
    if collaboration is None:
        ident = _unique("Collaboration_1", ids)
        collaboration = etree.Element(bpmn("collaboration"), id=ident)
        anchor = processes[0] if processes else None
        if anchor is not None:
            anchor.addprevious(collaboration)
        else:
            root.append(collaboration)
    present = {p.get("processRef") for p in collaboration.findall(bpmn("participant"))}
    existing = collaboration.findall(bpmn("participant"))
    position = collaboration.index(existing[-1]) + 1 if existing else 0
    for process in processes:
        process_id = process.get("id") or ""
        if process_id in present:
            continue
        participant = etree.Element(
            bpmn("participant"),
            id=_unique(f"Participant_{process_id}", ids),
            name=process.get("name") or process_id,
            processRef=process_id,
        )
        collaboration.insert(position, participant)
        position += 1
    return collaboration


def _unique(ident: str, ids: set[str | None]) -> str:
    candidate, number = ident, 2
    while candidate in ids:
        candidate, number = f"{ident}_{number}", number + 1
    ids.add(candidate)
    return candidate


@dataclass
class Pool:
    """One participant with its laid-out process (None for a black-box pool)."""

    participant: etree._Element
    top: float
    height: float
    right: float = 0.0
    container: Container | None = None
    placement: Placement | None = None
    routing: Routing | None = None


def _layout_pools(collaboration: etree._Element, processes: dict[str | None, etree._Element]) -> list[Pool]:
    """Lay out each participant's process, stacking the pools top to bottom."""
    pools = []
    y = POOL_Y
    for participant in collaboration.findall(bpmn("participant")):
        process = processes.get(participant.get("processRef"))
        if process is None:
            pools.append(Pool(participant, y, 100.0))
        else:
            container = read_container(process, with_lanes=True)
            left = POOL_X + POOL_HEADER + _lane_depth(container.lanes) * LANE_HEADER + CONTENT_MARGIN
            placement, routing = _laid_out(container, left, y)
            pools.append(
                Pool(participant, y, sum(placement.band_heights), left + placement.width, container, placement, routing)
            )
        y += pools[-1].height + POOL_GAP
    return pools


def layout_definitions(root: etree._Element) -> None:
    """Replace all DI of a bpmn:definitions element by a freshly computed layout."""
    for diagram in root.findall(f"{{{BPMNDI_NS}}}BPMNDiagram"):
        root.remove(diagram)
    collaboration = ensure_collaboration(root)
    pools = _layout_pools(collaboration, {p.get("id"): p for p in root.findall(bpmn("process"))})
    # All pools get the width of the widest, as a modeller user would draw them.
    right = max([pool.right for pool in pools] + [POOL_X + 400]) + CONTENT_MARGIN
    writer = _new_diagram(root, collaboration.get("id") or "", "1")
    boxes: dict[str, Box] = {}
    for pool in pools:
        box = Box(POOL_X, pool.top, right - POOL_X, pool.height)
        boxes[pool.participant.get("id") or ""] = box
        writer.shape(pool.participant.get("id") or "", box, isHorizontal="true")
        if pool.container is not None and pool.placement is not None and pool.routing is not None:
            _write_lanes(writer, pool.container.lanes, pool.placement, POOL_X + POOL_HEADER, right)
            _write_content(writer, pool.container, pool.placement, pool.routing)
            boxes.update(pool.placement.boxes)
    _write_message_flows(writer, collaboration, boxes)
    for pool in pools:
        if pool.container is not None:
            _write_subprocesses(root, pool.container)


def _write_message_flows(writer: PlaneWriter, collaboration: etree._Element, boxes: dict[str, Box]) -> None:
    """Message flows run vertically between pools: out of one shape's side facing the other."""
    for flow in collaboration.findall(bpmn("messageFlow")):
        source, target = boxes.get(flow.get("sourceRef")), boxes.get(flow.get("targetRef"))
        if source is None or target is None:
            continue
        down = source.cy < target.cy
        start = (source.cx, source.bottom if down else source.y)
        end = (target.cx, target.y if down else target.bottom)
        middle = (start[1] + end[1]) / 2
        points = [start, (start[0], middle), (end[0], middle), end] if start[0] != end[0] else [start, end]
        name = (flow.get("name") or "").strip()
        label = None
        if name:
            w, h = label_size(name)
            label = Box(start[0] + 6, middle - h - 4, w, h)
        writer.edge(flow.get("id") or "", points, label)


def _write_subprocesses(root: etree._Element, container: Container) -> None:
    """One diagram per subprocess (recursively), with the subprocess as its plane element."""
    for subprocess in container.subprocesses:
        inner = read_container(subprocess, with_lanes=False)
        placement, routing = _laid_out(inner, *SUBPROCESS_ORIGIN)
        ident = subprocess.get("id") or ""
        _write_content(_new_diagram(root, ident, ident), inner, placement, routing)
        _write_subprocesses(root, inner)


def _with_di_namespaces(root: etree._Element) -> etree._Element:
    """Declare the DI namespaces on the root, so the diagrams read like the modeller writes them."""
    missing = {p: uri for p, uri in DI_PREFIXES.items() if uri not in root.nsmap.values()}
    if not missing:
        return root
    nsmap = dict(root.nsmap)
    for prefix, uri in missing.items():
        candidate, number = prefix, 2
        while candidate in nsmap:
            candidate, number = f"{prefix}{number}", number + 1
        nsmap[candidate] = uri
    new_root = etree.Element(root.tag, nsmap=nsmap)
    for key, value in root.attrib.items():
        new_root.set(key, value)
    new_root.text = root.text
    for child in list(root):
        new_root.append(child)
    return new_root


def layout_bytes(content: bytes) -> bytes:
    """Lay out one BPMN document and return the new file content (UTF-8, 2-space indentation)."""
    try:
        tree = etree.fromstring(content, _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise LayoutError(f"not well-formed XML: {exc}") from None
    if tree.docinfo.doctype:
        raise LayoutError("a DOCTYPE is not allowed in model files")
    old_root = tree.getroot()
    if old_root.tag != bpmn("definitions"):
        raise LayoutError("not a BPMN 2.0 file (root is not bpmn:definitions)")
    before = [s for s in old_root.itersiblings(preceding=True)][::-1]
    after = list(old_root.itersiblings())
    root = _with_di_namespaces(old_root)
    layout_definitions(root)
    parts = [b'<?xml version="1.0" encoding="UTF-8"?>\n']
    parts += [etree.tostring(node, encoding="UTF-8").strip() + b"\n" for node in before]
    parts.append(etree.tostring(root, encoding="UTF-8", pretty_print=True))
    parts += [etree.tostring(node, encoding="UTF-8").strip() + b"\n" for node in after]
    return b"".join(parts)


def main(argv: list[str] | None = None) -> int:
    """CLI: lay out (or with --check, verify) the given BPMN files."""
    parser = argparse.ArgumentParser(prog="python -m tools.bpmn_layout", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 listing the files whose DI is missing or outdated"
    )
    args = parser.parse_args(argv)
    outdated, failed = [], False
    for path in args.files:
        try:
            current = path.read_bytes()
            wanted = layout_bytes(current)
        except (OSError, LayoutError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            failed = True
            continue
        if current == wanted:
            continue
        if args.check:
            outdated.append(path)
        else:
            path.write_bytes(wanted)
            print(f"laid out {path}")
    for path in outdated:
        print(f"{path}: DI missing or not what tools.bpmn_layout produces; run python -m tools.bpmn_layout {path}")
    return 2 if failed else (1 if outdated else 0)

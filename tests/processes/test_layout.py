"""The BPMN layout tool: complete, readable DI that leaves the process model itself alone."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from tools.bpmn_layout import LayoutError, layout_bytes, main
from tools.bpmn_layout.place import Box

FIXTURES = Path(__file__).parent.parent / "fixtures"
MODELS = {
    "sample": FIXTURES / "bundles" / "sample" / "sample.bpmn",
    "sample_check": FIXTURES / "bundles" / "common" / "sample_check.bpmn",
    "lanes_loop": FIXTURES / "layout" / "lanes_loop.bpmn",
    "subprocesses": FIXTURES / "layout" / "subprocesses.bpmn",
    "event_gateway": FIXTURES / "layout" / "event_gateway.bpmn",
}
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
FLOW_NODES = (
    "task userTask manualTask scriptTask serviceTask businessRuleTask sendTask receiveTask "
    "callActivity subProcess startEvent endEvent intermediateCatchEvent intermediateThrowEvent "
    "boundaryEvent exclusiveGateway parallelGateway inclusiveGateway eventBasedGateway"
).split()
EDGE_ELEMENTS = ("sequenceFlow", "association", "dataInputAssociation", "dataOutputAssociation")


class Rect(Box):
    """The layout's own rectangle, read back from the written DI, plus containment for the checks."""

    def contains(self, other: Box) -> bool:
        return self.x <= other.x and other.right <= self.right and self.y <= other.y and other.bottom <= self.bottom


def _rect(bounds: etree._Element) -> Rect:
    return Rect(*(float(bounds.get(a)) for a in ("x", "y", "width", "height")))


@dataclass
class Plane:
    element: str
    shapes: dict[str, etree._Element]
    edges: dict[str, etree._Element]

    def box(self, ident: str) -> Rect:
        return _rect(self.shapes[ident].find("dc:Bounds", NS))

    def label(self, ident: str) -> Rect | None:
        bounds = self.shapes[ident].find("bpmndi:BPMNLabel/dc:Bounds", NS)
        return _rect(bounds) if bounds is not None else None

    def points(self, ident: str) -> list[tuple[float, float]]:
        return [(float(p.get("x")), float(p.get("y"))) for p in self.edges[ident].findall("di:waypoint", NS)]


def _planes(root: etree._Element) -> dict[str, Plane]:
    planes = {}
    for plane in root.iterfind("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS):
        planes[plane.get("bpmnElement")] = Plane(
            plane.get("bpmnElement"),
            {s.get("bpmnElement"): s for s in plane.iterfind("bpmndi:BPMNShape", NS)},
            {e.get("bpmnElement"): e for e in plane.iterfind("bpmndi:BPMNEdge", NS)},
        )
    return planes


def _parse(path: Path) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)
    return etree.parse(str(path), parser).getroot()


@pytest.fixture(params=sorted(MODELS))
def model(request, tmp_path) -> tuple[str, Path, Path]:
    """(name, original, laid-out copy): the layout only ever runs on a copy in tmp_path."""
    original = MODELS[request.param]
    copy = tmp_path / original.name
    shutil.copyfile(original, copy)
    assert main([str(copy)]) == 0
    return request.param, original, copy


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _owner_plane(element: etree._Element, root_plane: str) -> str:
    """Subprocess content is drawn in the subprocess's own (drill-down) plane."""
    parent = element.getparent()
    return parent.get("id") if _local(parent) in ("subProcess", "transaction", "adHocSubProcess") else root_plane


def test_every_element_has_di_in_the_right_plane(model):
    _, _, path = model
    root = _parse(path)
    planes = _planes(root)
    collaboration = root.find("bpmn:collaboration", NS)
    main_plane = collaboration.get("id")
    assert main_plane in planes
    for participant in collaboration.iterfind("bpmn:participant", NS):
        assert participant.get("id") in planes[main_plane].shapes
        assert planes[main_plane].shapes[participant.get("id")].get("isHorizontal") == "true"
    for lane in root.iterfind(".//bpmn:lane", NS):
        assert lane.get("id") in planes[main_plane].shapes
    for process in root.iterfind("bpmn:process", NS):
        for element in process.iter():
            if not isinstance(element.tag, str) or not element.get("id"):
                continue
            name = _local(element)
            plane = planes[_owner_plane(element, main_plane)]
            if name in FLOW_NODES or name in ("dataObjectReference", "dataStoreReference", "textAnnotation"):
                assert element.get("id") in plane.shapes, f"{element.get('id')} has no shape"
            elif name in EDGE_ELEMENTS:
                assert element.get("id") in plane.edges, f"{element.get('id')} has no edge"
    di_ids = [e.get("id") for e in root.iterfind("bpmndi:BPMNDiagram//*[@id]", NS)]
    assert len(di_ids) == len(set(di_ids))


def test_no_shapes_or_labels_overlap(model):
    _, _, path = model
    root = _parse(path)
    hosts = {b.get("id"): b.get("attachedToRef") for b in root.iterfind(".//bpmn:boundaryEvent", NS)}
    containers = {e.get("id") for e in root.iterfind(".//bpmn:participant", NS)} | {
        e.get("id") for e in root.iterfind(".//bpmn:lane", NS)
    }
    for plane in _planes(root).values():
        shapes = {i: plane.box(i) for i in plane.shapes if i not in containers}
        labels = {i: plane.label(i) for i in plane.shapes if plane.label(i) is not None}
        labels.update(
            {
                f"{i} label": _rect(e.find("bpmndi:BPMNLabel/dc:Bounds", NS))
                for i, e in plane.edges.items()
                if e.find("bpmndi:BPMNLabel", NS) is not None
            }
        )
        for (a, box_a), (b, box_b) in itertools.combinations(shapes.items(), 2):
            if hosts.get(a) == b or hosts.get(b) == a:
                continue
            assert not box_a.overlaps(box_b), f"{a} overlaps {b}"
        for label_id, label in labels.items():
            for shape_id, box in shapes.items():
                assert not label.overlaps(box), f"label of {label_id} overlaps {shape_id}"
        for (a, label_a), (b, label_b) in itertools.combinations(labels.items(), 2):
            assert not label_a.overlaps(label_b), f"labels of {a} and {b} overlap"


def test_named_events_and_gateways_have_labels_outside_the_shape(model):
    _, _, path = model
    root = _parse(path)
    planes = _planes(root)
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.get("name"):
            continue
        name = _local(element)
        if not (name.endswith("Event") or name.endswith("Gateway")):
            continue
        plane = next(p for p in planes.values() if element.get("id") in p.shapes)
        label, box = plane.label(element.get("id")), plane.box(element.get("id"))
        assert label is not None, f"{element.get('id')} has no label bounds"
        assert not label.overlaps(box)
        if name not in ("boundaryEvent",):
            # Centred above or below the shape, where bpmn-js puts external labels.
            assert abs((label.x + label.w / 2) - (box.x + box.w / 2)) <= 1
            assert label.y >= box.bottom or label.bottom <= box.y


def test_boundary_events_sit_on_the_bottom_border_of_their_host(model):
    _, _, path = model
    root = _parse(path)
    planes = _planes(root)
    for boundary in root.iterfind(".//bpmn:boundaryEvent", NS):
        plane = next(p for p in planes.values() if boundary.get("id") in p.shapes)
        box, host = plane.box(boundary.get("id")), plane.box(boundary.get("attachedToRef"))
        assert abs(box.y + box.h / 2 - host.bottom) <= 1
        assert host.x <= box.x + box.w / 2 <= host.right


def test_lanes_are_stacked_bands_that_hold_their_nodes(model):
    _, _, path = model
    root = _parse(path)
    plane = _planes(root)[root.find("bpmn:collaboration", NS).get("id")]
    for participant in root.iterfind("bpmn:collaboration/bpmn:participant", NS):
        pool = plane.box(participant.get("id"))
        process = root.find(f"bpmn:process[@id='{participant.get('processRef')}']", NS)
        for node in process:
            if _local(node) in FLOW_NODES:
                assert pool.contains(plane.box(node.get("id"))), f"{node.get('id')} outside its pool"
        lane_set = process.find("bpmn:laneSet", NS)
        if lane_set is None:
            continue
        top_lanes = lane_set.findall("bpmn:lane", NS)
        boxes = [plane.box(lane.get("id")) for lane in top_lanes]
        assert [b.y for b in boxes] == sorted(b.y for b in boxes), "lanes not in document order"
        for upper, lower in zip(boxes, boxes[1:]):
            assert upper.bottom == lower.y and upper.x == lower.x and upper.right == lower.right
        for lane in process.iter(f"{{{NS['bpmn']}}}lane"):
            band = plane.box(lane.get("id"))
            assert pool.contains(band)
            for ref in lane.iterfind("bpmn:flowNodeRef", NS):
                box = plane.box(ref.text.strip())
                if _local(root.find(f".//*[@id='{ref.text.strip()}']")) != "boundaryEvent":
                    assert band.contains(box), f"{ref.text} is not inside lane {lane.get('id')}"


def _crosses(a: tuple[float, float], b: tuple[float, float], box: Rect) -> bool:
    x1, x2 = sorted((a[0], b[0]))
    y1, y2 = sorted((a[1], b[1]))
    return x1 < box.right - 1 and x2 > box.x + 1 and y1 < box.bottom - 1 and y2 > box.y + 1


def test_sequence_flows_are_orthogonal_attached_and_clear_of_other_shapes(model):
    _, _, path = model
    root = _parse(path)
    planes = _planes(root)
    containers = {e.get("id") for e in root.iterfind(".//bpmn:participant", NS)} | {
        e.get("id") for e in root.iterfind(".//bpmn:lane", NS)
    }
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        plane = next(p for p in planes.values() if flow.get("id") in p.edges)
        points = plane.points(flow.get("id"))
        assert len(points) >= 2
        for a, b in zip(points, points[1:]):
            assert a[0] == b[0] or a[1] == b[1], f"{flow.get('id')} has a diagonal segment"
        source, target = plane.box(flow.get("sourceRef")), plane.box(flow.get("targetRef"))
        for point, box in ((points[0], source), (points[-1], target)):
            on_x_side = point[0] in (box.x, box.right) and box.y <= point[1] <= box.bottom
            on_y_side = point[1] in (box.y, box.bottom) and box.x <= point[0] <= box.right
            assert on_x_side or on_y_side, f"{flow.get('id')} does not start/end on its shape's border"
        if target.x > source.right:
            assert points[-1][0] == target.x, f"{flow.get('id')} runs forward but does not enter from the left"
        else:
            assert points[-1][1] == target.bottom or points[-1][0] == target.x, (
                f"{flow.get('id')} loops back but enters neither from below nor from the left"
            )
        ends = {flow.get("sourceRef"), flow.get("targetRef")}
        hosts = {root.find(f".//*[@id='{i}']").get("attachedToRef") for i in ends} - {None}
        for ident in plane.shapes:
            if ident in containers or ident in ends or ident in hosts:
                continue
            box = plane.box(ident)
            assert not any(_crosses(a, b, box) for a, b in zip(points, points[1:])), (
                f"{flow.get('id')} runs through {ident}"
            )


def test_loops_run_back_underneath():
    for name, flow_id in (("lanes_loop", "Flow_terug"), ("event_gateway", "Flow_opnieuw")):
        content = layout_bytes(MODELS[name].read_bytes())
        root = etree.fromstring(content)
        plane = next(p for p in _planes(root).values() if flow_id in p.edges)
        flow = root.find(f".//bpmn:sequenceFlow[@id='{flow_id}']", NS)
        source, target = plane.box(flow.get("sourceRef")), plane.box(flow.get("targetRef"))
        points = plane.points(flow_id)
        assert target.right < source.x, "the loop target stays left of the source"
        assert max(y for _, y in points) > max(source.bottom, target.bottom)
        assert points[-1][1] == target.bottom, "a loop enters its target from below"


def test_nodes_run_left_to_right_along_the_flow():
    root = etree.fromstring(layout_bytes(MODELS["sample"].read_bytes()))
    plane = _planes(root)["Collaboration_1"]
    order = [
        "StartEvent_1",
        "Task_verzoek",
        "Rule_advies",
        "Gateway_advies",
        "Task_besluit",
        "Call_check",
        "Script_opleggen",
        "Gateway_wacht",
        "Catch_overtreding",
        "End_overtreding",
    ]
    xs = [plane.box(i).x + plane.box(i).w / 2 for i in order]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    # The main path within a lane is one straight line.
    centres = {plane.box(i).y + plane.box(i).h / 2 for i in order[4:]}
    assert len(centres) == 1
    # The targets of the event-based gateway share a column and stack vertically.
    catches = [plane.box("Catch_overtreding"), plane.box("Catch_verlopen")]
    assert catches[0].x == catches[1].x and catches[0].bottom < catches[1].y


def test_event_based_gateway_targets_stack_in_one_column():
    root = etree.fromstring(layout_bytes(MODELS["event_gateway"].read_bytes()))
    plane = _planes(root)["Collaboration_wachten"]
    boxes = [plane.box(i) for i in ("Catch_reactie", "Catch_termijn", "Catch_ingetrokken")]
    assert len({b.x for b in boxes}) == 1
    assert boxes[0].bottom < boxes[1].y and boxes[1].bottom < boxes[2].y
    gateway = plane.box("Gateway_wachten")
    assert all(b.x > gateway.right for b in boxes)


def test_subprocesses_are_collapsed_with_a_drill_down_plane_of_their_own():
    root = etree.fromstring(layout_bytes(MODELS["subprocesses"].read_bytes()))
    planes = _planes(root)
    main_plane = planes["Collaboration_1"]
    for sub in ("Sub_beoordeling", "Sub_update"):
        assert main_plane.shapes[sub].get("isExpanded") == "false"
        assert main_plane.box(sub).w == 100 and main_plane.box(sub).h == 80
    assert planes["Sub_beoordeling"].shapes["Sub_samenvatten"].get("isExpanded") == "false"
    assert {"Start_beoordeling", "Task_risico", "Task_veiligheid", "End_beoordeling"} <= set(
        planes["Sub_beoordeling"].shapes
    )
    assert {"Start_samenvatten", "Script_samenvatten"} <= set(planes["Sub_samenvatten"].shapes)
    assert {"Start_update", "Task_update", "End_update"} <= set(planes["Sub_update"].shapes)
    assert "Task_risico" not in main_plane.shapes
    # The event subprocess sits in a row of its own below the main path.
    assert main_plane.box("Sub_update").y > main_plane.box("End_afgebroken").bottom


def test_standard_sizes(model):
    _, _, path = model
    root = _parse(path)
    planes = _planes(root)
    for element in root.iter():
        if not isinstance(element.tag, str) or _local(element) not in FLOW_NODES:
            continue
        plane = next(p for p in planes.values() if element.get("id") in p.shapes)
        box = plane.box(element.get("id"))
        name = _local(element)
        expected = (36, 36) if name.endswith("Event") else (50, 50) if name.endswith("Gateway") else (100, 80)
        assert (box.w, box.h) == expected, element.get("id")


def _spiff_elements(root: etree._Element) -> list[bytes]:
    return [etree.tostring(e, method="c14n", exclusive=True) for e in root.iter(f"{{{NS['spiffworkflow']}}}*")]


def test_model_content_is_unchanged(model):
    _, original, path = model
    before, after = _parse(original), _parse(path)
    assert _spiff_elements(before) == _spiff_elements(after)
    assert dict(before.attrib) == dict(after.attrib)
    kept = [e for e in after if _local(e) != "BPMNDiagram"]
    created = [e for e in kept if _local(e) == "collaboration" and before.find("bpmn:collaboration", NS) is None]
    for element in created:
        kept.remove(element)
        assert [(p.get("processRef"), p.get("name")) for p in element] == [
            (p.get("id"), p.get("name")) for p in before.iterfind("bpmn:process", NS)
        ]
    original_children = [e for e in before if _local(e) != "BPMNDiagram"]
    assert [etree.tostring(e, method="c14n", exclusive=True) for e in kept] == [
        etree.tostring(e, method="c14n", exclusive=True) for e in original_children
    ]


def _specs(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Task specs and subprocess specs of every executable process, as SpiffWorkflow parses them."""
    root = _parse(path)
    parser = SpiffBpmnParser(validator=VALIDATOR)  # validates against the BPMN (and DI) schema
    parser.add_bpmn_xml(root, filename=path.name)
    parser.add_dmn_files([str(p) for p in FIXTURES.glob("bundles/*/*.dmn")])
    result = {}
    for process in root.iterfind("bpmn:process[@isExecutable='true']", NS):
        spec = parser.get_spec(process.get("id"))
        result[spec.name] = (
            sorted(spec.task_specs),
            sorted(parser.get_subprocess_specs(spec.name, require_call_activity_specs=False)),
        )
    return result


def test_spiffworkflow_still_parses_the_result(model):
    _, original, path = model
    specs = _specs(path)
    assert specs and specs == _specs(original)


def test_layout_is_idempotent_and_check_passes(model, capsys):
    _, _, path = model
    first = path.read_bytes()
    assert main(["--check", str(path)]) == 0
    assert main([str(path)]) == 0
    assert path.read_bytes() == first
    assert "laid out" not in capsys.readouterr().out


def test_check_lists_files_with_missing_or_stale_di(tmp_path, capsys):
    fresh = tmp_path / "sample.bpmn"
    shutil.copyfile(MODELS["sample"], fresh)
    stale = tmp_path / "lanes_loop.bpmn"
    shutil.copyfile(MODELS["lanes_loop"], stale)
    assert main([str(stale)]) == 0
    stale.write_bytes(stale.read_bytes().replace(b'width="100" height="80"', b'width="120" height="80"', 1))
    capsys.readouterr()
    assert main(["--check", str(fresh), str(stale)]) == 1
    out = capsys.readouterr().out
    assert str(fresh) in out and str(stale) in out
    assert fresh.read_bytes() == MODELS["sample"].read_bytes(), "--check never writes"


def test_output_is_utf8_with_declaration_and_two_space_indentation(tmp_path):
    content = layout_bytes(MODELS["sample"].read_bytes())
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ')
    lines = content.decode("utf-8").splitlines()
    assert lines[2].startswith("  <bpmn:") and not lines[2].startswith("   ")
    assert any(line.startswith("      <bpmndi:BPMNShape ") for line in lines)
    root = etree.fromstring(content)
    assert {"bpmndi", "dc", "di"} <= set(root.nsmap)


def test_existing_collaboration_is_kept_and_missing_participants_added():
    root = etree.fromstring(layout_bytes(MODELS["event_gateway"].read_bytes()))
    collaborations = root.findall("bpmn:collaboration", NS)
    assert [c.get("id") for c in collaborations] == ["Collaboration_wachten"]
    assert [p.get("id") for p in collaborations[0]] == ["Participant_wachten"]
    extra = (
        MODELS["event_gateway"]
        .read_bytes()
        .replace(
            b"</bpmn:definitions>",
            b'<bpmn:process id="tweede" name="Tweede" isExecutable="true"><bpmn:startEvent id="S2" name="Begin" />'
            b"</bpmn:process></bpmn:definitions>",
        )
    )
    root = etree.fromstring(layout_bytes(extra))
    participants = root.findall("bpmn:collaboration/bpmn:participant", NS)
    assert [(p.get("id"), p.get("processRef")) for p in participants] == [
        ("Participant_wachten", "layout_event_gateway"),
        ("Participant_tweede", "tweede"),
    ]
    plane = _planes(root)["Collaboration_wachten"]
    assert plane.box("Participant_wachten").bottom < plane.box("Participant_tweede").y
    assert plane.box("Participant_tweede").contains(plane.box("S2"))


def test_refuses_what_is_not_plain_bpmn(tmp_path, capsys):
    with pytest.raises(LayoutError, match="DOCTYPE"):
        layout_bytes(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]>'
            b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&e;</bpmn:definitions>'
        )
    with pytest.raises(LayoutError, match="not a BPMN"):
        layout_bytes(b"<definitions/>")
    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(b"<bpmn:definitions")
    assert main([str(broken)]) == 2
    assert "broken.bpmn" in capsys.readouterr().err

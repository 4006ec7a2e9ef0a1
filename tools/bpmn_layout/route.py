"""Orthogonal edge routing and label placement for one placed container.

Each edge tries a handful of candidate routes through the free channels between
columns and gutters between rows, and keeps the cheapest: crossing a shape is
far worse than an extra bend, and an extra bend is worse than some length. That
is simple, deterministic and good enough for hand-written process models, which
have tens of nodes, not thousands.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tools.bpmn_layout.graph import Container, Flow, Node
from tools.bpmn_layout.place import BAND_PAD, COL_W, ROW_H, TRACK_GAP, Box, Placement, label_size

Point = tuple[float, float]


@dataclass
class Routing:
    """Waypoints per flow id, and label boxes per node id and per flow id."""

    waypoints: dict[str, list[Point]] = field(default_factory=dict)
    node_labels: dict[str, Box] = field(default_factory=dict)
    flow_labels: dict[str, Box] = field(default_factory=dict)


def _simplify(points: list[Point]) -> list[Point]:
    """Drop repeated points and the middle point of three collinear ones."""
    result: list[Point] = []
    for point in points:
        point = (round(point[0]), round(point[1]))
        if result and result[-1] == point:
            continue
        if len(result) >= 2:
            (ax, ay), (bx, by) = result[-2], result[-1]
            if (ax == bx == point[0]) or (ay == by == point[1]):
                result[-1] = point
                continue
        result.append(point)
    return result


NUDGES = (-10.0, 10.0, -20.0, 20.0)


def _nudged(points: list[Point]) -> Iterator[list[Point]]:
    """Variants of a route with one inner segment moved sideways; the end segments keep
    their direction and at least 8 px, so the edge still leaves and enters its shapes squarely."""

    def keeps(old: tuple[Point, Point], new: tuple[Point, Point]) -> bool:
        (a, b), (c, d) = old, new
        before, after = (b[0] - a[0], b[1] - a[1]), (d[0] - c[0], d[1] - c[1])
        return (before[0] * after[0] + before[1] * after[1] > 0) and abs(after[0]) + abs(after[1]) >= 8

    for i in range(1, len(points) - 2):
        (ax, ay), (bx, by) = points[i], points[i + 1]
        for offset in NUDGES:
            moved = list(points)
            moved[i], moved[i + 1] = (
                ((ax + offset, ay), (bx + offset, by)) if ax == bx else ((ax, ay + offset), (bx, by + offset))
            )
            if keeps((points[0], points[1]), (moved[0], moved[1])) and keeps(
                (points[-2], points[-1]), (moved[-2], moved[-1])
            ):
                yield moved


def _hits(a: Point, b: Point, box: Box) -> bool:
    """Does the axis-parallel segment a-b pass through the inside of box (its border excluded)?"""
    x1, x2 = sorted((a[0], b[0]))
    y1, y2 = sorted((a[1], b[1]))
    return x1 < box.right - 1 and x2 > box.x + 1 and y1 < box.bottom - 1 and y2 > box.y + 1


class Router:
    """Routes all edges of a container, remembering used segments to spread parallel edges."""

    def __init__(self, container: Container, placement: Placement) -> None:
        self.container = container
        self.placement = placement
        self.boxes = placement.boxes
        self.segments: list[tuple[Point, Point, str, str]] = []  # a, b, source, target
        self.sides: dict[str, set[str]] = {n: set() for n in container.nodes}
        self.tracks: dict[int, int] = {}
        self.gutters = sorted(
            {
                top + BAND_PAD + r * ROW_H
                for top, centers in zip(placement.band_tops, placement.row_centers)
                for r in range(len(centers) + 1)
            }
        )

    def channel_after(self, node: Node) -> float:
        return self.placement.left + (node.rank + 1) * COL_W

    def channel_before(self, node: Node) -> float:
        return self.placement.left + node.rank * COL_W

    def score(self, points: list[Point], flow: Flow) -> float:
        nodes = self.container.nodes
        source, target = nodes[flow.source], nodes[flow.target]
        skip = {source.id, target.id}
        if source.kind == "boundary":
            skip.add(source.host or "")
        crossings = sum(
            1
            for a, b in zip(points, points[1:])
            for node_id, box in self.boxes.items()
            if node_id not in skip and _hits(a, b, box)
        )
        length = sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in zip(points, points[1:]))
        return crossings * 1000 + self.shared(points, flow) * 150 + (len(points) - 2) * 20 + length * 0.05

    def shared(self, points: list[Point], flow: Flow) -> int:
        """Segments that run on top of or end on another edge's. Edges that fork from or merge
        into one node may share a line (it reads as a fork or a merge); for unrelated edges a
        shared line or a T-junction makes it impossible to tell which way each one goes."""
        return sum(
            1
            for a, b in zip(points, points[1:])
            for c, d, s, t in self.segments
            if s != flow.source and t != flow.target and _meets(a, b, c, d)
        )

    def forward(self, flow: Flow) -> list[list[Point]]:
        nodes = self.container.nodes
        source, target = nodes[flow.source], nodes[flow.target]
        s, t = self.boxes[source.id], self.boxes[target.id]
        q = (t.x, t.cy)
        x_s, x_t = self.channel_after(source), self.channel_before(target)
        out: list[list[Point]] = []
        exits = (
            ["bottom"]
            if source.kind == "boundary"
            else ["right", "bottom", "top"]
            if source.kind == "gateway"
            else ["right"]
        )
        for side in exits:
            if side == "right":
                p = (s.right, s.cy)
                if abs(p[1] - q[1]) < 0.5:
                    out.append([p, q])
                out += [[p, (x, p[1]), (x, q[1]), q] for x in sorted({x_s, x_t}) if p[0] < x < q[0]]
                out += [[p, (x_s, p[1]), (x_s, g), (x_t, g), (x_t, q[1]), q] for g in self.gutters]
                continue
            down = side == "bottom"
            p = (s.cx, s.bottom if down else s.y)
            if (q[1] > p[1]) == down and p[0] < q[0] - 10:
                out.append([p, (p[0], q[1]), q])
            out += [
                [p, (p[0], g), (x_t, g), (x_t, q[1]), q]
                for g in self.gutters
                if (g > p[1] + 5 if down else g < p[1] - 5)
            ]
        return out

    def backward(self, flow: Flow) -> list[list[Point]]:
        nodes = self.container.nodes
        source, target = nodes[flow.source], nodes[flow.target]
        s, t = self.boxes[source.id], self.boxes[target.id]
        band = source.band
        rows_bottom = self.placement.band_tops[band] + BAND_PAD + len(self.placement.row_centers[band]) * ROW_H
        track = rows_bottom + BAND_PAD + self.tracks.get(band, 0) * TRACK_GAP
        levels = [g for g in self.gutters if g > max(s.bottom, t.bottom) + 5 and g < rows_bottom] + [track]
        x_s, x_t = self.channel_after(source) - 12, self.channel_before(target) + 12
        exits = [(s.cx, s.bottom)] if source.kind == "boundary" else [(s.cx, s.bottom), (s.right, s.cy)]
        out = []
        for p in exits:
            for q in [(t.cx, t.bottom), (t.x, t.cy)]:
                for y in levels:
                    start = [p, (p[0], y)] if p[1] == s.bottom else [p, (x_s, p[1]), (x_s, y)]
                    end = [(q[0], y), q] if q[1] == t.bottom else [(x_t, y), (x_t, q[1]), q]
                    out.append(start + end)
        return out

    def self_loop(self, flow: Flow) -> list[list[Point]]:
        s = self.boxes[flow.source]
        return [
            [
                (s.right, s.cy),
                (s.right + 20, s.cy),
                (s.right + 20, s.bottom + 20),
                (s.cx, s.bottom + 20),
                (s.cx, s.bottom),
            ]
        ]

    def association(self, flow: Flow) -> list[list[Point]]:
        a, b = self.boxes[flow.source], self.boxes[flow.target]
        if a.bottom <= b.y:
            return (
                [[(a.cx, a.bottom), (a.cx, b.y)]]
                if a.x < a.cx < a.right and b.x < a.cx < b.right
                else [[(a.cx, a.bottom), (b.cx, b.y)]]
            )
        if b.bottom <= a.y:
            return [[(a.cx, a.y), (b.cx, b.bottom)]]
        return [[(a.right, a.cy), (b.x, b.cy)] if a.right <= b.x else [(a.x, a.cy), (b.right, b.cy)]]

    def route(self, flow: Flow) -> list[Point]:
        if flow.source == flow.target:
            candidates = self.self_loop(flow)
        elif flow.kind != "sequenceFlow":
            candidates = self.association(flow)
        elif flow.back:
            candidates = self.backward(flow)
        else:
            candidates = self.forward(flow)
        best = _simplify(min(candidates, key=lambda c: self.score(_simplify(c), flow)))
        for _ in range(2):  # part the route from an unrelated edge it runs on top of
            if not self.shared(best, flow):
                break
            best = min([best] + list(_nudged(best)), key=lambda c: self.score(c, flow))
        if flow.back and flow.source != flow.target:
            band = self.container.nodes[flow.source].band
            self.tracks[band] = self.tracks.get(band, 0) + 1
        for a, b in zip(best, best[1:]):
            self.segments.append((a, b, flow.source, flow.target))
        self._mark_sides(flow, best)
        return best

    def _mark_sides(self, flow: Flow, points: list[Point]) -> None:
        for node_id, point in ((flow.source, points[0]), (flow.target, points[-1])):
            box = self.boxes[node_id]
            if point[1] >= box.bottom - 0.5:
                self.sides[node_id].add("bottom")
            elif point[1] <= box.y + 0.5:
                self.sides[node_id].add("top")


def route_container(container: Container, placement: Placement) -> Routing:
    """Route every flow (forward first, loops last) and place external labels clear of them."""
    router = Router(container, placement)
    routing = Routing()
    for flow in sorted(container.flows, key=lambda f: (f.back, f.kind != "sequenceFlow")):
        routing.waypoints[flow.id] = router.route(flow)
    boxes = placement.boxes
    siblings: dict[str, list[str]] = {}
    for node in sorted(container.nodes.values(), key=lambda n: n.order):
        if node.kind == "boundary":
            siblings.setdefault(node.host or "", []).append(node.id)
    for node in container.nodes.values():
        if not node.name or node.kind not in ("event", "gateway", "boundary", "data"):
            continue
        box = boxes[node.id]
        w, h = label_size(node.name)
        sides = router.sides[node.id]
        if node.kind == "boundary" and "bottom" in sides:
            # The outgoing edge runs straight down from the event: put the label beside it,
            # on a side without another boundary event of the same host (their edges run
            # down there too); a lone event's label goes under the host's middle.
            others = [boxes[other].cx for other in siblings[node.host or ""] if other != node.id]
            host = boxes[node.host or ""]
            if others:
                left_side = not any(cx < box.cx for cx in others)
            else:
                left_side = box.cx > host.cx
            x = box.cx - 6 - w if left_side else box.cx + 6
            routing.node_labels[node.id] = Box(x, box.bottom + 6, w, h)
        elif "bottom" not in sides or "top" in sides:
            routing.node_labels[node.id] = Box(box.cx - w / 2, box.bottom + 5, w, h)
        else:
            routing.node_labels[node.id] = Box(box.cx - w / 2, box.y - 5 - h, w, h)
    _place_flow_labels(container, routing, boxes)
    return routing


def _overlaps_segment(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Are two axis-parallel segments collinear and overlapping for more than a point?"""
    if a[0] == b[0] == c[0] == d[0]:
        return min(a[1], b[1]) < max(c[1], d[1]) and min(c[1], d[1]) < max(a[1], b[1])
    if a[1] == b[1] == c[1] == d[1]:
        return min(a[0], b[0]) < max(c[0], d[0]) and min(c[0], d[0]) < max(a[0], b[0])
    return False


def _on(p: Point, c: Point, d: Point) -> bool:
    return min(c[0], d[0]) <= p[0] <= max(c[0], d[0]) and min(c[1], d[1]) <= p[1] <= max(c[1], d[1])


def _meets(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Do two axis-parallel segments overlap or touch (crossing at right angles is fine)?"""
    return _overlaps_segment(a, b, c, d) or _on(a, c, d) or _on(b, c, d) or _on(c, a, b) or _on(d, a, b)


def _label_spots(name: str, a: Point, b: Point) -> list[Box]:
    """Places for a flow label beside one segment, nearest the segment's start first."""
    if a[1] == b[1]:
        w, h = label_size(name, min(max(40.0, abs(b[0] - a[0]) - 12), 90.0))
        x = a[0] + 6 if b[0] > a[0] else a[0] - 6 - w
        return [Box(x, a[1] - 4 - h, w, h), Box(x, a[1] + 4, w, h)]
    w, h = label_size(name)
    y = a[1] + 6 if b[1] > a[1] else a[1] - 6 - h
    middle = (a[1] + b[1] - h) / 2
    return [
        Box(a[0] + 6, y, w, h),
        Box(a[0] - 6 - w, y, w, h),
        Box(a[0] + 6, middle, w, h),
        Box(a[0] - 6 - w, middle, w, h),
    ]


def _place_flow_labels(container: Container, routing: Routing, boxes: dict[str, Box]) -> None:
    """Label named sequence flows (conditions) on their own branch, clear of shapes and labels.

    Flows that leave a gateway on the same side share their first segment; a label
    there would be ambiguous, so the first segment a flow does not share wins.
    """
    taken = list(boxes.values()) + list(routing.node_labels.values())
    for flow in container.flows:
        if not flow.name or flow.kind != "sequenceFlow":
            continue
        points = routing.waypoints[flow.id]
        siblings = [
            routing.waypoints[f.id]
            for f in container.flows
            if f.source == flow.source and f.id != flow.id and f.kind == "sequenceFlow"
        ]
        segments = list(zip(points, points[1:]))
        own = [
            (a, b)
            for a, b in segments
            if not any(_overlaps_segment(a, b, c, d) for other in siblings for c, d in zip(other, other[1:]))
        ]
        spots = [spot for a, b in (own or segments) for spot in _label_spots(flow.name, a, b)]
        label = next((spot for spot in spots if not any(spot.overlaps(box) for box in taken)), spots[0])
        routing.flow_labels[flow.id] = label
        taken.append(label)

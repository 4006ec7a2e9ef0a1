"""Placing the nodes of one container: columns by rank, rows inside lane bands.

The grid is deliberately regular (fixed column width and row height). A process
designer reads a BPMN diagram as "left to right, one lane per role"; a regular
grid keeps the main path on one straight line and leaves clear gutters between
rows and columns for the edges and the labels under events and gateways.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tools.bpmn_layout.graph import Container, Node

COL_W = 150.0  # widest shape (100) plus a 50 px channel for vertical edge segments
ROW_H = 150.0  # tallest shape (80) plus room for a label above or below and a gutter
BAND_PAD = 10.0
TRACK_GAP = 16.0  # vertical distance between the loop tracks of back edges
LABEL_W = 90.0  # bpmn-js wraps external labels at 90 px
LINE_H = 14.0
CHAR_W = 6.5  # average glyph width of bpmn-js's 11 px label font


@dataclass
class Box:
    """An axis-aligned rectangle in diagram coordinates."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def overlaps(self, other: Box, margin: float = 0) -> bool:
        return (
            self.x < other.right + margin
            and other.x < self.right + margin
            and self.y < other.bottom + margin
            and other.y < self.bottom + margin
        )


def label_size(text: str, max_width: float = LABEL_W) -> tuple[float, float]:
    """Estimate the size bpmn-js gives a wrapped external label (greedy word wrap)."""
    per_line = max(1, int(max_width // CHAR_W))
    lines: list[str] = []
    for word in text.split():
        while len(word) > per_line:  # bpmn-js breaks words longer than a line
            lines.append(word[:per_line])
            word = word[per_line:]
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if not lines:
        return 0, 0
    width = math.ceil(max(len(line) for line in lines) * CHAR_W) + 4
    return float(width), len(lines) * LINE_H


@dataclass
class Placement:
    """Result of placing one container: node boxes plus the geometry the router needs."""

    boxes: dict[str, Box]
    band_tops: list[float]
    band_heights: list[float]
    row_centers: list[list[float]]  # per band, the y of each row's centre line
    left: float
    width: float


def _slots_for(container: Container) -> None:
    """Give every node a row in its band; nodes of the same rank and band stack downwards."""
    nodes = container.nodes
    taken: set[tuple[int, int, int]] = set()  # (band, rank, row)
    preds: dict[str, list[Node]] = {n: [] for n in nodes}
    for flow in container.flows:
        if flow.kind == "sequenceFlow" and not flow.back:
            preds[flow.target].append(nodes[flow.source])
    boundary_index = _boundary_indexes(container)

    def take(node: Node, preferred: int) -> None:
        row = preferred
        while (node.band, node.rank, row) in taken:
            row += 1
        node.row = row
        taken.add((node.band, node.rank, row))

    def preference(node: Node) -> tuple[int, int, int]:
        rows = []
        first_boundary = 0
        for pred in preds[node.id]:
            if pred.band != node.band:
                continue
            if pred.kind == "boundary":
                rows.append(nodes[pred.host].row + 1)  # type: ignore[index]
                # The rightmost boundary's target takes the upper row, so edges do not cross.
                first_boundary = max(first_boundary, boundary_index[pred.id] + 1)
            else:
                rows.append(pred.row)
        return (min(rows) if rows else 0, -first_boundary, node.order)

    flow_nodes = [
        n for n in nodes.values() if n.kind in ("task", "subprocess", "event", "gateway") and not n.event_subprocess
    ]
    for rank in sorted({n.rank for n in flow_nodes}):
        group = sorted((n for n in flow_nodes if n.rank == rank), key=preference)
        for node in group:
            take(node, preference(node)[0])
    for node in sorted(nodes.values(), key=lambda n: n.order):
        if node.kind in ("data", "annotation"):
            anchor = nodes.get(node.anchor or "")
            take(node, anchor.row + 1 if anchor else 0)
    # Event subprocesses are not part of the main path: one row of their own below it.
    for band_index in range(len(container.bands)):
        used = [row for b, _, row in taken if b == band_index]
        bottom = max(used) + 1 if used else 0
        for column, node in enumerate(n for n in nodes.values() if n.event_subprocess and n.band == band_index):
            node.rank, node.row = column, bottom
            taken.add((band_index, column, bottom))
    for band_index, band in enumerate(container.bands):
        band.rows = max([row + 1 for b, _, row in taken if b == band_index] or [1])


def _boundary_indexes(container: Container) -> dict[str, int]:
    """Position of each boundary event among the boundary events of its host (document order)."""
    seen: dict[str, int] = {}
    result = {}
    for node in sorted(container.nodes.values(), key=lambda n: n.order):
        if node.kind == "boundary" and node.host:
            result[node.id] = seen.get(node.host, 0)
            seen[node.host] = result[node.id] + 1
    return result


def place(container: Container, left: float, top: float) -> Placement:
    """Compute absolute boxes for all nodes; ``left``/``top`` is the content's top-left corner."""
    _slots_for(container)
    nodes = container.nodes
    back_sources = [container.nodes[f.source].band for f in container.flows if f.back]
    band_tops, band_heights, row_centers = [], [], []
    y = top
    for index, band in enumerate(container.bands):
        loops = back_sources.count(index)
        height = band.rows * ROW_H + 2 * BAND_PAD + (loops * TRACK_GAP + BAND_PAD if loops else 0)
        band.y, band.height = y, height
        band_tops.append(y)
        band_heights.append(height)
        row_centers.append([y + BAND_PAD + (r + 0.5) * ROW_H for r in range(band.rows)])
        y += height
    boxes: dict[str, Box] = {}
    for node in nodes.values():
        if node.kind == "boundary":
            continue
        cx = left + (node.rank + 0.5) * COL_W
        cy = row_centers[node.band][node.row]
        boxes[node.id] = Box(cx - node.width / 2, cy - node.height / 2, node.width, node.height)
    indexes = _boundary_indexes(container)
    counts = {
        host: sum(1 for n in nodes.values() if n.kind == "boundary" and n.host == host)
        for host in {n.host for n in nodes.values() if n.kind == "boundary"}
    }
    for node in nodes.values():
        if node.kind == "boundary":
            host = boxes[node.host]  # type: ignore[index]
            # On the bottom border (the event's centre exactly on it, as the modeller snaps
            # it), clear of the markers bpmn-js draws at the bottom centre (collapsed
            # subprocess, call activity, loops) and, under a collapsed subprocess, of the
            # drill-down button at the bottom right. Three or more are spread evenly.
            count, index = counts[node.host], indexes[node.id]
            if count <= 2:
                fraction = (
                    (0.25 if nodes[node.host].kind == "subprocess" else 0.75) if count == 1 else (0.25, 0.75)[index]
                )
                cx = host.x + host.w * fraction
            else:
                step = min(node.width + 8, (host.w - 10) / (count - 1))
                cx = host.cx + (index - (count - 1) / 2) * step
            boxes[node.id] = Box(cx - node.width / 2, host.bottom - node.height / 2, node.width, node.height)
    columns = max([n.rank for n in nodes.values()] or [0]) + 1
    return Placement(boxes, band_tops, band_heights, row_centers, left, columns * COL_W)

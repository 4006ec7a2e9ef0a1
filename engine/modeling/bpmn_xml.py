"""The namespaces of a BPMN file and where in it a finding is: shared by the deploy checks of
engine.modeling.checks and engine.modeling.compatibility."""

from __future__ import annotations

from lxml import etree

from engine.base.errors import ERROR, Finding

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}


def element_id(node: etree._Element) -> str | None:
    """The id of ``node`` or of the nearest element around it that has one (a script names its task)."""
    while node is not None:
        if node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return None


def node_finding(file: str, node: etree._Element, message: str, severity: str = ERROR) -> Finding:
    """A finding at ``node``: its line in the file and the element it belongs to."""
    line: int | None = node.sourceline
    return Finding(file, line, element_id(node), message, severity)

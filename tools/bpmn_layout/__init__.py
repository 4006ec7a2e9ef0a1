"""The BPMN layout tool for hand-written models (a developer tool, not part of the running app).

``python -m tools.bpmn_layout FILE... [--check]``; see tools/bpmn_layout/layout.py.
"""

from tools.bpmn_layout.layout import LayoutError, layout_bytes, main

__all__ = ["LayoutError", "layout_bytes", "main"]

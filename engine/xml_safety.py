"""Hardened XML parsing for every model file that enters the system."""
from __future__ import annotations

from lxml import etree

from engine.errors import Finding

MAX_FILE_BYTES = 5 * 1024 * 1024


def _parser() -> etree.XMLParser:
    # A fresh parser per document: lxml parsers are not thread-safe.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=False)


def parse_model_xml(name: str, content: bytes) -> tuple[etree._Element | None, Finding | None]:
    """Parse one uploaded file; refuse DTDs (XXE, billion laughs) and oversized files."""
    if len(content) > MAX_FILE_BYTES:
        return None, Finding(name, None, None,
                             f"bestand is te groot ({len(content) // 1024} kB; maximaal "
                             f"{MAX_FILE_BYTES // (1024 * 1024)} MB)")
    if not content.strip():
        return None, Finding(name, None, None, "bestand is leeg")
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        return None, Finding(name, exc.lineno, None, f"geen geldige XML: {exc.msg}")
    doctype = root.getroottree().docinfo.doctype
    if doctype:
        return None, Finding(name, 1, None,
                             "een DOCTYPE-declaratie (DTD of entiteiten) is niet toegestaan in modelbestanden")
    return root, None

"""Hardened XML parsing for every model file that enters the system."""

from __future__ import annotations

import re

from lxml import etree

from engine.base.errors import Finding

MAX_FILE_BYTES = 5 * 1024 * 1024
_DOCTYPE_MESSAGE = "een DOCTYPE-declaratie (DTD of entiteiten) is niet toegestaan in modelbestanden"


def _parser() -> etree.XMLParser:
    # A fresh parser per document: lxml parsers are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )


class _DoctypeFound(Exception):
    pass


class _DoctypeSpotter:
    """A parser target that stops at the DOCTYPE, before any entity is expanded."""

    def doctype(self, *args: object) -> None:
        raise _DoctypeFound()

    def start(self, *args: object) -> None:
        pass

    def end(self, *args: object) -> None:
        pass

    def data(self, *args: object) -> None:
        pass

    def comment(self, *args: object) -> None:
        pass

    def pi(self, *args: object) -> None:
        pass

    def close(self) -> None:
        return None


def _has_doctype(content: bytes) -> bool:
    # A DTD makes libxml2 fail with English errors about entities (or, for an
    # attribute that references an entity, before the tree exists), so spot it
    # first, whatever the encoding, and refuse it with one clear message.
    parser = etree.XMLParser(
        target=_DoctypeSpotter(), resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        etree.fromstring(content, parser)
    except _DoctypeFound:
        return True
    except etree.LxmlError:
        return False  # malformed: the real parse reports it
    return False


def _doctype_line(content: bytes) -> int | None:
    position = content.find(b"<!DOCTYPE")
    return content.count(b"\n", 0, position) + 1 if position >= 0 else None


def parse_model_xml(name: str, content: bytes) -> tuple[etree._Element | None, Finding | None]:
    """Parse one uploaded file; refuse DTDs (XXE, billion laughs) and oversized files."""
    if len(content) > MAX_FILE_BYTES:
        return None, Finding(
            name,
            None,
            None,
            f"bestand is te groot ({len(content) // 1024} kB; maximaal {MAX_FILE_BYTES // (1024 * 1024)} MB)",
        )
    if not content.strip():
        return None, Finding(name, None, None, "bestand is leeg")
    if _has_doctype(content):
        return None, Finding(name, _doctype_line(content), None, _DOCTYPE_MESSAGE)
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        return None, Finding(name, exc.lineno, None, f"geen geldige XML: {_plain(exc.msg)}")
    doctype = root.getroottree().docinfo.doctype
    if doctype:
        return None, Finding(name, _doctype_line(content) or 1, None, _DOCTYPE_MESSAGE)
    return root, None


def _plain(message: str) -> str:
    # libxml2 appends ", line N, column M" which the finding already carries.
    return re.sub(r",\s*line \d+, column \d+\s*$", "", message.strip())

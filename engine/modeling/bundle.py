"""Collecting a bundle from disk: a variant folder plus the common subprocesses it calls."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from engine.base.errors import DeployRefused, Finding
from engine.modeling.forms import FORM_SUFFIX, FORMS_PREFIX
from engine.modeling.xml_safety import parse_model_xml

MODEL_SUFFIXES = (".bpmn", ".dmn")
COMMON_FOLDER = "common"
_NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


def _provides_and_needs(root: etree._Element) -> tuple[set[str], set[str]]:
    """Process and decision ids a file defines, and the ones it calls."""
    provides = {p.get("id") for p in root.iterfind(".//bpmn:process", _NS)}
    provides |= {d.get("id") for d in root.iter() if isinstance(d.tag, str) and d.tag.endswith("}decision")}
    needs = {c.get("calledElement") for c in root.iterfind(".//bpmn:callActivity", _NS) if c.get("calledElement")}
    needs |= {(d.text or "").strip() for d in root.iterfind(".//spiffworkflow:calledDecisionId", _NS)}
    return provides - {None}, needs - {""}


def _model_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in MODEL_SUFFIXES)


def _form_files(folder: Path) -> dict[str, bytes]:
    """The forms a variant folder carries, beside its models or in its own ``forms/`` folder."""
    found: dict[str, bytes] = {}
    for place in (folder, folder / FORMS_PREFIX.rstrip("/")):
        if place.is_dir():
            for path in sorted(place.iterdir()):
                if path.is_file() and path.name.endswith(FORM_SUFFIX):
                    found.setdefault(FORMS_PREFIX + path.name, path.read_bytes())
    return found


def _common_folder(variant_folder: Path) -> Path | None:
    for parent in [variant_folder, *variant_folder.parents]:
        candidate = parent / COMMON_FOLDER
        if candidate.is_dir() and candidate.resolve() != variant_folder.resolve():
            return candidate
    return None


def collect_bundle(folder: Path) -> dict[str, bytes]:
    """The files of a variant folder plus, transitively, the common files it needs.

    Common subprocesses live in the nearest folder named ``common`` above the
    variant folder; only the ones actually called are included. Forms
    (``*.schema.json``) in the folder or its ``forms/`` travel with the model and
    take the place of the server's forms of the same name; other files (notes, a
    README) are not part of a model and are left alone.
    """
    if not folder.is_dir():
        raise DeployRefused([Finding(str(folder), None, None, "map bestaat niet")])
    files = {p.name: p.read_bytes() for p in _model_files(folder)}
    if not files:
        raise DeployRefused([Finding(str(folder), None, None, "map bevat geen .bpmn- of .dmn-bestanden")])
    files.update(_form_files(folder))
    common = _common_folder(folder)
    if common is None:
        return files

    available: dict[str, tuple[str, bytes]] = {}
    for path in _model_files(common):
        root, finding = parse_model_xml(f"{COMMON_FOLDER}/{path.name}", path.read_bytes())
        if finding or root is None:
            continue  # a broken common file is reported by the deploy checks if a model needs it
        for ident in _provides_and_needs(root)[0]:
            available.setdefault(ident, (path.name, path.read_bytes()))

    provided: set[str] = set()
    needed: set[str] = set()
    for name, content in files.items():
        if not name.endswith(MODEL_SUFFIXES):
            continue
        root, finding = parse_model_xml(name, content)
        if finding or root is None:
            continue  # reported with every other finding by the deploy checks
        provides, needs = _provides_and_needs(root)
        provided |= provides
        needed |= needs
    pending = needed - provided
    while pending:
        ident = pending.pop()
        if ident not in available:
            continue  # reported by the deploy checks with file and element
        name, content = available[ident]
        key = f"{COMMON_FOLDER}/{name}"
        if key in files:
            continue
        files[key] = content
        root, _ = parse_model_xml(key, content)
        provides, needs = _provides_and_needs(root)
        provided |= provides
        pending |= needs - provided
    return files

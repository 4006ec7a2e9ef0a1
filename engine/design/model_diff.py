"""Compare two model versions element by element: what a variant does differently.

Two regions' variants, or two versions of one variant. Processes are paired by
id, except the two main processes, which are always paired with each other
(each variant names its own). Inside a pair, elements are paired by id (lanes
by role) and reported as added, removed or changed with the changed properties
named. A process or decision that only one side has is reported once, as a
whole. The result is plain JSON (``engine.design.read_models.BundleDiff``): a list
for a web page, and per side and file the element ids to colour on the two diagrams.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.base.errors import NotFound
from engine.design.read_models import (
    BundleDiff,
    DiffMarkers,
    ElementChange,
    FormChange,
    ProcessPair,
    PropertyChange,
    VersionDiff,
    VersionRef,
)
from engine.modeling.elements import Container, Element, called_elements, read_bundle
from engine.storage.tables import ModelVersion

FORMS_PREFIX = "forms/"
MAIN_KEY = "main"
ADDED, REMOVED, CHANGED = "added", "removed", "changed"

# Dutch labels of the compared properties, for pages and the command line.
PROPERTY_LABELS: dict[str, str] = {
    "type": "soort element",
    "name": "naam",
    "lane": "lane (rol)",
    "members": "elementen in de lane",
    "documentation": "toelichting",
    "source": "van",
    "target": "naar",
    "default": "standaardpad",
    "condition": "voorwaarde",
    "called_element": "aangeroepen proces",
    "attached_to": "vast aan",
    "cancel_activity": "onderbrekend",
    "interrupting": "onderbrekend",
    "triggered_by_event": "door gebeurtenis",
    "script": "script",
    "pre_script": "script vooraf",
    "post_script": "script achteraf",
    "instructions": "instructie",
    "decision": "beslistabel",
    "form": "formulier",
    "milestone": "mijlpaal",
    "senders": "melders",
    "starters": "starters",
    "event": "soort gebeurtenis",
    "timer_kind": "soort termijn",
    "timer": "termijn",
    "message": "bericht",
    "message_variable": "berichtvariabele",
    "loop": "herhaling",
    "executable": "uitvoerbaar",
    "hit_policy": "hit policy",
    "inputs": "invoer",
    "outputs": "uitvoer",
    "description": "omschrijving",
}


def property_label(name: str) -> str:
    if name.startswith("input:"):
        return f"invoercel {name[6:]}"
    if name.startswith("output:"):
        return f"uitvoercel {name[7:]}"
    if name.startswith("property:"):
        return f"eigenschap {name[9:]}"
    return PROPERTY_LABELS.get(name, name)


def _main_process(containers: dict[str, Container]) -> str | None:
    called = called_elements(containers)
    candidates = sorted(c.id for c in containers.values() if c.kind == "process" and c.id not in called)
    return candidates[0] if len(candidates) == 1 else None


def _property_changes(a: dict[str, str] | None, b: dict[str, str] | None) -> list[PropertyChange]:
    a, b = a or {}, b or {}
    names = sorted(set(a) | set(b), key=lambda n: (n != "type", n != "name", n))
    return [
        {"property": n, "label": property_label(n), "a": a.get(n), "b": b.get(n)} for n in names if a.get(n) != b.get(n)
    ]


def _entry(
    change: str,
    kind: str,
    process_a: str | None,
    process_b: str | None,
    a: Element | Container | None,
    b: Element | Container | None,
) -> ElementChange:
    either = b or a
    assert either is not None  # an entry has at least one side
    return {
        "change": change,
        "kind": kind,
        "process_a": process_a,
        "process_b": process_b,
        "element_a": a.id if a is not None else None,
        "element_b": b.id if b is not None else None,
        "file_a": a.file if a is not None else None,
        "file_b": b.file if b is not None else None,
        "name": either.props.get("name", ""),
        "properties": _property_changes(a.props if a else None, b.props if b else None),
    }


class _Markers:
    def __init__(self) -> None:
        self.sides: dict[str, dict[str, dict[str, list[str]]]] = {"a": {}, "b": {}}

    def add(self, side: str, file: str, change: str, element_id: str) -> None:
        empty: dict[str, list[str]] = {CHANGED: [], (REMOVED if side == "a" else ADDED): []}
        lists = self.sides[side].setdefault(file, empty)
        if element_id and element_id not in lists[change]:
            lists[change].append(element_id)

    def result(self) -> DiffMarkers:
        a, b = (
            {file: {k: sorted(v) for k, v in lists.items()} for file, lists in sorted(self.sides[side].items())}
            for side in ("a", "b")
        )
        return {"a": a, "b": b}


def _compare_pair(ca: Container | None, cb: Container | None, changes: list[ElementChange], markers: _Markers) -> str:
    """Append the changes of one process/decision pair; returns its overall change (or 'same')."""
    pa, pb = (ca.id if ca else None), (cb.id if cb else None)
    if ca is None or cb is None:
        change = ADDED if ca is None else REMOVED
        whole = cb if ca is None else ca
        assert whole is not None  # a pair has at least one side
        changes.append(_entry(change, whole.kind, pa, pb, ca, cb))
        for element in whole.elements.values():
            markers.add("b" if ca is None else "a", whole.file, change, element.id)
        return change
    found = ca.props != cb.props
    if found:
        changes.append(_entry(CHANGED, ca.kind, pa, pb, ca, cb))
    for element_key in sorted(set(ca.elements) | set(cb.elements)):
        ea, eb = ca.elements.get(element_key), cb.elements.get(element_key)
        if ea is not None and eb is not None and ea.props == eb.props:
            continue
        change = ADDED if ea is None else REMOVED if eb is None else CHANGED
        either = eb or ea
        assert either is not None  # the key comes from one of the two sides
        changes.append(_entry(change, either.kind, pa, pb, ea, eb))
        if ea is not None:
            markers.add("a", ea.file, REMOVED if eb is None else CHANGED, ea.id)
        if eb is not None:
            markers.add("b", eb.file, ADDED if ea is None else CHANGED, eb.id)
        found = True
    return CHANGED if found else "same"


def _forms(files_a: dict[str, bytes], files_b: dict[str, bytes]) -> list[FormChange]:
    forms_a = {n[len(FORMS_PREFIX) :]: c for n, c in files_a.items() if n.startswith(FORMS_PREFIX)}
    forms_b = {n[len(FORMS_PREFIX) :]: c for n, c in files_b.items() if n.startswith(FORMS_PREFIX)}
    result: list[FormChange] = []
    for name in sorted(set(forms_a) | set(forms_b)):
        if name not in forms_b:
            result.append({"form": name, "change": REMOVED})
        elif name not in forms_a:
            result.append({"form": name, "change": ADDED})
        elif forms_a[name] != forms_b[name]:
            result.append({"form": name, "change": CHANGED})
    return result


def diff_bundles(
    files_a: dict[str, bytes], files_b: dict[str, bytes], *, main_a: str | None = None, main_b: str | None = None
) -> BundleDiff:
    """The element-by-element difference of two bundles (file name -> content)."""
    ca, cb = read_bundle(files_a), read_bundle(files_b)
    main_a = main_a or _main_process(ca)
    main_b = main_b or _main_process(cb)
    pairs: list[tuple[str, Container | None, Container | None]] = []
    if main_a in ca and main_b in cb:
        pairs.append((MAIN_KEY, ca[main_a], cb[main_b]))
        rest_a = {k: v for k, v in ca.items() if k != main_a}
        rest_b = {k: v for k, v in cb.items() if k != main_b}
    else:
        rest_a, rest_b = ca, cb
    for key in sorted(set(rest_a) | set(rest_b)):
        pairs.append((key, rest_a.get(key), rest_b.get(key)))

    changes: list[ElementChange] = []
    markers = _Markers()
    processes: list[ProcessPair] = []
    for key, a, b in pairs:
        overall = _compare_pair(a, b, changes, markers)
        either = a or b
        assert either is not None  # a pair has at least one side
        processes.append(
            {
                "key": key,
                "kind": either.kind,
                "process_a": a.id if a else None,
                "process_b": b.id if b else None,
                "file_a": a.file if a else None,
                "file_b": b.file if b else None,
                "change": overall,
            }
        )
    tally = {kind: sum(1 for c in changes if c["change"] == kind) for kind in (ADDED, REMOVED, CHANGED)}
    return {
        "main_a": main_a,
        "main_b": main_b,
        "summary": {"added": tally[ADDED], "removed": tally[REMOVED], "changed": tally[CHANGED]},
        "processes": processes,
        "changes": changes,
        "forms": _forms(files_a, files_b),
        "markers": markers.result(),
    }


def _version_files(session: Session, version_id: int) -> tuple[ModelVersion, dict[str, bytes]]:
    version = session.get(ModelVersion, version_id)
    if version is None:
        raise NotFound(f"modelversie {version_id} bestaat niet")
    return version, {f.path: f.content.encode("utf-8") for f in version.files}


def diff_versions(session: Session, version_a: int, version_b: int) -> VersionDiff:
    """Compare two deployed versions (ids from ``thv versions``)."""
    a, files_a = _version_files(session, version_a)
    b, files_b = _version_files(session, version_b)
    result = diff_bundles(files_a, files_b, main_a=a.main_process, main_b=b.main_process)
    return {"a": _describe(a), "b": _describe(b), **result}


def _describe(version: ModelVersion) -> VersionRef:
    return {
        "model_version_id": version.id,
        "region": version.region,
        "variant": version.variant,
        "version": version.version,
        "main_process": version.main_process,
    }


def format_diff(result: BundleDiff) -> list[str]:
    """One line per change, for the command line."""
    signs = {ADDED: "+", REMOVED: "-", CHANGED: "~"}
    lines = []
    for change in result["changes"]:
        process = change["process_b"] or change["process_a"]
        element = change["element_b"] or change["element_a"]
        where = process if element == process else f"{process}/{element}"
        named = f" '{change['name']}'" if change["name"] else ""
        changed = ", ".join(p["label"] for p in change["properties"]) if change["change"] == CHANGED else ""
        suffix = f": {changed}" if changed else ""
        lines.append(f"{signs[change['change']]} {where} ({change['kind']}{named}){suffix}")
    for form in result["forms"]:
        lines.append(f"{signs[form['change']]} formulier {form['form']}")
    return lines

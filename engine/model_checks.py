"""Deploy checks that read the XML itself: every expression, script, timer, lane
and milestone, each reported with file, line and element.
"""
from __future__ import annotations

import re
from typing import Callable, Iterator

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.clock import parse_instant
from engine.errors import Finding
from engine.sandbox import SandboxError, compile_expression, compile_script, evaluate_constant
from engine.vocabulary import MILESTONE_SET, PROPERTY_MILESTONE, PROPERTY_SENDERS, ROLE_CODES, lane_role

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

_ISO_LIKE = re.compile(r"^(R\d*/)?P[0-9YMWDTHS.,]+$|^\d{4}-\d{2}-\d{2}", re.IGNORECASE)


def _element_id(node: etree._Element) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def _finding(file: str, node: etree._Element, message: str) -> Finding:
    return Finding(file, node.sourceline, _element_id(node), message)


def _compile(kind: str, compile_fn: Callable[[str], object], file: str, node: etree._Element,
             text: str) -> Iterator[Finding]:
    try:
        compile_fn(text)
    except SandboxError as exc:
        yield _finding(file, node, f"{kind} is niet toegestaan of compileert niet: {exc}")


def check_bpmn_xml(file: str, root: etree._Element) -> Iterator[Finding]:
    """All XML-level checks of one BPMN file."""
    yield from _check_lanes(file, root)
    yield from _check_scripts(file, root)
    yield from _check_timers(file, root)
    yield from _check_properties(file, root)


def _check_lanes(file: str, root: etree._Element) -> Iterator[Finding]:
    for lane in root.iterfind(".//bpmn:lane", NS):
        if lane.find("bpmn:childLaneSet", NS) is not None:
            continue  # a parent lane groups lanes; its children carry the roles
        name = (lane.get("name") or "").strip()
        if lane_role(name) is None:
            yield _finding(file, lane, f"lane '{name}' hoort bij geen bekende rol; gebruik een rolcode "
                                       "of de naam van de organisatie (zie processes/README.md)")


def _check_scripts(file: str, root: etree._Element) -> Iterator[Finding]:
    for node in root.iterfind(".//bpmn:script", NS):
        yield from _compile("script", compile_script, file, node, node.text or "")
    for tag in ("preScript", "postScript"):
        for node in root.iterfind(f".//spiffworkflow:{tag}", NS):
            yield from _compile(tag, compile_script, file, node, node.text or "")
    for tag in ("bpmn:conditionExpression", "bpmn:completionCondition", "bpmn:loopCardinality",
                "spiffworkflow:messagePayload", "spiffworkflow:expression"):
        for node in root.iterfind(f".//{tag}", NS):
            text = (node.text or "").strip()
            if not text:
                yield _finding(file, node, f"lege expressie in {tag.split(':')[1]}")
                continue
            yield from _compile("expressie", compile_expression, file, node, text)


def _check_timers(file: str, root: etree._Element) -> Iterator[Finding]:
    for definition in root.iterfind(".//bpmn:timerEventDefinition", NS):
        children = [c for c in definition if isinstance(c.tag, str)]
        if not children:
            yield _finding(file, definition, "timer zonder tijdsaanduiding")
        for node in children:
            kind = etree.QName(node).localname
            yield from _check_timer_expression(file, node, kind, (node.text or "").strip())


def _check_timer_expression(file: str, node: etree._Element, kind: str, text: str) -> Iterator[Finding]:
    if not text:
        yield _finding(file, node, "lege timerexpressie")
        return
    if _ISO_LIKE.match(text):
        yield _finding(file, node, f'timerexpressie {text} is Python en moet tussen aanhalingstekens: "{text}"')
        return
    try:
        value = evaluate_constant(text)
    except SandboxError as exc:
        yield _finding(file, node, f"timerexpressie compileert niet: {exc}")
        return
    except NameError:
        return  # depends on case data; checked when the timer starts
    except Exception as exc:  # noqa: BLE001 - any failure is a finding for the designer
        yield _finding(file, node, f"timerexpressie geeft een fout: {exc}")
        return
    problem = timer_value_problem(kind, value)
    if problem:
        yield _finding(file, node, problem)


def timer_value_problem(kind: str, value: object) -> str | None:
    """Why ``value`` is not a valid result for a timer of ``kind``, or None."""
    if not isinstance(value, str):
        return f"timerexpressie moet een ISO 8601-tekst opleveren, niet {type(value).__name__}"
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
        elif kind == "timeDate":
            parse_instant(value)
        elif kind == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        else:
            return f"onbekend timertype {kind}"
    except Exception:  # noqa: BLE001 - the library raises bare Exception
        expected = {"timeDuration": "een ISO 8601-duur zoals P10D of PT24H",
                    "timeDate": "een ISO 8601-tijdstip met tijdzone",
                    "timeCycle": "een ISO 8601-herhaling zoals R3/P1D"}.get(kind, kind)
        return f"timerwaarde '{value}' is geen {expected}"
    return None


def _check_properties(file: str, root: etree._Element) -> Iterator[Finding]:
    for prop in root.iterfind(".//spiffworkflow:property", NS):
        name, value = prop.get("name"), (prop.get("value") or "").strip()
        if name == PROPERTY_MILESTONE and value not in MILESTONE_SET:
            yield _finding(file, prop, f"mijlpaal '{value}' staat niet in de vaste lijst (processes/README.md)")
        if name == PROPERTY_SENDERS:
            unknown = [r for r in value.split(",") if r.strip() and r.strip() not in ROLE_CODES]
            if unknown or not value:
                yield _finding(file, prop, f"senders noemt onbekende rollen: {', '.join(unknown) or '(leeg)'}")


DMN_CELL_TAGS = ("inputExpression", "inputEntry", "outputEntry")


def check_dmn_xml(file: str, root: etree._Element) -> Iterator[Finding]:
    """Compile every DMN cell the way the DMN engine will evaluate it."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        kind = etree.QName(node).localname
        if kind not in DMN_CELL_TAGS:
            continue
        text_node = next((c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == "text"), None)
        text = (text_node.text if text_node is not None else "") or ""
        text = text.strip()
        if not text:
            if kind == "inputExpression":
                yield _finding(file, node, "invoerexpressie is leeg")
            continue
        if kind == "inputEntry":
            yield from _check_input_entry(file, node, text)
        else:
            yield from _compile("DMN-cel", compile_expression, file, node, text)


def _check_input_entry(file: str, node: etree._Element, text: str) -> Iterator[Finding]:
    candidate = text.replace("?", "dmninputexpr")
    for form in (candidate, f"(dmninputexpr) == ({candidate})", f"dmninputexpr {candidate}"):
        try:
            compile_expression(form)
            return
        except SandboxError:
            continue
    yield _finding(file, node, f"DMN-regelcel '{text}' is geen geldige Python-vergelijking "
                               "(DMN-cellen zijn Python, geen FEEL)")

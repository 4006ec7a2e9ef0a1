"""Deploy checks that read the XML itself: every expression, script, timer, lane
and milestone, each reported with file, line and element.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

from lxml import etree

from engine.base.clock import add_legal_term, parse_instant
from engine.base.errors import Finding
from engine.base.vocabulary import (
    MILESTONE_SET,
    PROPERTY_DEADLINE_MESSAGE,
    PROPERTY_HANDLING_TERM,
    PROPERTY_MILESTONE,
    PROPERTY_REQUIRES_SERVICE,
    PROPERTY_RETENTION_WITHOUT_BAN,
    PROPERTY_SENDERS,
    PROPERTY_STARTERS,
    ROLE_CODES,
    known_lane,
)
from engine.modeling.bpmn_xml import BPMN_NS, NS, node_finding
from engine.modeling.compatibility import check_foreign, check_runnable, is_foreign_script
from engine.modeling.document_rules import check_requires_service
from engine.modeling.legal_timers import recurring_interval
from engine.modeling.sandbox import SandboxError, compile_expression, compile_script, evaluate_constant

MAX_HANDLING_TERM = timedelta(days=30)
_ISO_LIKE = re.compile(r"^(R\d*/)?P[0-9YMWDTHS.,]+$|^\d{4}-\d{2}-\d{2}", re.IGNORECASE)


def _compile(
    kind: str, compile_fn: Callable[[str], object], file: str, node: etree._Element, text: str
) -> Iterator[Finding]:
    try:
        compile_fn(text)
    except SandboxError as exc:
        yield node_finding(file, node, f"{kind} is niet toegestaan of compileert niet: {exc}")


def check_bpmn_xml(file: str, root: etree._Element) -> Iterator[Finding]:
    """All XML-level checks of one BPMN file."""
    yield from check_runnable(file, root)
    yield from check_foreign(file, root)
    yield from _check_lanes(file, root)
    yield from _check_scripts(file, root)
    yield from _check_timers(file, root)
    yield from _check_properties(file, root)
    yield from _check_event_gateways(file, root)
    yield from _check_reserved_ids(file, root)


def check_parse_hazards(file: str, root: etree._Element) -> list[Finding]:
    """What would hang SpiffWorkflow's parser: a file with any of these is not handed to it."""
    return list(_check_data_object_references(file, root))


def _check_data_object_references(file: str, root: etree._Element) -> Iterator[Finding]:
    """A data object reference must name a data object of its own (sub)process or an enclosing one.

    SpiffWorkflow 3.2's parser loops forever on one that does not, inside a subprocess,
    so this is checked before it parses anything.
    """
    containers = (f"{{{BPMN_NS}}}process", f"{{{BPMN_NS}}}subProcess")
    for reference in root.iterfind(".//bpmn:dataObjectReference", NS):
        wanted = reference.get("dataObjectRef")
        scope = reference.getparent()
        found = False
        while scope is not None and not found:
            if scope.tag in containers:
                found = any(obj.get("id") == wanted for obj in scope.iterfind("bpmn:dataObject", NS))
            scope = scope.getparent()
        if not found:
            yield node_finding(
                file,
                reference,
                f"het gegevensobject '{wanted}' bestaat niet in dit proces of een "
                "omliggend (sub)proces; voeg een dataObject met dat id toe",
            )


def _check_event_gateways(file: str, root: etree._Element) -> Iterator[Finding]:
    """SpiffWorkflow 3.2 keeps one due instant per waiting task, so an event-based gateway
    with two timers would fire both at the earliest one."""
    for gateway in root.iterfind(".//bpmn:eventBasedGateway", NS):
        targets = [
            f.get("targetRef")
            for f in root.iterfind(".//bpmn:sequenceFlow", NS)
            if f.get("sourceRef") == gateway.get("id")
        ]
        timers = [
            t
            for t in targets
            if root.find(f".//bpmn:intermediateCatchEvent[@id='{t}']/bpmn:timerEventDefinition", NS) is not None
        ]
        if len(timers) > 1:
            yield node_finding(
                file,
                gateway,
                "een event-based gateway kan op maar één timer wachten "
                f"(nu {len(timers)}: {', '.join(timers)}); zet de andere timer in een "
                "eigen parallelle tak",
            )


# The names SpiffWorkflow 3.2 gives its own steps in every process (BpmnProcessSpec: 'Start', 'End' and
# '<process>.EndJoin'; TaskParser: '<task>.BoundaryEventSplit' and '.BoundaryEventJoin'). An element with such
# an id replaces that step: an end event called 'End' deploys and then ends its process wrongly.
RESERVED_IDS = frozenset({"Start", "End"})
RESERVED_ID_SUFFIXES = (".EndJoin", ".BoundaryEventSplit", ".BoundaryEventJoin")


def _check_reserved_ids(file: str, root: etree._Element) -> Iterator[Finding]:
    for process in root.iterfind(".//bpmn:process", NS):
        for node in process.iter():
            element_id = node.get("id") if isinstance(node.tag, str) else None
            if element_id and (element_id in RESERVED_IDS or element_id.endswith(RESERVED_ID_SUFFIXES)):
                yield node_finding(
                    file,
                    node,
                    f"het id '{element_id}' is voorbehouden: SpiffWorkflow noemt zijn eigen stappen 'Start', 'End' "
                    "en '….EndJoin', '….BoundaryEventSplit' of '….BoundaryEventJoin'; geef dit element een "
                    f"ander id, bijvoorbeeld '{element_id.replace('.', '_')}_1'",
                )


def _check_lanes(file: str, root: etree._Element) -> Iterator[Finding]:
    for lane in root.iterfind(".//bpmn:lane", NS):
        if lane.find("bpmn:childLaneSet", NS) is not None:
            continue  # a parent lane groups lanes; its children carry the roles
        name = (lane.get("name") or "").strip()
        if not known_lane(name):
            yield node_finding(
                file,
                lane,
                f"lane '{name}' hoort bij geen bekende rol; gebruik een rolcode "
                "of de naam van de organisatie, of Regiehouder (zie processes/README.md)",
            )


def _check_scripts(file: str, root: etree._Element) -> Iterator[Finding]:
    for node in root.iterfind(".//bpmn:script", NS):
        if is_foreign_script(node):
            continue  # refused by check_foreign: another language, never compiled as Python
        yield from _compile("script", compile_script, file, node, node.text or "")
    for tag in ("preScript", "postScript"):
        for node in root.iterfind(f".//spiffworkflow:{tag}", NS):
            yield from _compile(tag, compile_script, file, node, node.text or "")
    for tag in (
        "bpmn:conditionExpression",
        "bpmn:completionCondition",
        "bpmn:loopCardinality",
        "spiffworkflow:messagePayload",
        "spiffworkflow:expression",
        "bpmn:conditionalEventDefinition/bpmn:condition",
        "bpmn:correlationPropertyRetrievalExpression/bpmn:formalExpression",
        "bpmn:correlationPropertyRetrievalExpression/bpmn:messagePath",
    ):
        for node in root.iterfind(f".//{tag}", NS):
            text = (node.text or "").strip()
            if not text:
                yield node_finding(file, node, f"lege expressie in {etree.QName(node).localname}")
                continue
            if is_foreign_script(node):
                continue
            yield from _compile("expressie", compile_expression, file, node, text)
    for node in root.iterfind(".//spiffworkflow:serviceTaskOperator//spiffworkflow:parameter", NS):
        yield from _compile("parameterexpressie", compile_expression, file, node, node.get("value") or "None")


def _check_timers(file: str, root: etree._Element) -> Iterator[Finding]:
    for definition in root.iterfind(".//bpmn:timerEventDefinition", NS):
        children = [c for c in definition if isinstance(c.tag, str)]
        if not children:
            yield node_finding(file, definition, "timer zonder tijdsaanduiding")
        for node in children:
            kind = etree.QName(node).localname
            yield from _check_timer_expression(file, node, kind, (node.text or "").strip())


def _check_timer_expression(file: str, node: etree._Element, kind: str, text: str) -> Iterator[Finding]:
    if not text:
        yield node_finding(file, node, "lege timerexpressie")
        return
    if _ISO_LIKE.match(text):
        yield node_finding(file, node, f'timerexpressie {text} is Python en moet tussen aanhalingstekens: "{text}"')
        return
    try:
        value = evaluate_constant(text)
    except SandboxError as exc:
        yield node_finding(file, node, f"timerexpressie is niet toegestaan of compileert niet: {exc}")
        return
    except NameError:
        return  # depends on case data; checked when the timer starts
    except Exception as exc:  # noqa: BLE001 - any failure is a finding for the designer
        yield node_finding(file, node, f"timerexpressie geeft een fout: {exc}")
        return
    problem = timer_value_problem(kind, value)
    if problem:
        yield node_finding(file, node, problem)


def timer_value_problem(kind: str, value: object) -> str | None:
    """Why ``value`` is not a valid result for a timer of ``kind``, or None."""
    if not isinstance(value, str):
        return f"timerexpressie moet een ISO 8601-tekst opleveren, niet {type(value).__name__}"
    try:
        if kind == "timeDuration":
            add_legal_term(parse_instant("2026-01-01T00:00:00+01:00"), value)  # how the engine runs it
        elif kind == "timeDate":
            parse_instant(value)
        elif kind == "timeCycle":
            recurring_interval(value, parse_instant("2026-01-01T00:00:00+01:00"))  # how the engine runs it
        else:
            return f"onbekend timertype {kind}"
    except Exception:  # noqa: BLE001 - the library raises bare Exception
        expected = {
            "timeDuration": "ISO 8601-duur zoals P10D of PT24H (jaren en maanden in hele getallen)",
            "timeDate": "ISO 8601-tijdstip zoals 2026-04-01T09:00:00+02:00",
            "timeCycle": "ISO 8601-herhaling zoals R3/P1D of R3/2026-04-01T09:00:00+02:00/P1D",
        }.get(kind, kind)
        return f"timerwaarde '{value}' is geen {expected}"
    return None


def _check_properties(file: str, root: etree._Element) -> Iterator[Finding]:
    for prop in root.iterfind(".//spiffworkflow:property", NS):
        name, value = prop.get("name"), (prop.get("value") or "").strip()
        if name == PROPERTY_MILESTONE and value not in MILESTONE_SET:
            yield node_finding(file, prop, f"mijlpaal '{value}' staat niet in de vaste lijst (processes/README.md)")
        if name == PROPERTY_REQUIRES_SERVICE and (problem := check_requires_service(value)):
            yield node_finding(file, prop, problem)
        if name == PROPERTY_DEADLINE_MESSAGE:
            element = prop.getparent().getparent().getparent()
            if element.find("bpmn:timerEventDefinition", NS) is None:
                yield node_finding(
                    file,
                    prop,
                    f"{name} hoort bij een timer: alleen een verstreken termijn weigert een latere handeling",
                )
            elif not value or len(value) > 300:
                yield node_finding(
                    file,
                    prop,
                    f"{name} moet een zin van 1 tot 300 tekens zijn, met {{tijdstip}} "
                    "voor het moment waarop de termijn verstreek",
                )
        if name == PROPERTY_RETENTION_WITHOUT_BAN:
            try:
                add_legal_term(parse_instant("2026-01-01T00:00:00+01:00"), value)
            except (ValueError, TypeError):
                yield node_finding(file, prop, f"{name} moet een ISO 8601-duur zijn, zoals P1Y (nu: '{value[:40]}')")
        if name == PROPERTY_HANDLING_TERM and (problem := _handling_term_problem(prop, value)):
            yield node_finding(file, prop, problem)
        if name in (PROPERTY_SENDERS, PROPERTY_STARTERS):
            unknown = [r for r in value.split(",") if r.strip() and r.strip() not in ROLE_CODES]
            if unknown or not value:
                yield node_finding(file, prop, f"{name} noemt onbekende rollen: {', '.join(unknown) or '(leeg)'}")


def _handling_term_problem(prop: etree._Element, value: str) -> str | None:
    element = prop.getparent().getparent().getparent()
    if etree.QName(element).localname != "userTask":
        return f"{PROPERTY_HANDLING_TERM} hoort bij een gebruikerstaak: het is de tijd die die taak mag duren"
    start = parse_instant("2026-01-01T00:00:00+01:00")
    try:
        due = add_legal_term(start, value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow's duration parser raises bare Exception
        due = None
    if due is None or not start < due <= start + MAX_HANDLING_TERM:
        return (
            f"{PROPERTY_HANDLING_TERM} moet een ISO 8601-duur zijn van meer dan nul tot en met 30 dagen, "
            f"zoals PT2H (nu: '{value[:40]}')"
        )
    return None


# SpiffWorkflow's DMN engine replaces an unquoted "?" in a rule cell by the input value.
_DMN_QUESTION = re.compile(r"""(\?)(?=(?:[^'"]|['"][^'"]*['"])*$)""")
_FEEL_HINT = "DMN-cellen zijn Python, geen FEEL"


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in node if _local(c) == name]


def _cell_text(node: etree._Element) -> str | None:
    """The raw text of a DMN cell, exactly as SpiffWorkflow's DMN parser reads it."""
    text_nodes = _children(node, "text")
    return text_nodes[0].text if text_nodes else None


def check_dmn_xml(file: str, root: etree._Element) -> Iterator[Finding]:
    """Compile every DMN cell the way the DMN engine will evaluate it."""
    for table in root.iter():
        if _local(table) != "decisionTable":
            continue
        input_exprs: list[str | None] = []
        for column in _children(table, "input"):
            expression = next(iter(_children(column, "inputExpression")), None)
            raw = _cell_text(expression) if expression is not None else None
            text = (raw or "").strip()
            if expression is None or not text:
                yield node_finding(file, expression if expression is not None else column, "invoerexpressie is leeg")
                input_exprs.append(None)
                continue
            assert raw is not None  # text is not empty
            try:
                ast.parse(raw)  # the DMN engine checks the text as written, spaces included
            except SyntaxError:
                yield node_finding(
                    file,
                    expression,
                    f"invoerexpressie '{text}' mag niet met een spatie of witregel "
                    "beginnen en moet één Python-expressie zijn",
                )
                input_exprs.append(None)
                continue
            input_exprs.append(raw)
            yield from _compile("DMN-invoerexpressie", compile_expression, file, expression, text)
        for rule in _children(table, "rule"):
            for index, entry in enumerate(_children(rule, "inputEntry")):
                input_expr = input_exprs[index] if index < len(input_exprs) else None
                if input_expr is None:
                    if index >= len(input_exprs):
                        yield node_finding(file, entry, "regelcel zonder bijbehorende invoerkolom")
                    continue
                problem = dmn_input_entry_problem(input_expr, _cell_text(entry))
                if problem:
                    yield node_finding(file, entry, problem)
            for entry in _children(rule, "outputEntry"):
                text = (_cell_text(entry) or "").strip()
                if text:
                    yield from _compile("DMN-cel", compile_expression, file, entry, text)


def dmn_input_entry_problem(input_expr: str, text: str | None) -> str | None:
    """Why a DMN rule cell will not work in SpiffWorkflow's DMN engine, or None.

    Mirrors ``DMNEngine.evaluate``: a cell with ``?`` is evaluated as is; a cell
    that parses on its own is compared with ``==``; otherwise it is appended to
    the input expression (so ``in [1, 2]`` needs a leading space).
    """
    if text is None or text == "-":
        return None  # an empty cell and "-" match anything
    shown = text.strip()
    if not shown:
        return "DMN-regelcel bevat alleen spaties; laat de cel leeg of gebruik '-'"
    match = _DMN_QUESTION.sub("dmninputexpr", text)
    if "dmninputexpr" in match:
        expression = match
    else:
        try:
            ast.parse(text)
            expression = f"({input_expr}) == ({text})"
        except SyntaxError:
            try:
                ast.parse(f"v {text}")
            except SyntaxError:
                hint = "; verwijder de spatie aan het begin" if text[:1].isspace() and _parses(shown) else ""
                return f"DMN-regelcel '{shown}' is geen geldige Python-vergelijking ({_FEEL_HINT}){hint}"
            expression = input_expr + text
            if _parses(expression) and _dump(expression) != _dump(f"{input_expr} {text}"):
                # "in [1, 2]" glued to "ernst" reads as "ernstin[1, 2]"
                return f"DMN-regelcel '{shown}' moet met een spatie beginnen: ' {shown}'"
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return f"DMN-regelcel '{shown}' is geen geldige Python-vergelijking ({_FEEL_HINT})"
    compared = tree.body.comparators[0] if "dmninputexpr" not in match and isinstance(tree.body, ast.Compare) else None
    if isinstance(compared, ast.Tuple):
        return (
            f"DMN-regelcel '{shown}' is een FEEL-lijst en past nooit; schrijf ' in [{shown}]' "
            f"(met spatie ervoor; {_FEEL_HINT})"
        )
    if isinstance(compared, ast.UnaryOp) and isinstance(compared.op, ast.Not):
        return f"DMN-regelcel '{shown}' is een FEEL-ontkenning en past nooit zoals bedoeld ({_FEEL_HINT})"
    try:
        compile_expression(expression)
    except SandboxError as exc:
        return f"DMN-regelcel '{shown}' is niet toegestaan: {exc}"
    return None


def _parses(expression: str) -> bool:
    try:
        ast.parse(expression.strip(), mode="eval")
        return True
    except SyntaxError:
        return False


def _dump(expression: str) -> str:
    try:
        return ast.dump(ast.parse(expression.strip(), mode="eval"))
    except SyntaxError:
        return ""

"""Deploy checks for models made for other engines (Camunda 7/8, bpmn-js, SpiffArena).

Two kinds of findings, each with element, line and the fix:
- what SpiffWorkflow 3.2 cannot run (link events, ad-hoc subprocesses, compensation, complex
  gateways, implicit splits, service tasks, data stores, an empty script task, a plain task, a
  self-calling process): refused by name, with what to use instead, before SpiffWorkflow's own
  parser meets them with an English message or not at all;
- what belongs to another engine: ``camunda:``/``zeebe:`` properties are ignored here, so they
  are named in a warning with what this system uses instead; a script or condition in another
  language (JavaScript, Groovy, JUEL ``${…}``, FEEL ``=…``) is refused, never run as Python.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from lxml import etree

from engine.base.errors import WARNING, Finding
from engine.modeling.bpmn_xml import BPMN_NS, NS, node_finding

FOREIGN_NAMESPACES = {
    "http://camunda.org/schema/1.0/bpmn": "camunda",
    "http://activiti.org/bpmn": "camunda",  # Camunda 7 still reads the Activiti namespace
    "http://camunda.org/schema/zeebe/1.0": "zeebe",
    "http://flowable.org/bpmn": "flowable",
}
PYTHON_FORMATS = {"", "python", "python3", "text/x-python", "text/python"}

_ACTIVITIES = (
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "transaction",
)
# What replaces a foreign property here (README: "Modellen uit andere systemen").
_INSTEAD = {
    "assignee": "wie een taak doet volgt uit de lane (een rol)",
    "candidateUsers": "wie een taak doet volgt uit de lane (een rol)",
    "candidateGroups": "wie een taak doet volgt uit de lane (een rol)",
    "assignmentDefinition": "wie een taak doet volgt uit de lane (een rol)",
    "formKey": "het formulier komt uit spiffworkflow:property formJsonSchemaFilename",
    "formData": "het formulier komt uit spiffworkflow:property formJsonSchemaFilename",
    "formDefinition": "het formulier komt uit spiffworkflow:property formJsonSchemaFilename",
    "userTaskForm": "het formulier komt uit spiffworkflow:property formJsonSchemaFilename",
    "executionListener": "gebruik spiffworkflow:preScript of spiffworkflow:postScript",
    "taskListener": "gebruik spiffworkflow:preScript of spiffworkflow:postScript",
    "inputOutput": "gegevens lopen hier via de zaakvariabelen (scripts of data objects)",
    "ioMapping": "gegevens lopen hier via de zaakvariabelen (scripts of data objects)",
    "dueDate": "termijnen staan hier in een timer of in spiffworkflow:property behandeltermijn",
    "taskDefinition": "service-taken met een worker bestaan hier niet; gebruik een scripttaak of een gebruikerstaak",
    "class": "Java-klassen draaien hier niet; gebruik een scripttaak (Python)",
    "expression": "expressies in JUEL draaien hier niet; gebruik een scripttaak (Python)",
    "delegateExpression": "Java-delegates draaien hier niet; gebruik een scripttaak (Python)",
    "asyncBefore": "elke stap is hier al een eigen transactie",
    "asyncAfter": "elke stap is hier al een eigen transactie",
    "calledElement": "zet de proces-id in het attribuut calledElement van de aanroepactiviteit",
}
_JUEL = re.compile(r"^\s*[$#]\{.*\}\s*$", re.S)
_FEEL = re.compile(r"^\s*=")


def foreign_expression(text: str) -> str | None:
    """The language an expression is written in when it is not Python, or None."""
    if _JUEL.match(text):
        return "JUEL (${…}, Camunda 7)"
    if _FEEL.match(text):
        return "FEEL (=…, Camunda 8)"
    return None


def check_runnable(file: str, root: etree._Element) -> Iterator[Finding]:
    """Elements SpiffWorkflow 3.2 cannot run, refused by name with what to use instead."""
    for node in root.iterfind(".//bpmn:linkEventDefinition", NS):
        yield node_finding(
            file,
            node.getparent(),
            "een koppelingsgebeurtenis (link event) kan SpiffWorkflow 3.2 niet uitvoeren (de zaak bleef dan staan "
            "zonder iets te doen); verbind de stappen met een gewone pijl (sequence flow)",
        )
    for node in root.iterfind(".//bpmn:adHocSubProcess", NS):
        yield node_finding(
            file,
            node,
            "een ad-hocsubproces kan SpiffWorkflow 3.2 niet uitvoeren; gebruik een gewoon subproces of losse "
            "gebruikerstaken achter een parallelle gateway",
        )
    for node in root.iterfind(".//bpmn:compensateEventDefinition", NS):
        yield node_finding(
            file,
            node.getparent(),
            "compensatie kan SpiffWorkflow 3.2 niet uitvoeren; modelleer het herstel als gewone taken na een "
            "gateway of een foutgebeurtenis (error event)",
        )
    for tag in _ACTIVITIES:
        for node in root.iterfind(f".//bpmn:{tag}[@isForCompensation='true']", NS):
            yield node_finding(
                file, node, "een compensatietaak kan SpiffWorkflow 3.2 niet uitvoeren; maak er een gewone taak van"
            )
    for node in root.iterfind(".//bpmn:complexGateway", NS):
        yield node_finding(
            file,
            node,
            "een complexe gateway kan SpiffWorkflow 3.2 niet uitvoeren; gebruik een exclusive, inclusive of "
            "parallel gateway",
        )
    for tag in ("dataStoreReference", "dataStore"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            yield node_finding(
                file,
                node,
                "een gegevensopslag (data store) heeft hier geen koppeling; bewaar gegevens in zaakvariabelen "
                "(data objects of formuliervelden)",
            )
    for node in root.iterfind(".//bpmn:serviceTask", NS):
        yield node_finding(
            file,
            node,
            "een service-taak roept een extern systeem aan; dit systeem heeft geen connectors en weigert haar "
            "daarom: gebruik een scripttaak (een berekening in Python) of een gebruikerstaak (iemand doet het)",
        )
    for node in root.iterfind(".//bpmn:scriptTask", NS):
        script = node.find("bpmn:script", NS)
        if script is None or not (script.text or "").strip():
            yield node_finding(file, node, "scripttaak zonder script; schrijf het script (Python) of verwijder de taak")
    for node in root.iterfind(".//bpmn:task", NS):
        yield node_finding(
            file,
            node,
            "taak zonder type (bpmn:task): niemand en niets voert haar uit; maak er een gebruikerstaak (met lane en "
            "formulier) of een scripttaak van",
        )
    yield from _implicit_splits(file, root)
    yield from _conditionless_flows(file, root)
    yield from _call_targets(file, root)


def _implicit_splits(file: str, root: etree._Element) -> Iterator[Finding]:
    outgoing = Counter(f.get("sourceRef") for f in root.iterfind(".//bpmn:sequenceFlow", NS))
    for tag in (*_ACTIVITIES, "adHocSubProcess"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            if outgoing[node.get("id")] > 1:
                yield node_finding(
                    file,
                    node,
                    f"er vertrekken {outgoing[node.get('id')]} pijlen uit deze taak (een impliciete splitsing), "
                    "die SpiffWorkflow 3.2 niet uitvoert; zet er een parallel of exclusive gateway achter",
                )


def _conditionless_flows(file: str, root: etree._Element) -> Iterator[Finding]:
    flows_from: dict[str, list[etree._Element]] = {}
    for flow in root.iterfind(".//bpmn:sequenceFlow", NS):
        flows_from.setdefault(flow.get("sourceRef") or "", []).append(flow)
    for tag in ("exclusiveGateway", "inclusiveGateway"):
        for gateway in root.iterfind(f".//bpmn:{tag}", NS):
            flows = flows_from.get(gateway.get("id") or "", [])
            if len(flows) < 2:
                continue
            for flow in flows:
                if flow.get("id") == gateway.get("default") or flow.find("bpmn:conditionExpression", NS) is not None:
                    continue
                yield node_finding(
                    file,
                    flow,
                    "pijl uit een gateway zonder voorwaarde en niet de standaardpijl; geef haar een voorwaarde "
                    "(Python) of maak haar de standaard (default) van de gateway",
                )


def _call_targets(file: str, root: etree._Element) -> Iterator[Finding]:
    for node in root.iterfind(".//bpmn:callActivity", NS):
        process = node.getparent()
        while process is not None and etree.QName(process).localname != "process":
            process = process.getparent()
        called = node.get("calledElement")
        if not called:
            zeebe = node.find("bpmn:extensionElements/{http://camunda.org/schema/zeebe/1.0}calledElement", NS)
            hint = (
                f"zeebe:calledElement '{zeebe.get('processId')}' leest dit systeem niet; zet die proces-id in het "
                "attribuut calledElement"
                if zeebe is not None
                else "zet de id van het aan te roepen proces in het attribuut calledElement"
            )
            yield node_finding(file, node, f"aanroepactiviteit zonder calledElement: {hint}")
        elif process is not None and called == process.get("id"):
            yield node_finding(
                file,
                node,
                f"proces '{called}' roept zichzelf aan; herhaling gaat hier met een lus (een pijl terug naar een "
                "eerdere gateway), niet met een aanroep van het eigen proces",
            )


def check_foreign(file: str, root: etree._Element) -> Iterator[Finding]:
    """Other engines' properties (warnings) and scripts or conditions in other languages (refused)."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        ignored = sorted(
            {
                f"{FOREIGN_NAMESPACES[etree.QName(name).namespace]}:{etree.QName(name).localname}"
                for name in node.attrib
                if etree.QName(name).namespace in FOREIGN_NAMESPACES
            }
        )
        extensions = node.find("bpmn:extensionElements", NS) if etree.QName(node).namespace == BPMN_NS else None
        if extensions is not None:
            ignored += sorted(
                {
                    f"{FOREIGN_NAMESPACES[etree.QName(child).namespace]}:{etree.QName(child).localname}"
                    for child in extensions
                    if isinstance(child.tag, str) and etree.QName(child).namespace in FOREIGN_NAMESPACES
                }
            )
        if ignored:
            instead = sorted({_INSTEAD[n.split(":", 1)[1]] for n in ignored if n.split(":", 1)[1] in _INSTEAD})
            yield node_finding(
                file,
                node,
                f"{', '.join(ignored)} wordt hier genegeerd"
                + (f" ({'; '.join(instead)})" if instead else " (dit systeem leest alleen BPMN en spiffworkflow:)"),
                WARNING,
            )
    for node in root.iterfind(".//bpmn:scriptTask", NS):
        language = (node.get("scriptFormat") or "").strip().lower()
        if language not in PYTHON_FORMATS:
            yield node_finding(
                file,
                node,
                f"script in '{node.get('scriptFormat')}'; hier draaien alleen Python-scripts: herschrijf het in "
                "Python (bijvoorbeeld besluit = ernst >= 3)",
            )
    for tag in ("conditionExpression", "completionCondition", "condition"):
        for node in root.iterfind(f".//bpmn:{tag}", NS):
            language = (node.get("language") or "").strip().lower()
            found = foreign_expression(node.text or "") or (
                language if language and language not in PYTHON_FORMATS else None
            )
            if found:
                yield node_finding(
                    file,
                    node,
                    f"voorwaarde in {found}; schrijf haar als Python-expressie over de zaakvariabelen, "
                    "bijvoorbeeld goedgekeurd == True",
                )


def is_foreign_script(node: etree._Element) -> bool:
    """True for a script or condition that check_foreign refuses (the sandbox need not compile it too)."""
    if etree.QName(node).localname == "script":
        task = node.getparent()
        return task is not None and (task.get("scriptFormat") or "").strip().lower() not in PYTHON_FORMATS
    language = (node.get("language") or "").strip().lower()
    return bool(foreign_expression(node.text or "")) or bool(language and language not in PYTHON_FORMATS)

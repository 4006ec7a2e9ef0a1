"""SpiffWorkflow's refusals as Dutch findings, and DMN files read the way SpiffWorkflow can run them.

SpiffWorkflow's parser speaks English, sometimes with an XML dump or a Python repr, and without a
line. Its messages are recognised here by kind and replaced by a Dutch text with the fix; an
unknown kind gets a general Dutch text, never the original.

DMN: SpiffWorkflow validates DMN 1.2 against a schema it cannot load (the error then names a line of
its own schema file) and reads decisions only when the DMN namespace is the default or has the
prefix ``dmn`` (Trisotech exports use ``semantic:``). Here a DMN file is validated against the
schema of its own version (1.1, 1.2 or 1.3) with the lines of the designer's file, and handed to
SpiffWorkflow with the DMN namespace as its default.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
from pathlib import Path

from lxml import etree
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS

from engine.base.errors import Finding

log = logging.getLogger(__name__)

_NAMESPACE_PREFIXES = {
    "{http://www.omg.org/spec/BPMN/20100524/MODEL}": "bpmn:",
    "{http://spiffworkflow.org/bpmn/schema/1.0/core}": "spiffworkflow:",
    "{https://www.omg.org/spec/DMN/20191111/MODEL/}": "dmn:",
    "{http://www.omg.org/spec/DMN/20180521/MODEL/}": "dmn:",
    "{http://www.omg.org/spec/DMN/20151101/dmn.xsd}": "dmn:",
}
_XSD_PHRASES = {
    "This element is not expected.": "dit element is hier niet toegestaan.",
    "Missing child element(s).": "er ontbreken verplichte onderdelen.",
    "The attribute": "het attribuut",
    "is required but missing.": "is verplicht maar ontbreekt.",
    "is not allowed.": "is niet toegestaan.",
    "Element": "element",
    "attribute": "attribuut",
    "is not a valid value of the atomic type": "is geen geldige waarde van het type",
    "is not a valid value of the local atomic type.": "is geen toegestane waarde.",
    "is not a valid value of the list type": "is geen geldige lijst van het type",
}
# (pattern in SpiffWorkflow's message, Dutch text with the fix)
_KINDS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"no support implemented for this task type", re.I),
        "dit elementtype kan SpiffWorkflow 3.2 niet uitvoeren; gebruik een gebruikerstaak, scripttaak, "
        "aanroepactiviteit, subproces of een exclusive/inclusive/parallel/event-based gateway",
    ),
    (
        re.compile(r"Multiple outgoing flows are not supported", re.I),
        "er vertrekken meerdere pijlen uit deze taak (een impliciete splitsing); zet er een parallel of "
        "exclusive gateway achter",
    ),
    (
        re.compile(r"Service Task must have an operator", re.I),
        "service-taak zonder connector; gebruik een scripttaak of een gebruikerstaak",
    ),
    (
        re.compile(r"Non-default exclusive outgoing sequence flow without condition", re.I),
        "pijl uit een gateway zonder voorwaarde en niet de standaardpijl; geef haar een voorwaarde of maak haar "
        "de standaard (default)",
    ),
    (
        re.compile(r"Unsupported (Catch|Throw) Event", re.I),
        "deze soort gebeurtenis kan SpiffWorkflow 3.2 niet uitvoeren; gebruik een timer-, bericht-, signaal-, "
        "fout- of escalatiegebeurtenis",
    ),
    (
        re.compile(r"Data Store .* has no implementation", re.I),
        "een gegevensopslag (data store) heeft hier geen koppeling; bewaar gegevens in zaakvariabelen",
    ),
    (re.compile(r"No decisions found", re.I), "het DMN-bestand bevat geen beslissing (decision)"),
    (
        re.compile(r"Multiple decision tables", re.I),
        "een DMN-bestand mag hier één beslissing met één beslissingstabel hebben; zet elke beslissing in een "
        "eigen bestand",
    ),
    (
        re.compile(r"Unknown type in decision table", re.I),
        "onbekend onderdeel in de beslissingstabel; alleen input, output en rule zijn toegestaan",
    ),
    (
        re.compile(r"could not be found|not found in", re.I),
        "verwijst naar een element dat niet bestaat; controleer de id",
    ),
    (
        re.compile(r"Invalid.*(timer|duration|date)", re.I),
        'ongeldige timerwaarde; gebruik een ISO 8601-waarde tussen aanhalingstekens, bijvoorbeeld "PT24H"',
    ),
]


def _xsd_text(message: str) -> str:
    message = message.split("\n")[0].split(" Expected is")[0]
    for uri, prefix in _NAMESPACE_PREFIXES.items():
        message = message.replace(uri, prefix)
    for english, dutch in _XSD_PHRASES.items():
        message = message.replace(english, dutch)
    return message.rstrip(". ") + "."


_XSD_ERROR = re.compile(r"^Element '|This element is not expected|Missing child element|is not a valid value")


def _known(message: str) -> bool:
    return any(pattern.search(message) for pattern, _ in _KINDS)


def translated(message: str) -> str:
    """SpiffWorkflow's (English) message as a Dutch text with the fix; never the original words."""
    for pattern, dutch in _KINDS:
        if pattern.search(message):
            return dutch
    log.info("untranslated SpiffWorkflow message: %s", message[:300])
    return (
        "SpiffWorkflow 3.2 kan dit element niet verwerken; controleer het type en de eigenschappen "
        "(processes/README.md noemt wat hier kan)"
    )


def spiff_finding(name: str, exc: Exception, root: etree._Element | None = None, *, schema: bool = False) -> Finding:
    """A Dutch finding for an exception of SpiffWorkflow's parser (``schema``: an XSD error of the file)."""
    text = str(exc)
    line = getattr(exc, "line_number", None) or None
    element = getattr(exc, "id", None) or None
    if element is None and line and root is not None:
        element = _element_at(root, line)
    if line is None and element and root is not None:
        found = root.xpath("//*[@id=$i]", i=element)
        line = found[0].sourceline if found else None
    schema = schema or (not _known(text) and _XSD_ERROR.search(text) is not None)
    message = f"ongeldig BPMN/DMN: {_xsd_text(text)}" if schema else translated(text)
    return Finding(getattr(exc, "file_name", None) or name, line, element, message)


# --- DMN ---------------------------------------------------------------------------------

DMN_VERSIONS = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
}


_XSD = "http://www.w3.org/2001/XMLSchema"
_DMNDI_12 = "http://www.omg.org/spec/DMN/20180521/DMNDI/"


@functools.cache
def _dmn_schema(namespace: str) -> etree.XMLSchema:
    # Parsed from its path, so its imports (DMNDI, DC, DI) resolve next to it, from the package: no network.
    path = Path(SCHEMAS[namespace])
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    tree = etree.parse(str(path), parser)
    if namespace == "http://www.omg.org/spec/DMN/20180521/MODEL/":
        _without_dmndi(tree.getroot())
    return etree.XMLSchema(tree)


def _without_dmndi(schema: etree._Element) -> None:
    """SpiffWorkflow 3.2 ships the DI schema under the name DMNDI12.xsd, so DMN 1.2's diagram part cannot be
    declared: the decision logic is validated strictly, the diagram (DMNDI) is accepted as it is."""
    for node in schema.findall(f"{{{_XSD}}}import"):
        if node.get("namespace") == _DMNDI_12:
            schema.remove(node)
    for node in list(schema.iter(f"{{{_XSD}}}element")):
        ref = node.get("ref") or ""
        if ref.endswith(":DMNDI"):
            lax = etree.Element(f"{{{_XSD}}}any", namespace="##other", processContents="lax", minOccurs="0")
            node.getparent().replace(node, lax)


def check_dmn_file(name: str, root: etree._Element) -> list[Finding]:
    """What keeps SpiffWorkflow from running this DMN file: version, schema, decisions; with the file's lines."""
    namespace = etree.QName(root).namespace or ""
    if namespace not in DMN_VERSIONS:
        return [Finding(name, root.sourceline, None, "onbekende DMN-versie; gebruik DMN 1.1, 1.2 of 1.3")]
    schema = _dmn_schema(namespace)
    if not schema.validate(root):
        return [
            Finding(name, error.line, _element_at(root, error.line), f"ongeldig DMN {DMN_VERSIONS[namespace]}: "
                    + _xsd_text(error.message))
            for error in list(schema.error_log)[:20]
        ]  # fmt: skip
    findings = []
    for service in root.iter(f"{{{namespace}}}decisionService"):
        findings.append(
            Finding(
                name,
                service.sourceline,
                service.get("id"),
                "een beslissingsdienst (decisionService) kan SpiffWorkflow 3.2 niet uitvoeren; roep de beslissing "
                "zelf aan vanuit een bedrijfsregeltaak",
            )
        )
    decisions = list(root.iter(f"{{{namespace}}}decision"))
    if not decisions:
        findings.append(Finding(name, root.sourceline, None, "het DMN-bestand bevat geen beslissing (decision)"))
    elif len(decisions) > 1:
        findings.append(
            Finding(
                name,
                decisions[1].sourceline,
                decisions[1].get("id"),
                "een DMN-bestand mag hier één beslissing hebben; zet elke beslissing in een eigen bestand",
            )
        )
    for decision in decisions:
        if decision.find(f"{{{namespace}}}decisionTable") is None:
            findings.append(
                Finding(
                    name,
                    decision.sourceline,
                    decision.get("id"),
                    "deze beslissing heeft geen beslissingstabel (decisionTable); alleen tabellen kunnen hier draaien",
                )
            )
    return findings


def _element_at(root: etree._Element, line: int) -> str | None:
    """The id of the first element that starts on ``line`` (an XSD error names a line, not an element)."""
    return next((n.get("id") for n in root.iter() if n.sourceline == line and n.get("id")), None)


def dmn_for_spiff(root: etree._Element) -> etree._Element:
    """The DMN tree with its namespace as the default one, as SpiffWorkflow's DMN parser reads it."""
    namespace = etree.QName(root).namespace
    if root.nsmap.get(None) == namespace:
        return root
    nsmap = {prefix: uri for prefix, uri in root.nsmap.items() if prefix is not None and uri != namespace}
    nsmap[None] = namespace
    copied = copy.deepcopy(root)
    rebuilt = etree.Element(copied.tag, attrib=dict(copied.attrib), nsmap=nsmap)
    rebuilt.extend(list(copied))
    return rebuilt

"""A DMN decision table in plain Dutch, for the werkprocesbeschrijving: one sentence per rule.

The models' tables hold Python cells (SpiffWorkflow's DMN), not FEEL: an input entry is a test on the
input's value (``>= 1``, ``"hoog"``, ``-`` for any value), an output entry a value. A rule reads
"als «Aantal niveaus met tussenoordeel hoog» is minstens 1, dan Advies: "huisverbod"", with the rule's
own description in front where the modeller gave one. A cell the translator cannot read is quoted and
marked, as gateway conditions are (engine.design.condition_text), so Python never passes for Dutch.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from lxml import etree

from engine.design.condition_text import UNTRANSLATED
from engine.modeling.xml_safety import parse_model_xml

HIT_POLICIES = {
    "FIRST": "de eerste regel die past, telt",
    "UNIQUE": "precies één regel past",
    "ANY": "passen er meer regels, dan geven ze dezelfde uitkomst",
    "PRIORITY": "de regel met de hoogste prioriteit telt",
    "COLLECT": "alle regels die passen, tellen",
    "RULE ORDER": "alle regels die passen, in hun volgorde",
    "OUTPUT ORDER": "alle regels die passen, op volgorde van uitkomst",
}
_OPERATORS = (  # longest first: ">=" before ">"
    (">=", "is minstens"),
    ("<=", "is hoogstens"),
    ("!=", "is niet"),
    ("==", "is"),
    (">", "is groter dan"),
    ("<", "is kleiner dan"),
)


@dataclass(frozen=True)
class DecisionTable:
    name: str
    policy: str  # in Dutch
    rules: list[str]  # one sentence per rule, in the table's order


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in node if _local(child) == name]


def _text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    found = [child for child in node if _local(child) == "text"]
    return " ".join(((found[0].text if found else node.text) or "").split())


def _value(text: str) -> str:
    """A literal as a policy writer reads it: text in quotes, numbers and lists as written, True as ja."""
    value = ast.literal_eval(text)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int | float):
        return str(value).replace(".", ",")
    if isinstance(value, list | tuple) and value:
        return " of ".join(_value(repr(item)) for item in value)
    raise ValueError(text)


def entry_text(label: str, entry: str) -> str | None:
    """One input entry as a condition on the input; None for "any value" (``-`` or empty)."""
    entry = entry.strip()
    if entry in ("", "-"):
        return None
    try:
        for operator, words in _OPERATORS:
            if entry.startswith(operator):
                return f"«{label}» {words} {_value(entry[len(operator) :].strip())}"
        if entry.startswith(("in ", "not in ")):
            negated = entry.startswith("not in ")
            values = _value(entry.removeprefix("not in ").removeprefix("in ").strip())
            return f"«{label}» is {'geen' if negated else 'één'} van {values}"
        return f"«{label}» is {_value(entry)}"
    except (ValueError, SyntaxError, TypeError):
        return f"«{label}» past bij {UNTRANSLATED.format(entry)}"


def output_text(label: str, entry: str) -> str:
    try:
        return f"{label}: {_value(entry)}"
    except (ValueError, SyntaxError, TypeError):
        return f"{label}: {UNTRANSLATED.format(entry)}"


def decision_table(files: dict[str, bytes], decision_id: str) -> DecisionTable | None:
    """The decision ``decision_id`` of the bundle's DMN files in Dutch; None when no file defines it."""
    for name, content in sorted(files.items()):
        if not name.endswith(".dmn"):
            continue
        root, _ = parse_model_xml(name, content)
        if root is None:
            continue
        for decision in root.iter():
            if _local(decision) == "decision" and decision.get("id") == decision_id:
                table = next((c for c in decision if _local(c) == "decisionTable"), None)
                if table is not None:
                    return _table(decision.get("name") or decision_id, table)
    return None


def _table(name: str, table: etree._Element) -> DecisionTable:
    inputs = [
        i.get("label") or _text(next((c for c in i if _local(c) == "inputExpression"), None)) or i.get("id", "")
        for i in _children(table, "input")
    ]
    outputs = [o.get("label") or o.get("name") or o.get("id", "") for o in _children(table, "output")]
    hit_policy = (table.get("hitPolicy") or "UNIQUE").upper()
    first = hit_policy == "FIRST"
    rules = []
    for number, rule in enumerate(_children(table, "rule"), start=1):
        conditions = [
            text
            for label, entry in zip(inputs, _children(rule, "inputEntry"), strict=False)
            if (text := entry_text(label, _text(entry)))
        ]
        results = [
            output_text(label, _text(entry))
            for label, entry in zip(outputs, _children(rule, "outputEntry"), strict=False)
        ]
        description = " ".join((_text(next((c for c in rule if _local(c) == "description"), None)) or "").split())
        otherwise = "anders" if first and number > 1 else "altijd"  # a last catch-all rule under FIRST
        when = f"als {' en '.join(conditions)}" if conditions else otherwise
        lead = f"{description} — " if description else ""
        rules.append(f"{lead}{when}, dan {'; '.join(results)}")
    return DecisionTable(name, HIT_POLICIES.get(hit_policy, hit_policy), rules)

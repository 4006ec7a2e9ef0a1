"""A document never prints a choice's stored code: "woont" or "1a.1" means nothing to the person who reads it.

A form stores a choice as its code and shows its title (forms/*.schema.json, oneOf const/title). A document
template that prints such a field as it is (``{{ v.woonsituatie }}``, or each item of a list of them) would
put the code in a beschikking. Comparing a code (``{% if v.besluit == "opleggen" %}``) is how a template uses it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from engine.base.paths import FORMS_DIR
from engine.documents.templates import TEMPLATES_DIR
from engine.modeling.forms import item_choices

_KEEPING_FILTERS = {"default", "d", "e", "escape", "trim", "upper", "lower", "capitalize", "title", "string"}


def _choice_fields() -> set[str]:
    found: set[str] = set()

    def walk(schema: object) -> None:
        if not isinstance(schema, dict):
            return
        for name, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict):
                # An enum's values are their own text (the form shows them as they are); a titled option is not.
                if any(c.title and c.title != str(c.code) for c in item_choices(prop) or ()):
                    found.add(name)
                walk(prop)
                walk(prop.get("items"))

    for path in FORMS_DIR.glob("*.schema.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def _field(expr: nodes.Node, loops: dict[str, str]) -> str | None:
    """The case field an expression prints as it is (through filters that keep the value), or None."""
    while isinstance(expr, nodes.Filter) and expr.name in _KEEPING_FILTERS and expr.node is not None:
        expr = expr.node
    if isinstance(expr, nodes.Getattr):
        return expr.attr
    if isinstance(expr, nodes.Getitem) and isinstance(expr.arg, nodes.Const) and isinstance(expr.arg.value, str):
        return expr.arg.value
    if isinstance(expr, nodes.Name):
        return loops.get(expr.name)
    return None


def printed_fields(source: str) -> Iterator[str]:
    """Every field a template prints as it is; an item of a loop over a field counts as that field."""
    tree = Environment(extensions=["jinja2.ext.do"]).parse(source)
    loops: dict[str, str] = {}
    for loop in tree.find_all(nodes.For):
        field = _field(loop.iter, {})
        if field and isinstance(loop.target, nodes.Name):
            loops[loop.target.name] = field
    for output in tree.find_all(nodes.Output):
        for expr in output.nodes:
            if isinstance(expr, nodes.TemplateData):
                continue
            field = _field(expr, loops)
            if field:
                yield field


def test_the_check_sees_a_code_printed_directly_or_from_a_list():
    assert list(printed_fields("{{ v.woonsituatie }} {{ v['route']|default('-') }}")) == ["woonsituatie", "route"]
    assert list(printed_fields("{% for s in v.signalen %}{{ s }}{% endfor %}")) == ["signalen"]
    assert list(printed_fields('{% if v.besluit == "opleggen" %}x{% endif %}{{ "ja" if v.besluit else "nee" }}')) == []


@pytest.mark.parametrize("template", sorted(TEMPLATES_DIR.glob("*.html")), ids=lambda p: Path(p).name)
def test_no_document_prints_a_choice_code(template):
    choices = _choice_fields()
    assert {"woonsituatie", "signalen", "regiehouder"} <= choices  # the check knows the forms' choices
    printed = set(printed_fields(template.read_text(encoding="utf-8"))) & choices
    assert not printed, f"{template.name} drukt de code van een keuze af: {sorted(printed)}"

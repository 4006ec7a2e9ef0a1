"""Gateway conditions and timer expressions in plain Dutch, for the werkprocesbeschrijving.

The models write conditions and timers as Python expressions (``meerderjarig and woonsituatie in ["woont",
"anders_dan_incidenteel"]``, ``termijn_einde(uitspraak["uitspraak_op"], "P14D")``). A policy writer reads them
here as sentences: names become the titles of the form fields that fill them (``«Is de uithuis te plaatsen persoon
meerderjarig?» is ja``), values the titles of the form's choices, durations Dutch words. The translator covers the
forms the models use: comparisons, ``in`` lists, ``and``/``or``/``not``, ``len``, ``any``/``all`` over a list,
``.get`` and subscripts, ``bool`` and the engine's time helpers. Anything else is shown as the quoted expression,
marked ``[niet vertaald: …]``, so raw Python never passes for Dutch.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from engine.base.vocabulary import ROLES
from engine.modeling.forms import field_choices

UNTRANSLATED = "[niet vertaald: «{}»]"
# The engine's own case variables (processes/README.md, "Case variables"), which no form fills.
CASE_VARIABLES: dict[str, str] = {
    "huisverbod": "het huisverbod",
    "variant": "deze variant",
    "rihg_afnemer": "wie de RiHG afneemt",
    "besluit_door": "wie beslist",
    "mandaat": "het mandaat",
    "rihg_resultaat": "de uitkomst van de RiHG",
    "huisverbod_besluit": "het besluit over het huisverbod",
    "verwijzing": "de doorverwijzing",
    "uitspraak": "de uitspraak (voorlopige voorziening)",
    "uitspraak_beroep": "de uitspraak in de hoofdzaak",
    "beroep": "het beroep",
    "beroepstermijn": "de beroepstermijn",
    "beroep_termijnen": "de termijnen van het beroep",
    "monitoring": "de monitoring",
    "kinderen": "de kinderen",
}
_ROLE_LABELS = {r.code: r.label for r in ROLES}
_UNITS = {
    "Y": ("jaar", "jaar"),
    "M": ("maand", "maanden"),
    "W": ("week", "weken"),
    "D": ("dag", "dagen"),
    "H": ("uur", "uur"),
    "MIN": ("minuut", "minuten"),
    "S": ("seconde", "seconden"),
}
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_COMPARE = {
    ast.Eq: "is",
    ast.NotEq: "is niet",
    ast.Gt: "is groter dan",
    ast.GtE: "is minstens",
    ast.Lt: "is kleiner dan",
    ast.LtE: "is hoogstens",
    ast.In: "is",
    ast.NotIn: "is niet",
}


@dataclass
class Labels:
    """What names and values mean: form field titles and the titles of their choices."""

    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_form(self, schema: dict[str, Any]) -> None:
        for name, prop in (schema.get("properties") or {}).items():
            if not isinstance(prop, dict):
                continue
            if prop.get("title"):
                self.fields.setdefault(name, str(prop["title"]))
            choices = self.values.setdefault(name, {})
            for choice in field_choices(prop) or ():
                if choice.title:
                    choices.setdefault(str(choice.code), choice.title)
            if prop.get("type") == "object":
                self.add_form(prop)
            items = prop.get("items")
            if isinstance(items, dict) and items.get("type") == "object":
                self.add_form(items)

    def name(self, name: str) -> str:
        if name in self.fields:
            return f"«{self.fields[name]}»"
        return CASE_VARIABLES.get(name) or f"«{name.replace('_', ' ')}»"

    def value(self, about: str | None, value: object) -> str:
        if isinstance(value, bool):
            return "ja" if value else "nee"
        if value is None:
            return "leeg"
        text = str(value)
        if about and text in self.values.get(about, {}):
            return f"«{self.values[about][text]}»"
        if text in _ROLE_LABELS:
            return _ROLE_LABELS[text]
        return f"«{text.replace('_', ' ')}»" if isinstance(value, str) else text


class _Untranslatable(Exception):
    pass


def duration_text(value: str) -> str | None:
    """An ISO 8601 duration in Dutch words ("P14D" -> "14 dagen", "PT24H" -> "24 uur"), or None."""
    match = _DURATION.match(value.strip().upper())
    if not match or not any(match.groups()):
        return None
    parts = []
    for number, unit in zip(match.groups(), ("Y", "M", "W", "D", "H", "MIN", "S")):
        if number is not None:
            one, many = _UNITS[unit]
            parts.append(f"{int(number)} {one if int(number) == 1 else many}")
    return " en ".join(parts)


def _constant_text(value: object) -> str:
    if isinstance(value, str):
        duration = duration_text(value)
        if duration:
            return duration
        cycle = re.match(r"^R(\d*)/(P[^/]+)$", value.strip())
        if cycle and (every := duration_text(cycle.group(2))):
            times = f"{cycle.group(1)} keer, " if cycle.group(1) else ""
            return f"{times}elke {every}"
    raise _Untranslatable


class _Translator:
    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        self.loop_vars: dict[str, str] = {}

    def subject(self, node: ast.expr) -> tuple[str, str | None]:
        """The Dutch name of a value and the field name its choices are titled by."""
        if isinstance(node, ast.Name):
            if node.id in self.loop_vars:
                return self.loop_vars[node.id], None
            return self.labels.name(node.id), node.id
        key, owner = None, None
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            key, owner = node.slice.value, node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            key, owner = node.args[0].value, node.func.value
        if isinstance(key, str) and owner is not None:
            label = self.labels.fields.get(key)
            text = f"«{label}»" if label else f"«{key.replace('_', ' ')}»"
            if isinstance(owner, ast.Name) and owner.id in self.loop_vars:
                return text, key  # a field of each item: "minstens één van «Kinderen»: «Leeftijd» is …"
            return f"{text} van {self.subject(owner)[0]}", key
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" and node.args:
            return f"het aantal van {self.subject(node.args[0])[0]}", None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node), None
        raise _Untranslatable

    def call(self, node: ast.Call) -> str:
        name = node.func.id if isinstance(node.func, ast.Name) else ""
        args = node.args
        if name in ("termijn_einde", "termijn_voor", "awb_termijn_einde") and len(args) == 2:
            when = self.subject(args[0])[0]
            term = _constant_text(args[1].value) if isinstance(args[1], ast.Constant) else self.subject(args[1])[0]
            if name == "termijn_voor":
                return f"{term} vóór {when}"
            if name == "awb_termijn_einde":
                return f"{term} na {when} (Awb: vanaf de volgende dag, tot en met een werkdag)"
            return f"{term} na {when}"
        if name == "nu" and not args:
            return "nu"
        raise _Untranslatable

    def condition(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant) and node.value is True:
            return "altijd"
        if isinstance(node, ast.BoolOp):
            joiner = " en " if isinstance(node.op, ast.And) else " of "
            parts = []
            for value in node.values:
                text = self.condition(value)
                parts.append(f"({text})" if isinstance(value, ast.BoolOp) else text)
            return joiner.join(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            if self._is_subject(node.operand):
                return f"{self.subject(node.operand)[0]} is nee of leeg"
            return f"niet ({self.condition(node.operand)})"
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            return self.compare(node.left, node.ops[0], node.comparators[0])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("any", "all") and len(node.args) == 1 and isinstance(node.args[0], ast.GeneratorExp):
                return self.quantified(node.func.id, node.args[0])
            if node.func.id == "bool" and len(node.args) == 1:
                return f"{self.subject(node.args[0])[0]} is ingevuld"
            if node.func.id == "later_dan" and len(node.args) == 2:
                return f"{self.subject(node.args[0])[0]} ligt na {self.subject(node.args[1])[0]}"
        if self._is_subject(node):
            return f"{self.subject(node)[0]} is ja"
        raise _Untranslatable

    def _is_subject(self, node: ast.expr) -> bool:
        try:
            self.subject(node)
        except _Untranslatable:
            return False
        return True

    def compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> str:
        if type(op) not in _COMPARE:
            raise _Untranslatable
        text, about = self.subject(left)
        verb = _COMPARE[type(op)]
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(right, (ast.List, ast.Tuple, ast.Set)):
                raise _Untranslatable
            options = [self.value(about, item) for item in right.elts]
            return f"{text} {verb} {' of '.join(options) if len(options) > 1 else options[0]}"
        return f"{text} {verb} {self.value(about, right)}"

    def value(self, about: str | None, node: ast.expr) -> str:
        if isinstance(node, ast.Constant):
            return self.labels.value(about, node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return f"-{node.operand.value!s}"
        return self.subject(node)[0]

    def quantified(self, kind: str, generator: ast.GeneratorExp) -> str:
        if len(generator.generators) != 1 or generator.generators[0].ifs:
            raise _Untranslatable
        loop = generator.generators[0]
        if not isinstance(loop.target, ast.Name):
            raise _Untranslatable
        collection = self.subject(loop.iter)[0]
        self.loop_vars[loop.target.id] = "het"
        try:
            inner = self.condition(generator.elt)
        finally:
            del self.loop_vars[loop.target.id]
        return f"{'minstens één' if kind == 'any' else 'elk'} van {collection}: {inner}"

    def timer(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant):
            return _constant_text(node.value)
        return self.subject(node)[0]


def condition_text(expression: str, labels: Labels) -> str:
    """A gateway condition in Dutch, or the expression quoted and marked as not translated."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
        return _Translator(labels).condition(tree.body)
    except (_Untranslatable, SyntaxError, RecursionError):
        return UNTRANSLATED.format(" ".join(expression.split()))


def timer_text(expression: str, labels: Labels) -> str:
    """A timer expression in Dutch ("2 dagen", "14 dagen na «Uitspraak op» van de uitspraak …"), or marked."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
        return _Translator(labels).timer(tree.body)
    except (_Untranslatable, SyntaxError, RecursionError):
        return UNTRANSLATED.format(" ".join(expression.split()))

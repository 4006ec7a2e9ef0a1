"""What a form field offers to choose from: one reading for every reader (engine.modeling.forms.field_choices)."""

from __future__ import annotations

import json

import pytest

from engine.base.paths import FORMS_DIR
from engine.modeling.forms import Choice, field_choices, item_choices


def test_oneof_options_give_codes_and_titles_in_the_forms_order():
    prop = {"type": "string", "oneOf": [{"const": "woont", "title": "Woont in de woning"}, {"const": "elders"}]}
    assert field_choices(prop) == [Choice("woont", "Woont in de woning"), Choice("elders", None)]


def test_anyof_options_and_enum_values_are_choices_too():
    assert field_choices({"anyOf": [{"const": 1, "title": "Eén"}]}) == [Choice(1, "Eén")]
    assert field_choices({"enum": ["a_b", None]}) == [Choice("a_b", None), Choice(None, None)]


@pytest.mark.parametrize(
    "prop",
    [
        {"type": "string"},
        {"oneOf": [{"const": "a"}, {"type": "integer"}]},  # a choice between schemas, not between values
        {"oneOf": ["a", "b"]},
        {"enum": "a"},
    ],
)
def test_free_input_and_schema_alternatives_offer_no_choices(prop):
    assert field_choices(prop) is None


def test_a_list_of_checkboxes_offers_the_choices_of_its_items():
    prop = {"type": "array", "items": {"type": "string", "oneOf": [{"const": "1a.1", "title": "Signaal"}]}}
    assert field_choices(prop) is None
    assert item_choices(prop) == [Choice("1a.1", "Signaal")]
    assert item_choices({"type": "array", "items": "not a schema"}) is None


def test_every_choice_field_of_the_shipped_forms_is_read_whole():
    """No shipped form has a oneOf that this reading would drop or cut short."""

    def walk(schema):
        if isinstance(schema, dict):
            for key in ("oneOf", "anyOf"):
                if isinstance(schema.get(key), list):
                    found = field_choices(schema)
                    assert found is not None and len(found) == len(schema[key]), schema[key]
            for value in schema.values():
                walk(value)
        elif isinstance(schema, list):
            for value in schema:
                walk(value)

    forms = sorted(FORMS_DIR.glob("*.schema.json"))
    assert forms
    for path in forms:
        walk(json.loads(path.read_text(encoding="utf-8")))

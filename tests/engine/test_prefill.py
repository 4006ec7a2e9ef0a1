"""engine.modeling.prefill: form fields that start from what the case already knows (x-prefill)."""

from __future__ import annotations

import json

import pytest

from engine.modeling.forms import load_schema_text
from engine.modeling.prefill import prefill_values

SCHEMA = {
    "type": "object",
    "properties": {
        "plaats": {"type": "string", "x-prefill": "adres"},
        "namen": {"type": "array", "items": {"type": "string"}, "x-prefill": "achterblijvers[].naam"},
        "einde": {"type": "string", "x-prefill": "huisverbod.einde"},
        "aantal": {"type": "integer", "x-prefill": "adres"},  # not text: never filled from text
        "vrij": {"type": "string"},
    },
}


def test_fields_start_from_the_case_variables_the_path_names():
    variables = {
        "adres": "Dorpsstraat 1, Utrecht",
        "achterblijvers": [{"naam": "S. de Vries"}, {"relatie": "kind"}, {"naam": "K. de Vries"}],
        "huisverbod": {"einde": "2026-02-12T21:15:00+01:00"},
    }
    assert prefill_values(SCHEMA, variables) == {
        "plaats": "Dorpsstraat 1, Utrecht",
        "namen": ["S. de Vries", "K. de Vries"],
        "einde": "2026-02-12T21:15:00+01:00",
    }


@pytest.mark.parametrize(
    "variables",
    [
        {},  # nothing known (or nothing this person may see): the field stays empty
        {"adres": "", "achterblijvers": [], "huisverbod": "geen object"},
        {"adres": ["lijst"], "achterblijvers": [{"naam": 3}], "huisverbod": {"einde": None}},
    ],
)
def test_what_is_missing_or_does_not_fit_is_left_out(variables):
    assert prefill_values(SCHEMA, variables) == {}
    assert prefill_values(None, variables) == {}


@pytest.mark.parametrize("path", ["", "adres.", "Adres", "a[0].b", "__import__('os')", 3, ["adres"]])
def test_a_path_the_engine_cannot_follow_is_refused_at_deploy(path):
    schema = {"type": "object", "properties": {"plaats": {"type": "string", "x-prefill": path}}}
    with pytest.raises(ValueError, match="x-prefill bij 'plaats' moet een pad naar zaakgegevens zijn"):
        load_schema_text(json.dumps(schema))

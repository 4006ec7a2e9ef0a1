"""Server-side forms from JSON Schema: every real form renders, and posts convert to the schema's types."""

from __future__ import annotations

import json

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from engine.base.errors import FieldCode, FormInvalid
from engine.modeling.forms import FORMS_DIR, validate_form_data
from tests.web.conftest import MELDING, RIHG
from web.form_parsing import parse_form
from web.form_rendering import INDEX, Field, build_fields, unplaced_errors
from web.views.forms import friendly_errors

FORMS = sorted(FORMS_DIR.glob("*.schema.json"))
RENDER = '{% from "forms/_fields.html" import render_form %}{{ render_form(fields, errors, {}, {}, "Opslaan") }}'


def _schema(name: str) -> dict:
    return json.loads((FORMS_DIR / name).read_text(encoding="utf-8"))


def browser_post(fields: list[Field]) -> MultiDict:
    """What a browser sends for a rendered field tree (empty rows included, unchecked boxes absent)."""
    data = MultiDict()
    for f in fields:
        if f.kind == "object":
            data.update(browser_post(f.children))
        elif f.kind in ("rows", "list"):
            for row in f.rows:
                data.update(browser_post(row))
        elif f.kind == "checkboxes":
            for value in sorted(f.checked):
                data.add(f.name, value)
        elif f.kind == "checkbox":
            if f.value:
                data.add(f.name, "true")
        else:
            data.add(f.name, f.value)
    return data


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_every_form_renders(app, path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    fields = build_fields(schema)
    with app.test_request_context():
        html = render_template_string(RENDER, fields=fields, errors={})
    for name in schema.get("properties", {}):
        assert f'name="{name}' in html or f'data-rows="{name}"' in html, name
    assert INDEX in html or "template" not in html


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_an_empty_post_never_crashes_and_validation_names_real_fields(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    data = parse_form(schema, MultiDict())
    fields = build_fields(schema, data)
    try:
        validate_form_data(schema, data)
    except FormInvalid as exc:  # every error has a field to sit next to
        assert unplaced_errors(fields, exc.fields) == {}, exc.fields


@pytest.mark.parametrize(
    "form, data",
    [
        ("melding_crisis.schema.json", MELDING),
        ("rihg.schema.json", RIHG),
        (
            "beschikking.schema.json",
            {
                "opgelegd_op": "2026-02-02T21:30:00+01:00",
                "beschikking_plaats": "Dorpsstraat 1",
                "feiten_en_omstandigheden": "regel 1\nregel 2",
                "contactverbod_namen": ["Els", "Kim"],
                "mondeling_aangezegd": True,
            },
        ),
        ("mededeling.schema.json", {"mededeling_toelichting": "Telefonisch vooraf gemeld."}),
        (
            "verlenging.schema.json",
            {
                "verlengen": True,
                "verlenging_dagen": 18,
                "verlenging_feiten": "dreiging",
                "contactverbod_namen": [],
                "verlenging_inbreng": "x",
            },
        ),
    ],
)
def test_render_and_post_round_trip(form, data):
    schema = _schema(form)
    fields = build_fields(schema, data)
    assert parse_form(schema, browser_post(fields)) == data
    validate_form_data(schema, data)


def test_types_are_converted_and_bad_values_kept():
    schema = _schema("melding_crisis.schema.json")
    post = MultiDict(
        [
            ("adres", "  Dorpsstraat 1 "),
            ("omschrijving", ""),
            ("aanhouding", "true"),
            ("kinderen.0.leeftijd", "7"),
            ("kinderen.0.voornaam", "Kim"),
            ("kinderen.5.leeftijd", "zeven"),
            ("kinderen.3.voornaam", ""),
            ("kinderen.3.leeftijd", ""),
            ("onbekend", "x"),
            ("__proto__", "y"),
            ("kinderen.99999.leeftijd", "1"),
        ]
    )
    data = parse_form(schema, post)
    assert data == {
        "adres": "Dorpsstraat 1",
        "achterblijvers": [],
        "aanhouding": True,
        "kinderen": [{"voornaam": "Kim", "leeftijd": 7}, {"leeftijd": "zeven"}],
        "vermoeden_kindermishandeling": False,
    }
    with pytest.raises(Exception) as refused:
        validate_form_data(schema, data)
    assert refused.value.fields["kinderen.1.leeftijd"] == "Verwacht een geheel getal."
    fields = build_fields(schema, data, refused.value.fields)
    kinderen = next(f for f in fields if f.name == "kinderen")
    assert kinderen.rows[1][1].value == "zeven" and kinderen.rows[1][1].error == "Verwacht een geheel getal."


def test_numbers_dates_and_choices():
    schema = {
        "type": "object",
        "properties": {
            "n": {"type": "number"},
            "i": {"type": "integer"},
            "d": {"type": "string", "format": "date"},
            "t": {"type": "string", "format": "date-time"},
            "keuze": {"type": "array", "items": {"enum": ["a", "b"]}},
            "groep": {
                "type": "object",
                "properties": {
                    "x": {"type": "string"},
                    "lijst": {"type": "array", "items": {"type": "string", "oneOf": [{"const": "p", "title": "P"}]}},
                },
            },
        },
    }
    post = MultiDict(
        [("n", "3,5"), ("i", "-4"), ("d", "2026-02-03"), ("t", "2026-07-01T09:30"), ("keuze", "a"), ("keuze", "c")]
    )
    assert parse_form(schema, post) == {
        "n": 3.5,
        "i": -4,
        "d": "2026-02-03",
        "t": "2026-07-01T09:30:00+02:00",
        "keuze": ["a", "c"],
    }
    assert parse_form(schema, MultiDict([("n", "1e999"), ("i", "4.0")])) == {"n": "1e999", "i": "4.0", "keuze": []}
    fields = {f.name: f for f in build_fields(schema, {"t": "2026-07-01T07:30:00+00:00"})}
    assert fields["t"].kind == "datetime" and fields["t"].value == "2026-07-01T09:30"
    assert fields["keuze"].kind == "checkboxes" and fields["groep"].kind == "object"
    assert fields["groep"].children[1].kind == "checkboxes"


def test_choice_widgets():
    few = {"type": "string", "oneOf": [{"const": str(i), "title": f"Keuze {i}"} for i in range(5)]}
    many = {"type": "string", "enum": [str(i) for i in range(6)]}
    fields = build_fields(
        {"type": "object", "properties": {"few": few, "many": many, "ok": {"type": "boolean", "const": True}}}
    )
    assert [f.kind for f in fields] == ["radio", "select", "checkbox"]
    assert fields[0].options[1] == ("1", "Keuze 1") and fields[2].attrs["must_check"]


def test_deeply_nested_schema_does_not_recurse_forever():
    schema: dict = {"type": "object", "properties": {}}
    node = schema
    for _ in range(30):
        child = {"type": "object", "properties": {}}
        node["properties"]["x"] = child
        node = child
    build_fields(schema)
    parse_form(schema, MultiDict([("x." * 29 + "x", "v")]))


def test_each_refused_field_has_a_code_and_the_web_rewrites_by_code_not_by_text(app):
    properties = {
        "naam": {"type": "string", "minLength": 1},
        "akkoord": {"type": "boolean", "const": True},
        "soort": {"const": "x"},
        "keuze": {"enum": ["a", "b"]},
        "op": {"type": "string", "format": "date"},
        "tekst": {"type": "string", "maxLength": 3},
        "aantal": {"type": "integer"},
    }
    schema = {"type": "object", "required": ["naam", "verplicht"], "properties": properties}
    schema["additionalProperties"] = False
    data = {"naam": "", "akkoord": False, "soort": "y", "keuze": "c", "op": "morgen", "tekst": "abcd", "aantal": "7"}
    with pytest.raises(FormInvalid) as refused:
        validate_form_data(schema, {**data, "extra": 1})
    assert refused.value.codes == {
        "naam": FieldCode.REQUIRED,
        "verplicht": FieldCode.REQUIRED,
        "akkoord": FieldCode.MUST_BE_TRUE,
        "soort": FieldCode.MUST_EQUAL,
        "keuze": FieldCode.CHOICE,
        "op": FieldCode.FORMAT,
        "tekst": FieldCode.TOO_LONG,
        "aantal": FieldCode.TYPE,
        "extra": FieldCode.UNKNOWN_FIELD,
    }
    with app.test_request_context():
        shown = friendly_errors(refused.value)
        # The same text under another code stays as the engine wrote it.
        other = friendly_errors(FormInvalid("x", {"a": "Moet True zijn."}, {"a": FieldCode.MUST_EQUAL}))
    assert shown["akkoord"] == "Vink dit aan om te bevestigen."
    assert shown["soort"] == refused.value.fields["soort"] == "Moet 'x' zijn."
    assert other == {"a": "Moet True zijn."}

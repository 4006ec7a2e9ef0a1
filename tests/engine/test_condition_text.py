"""Gateway conditions and timers in plain Dutch; what the translator cannot read is quoted and marked."""

from __future__ import annotations

import pytest

from engine.design.condition_text import Labels, condition_text, duration_text, timer_text

FORM = {
    "properties": {
        "meerderjarig": {"type": "boolean", "title": "Meerderjarig?"},
        "woonsituatie": {
            "type": "string",
            "title": "Woonsituatie",
            "oneOf": [{"const": "woont", "title": "Woont er"}, {"const": "geen", "title": "Woont er niet"}],
        },
        "kinderen": {
            "type": "array",
            "title": "Kinderen",
            "items": {"type": "object", "properties": {"leeftijd": {"type": "integer", "title": "Leeftijd"}}},
        },
        "uitspraak_op": {"type": "string", "format": "date-time", "title": "Uitspraak op"},
    }
}


@pytest.fixture
def labels() -> Labels:
    found = Labels()
    found.add_form(FORM)
    return found


@pytest.mark.parametrize(
    ("expression", "dutch"),
    [
        ("meerderjarig", "«Meerderjarig?» is ja"),
        ("not meerderjarig", "«Meerderjarig?» is nee of leeg"),
        ('woonsituatie == "woont"', "«Woonsituatie» is «Woont er»"),
        ('woonsituatie != "geen"', "«Woonsituatie» is niet «Woont er niet»"),
        ('woonsituatie in ["woont", "geen"]', "«Woonsituatie» is «Woont er» of «Woont er niet»"),
        ("len(kinderen) > 0", "het aantal van «Kinderen» is groter dan 0"),
        ('any(k.get("leeftijd", 0) >= 12 for k in kinderen)', "minstens één van «Kinderen»: «Leeftijd» is minstens 12"),
        ('rihg_afnemer == "veilig_thuis"', "wie de RiHG afneemt is Veilig Thuis"),
        ('variant.get("opschorting", False)', "«opschorting» van deze variant is ja"),
        ('huisverbod["status"] in ["verlengd"]', "«status» van het huisverbod is «verlengd»"),
        (
            'meerderjarig and (woonsituatie == "woont" or len(kinderen) > 0)',
            "«Meerderjarig?» is ja en («Woonsituatie» is «Woont er» of het aantal van «Kinderen» is groter dan 0)",
        ),
        ('bool(huisverbod.get("verlenging_vervallen"))', "«verlenging vervallen» van het huisverbod is ingevuld"),
        ('later_dan(huisverbod["uiterste_einde"], huisverbod["einde"])', None),
        ("True", "altijd"),
    ],
)
def test_conditions_read_as_dutch(labels, expression, dutch):
    result = condition_text(expression, labels)
    if dutch is None:
        assert result == "«uiterste einde» van het huisverbod ligt na «einde» van het huisverbod"
    else:
        assert result == dutch
    assert "[niet vertaald" not in result


@pytest.mark.parametrize(
    "expression",
    ["x + 1 > 2", "lambda: 1", 'woonsituatie.startswith("w")', "a if b else c", "x ==", "[k for k in kinderen]"],
)
def test_what_it_cannot_read_is_quoted_and_marked(labels, expression):
    assert condition_text(expression, labels) == f"[niet vertaald: «{' '.join(expression.split())}»]"


@pytest.mark.parametrize(
    ("expression", "dutch"),
    [
        ('"P2D"', "2 dagen"),
        ('"PT24H"', "24 uur"),
        ('"P1D"', "1 dag"),
        ('"P3M"', "3 maanden"),
        ('"P6W"', "6 weken"),
        ('"R3/P1D"', "3 keer, elke 1 dag"),
        ('termijn_einde(uitspraak_op, "P14D")', "14 dagen na «Uitspraak op»"),
        ('termijn_voor(huisverbod["einde"], "P3D")', "3 dagen vóór «einde» van het huisverbod"),
        ('huisverbod["einde"]', "«einde» van het huisverbod"),
    ],
)
def test_timers_read_as_dutch(labels, expression, dutch):
    assert timer_text(expression, labels) == dutch


def test_a_timer_it_cannot_read_is_marked(labels):
    assert timer_text('"morgen"', labels) == '[niet vertaald: «"morgen"»]'
    assert duration_text("P1Y2M") == "1 jaar en 2 maanden" and duration_text("P") is None

"""The RiHG catalogue against the annex of the Besluit, and the forms generated from it."""

from __future__ import annotations

import json
import re

import pytest

from engine.base.errors import FormInvalid
from engine.modeling.forms import FORMS_DIR, load_schema_text, validate_form_data
from engine.rihg import instrument as rihg
from engine.rihg.instrument import ANNEX, NIEUW_PERSPECTIEF

ANNEX_INDICATORS = ["1a", "1b", "1c", *(f"2{c}" for c in "abcdefghijk"), *(f"3{c}" for c in "abcdef")]


def test_annex_has_three_levels_twenty_indicators_and_79_signals():
    assert [(lv.key, lv.number, len(lv.indicators)) for lv in ANNEX.levels] == [
        ("persoon", 1, 3),
        ("incident", 2, 11),
        ("leefomstandigheden", 3, 6),
    ]
    assert [i.code for i in ANNEX.indicators] == ANNEX_INDICATORS
    assert len(ANNEX.signals) == 79
    codes = [s.code for s in ANNEX.signals]
    assert len(set(codes)) == 79
    for indicator in ANNEX.indicators:
        assert [s.code for s in indicator.signals] == [
            f"{indicator.code}.{n}" for n in range(1, len(indicator.signals) + 1)
        ]
    assert len({s.label for i in ANNEX.indicators for s in i.signals}) == 79


def test_levels_cite_article_2_second_paragraph():
    assert [lv.article for lv in ANNEX.levels] == [f"artikel 2, tweede lid, onder {c}" for c in "abc"]
    assert ANNEX.levels[0].heading.startswith("Feiten en omstandigheden die de persoon betreffen")


def test_transcription_spot_checks_and_ocr_repairs():
    assert rihg.signal("2c.4").label == "verwurging"
    assert rihg.signal("3e.1").label == "betrokkene controleert financiën, paspoort e.d."
    assert rihg.signal("3a.3").label == (
        "problemen met betrekking tot arbeidsongeschiktheids- of werkloosheidsuitkering"
    )
    assert rihg.signal("2g.4").label == "gebruik van «toevallige» wapens (servies, asbak, keukenmes e.d.)"
    names = {i.code: i.name for i in ANNEX.indicators}
    assert names["2j"] == "Geweldsverwachting" and names["3b"] == "Spanning door financiële problemen"
    # No OCR leftovers: dashes, hyphenation across lines ("werkloos- heidsuitkering"; "alcohol- of" is
    # Dutch), stray bullets, "financiéle".
    texts = [s.label for s in ANNEX.signals] + [i.name for i in ANNEX.indicators]
    for text in texts:
        assert text == text.strip() and not re.search(r"[—–]|-\s(?!(of|en) )|\s{2}|^[-•]|é[ln]", text), text


def test_indicator_1a_is_police_data():
    police = [i for i in ANNEX.indicators if i.police_data]
    assert [i.code for i in police] == ["1a"]
    assert "politiegegevens" in police[0].title
    assert "artikel 2, derde lid" in police[0].note and "naar bevind van zaken" in police[0].note


def test_extension_is_versioned_separate_and_unweighted():
    assert [s.code for s in NIEUW_PERSPECTIEF.signals] == [f"N{n}" for n in range(1, 10)]
    assert NIEUW_PERSPECTIEF.version == "2026.1"
    assert NIEUW_PERSPECTIEF.in_annex is False and NIEUW_PERSPECTIEF.weighting is None
    assert "Geen onderdeel van de bijlage" in NIEUW_PERSPECTIEF.note
    assert rihg.signal("N1").label == "non-fatale verwurging"
    assert not {s.code for s in NIEUW_PERSPECTIEF.signals} & {s.code for s in ANNEX.signals}
    with pytest.raises(KeyError):
        rihg.signal("N10")


def _load(name: str) -> dict:
    return load_schema_text((FORMS_DIR / name).read_text(encoding="utf-8"))


def _signal_codes(schema: dict) -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("title") == "Signalen":
                found.extend(option["const"] for option in node["items"]["oneOf"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def test_baseline_form_has_every_annex_signal_once_and_no_extension():
    schema = _load(rihg.FORM_BASELINE)
    assert _signal_codes(schema) == [s.code for s in ANNEX.signals]
    assert list(schema["properties"]) == ["persoon", "incident", "leefomstandigheden"]
    assert "nieuw_perspectief" not in json.dumps(schema)
    incident = schema["properties"]["incident"]["properties"]
    assert list(incident) == [*ANNEX_INDICATORS[3:14], "tussenoordeel_toelichting"]
    assert incident["2c"]["properties"]["score"] == {
        "type": "string",
        "title": "Score",
        "enum": ["laag", "midden", "hoog"],
        "description": "laag (geel), midden (blauw), hoog (rood)",
    }
    police = schema["properties"]["persoon"]["properties"]["1a"]
    assert police["x-politiegegevens"] is True and "politiegegevens" in police["title"]


def test_extended_form_adds_the_nine_signals_as_a_separate_group():
    schema = _load(rihg.FORM_EXTENDED)
    assert _signal_codes(schema) == [s.code for s in ANNEX.signals] + [f"N{n}" for n in range(1, 10)]
    group = schema["properties"]["nieuw_perspectief"]
    assert group["x-rihg-uitbreiding"] == {
        "id": "nieuw-perspectief",
        "versie": "2026.1",
        "bijlage": False,
        "weging": None,
    }
    assert "score" not in group["properties"]  # a signal only: nothing to weigh
    assert schema["x-rihg-catalogus"] == NIEUW_PERSPECTIEF.catalogue_id


def test_every_object_refuses_unknown_fields():
    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "object":
                assert node["additionalProperties"] is False, node.get("title")
            for value in node.values():
                walk(value)

    for name in rihg.generated_forms():
        walk(_load(name))


def test_committed_forms_equal_the_generator_output(tmp_path):
    assert rihg.stale_forms() == []
    assert rihg.main(["--check"]) == 0
    for name, schema in rihg.generated_forms().items():
        assert (FORMS_DIR / name).read_text(encoding="utf-8") == rihg.render(schema)


def test_generator_writes_and_check_detects_drift(tmp_path, capsys):
    assert rihg.main(["--check", "--forms-dir", str(tmp_path)]) == 1
    assert rihg.main(["--forms-dir", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(rihg.generated_forms())
    assert rihg.main(["--check", "--forms-dir", str(tmp_path)]) == 0
    (tmp_path / rihg.FORM_BASELINE).write_text("{}", encoding="utf-8")
    assert rihg.main(["--check", "--forms-dir", str(tmp_path)]) == 1
    assert rihg.FORM_BASELINE in capsys.readouterr().err


def _errors(name: str, data: dict) -> dict[str, str]:
    try:
        validate_form_data(_load(name), data)
    except FormInvalid as exc:
        return exc.fields
    return {}


def test_only_ticked_indicators_need_a_score():
    assert _errors(rihg.FORM_BASELINE, {}) == {}
    assert _errors(rihg.FORM_BASELINE, {"incident": {"2c": {}, "2d": {"signalen": []}}}) == {}
    assert _errors(rihg.FORM_BASELINE, {"persoon": {"1a": {"score": "laag"}}}) == {}
    assert _errors(rihg.FORM_BASELINE, {"incident": {"2c": {"signalen": ["2c.4"]}}}) == {
        "incident.2c.score": "Dit veld is verplicht."
    }
    assert _errors(rihg.FORM_BASELINE, {"persoon": {"1b": {"signalen": ["1b.1"], "score": "rood"}}}) == {
        "persoon.1b.score": "Kies een van: laag, midden, hoog."
    }
    assert "incident.2c.signalen.0" in _errors(rihg.FORM_BASELINE, {"incident": {"2c": {"signalen": ["N1"]}}})
    assert _errors(rihg.FORM_BASELINE, {"incident": {"2c": {"toelichting": "x" * 2001}}}) == {
        "incident.2c.toelichting": "Maximaal 2000 tekens."
    }


@pytest.mark.parametrize(
    "advice,deviating,following", [("huisverbod", "niet_opleggen", "opleggen"), ("geen", "opleggen", "niet_opleggen")]
)
def test_decision_form_requires_a_reason_only_when_deviating(advice, deviating, following):
    name = rihg.FORM_DECISION[advice]
    assert _load(name)["x-rihg-advies"] == advice
    assert _errors(name, {"besluit": following}) == {}
    assert _errors(name, {"besluit": deviating}) == {"afwijking_reden": "Dit veld is verplicht."}
    assert _errors(name, {"besluit": deviating, "afwijking_reden": "Hulp geaccepteerd."}) == {}
    assert _errors(name, {}) == {"besluit": "Dit veld is verplicht."}
    assert "besluit" in _errors(name, {"besluit": "misschien"})

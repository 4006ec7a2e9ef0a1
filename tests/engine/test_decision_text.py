"""DMN decision tables in plain Dutch in the werkprocesbeschrijving (issue 18, item 1: "decisions with their
conditions in plain Dutch (not Python)"): every rule of the RiHG's tables, edges of the cell translator."""

from __future__ import annotations

import pytest

from engine.base.paths import FORMS_DIR, PROJECT_ROOT
from engine.design.decision_text import decision_table, entry_text, output_text
from engine.design.werkproces import build_werkproces
from engine.design.werkproces_model import VersionLabel
from engine.design.werkproces_render import to_markdown
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import parse_bundle

BASIS = PROJECT_ROOT / "processes" / "wth-basis"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (">= 1", "«n» is minstens 1"),
        ("> 1.5", "«n» is groter dan 1,5"),
        ("<= 2", "«n» is hoogstens 2"),
        ("!= 'hoog'", '«n» is niet "hoog"'),
        ('"hoog"', '«n» is "hoog"'),
        ("True", "«n» is ja"),
        ('in ["hoog", "midden"]', '«n» is één van "hoog" of "midden"'),
        ('not in ("laag",)', '«n» is geen van "laag"'),
        ("-", None),
        ("", None),
        ("len(x) > 2", "«n» past bij [niet vertaald: «len(x) > 2»]"),  # never Python passed off as Dutch
    ],
)
def test_an_input_entry_reads_as_a_condition(entry, expected):
    assert entry_text("n", entry) == expected


def test_an_output_entry_reads_as_a_value():
    assert output_text("Advies", '"huisverbod"') == 'Advies: "huisverbod"'
    assert output_text("Advies", "advies_van(x)") == "Advies: [niet vertaald: «advies_van(x)»]"


def test_the_rihg_advice_table_reads_rule_by_rule():
    files = {p.name: p.read_bytes() for p in (PROJECT_ROOT / "processes" / "common").glob("*.dmn")}
    table = decision_table(files, "rihg_advies")
    assert table is not None and table.name == "Advies RiHG" and table.policy == "de eerste regel die past, telt"
    assert table.rules == [
        "Eén of meer niveaus hoog: huisverbod ligt in de rede — als «Aantal niveaus met tussenoordeel hoog» "
        'is minstens 1, dan Advies: "huisverbod"',
        'Anders: geen huisverbod — anders, dan Advies: "geen"',
    ]
    assert decision_table(files, "bestaat_niet") is None


def test_the_description_gives_every_rule_of_every_table_the_model_calls():
    model = parse_bundle(collect_bundle(BASIS), forms_dir=FORMS_DIR)
    label = VersionLabel(1, "basis", "Basisregio", "wth-basis", 1, "wth-basis")
    lines = to_markdown(build_werkproces(model.files, model.main_process, label, None)).splitlines()
    tables = [line for line in lines if line.startswith("- **Beslistabel:**")]
    assert [t.split(":** ")[1].split(" (")[0] for t in tables] == [
        "Tussenoordeel niveau 1",
        "Tussenoordeel niveau 2",
        "Tussenoordeel niveau 3",
        "Advies RiHG",
    ]
    rules = [line for line in lines if line.startswith("- **Regel ")]
    assert len(rules) == 4 + 4 + 4 + 2 and not any("niet vertaald" in rule for rule in rules)
    assert '- **Regel 4:** Anders: laag — anders, dan Tussenoordeel: "laag"' in rules


def test_changing_a_threshold_in_a_table_changes_the_description(tmp_path):
    files = {p.name: p.read_bytes() for p in (PROJECT_ROOT / "processes" / "common").glob("*.dmn")}
    files["rihg_advies.dmn"] = files["rihg_advies.dmn"].replace(b"&gt;= 1", b"&gt;= 2")
    table = decision_table(files, "rihg_advies")
    assert table is not None and "is minstens 2, dan Advies" in table.rules[0]

"""The Leidraad phase of every step: present in every chain model, checked at deploy, read by one function."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.base.errors import DeployRefused
from engine.base.paths import FORMS_DIR, PROJECT_ROOT
from engine.base.vocabulary import PHASE_CODES
from engine.modeling.bundle import collect_bundle
from engine.modeling.phases import element_properties, needs_phase, phase_label, phase_of
from engine.modeling.registry import parse_bundle
from tests.conftest import BUNDLES

PROCESSES = PROJECT_ROOT / "processes"
VARIANTS = ("wth-basis", "v1-brede-toegang", "v2-weegteam", "v3-termijnflex", "v4-integraal")
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _steps(path: Path) -> list[etree._Element]:
    root = etree.parse(str(path)).getroot()
    return [n for n in root.iter() if isinstance(n.tag, str) and n.get("id") and needs_phase(n)]


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*/*.bpmn")), ids=lambda p: p.name)
def test_every_step_of_every_chain_model_says_a_known_phase(path):
    steps = _steps(path)
    assert steps, "every model has steps"
    wrong = [(n.get("id"), element_properties(n).get("fase")) for n in steps]
    assert [w for w in wrong if w[1] not in PHASE_CODES] == []


def _refusal(files: dict[str, bytes]) -> list[str]:
    with pytest.raises(DeployRefused) as refused:
        parse_bundle(files, forms_dir=FORMS_DIR)
    return [str(f) for f in refused.value.findings]


def _set(files: dict[str, bytes], name: str, element: str, prop: str, value: str | None) -> dict[str, bytes]:
    """The bundle with one property of one element changed (``None``: removed)."""
    root = etree.fromstring(files[name])
    (node,) = root.xpath("//*[@id=$i]", i=element)
    (found,) = [p for p in node.iter("{*}property") if p.get("name") == prop]
    if value is None:
        found.getparent().remove(found)
    else:
        found.set("value", value)
    return {**files, name: etree.tostring(root, xml_declaration=True, encoding="UTF-8")}


def test_a_step_without_its_phase_is_refused_naming_element_and_fix():
    broken = _set(collect_bundle(PROCESSES / "wth-basis"), "wth_basis.bpmn", "Task_toets", "fase", None)
    findings = _refusal(broken)
    assert len(findings) == 1
    assert "element 'Task_toets'" in findings[0]
    assert "'Meerderjarigheid en woonsituatie toetsen' zegt niet in welke fase van de Leidraad het hoort" in findings[0]
    assert "voeg de eigenschap fase toe met een van: opstarten_verzoeken, beoordelen" in findings[0]


def test_an_unknown_phase_or_principle_is_refused():
    files = collect_bundle(PROCESSES / "v1-brede-toegang")
    broken = _set(files, "common/monitoring.bpmn", "Task_regiehouder", "fase", "nazorg")
    broken = _set(broken, "common/monitoring.bpmn", "Task_regiehouder", "leidraadPrincipe", "10, 11")
    findings = _refusal(broken)
    assert any("fase 'nazorg' bestaat niet; kies een van: opstarten_verzoeken" in f for f in findings)
    assert any("leidraadPrincipe noemt een onbekend principe van de Leidraad: 11;" in f for f in findings)
    assert len(findings) == 2 and all("Task_regiehouder" in f for f in findings)


def test_a_model_without_any_phase_still_deploys_and_its_steps_have_none():
    model = parse_bundle(collect_bundle(BUNDLES / "sample"), forms_dir=BUNDLES.parent / "forms")
    assert not [w for w in model.warnings if "fase" in w.message]
    specs = [s for spec in model.all_specs() for s in spec.task_specs.values()]
    assert {phase_of(s) for s in specs} == {None}
    assert phase_label(None) == "zonder fase"


def test_phase_of_reads_the_parsed_spec():
    model = parse_bundle(collect_bundle(PROCESSES / "v3-termijnflex"), forms_dir=FORMS_DIR)
    by_id = {s.bpmn_id: s for spec in model.all_specs() for s in spec.task_specs.values() if s.bpmn_id}
    assert phase_of(by_id["Task_verlenging"]) == "verlengen"
    assert phase_of(by_id["Task_opschorting"]) == "uitvoeren"
    assert phase_of(by_id["Start_verzoek"]) == "opstarten_verzoeken"
    assert phase_label(phase_of(by_id["Task_pv"])) == "Handhaven"

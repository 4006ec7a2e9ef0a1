"""The variant diff: element by element, with the changed properties named and markers per diagram."""

from __future__ import annotations

import json

import pytest

from engine.base.errors import InvalidInput, NotFound
from engine.design.model_diff import diff_bundles, diff_versions, format_diff
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import deploy_bundle
from tests.conftest import BUNDLES, PROJECT_ROOT

PROCESSES = PROJECT_ROOT / "processes"
SAMPLE = "sample.bpmn"


def bundle(variant: str) -> dict[str, bytes]:
    return collect_bundle(PROCESSES / variant)


def by_element(result: dict, element: str) -> dict:
    [change] = [c for c in result["changes"] if element in (c["element_a"], c["element_b"])]
    return change


def props(change: dict) -> dict[str, tuple]:
    return {p["property"]: (p["a"], p["b"]) for p in change["properties"]}


def test_baseline_against_v3_lists_the_known_differences():
    result = diff_bundles(bundle("wth-basis"), bundle("v3-termijnflex"))
    assert (result["main_a"], result["main_b"]) == ("wth_basis", "v3_termijnflex")

    settings = by_element(result, "Script_variant")
    assert (settings["change"], settings["kind"], settings["process_a"], settings["process_b"]) == (
        "changed",
        "scriptTask",
        "wth_basis",
        "v3_termijnflex",
    )
    assert (settings["file_a"], settings["file_b"]) == ("wth_basis.bpmn", "v3_termijnflex.bpmn")
    before, after = props(settings)["script"]
    assert "\"eerste_termijn\": 'P10D'" in before and '"opschorting": False' in before
    assert "\"eerste_termijn\": 'P14D'" in after and '"opschorting": True' in after

    start = props(by_element(result, "Start_verzoek"))
    assert start["starters"] == ("politie", "politie,veilig_thuis")
    assert start["form"] == ("melding_crisis.schema.json", "verzoek_huisverbod.schema.json")
    assert props(by_element(result, "Task_alternatief"))["lane"] == ("Politie", "Burgemeester")
    lane = by_element(result, "Lane_wth_basis_hulpofficier")
    assert (lane["element_a"], lane["element_b"], lane["kind"]) == (
        "Lane_wth_basis_hulpofficier",
        "Lane_v3_termijnflex_hulpofficier",
        "lane",
    )
    assert props(lane)["members"][1] == "" and "Gateway_mandaat" in props(lane)["members"][0]

    mandate = by_element(result, "Gateway_mandaat")
    assert (mandate["change"], mandate["kind"], mandate["name"]) == (
        "removed",
        "exclusiveGateway",
        "Beslissingsmandaat?",
    )
    assert props(mandate)["default"] == ("Flow_Gateway_mandaat_Script_door_bm", None)
    monitoring = by_element(result, "Call_monitoring")
    assert (monitoring["change"], props(monitoring)["called_element"]) == ("added", (None, "monitoring"))
    assert props(by_element(result, "Call_rihg"))["called_element"] == ("rihg", "rihg_nieuw_perspectief")

    processes = {p["key"]: p["change"] for p in result["processes"]}
    assert processes["main"] == "changed" and processes["monitoring"] == "added" and processes["rihg"] == "removed"
    assert processes["huisverbod_looptijd"] == "same" and processes["rihg_advies"] == "same"
    whole = [c for c in result["changes"] if c["kind"] == "process" and c["change"] != "changed"]
    assert [(c["change"], c["element_a"] or c["element_b"]) for c in whole] == [
        ("added", "monitoring"),
        ("removed", "rihg"),
        ("added", "rihg_nieuw_perspectief"),
    ]

    markers = result["markers"]
    assert "Gateway_mandaat" in markers["a"]["wth_basis.bpmn"]["removed"]
    assert "Script_variant" in markers["a"]["wth_basis.bpmn"]["changed"]
    assert "Call_monitoring" in markers["b"]["v3_termijnflex.bpmn"]["added"]
    assert "Lane_v3_termijnflex_hulpofficier" in markers["b"]["v3_termijnflex.bpmn"]["changed"]
    assert {"End_monitoring", "Catch_opnieuw"} <= set(markers["b"]["common/monitoring.bpmn"]["added"])
    assert markers["b"]["common/monitoring.bpmn"]["changed"] == []
    assert result["summary"] == {
        k: sum(1 for c in result["changes"] if c["change"] == k) for k in ("added", "removed", "changed")
    }

    # Stable and JSON-able: the same input gives the same text.
    again = diff_bundles(bundle("wth-basis"), bundle("v3-termijnflex"))
    assert json.dumps(result, sort_keys=True) == json.dumps(again, sort_keys=True)
    lines = format_diff(result)
    assert "- v3_termijnflex/Gateway_mandaat (exclusiveGateway 'Beslissingsmandaat?')" in lines
    assert any(line.startswith("~ v3_termijnflex/Start_verzoek") and "starters" in line for line in lines)


def test_weegteam_variant_adds_the_early_route():
    result = diff_bundles(bundle("wth-basis"), bundle("v2-weegteam"))
    route = by_element(result, "Flow_Gateway_route_Call_weegteam")
    assert route["change"] == "added" and props(route)["condition"] == (None, 'route == "structureel"')
    assert props(by_element(result, "Call_weegteam"))["called_element"] == (None, "weegteam")
    assert {p["key"]: p["change"] for p in result["processes"]}["weegteam"] == "added"


def test_identical_bundles_have_no_differences():
    result = diff_bundles(bundle("v4-integraal"), bundle("v4-integraal"))
    assert result["changes"] == [] and result["forms"] == []
    assert result["summary"] == {"added": 0, "removed": 0, "changed": 0}
    assert {p["change"] for p in result["processes"]} == {"same"}
    assert result["markers"] == {"a": {}, "b": {}}


def edit(files: dict[str, bytes], name: str, *replacements: tuple[bytes, bytes]) -> dict[str, bytes]:
    content = files[name]
    for old, new in replacements:
        assert old in content, old
        content = content.replace(old, new)
    return {**files, name: content}


def test_timers_conditions_properties_and_dmn_cells_are_named():
    files = collect_bundle(BUNDLES / "sample")
    changed = edit(
        files,
        SAMPLE,
        (b'"PT24H"', b'"PT48H"'),
        (
            b'<bpmn:timeDate xsi:type="bpmn:tFormalExpression">huisverbod["einde"]</bpmn:timeDate>',
            b'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P10D"</bpmn:timeDuration>',
        ),
        (b'advies == "huisverbod"', b'advies in ["huisverbod"]'),
        (b'value="politie,om"', b'value="politie"'),
        (b'<spiffworkflow:property name="milestone" value="rihg_afgenomen" />', b""),
    )
    changed = edit(changed, "common/sample_advies.dmn", (b"&gt;= 3", b"&gt;= 4"))
    result = diff_bundles(files, changed)
    assert props(by_element(result, "Timer_besluit")) == {"timer": ('"PT24H"', '"PT48H"')}
    assert props(by_element(result, "Catch_verlopen")) == {
        "timer": ('huisverbod["einde"]', '"P10D"'),
        "timer_kind": ("timeDate", "timeDuration"),
    }
    assert props(by_element(result, "Flow_ja")) == {"condition": ('advies == "huisverbod"', 'advies in ["huisverbod"]')}
    assert props(by_element(result, "Catch_overtreding")) == {"senders": ("politie,om", "politie")}
    assert props(by_element(result, "Rule_advies")) == {"milestone": ("rihg_afgenomen", None)}
    rule = by_element(result, "Rule_hoog")
    assert (rule["kind"], rule["process_a"], rule["file_a"]) == ("rule", "sample_advies", "common/sample_advies.dmn")
    assert rule["properties"] == [{"property": "input:Ernst", "label": "invoercel Ernst", "a": ">= 3", "b": ">= 4"}]
    assert result["markers"]["b"]["common/sample_advies.dmn"] == {"added": [], "changed": ["Rule_hoog"]}
    assert len(result["changes"]) == 6


def test_diff_of_deployed_versions_includes_forms(session, rt, deployed, sample_files, tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    for form in rt.registry.forms_dir.glob("*.json"):
        (forms / form.name).write_text(form.read_text().replace('"Ernst (0-5)"', '"Ernst (1-5)"'))
    rt.registry.forms_dir = forms
    other = deploy_bundle(
        session,
        rt.registry,
        edit(sample_files, SAMPLE, (b'name="Melding"', b'name="Verzoek"')),
        region="pilot2",
        variant="proef",
        actor="test",
        now=rt.clock.now(),
    ).version
    result = diff_versions(session, deployed.id, other.id)
    assert result["a"] == {
        "model_version_id": deployed.id,
        "region": "basis",
        "variant": "sample",
        "version": 1,
        "main_process": "sample_main",
    }
    assert result["b"]["region"] == "pilot2" and result["b"]["variant"] == "proef"
    assert props(by_element(result, "StartEvent_1")) == {"name": ("Melding", "Verzoek")}
    assert result["forms"] == [{"form": "sample_verzoek.schema.json", "change": "changed"}]
    with pytest.raises(NotFound):
        diff_versions(session, deployed.id, 999)


def test_unreadable_models_are_refused_with_a_reason():
    files = collect_bundle(BUNDLES / "sample")
    hostile = {**files, SAMPLE: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'}
    with pytest.raises(InvalidInput, match="DOCTYPE"):
        diff_bundles(files, hostile)

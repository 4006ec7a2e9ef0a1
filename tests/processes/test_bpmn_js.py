"""The laid-out models import cleanly into the real bpmn-js toolchain and survive a modeller save.

Runs tools/bpmn-check (bpmn-moddle with our spiffworkflow descriptor, bpmnlint's
recommended rules, bpmn-js's own import walk) through Node. Skipped only when
Node.js is not installed; `make test` installs it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from SpiffWorkflow.spiff.parser.process import SPIFF_XSD

from tests.processes.test_layout import MODELS
from tools.bpmn_layout import main as layout_main

ROOT = Path(__file__).parent.parent.parent
CHECKER = ROOT / "tools" / "bpmn-check"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (make test installs it); cannot run tools/bpmn-check")
    return node


@pytest.fixture(scope="module")
def checker() -> list[str]:
    """The command line of check.mjs, after install.sh has put the pinned packages in place."""
    node = _node()
    install = subprocess.run([str(CHECKER / "install.sh")], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout + install.stderr
    return [node, str(CHECKER / "check.mjs")]


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("laid_out")
    copies = []
    for source in MODELS.values():
        copy = folder / source.name
        shutil.copyfile(source, copy)
        copies.append(copy)
    assert layout_main([str(p) for p in copies]) == 0
    return copies


def _run(command: list[str], *args: str | Path) -> tuple[int, list[dict]]:
    done = subprocess.run([*command, *map(str, args)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert not done.stderr.strip(), done.stderr
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def test_laid_out_models_import_lint_and_have_di(checker, laid_out):
    status, results = _run(checker, *laid_out)
    assert [r["file"] for r in results] == [str(p) for p in laid_out]
    for result in results:
        assert result["warnings"] == [], result
        assert result["missingDi"] == [], result
        assert [e for e in result["lint"] if e["category"] == "error"] == [], result
        assert set(result) == {"file", "warnings", "lint", "missingDi"}
    assert status == 0


def test_laid_out_models_survive_a_modeller_round_trip(checker, laid_out):
    status, results = _run(checker, "--roundtrip", *laid_out)
    for result in results:
        assert result["roundtrip"] == [], result
        assert result["warnings"] == [], result
    assert status == 0


def test_models_without_di_fail(checker, tmp_path):
    copy = tmp_path / "sample.bpmn"
    shutil.copyfile(MODELS["sample"], copy)
    status, [result] = _run(checker, copy)
    assert status == 1
    missing = {entry["id"] for entry in result["missingDi"]}
    assert {"Lane_politie", "Task_besluit", "Timer_besluit", "Flow_te_laat"} <= missing
    assert any(e["rule"] == "no-bpmndi" and e["category"] == "error" for e in result["lint"])


def test_unknown_extensions_and_attributes_fail_and_are_lost_in_a_round_trip(checker, laid_out, tmp_path):
    content = next(p for p in laid_out if p.name == "sample.bpmn").read_text(encoding="utf-8")
    content = content.replace(
        "<spiffworkflow:calledDecisionId>",
        "<spiffworkflow:notInTheDescriptor>x</spiffworkflow:notInTheDescriptor><spiffworkflow:calledDecisionId>",
        1,
    )
    content = content.replace('id="Flow_4"', 'id="Flow_4" colour="red"', 1)
    broken = tmp_path / "broken.bpmn"
    broken.write_text(content, encoding="utf-8")
    status, [result] = _run(checker, "--roundtrip", broken)
    assert status == 1
    assert any("spiffworkflow:notInTheDescriptor" in w for w in result["warnings"])
    assert any("unknown attribute <colour>" in w for w in result["warnings"])
    assert any("spiffworkflow:notInTheDescriptor" in line for line in result["roundtrip"])


def test_di_in_the_wrong_plane_is_reported(checker, laid_out, tmp_path):
    # Move a subprocess's content shape into the main plane: bpmn-js would draw it on top.
    path = next(p for p in laid_out if p.name == "subprocesses.bpmn")
    root = etree.parse(str(path)).getroot()
    ns = {"bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
    shape = root.find(".//bpmndi:BPMNShape[@bpmnElement='Task_risico']", ns)
    root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", ns).append(shape)
    moved = tmp_path / "moved.bpmn"
    moved.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    status, [result] = _run(checker, moved)
    assert status == 1
    assert [e["id"] for e in result["missingDi"]] == ["Task_risico"]


def test_usage_error(checker):
    done = subprocess.run(checker, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "usage" in done.stderr


def test_install_is_idempotent(checker):
    again = subprocess.run([str(CHECKER / "install.sh")], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0
    assert again.stdout == "", "a second install.sh must not reinstall"


def test_moddle_descriptor_covers_the_spiffworkflow_schema():
    descriptor = json.loads((CHECKER / "spiffworkflow.json").read_text(encoding="utf-8"))
    assert descriptor["uri"] == "http://spiffworkflow.org/bpmn/schema/1.0/core"
    assert descriptor["prefix"] == "spiffworkflow"
    types = {t["name"]: t for t in descriptor["types"]}
    xsd = etree.parse(str(SPIFF_XSD))
    xs = {"xsd": "http://www.w3.org/2001/XMLSchema"}
    for element in xsd.iterfind(".//xsd:element", xs):
        name = element.get("name")
        assert name in types, f"spiffworkflow:{name} is missing from spiffworkflow.json"
        attributes = {
            a.get("name")
            for a in element.iterfind("xsd:complexType//xsd:attribute", xs)
            if next(a.iterancestors(f"{{{xs['xsd']}}}element")) is element
        }
        declared = {p["name"] for p in types[name]["properties"] if p.get("isAttr")}
        assert attributes <= declared, f"spiffworkflow:{name} lacks attributes {attributes - declared}"


def test_package_versions_are_pinned():
    package = json.loads((CHECKER / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((CHECKER / "package-lock.json").read_text(encoding="utf-8"))
    for name in ("bpmn-js", "bpmn-moddle", "bpmnlint"):
        version = package["dependencies"][name]
        assert version[0].isdigit(), f"{name} is not pinned to an exact version"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert "node_modules" in (CHECKER / ".gitignore").read_text(encoding="utf-8").split()[0]

"""Every bundled model is modeller-ready: laid out, importable into bpmn-js without warnings, lint-clean,
and every variant deploys with the engine's checks."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import parse_bundle
from tests.conftest import PROJECT_ROOT
from tools.bpmn_layout import main as layout_main

PROCESSES = PROJECT_ROOT / "processes"
MODELS = sorted(PROCESSES.rglob("*.bpmn"))
VARIANTS = sorted(p.parent.name for p in MODELS if p.parent.name != "common")
CHECKER = PROJECT_ROOT / "tools" / "bpmn-check"


def test_every_model_has_complete_layout():
    assert len(MODELS) >= 15
    assert layout_main(["--check", *map(str, MODELS)]) == 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_deploys(variant):
    model = parse_bundle(collect_bundle(PROCESSES / variant))
    assert model.main_process.replace("_", "-") == variant.replace("_", "-")


def test_every_model_imports_into_bpmn_js_without_warnings_and_passes_bpmnlint():
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    subprocess.run(["bash", str(CHECKER / "install.sh")], check=True, capture_output=True)
    result = subprocess.run(
        ["node", str(CHECKER / "check.mjs"), "--roundtrip", *map(str, MODELS)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == len(MODELS), result.stderr
    problems = {
        Path(r["file"]).name: r
        for r in reports
        if r.get("warnings") or r.get("missingDi") or any(item.get("category") == "error" for item in r.get("lint", []))
    }
    assert problems == {}
    assert result.returncode == 0, result.stderr

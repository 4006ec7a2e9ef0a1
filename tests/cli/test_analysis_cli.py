"""The designer and dashboard commands (cli.analysis): JSON, CSV and XES output, and the contract of
one-line reasons and exit codes. The commands are tested as click objects with CliRunner; for the
exit-code contract they are also added, for the test only, to the ``thv`` group that cli.main runs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

import cli.main
from cli.analysis import (
    COMMANDS,
    cases_per_version,
    dashboard,
    diff,
    export_log,
    migrate,
    versions_history,
    versions_rollback,
)
from tests.conftest import BUNDLES, FIXTURES

XSD = FIXTURES / "xes" / "xes-ieee-1849-2016.xsd"


@pytest.fixture
def registered(monkeypatch):
    """cli.analysis's commands in the thv group, as cli.main will register them."""
    for command in COMMANDS:
        monkeypatch.setitem(cli.main.cli.commands, command.name, command)


def invoke(command, *args: str):
    result = CliRunner().invoke(command, list(args), catch_exceptions=True)
    return result


def refused(result, *fragments: str) -> None:
    assert result.code == 1, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fout: ") and "Traceback" not in result.err, result.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def bundle_copy(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """The sample bundle with texts replaced, in a folder beside a copy of common/."""
    root = tmp_path / "modellen"
    if not (root / "common").exists():
        shutil.copytree(BUNDLES / "common", root / "common")
    target = root / "sample"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(BUNDLES / "sample", target)
    path = target / "sample.bpmn"
    text = path.read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    return target


@pytest.fixture
def world(thv, tmp_path):
    """Users, sample v1 and v2 in basis, one case on each version and one waiting case on v1."""
    for name, roles, regions in (
        ("pol", "politie", "basis"),
        ("bm", "burgemeester", "basis"),
        ("ontwerper", "designer", "basis"),
        ("elders", "designer", "pilot1"),
    ):
        assert (
            thv(
                "user-add",
                name,
                "--roles",
                roles,
                "--regions",
                regions,
                "--password-stdin",
                stdin="geheim-wachtwoord\n",
            ).code
            == 0
        )
    assert thv("deploy", str(BUNDLES / "sample"), "--region", "basis").out.strip() == "1"
    fresh = thv("start", "--region", "basis", "--as", "pol").out.strip()
    waiting = thv("start", "--region", "basis", "--as", "pol").out.strip()
    task = thv("tasks", "--case", waiting, "--json").json()[0]["id"]
    assert thv("complete", task, "--data", '{"naam": "A", "ernst": 4}', "--as", "pol").code == 0
    task = thv("tasks", "--case", waiting, "--json").json()[0]["id"]
    assert thv("complete", task, "--data", '{"besluit": "opleggen"}', "--as", "bm").code == 0
    v2 = bundle_copy(tmp_path, ('"P10D"', '"P14D"'), ('name="Besluit burgemeester"', 'name="Besluit"'))
    assert thv("deploy", str(v2), "--region", "basis", "--variant", "sample").out.strip() == "2"
    newer = thv("start", "--region", "basis", "--as", "pol").out.strip()
    return {"fresh": int(fresh), "waiting": int(waiting), "newer": int(newer)}


def test_rollback_history_and_versions(world, thv):
    result = invoke(versions_rollback, "basis", "sample", "1", "--as", "ontwerper", "--json")
    assert result.exit_code == 0, result.output
    assert {k: json.loads(result.output)[k] for k in ("version", "previous_version", "action", "set_by")} == {
        "version": 1,
        "previous_version": 2,
        "action": "terugdraaien",
        "set_by": "ontwerper",
    }
    assert [(v["version"], v["live"]) for v in thv("versions", "--json").json()] == [(1, True), (2, False)]
    history = json.loads(invoke(versions_history, "basis", "--variant", "sample", "--json").output)
    assert [(h["version"], h["action"]) for h in history] == [(1, "terugdraaien"), (2, "uitrol"), (1, "uitrol")]
    assert (
        invoke(versions_rollback, "basis", "sample", "2", "--as", "ontwerper").output.strip()
        == "basis sample: versie 2 is live (was 1; vooruitzetten)"
    )


def test_cases_per_version_and_migrate(world):
    rows = json.loads(invoke(cases_per_version, "--region", "basis", "--json").output)
    assert [(r["version"], r["live"], r["total"], r["active_case_ids"]) for r in rows] == [
        (1, False, 2, [world["fresh"], world["waiting"]]),
        (2, True, 1, [world["newer"]]),
    ]

    dry = invoke(migrate, str(world["fresh"]), "--to-version", "2", "--as", "ontwerper", "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.output)[0]["status"] == "safe"
    moved = invoke(migrate, str(world["fresh"]), "--to-version", "2", "--as", "ontwerper")
    assert moved.exit_code == 0 and moved.output.strip() == f"zaak {world['fresh']}: gemigreerd"
    rows = json.loads(invoke(cases_per_version, "--json").output)
    assert [r["active_case_ids"] for r in rows] == [[world["waiting"]], [world["fresh"], world["newer"]]]


def test_diff_text_and_json(world):
    result = json.loads(invoke(diff, "1", "2", "--json").output)
    assert result["summary"] == {"added": 0, "removed": 0, "changed": 2}
    assert [(c["element_a"], [p["property"] for p in c["properties"]]) for c in result["changes"]] == [
        ("Script_opleggen", ["script"]),
        ("Task_besluit", ["name"]),
    ]
    assert result["markers"]["b"] == {"sample.bpmn": {"added": [], "changed": ["Script_opleggen", "Task_besluit"]}}
    text = invoke(diff, "1", "2").output.splitlines()
    assert text == [
        "basis sample v1 -> basis sample v2: 0 toegevoegd, 0 verwijderd, 2 gewijzigd",
        "~ sample_main/Script_opleggen (scriptTask 'Huisverbod vastleggen'): script",
        "~ sample_main/Task_besluit (userTask 'Besluit'): naam",
    ]


def test_dashboard_json_csv_and_text(world):
    data = json.loads(invoke(dashboard, "--region", "basis", "--json").output)
    assert set(data["figures"]) == {"counts", "durations", "deadlines", "workload"}
    [counts] = data["figures"]["counts"]
    assert (counts["started"], counts["started_acute"]) == (3, 3)
    csv_text = invoke(dashboard, "--csv", "counts", "--from", "2026-02-01", "--to", "2026-03-01").output
    assert csv_text.splitlines()[0].startswith("region,variant,started,started_acute")
    assert csv_text.splitlines()[1].startswith("basis,sample,3,3,0,")
    assert "# Werklast per organisatie" in invoke(dashboard).output


def test_export_log_xes_to_a_file_and_csv_to_stdout(world, tmp_path):
    out = tmp_path / "log.xes"
    result = CliRunner().invoke(export_log, ["--format", "xes", "--region", "basis", "--out", str(out)])
    assert result.exit_code == 0, result.output
    root = etree.parse(str(out)).getroot()
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(root)
    assert len(root.findall("trace")) == 3
    assert b"pol" not in out.read_bytes().replace(b"politie", b"")  # no user names
    streamed = invoke(export_log, "--format", "xes").stdout_bytes
    assert len(etree.fromstring(streamed).findall("trace")) == 3
    lines = invoke(export_log, "--format", "csv", "--pseudonym", "role").output.splitlines()
    assert lines[0] == (
        "case:concept:name,concept:name,time:timestamp,org:resource,org:group,"
        "lifecycle:transition,case:region,case:variant,case:model_version"
    )
    assert any(",politie,politie,complete,basis,sample," in line for line in lines)


def test_failures_give_one_line_and_exit_codes(world, thv, registered, tmp_path):
    refused(thv("versions-rollback", "basis", "sample", "1", "--as", "pol"), "geen procesontwerper")
    refused(thv("versions-rollback", "basis", "sample", "9", "--as", "ontwerper"), "geen versie 9")
    refused(thv("versions-rollback", "basis", "sample", "2", "--as", "ontwerper"), "al live")
    refused(thv("versions-rollback", "basis", "sample", "1", "--as", "niemand"), "bestaat niet")
    partial = thv(
        "migrate", str(world["fresh"]), str(world["waiting"]), "--to-version", "2", "--as", "ontwerper", "--json"
    )
    refused(partial, "1 van 2 zaken niet gemigreerd")
    assert [r["status"] for r in partial.json()] == ["migrated", "refused"]
    refused(thv("migrate", str(world["newer"]), "--to-version", "2", "--as", "elders"), "1 van 1")
    refused(thv("migrate", str(world["fresh"]), "--to-version", "2", "--as", "pol"), "geen procesontwerper")
    refused(thv("diff", "1", "99"), "modelversie 99 bestaat niet")
    refused(thv("dashboard", "--from", "gisteren"), "geen datum")
    refused(thv("dashboard", "--region", "atlantis", "--json"), "regio 'atlantis'")
    refused(thv("cases-per-version", "--region", "atlantis"), "regio")
    refused(thv("export-log", "--format", "xes", "--region", "atlantis"), "regio")
    refused(thv("export-log", "--format", "csv", "--out", str(tmp_path / "geen" / "map" / "log.csv")), "niet schrijven")
    assert thv("dashboard", "--json", "--csv", "counts").code == 2
    assert thv("migrate", "--to-version", "2", "--as", "ontwerper").code == 2
    assert thv("export-log", "--format", "json").code == 2
    assert etree.fromstring(thv("export-log", "--format", "xes").out.encode()).tag == "log"
    ok = thv("export-log", "--format", "csv", "--out", str(tmp_path / "log.csv"))
    assert ok.code == 0 and ok.err.strip().endswith(f"naar {tmp_path / 'log.csv'}")

"""``thv simulate``: figures as text, JSON and CSV; bad input a one-line Dutch reason; nothing stored."""

from __future__ import annotations

import sqlite3

from tests.cli.conftest import Result


def table_counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type = 'table'")]
        return {t: db.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}


def test_simulate_json_csv_and_nothing_stored(thv, tmp_path):
    before = table_counts(tmp_path / "thv.sqlite")
    result: Result = thv("simulate", "--region", "pilot2", "--variant", "v2-weegteam", "--cases", "6", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert [v["variant"] for v in data["variants"]] == ["wth-basis", "v2-weegteam"]
    assert data["variants"][1]["source"] == "processes/v2-weegteam" and data["volume"] == 120
    assert {r["figure"] for r in data["fit"]} >= {"share_imposed", "share_extended"}
    csv = thv("simulate", "--region", "pilot2", "--variant", "v2-weegteam", "--cases", "6", "--csv", "hours")
    assert csv.code == 0 and csv.out.startswith("variant,role,tasks_per_case,hours_per_100_cases")
    text = thv("simulate", "--region", "pilot2", "--variant", "v2-weegteam", "--cases", "6")
    assert text.code == 0 and "# Werkuren per organisatie" in text.out
    assert table_counts(tmp_path / "thv.sqlite") == before


def test_simulate_refuses_bad_input_in_one_dutch_line(thv, tmp_path):
    unknown = thv("simulate", "--region", "basis", "--variant", "v7", "--cases", "2")
    assert unknown.code == 1 and unknown.err.startswith("fout: variant 'v7' bestaat niet")
    profile = tmp_path / "p.toml"
    profile.write_text('naam = "x"\n[regio]\nzaken_per_jaar = -5\nbron = "t"\n', encoding="utf-8")
    bad = thv("simulate", "--region", "basis", "--variant", "v1-brede-toegang", "--profile", str(profile))
    assert bad.code == 1 and "regel 3" in bad.err and "zaken_per_jaar" in bad.err and bad.err.count("\n") == 1
    slow = thv("simulate", "--region", "basis", "--variant", "v4-integraal", "--cases", "3000", "--max-seconds", "0.3")
    assert slow.code == 1 and "duurt langer dan de ingestelde grens" in slow.err

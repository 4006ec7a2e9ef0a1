"""The CLI contract: every command, its JSON shapes, and a one-line reason on every failure."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import BUNDLES, PROJECT_ROOT

TASK_KEYS = {"id", "case_id", "region", "element", "title", "role", "form", "state", "due_at", "created_at"}
CASE_KEYS = {"id", "region", "variant", "model_version", "status", "milestones", "open_tasks", "variables"}


def _refused(result, *fragments):
    assert result.code == 1, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fout: "), result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0]


def _setup(thv):
    for name, role in (("pol", "politie"), ("bm", "burgemeester"), ("hovj", "hulpofficier"), ("ovj", "om")):
        assert (
            thv(
                "user-add", name, "--roles", role, "--regions", "basis", "--password-stdin", stdin="geheim-wachtwoord\n"
            ).code
            == 0
        )
    assert thv("deploy", str(BUNDLES / "sample"), "--region", "basis").out.strip() == "1"


def test_init_db_is_idempotent(thv):
    assert thv("init-db").code == 0


def test_regions_and_users(thv):
    regions = thv("regions", "--json").json()
    assert {"code": "basis", "name": "Basisregio (huidige praktijk)"} in regions
    assert len(regions) == 5
    assert (
        thv(
            "user-add",
            "piet",
            "--roles",
            "politie,hulpofficier",
            "--regions",
            "basis,pilot1",
            "--password-stdin",
            stdin="lang-genoeg-wachtwoord\n",
        ).code
        == 0
    )
    assert thv("users", "--json").json() == [
        {
            "name": "piet",
            "roles": ["hulpofficier", "politie"],
            "regions": ["basis", "pilot1"],
            "active": True,
            "login": "lokaal",
            "display_name": None,
            "job_title": None,
            "organisation": None,
            "email": None,
            "notify": "all",
        }
    ]
    generated = thv("user-add", "kees", "--roles", "om", "--regions", "basis")
    assert generated.code == 0 and "wachtwoord: " in generated.out


def test_user_add_refusals(thv):
    _refused(thv("user-add", "x1", "--roles", "koning", "--regions", "basis"), "onbekende rol")
    _refused(thv("user-add", "x1", "--roles", "om", "--regions", "mars"), "onbekende regio")
    _refused(thv("user-add", "Bad Name", "--roles", "om", "--regions", "basis"), "gebruikersnaam")
    _refused(
        thv("user-add", "x1", "--roles", "om", "--regions", "basis", "--password-stdin", stdin="kort\n"), "wachtwoord"
    )
    assert thv("user-add", "x1", "--roles", "om", "--regions", "basis").code == 0
    _refused(thv("user-add", "x1", "--roles", "om", "--regions", "basis"), "bestaat al")
    assert [u["name"] for u in thv("users", "--json").json()] == ["x1"]


def test_deploy_versions_and_redeploy(thv):
    _setup(thv)
    again = thv("deploy", str(BUNDLES / "sample"), "--region", "basis")
    assert again.out.strip() == "1" and "ongewijzigd" in again.err
    assert thv("deploy", str(BUNDLES / "sample"), "--region", "pilot1", "--variant", "proef").out.strip() == "1"
    versions = thv("versions", "--json").json()
    assert [(v["region"], v["variant"], v["version"], v["live"]) for v in versions] == [
        ("basis", "sample", 1, True),
        ("pilot1", "proef", 1, True),
    ]
    assert thv("versions", "--region", "pilot1", "--json").json()[0]["variant"] == "proef"
    assert "common/sample_check.bpmn" in versions[0]["files"]


def test_deploy_refusals_change_nothing(thv, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "bad.bpmn").write_text("<not-xml")
    result = thv("deploy", str(bad), "--region", "basis", "--json")
    _refused(result, "Model geweigerd", "bad.bpmn")
    assert result.json()["deployed"] is False and result.json()["findings"][0]["file"] == "bad.bpmn"
    _refused(thv("deploy", str(tmp_path / "missing"), "--region", "basis"), "bestaat niet")
    _refused(thv("deploy", str(BUNDLES / "sample"), "--region", "atlantis"), "regio")
    assert thv("versions", "--json").json() == []


def test_case_lifecycle_through_the_cli(thv):
    _setup(thv)
    start = thv("start", "--region", "basis", "--as", "pol")
    assert start.code == 0 and start.out.strip().isdigit()
    case_id = start.out.strip()
    tasks = thv("tasks", "--case", case_id, "--json").json()
    assert len(tasks) == 1 and set(tasks[0]) == TASK_KEYS
    assert thv("tasks", "--role", "politie", "--region", "basis", "--json").json() == tasks
    assert thv("tasks", "--role", "om", "--json").json() == []

    _refused(thv("complete", tasks[0]["id"], "--data", "{kapot", "--as", "pol"), "--data")
    _refused(thv("complete", tasks[0]["id"], "--data", "[1]", "--as", "pol"), "JSON-object")
    _refused(thv("complete", tasks[0]["id"], "--data", '{"naam": "A", "ernst": 4}', "--as", "bm"), "rol")
    _refused(thv("complete", tasks[0]["id"], "--data", '{"naam": "A"}', "--as", "pol"), "ernst")
    _refused(thv("complete", tasks[0]["id"], "--data", "{}", "--as", "niemand"), "niemand")
    assert thv("complete", tasks[0]["id"], "--data", '{"naam": "A", "ernst": 4}', "--as", "pol").code == 0
    _refused(thv("complete", tasks[0]["id"], "--data", '{"naam": "A", "ernst": 4}', "--as", "pol"), "al afgerond")

    besluit = thv("tasks", "--case", case_id, "--json").json()[0]
    assert besluit["role"] == "burgemeester" and besluit["due_at"] == "2026-02-03T20:15:00+00:00"
    thv("complete", besluit["id"], "--data", '{"besluit": "opleggen"}', "--as", "bm")
    check = thv("tasks", "--case", case_id, "--json").json()[0]
    thv("complete", check["id"], "--data", '{"akkoord": true}', "--as", "hovj")

    case = thv("case", case_id, "--json").json()
    assert CASE_KEYS <= set(case)
    assert case["status"] == "active" and case["model_version"] == 1
    assert [m["name"] for m in case["milestones"]] == ["verzoek_ontvangen", "rihg_afgenomen", "huisverbod_opgelegd"]
    _refused(thv("send", case_id, "beroep_ingesteld", "--as", "ovj"), "wacht nu niet")
    assert (
        thv("send", case_id, "overtreding_gemeld", "--data", '{"omschrijving": "terug in woning"}', "--as", "ovj").code
        == 0
    )
    assert thv("case", case_id, "--json").json()["status"] == "completed"
    _refused(thv("case", "999"), "bestaat niet")


def test_timers_fire_at_the_fixed_clock(thv, monkeypatch):
    _setup(thv)
    case_id = thv("start", "--region", "basis").out.strip()
    task = thv("tasks", "--case", case_id, "--json").json()[0]
    thv("complete", task["id"], "--data", '{"naam": "A", "ernst": 4}', "--as", "pol")
    assert thv("timers").out.strip() == "0"
    monkeypatch.setenv("THV_CLOCK", "2026-02-03T21:15:00+01:00")  # 24 hours later
    assert thv("timers").out.strip() == "1"
    assert thv("case", case_id, "--json").json()["status"] == "completed"
    assert thv("tasks", "--case", case_id, "--json").json() == []


def test_environment_refusals(thv, monkeypatch):
    monkeypatch.setenv("THV_MODE", "production")
    _refused(thv("timers"), "THV_CLOCK")
    monkeypatch.setenv("THV_MODE", "test")
    monkeypatch.setenv("THV_CLOCK", "gisteren")
    _refused(thv("timers"), "THV_CLOCK")
    monkeypatch.delenv("THV_CLOCK")
    monkeypatch.setenv("THV_DATABASE_URL", "mysql://localhost/x")
    assert thv("regions", "--json").code == 0  # needs no database
    _refused(thv("users"), "THV_DATABASE_URL")


def test_usage_errors_exit_2_without_traceback(thv):
    for args in (("bestaat-niet",), ("start",), ("case", "abc")):
        result = thv(*args)
        assert result.code == 2 and result.err.startswith("fout: ") and "Traceback" not in result.err


def test_installed_console_script(tmp_path):
    env = {**os.environ, "THV_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "THV_MODE": "test"}
    thv = os.path.join(os.path.dirname(sys.executable), "thv")
    ok = subprocess.run([thv, "regions", "--json"], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT)
    assert ok.returncode == 0 and '"basis"' in ok.stdout
    missing = subprocess.run([thv, "case", "1"], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_data_from_file(thv, tmp_path):
    _setup(thv)
    case_id = thv("start", "--region", "basis").out.strip()
    task = thv("tasks", "--case", case_id, "--json").json()[0]
    _refused(thv("complete", task["id"], "--data", f"@{tmp_path / 'geen.json'}", "--as", "pol"), "kan")
    (tmp_path / "data.json").write_text('{"naam": "A", "ernst": 1}')
    assert thv("complete", task["id"], "--data", f"@{tmp_path / 'data.json'}", "--as", "pol").code == 0


def test_seed_demo_is_idempotent_and_refused_in_production(thv, monkeypatch):
    monkeypatch.setenv("THV_FORMS_DIR", str(PROJECT_ROOT / "forms"))
    monkeypatch.delenv("THV_CLOCK")
    monkeypatch.setenv("THV_MODE", "production")
    _refused(thv("seed-demo", "--processes", str(PROJECT_ROOT / "processes")), "productie")
    monkeypatch.setenv("THV_MODE", "development")
    first = thv("seed-demo", "--processes", str(PROJECT_ROOT / "processes"))
    assert first.code == 0, first.err
    assert "basis: wth-basis v1 (nieuw)" in first.out and "pilot3: v3-termijnflex v1 (nieuw)" in first.out
    assert "demozaak 4" in first.out
    versions = thv("versions", "--json").json()
    assert {(v["region"], v["variant"]) for v in versions if v["region_default"]} == {
        ("basis", "wth-basis"),
        ("pilot1", "v1-brede-toegang"),
        ("pilot2", "v2-weegteam"),
        ("pilot3", "v3-termijnflex"),
        ("pilot4", "v4-integraal"),
    }
    users = thv("users", "--json").json()
    assert {
        "name": "politie.basis",
        "roles": ["politie"],
        "regions": ["basis"],
        "active": True,
        "login": "lokaal",
        "display_name": "Demo Politie",
        "job_title": "politie",
        "organisation": "Demo-organisatie Basisregio (huidige praktijk)",
        "email": None,
        "notify": "all",
    } in users
    again = thv("seed-demo", "--processes", str(PROJECT_ROOT / "processes"))
    assert "0 demogebruiker(s)" in again.out and "niets toegevoegd" in again.out
    assert len(thv("versions", "--json").json()) == len(versions)


def test_user_password_and_totp_reset(thv):
    assert (
        thv(
            "user-add",
            "pol",
            "--roles",
            "politie",
            "--regions",
            "basis",
            "--password-stdin",
            stdin="eerste-wachtwoord\n",
        ).code
        == 0
    )
    changed = thv("user-password", "pol", "--password-stdin", stdin="tweede-wachtwoord\n")
    assert changed.code == 0 and "sessies zijn beëindigd" in changed.out and "tweede" not in changed.out
    generated = thv("user-password", "pol")
    assert generated.code == 0 and "wachtwoord: " in generated.out
    _refused(thv("user-password", "pol", "--password-stdin", stdin="kort\n"), "8 tot 200 tekens")
    _refused(thv("user-password", "niemand", "--password-stdin", stdin="lang-genoeg-wachtwoord\n"), "bestaat niet")
    assert thv("user-totp-reset", "pol").code == 0
    _refused(thv("user-totp-reset", "niemand"), "bestaat niet")
    assert thv("users").out.strip().endswith("\tlokaal")


def test_a_beheerder_switches_an_account_off_and_on(thv):
    assert (
        thv(
            "user-add", "pol", "--roles", "politie", "--regions", "basis", "--password-stdin", stdin="een-wachtwoord\n"
        ).code
        == 0
    )
    off = thv("user-disable", "pol")
    assert off.code == 0 and "uitgeschakeld" in off.out
    assert thv("users", "--json").json()[0]["active"] is False
    assert thv("user-disable", "pol").code == 0  # already off: nothing changes
    assert thv("user-enable", "pol").code == 0
    assert thv("users", "--json").json()[0] == {
        "name": "pol",
        "roles": ["politie"],
        "regions": ["basis"],
        "active": True,
        "login": "lokaal",
        "display_name": None,
        "job_title": None,
        "organisation": None,
        "email": None,
        "notify": "all",
    }
    _refused(thv("user-disable", "niemand"), "gebruiker 'niemand' bestaat niet")


def test_the_person_behind_a_login_is_set_by_the_beheerder(thv):
    added = thv(
        "user-add", "anna", "--roles", "hulpofficier", "--regions", "basis", "--password-stdin",
        "--display-name", "Anna de Vries", "--function", "hulpofficier van justitie", stdin="een-wachtwoord\n",
    )  # fmt: skip
    assert added.code == 0
    changed = thv("user-profile", "anna", "--organisation", "Politie Midden-Nederland")
    assert changed.code == 0
    assert changed.out.strip() == "anna: Anna de Vries (hulpofficier van justitie, Politie Midden-Nederland)"
    cleared = thv("user-profile", "anna", "--function", "")
    assert cleared.out.strip() == "anna: Anna de Vries (Politie Midden-Nederland)"
    _refused(thv("user-profile", "anna", "--display-name", "x" * 201), "naam: hoogstens 200 tekens")
    _refused(thv("user-profile", "niemand", "--display-name", "X"), "gebruiker 'niemand' bestaat niet")
    assert thv("users", "--json").json()[0]["display_name"] == "Anna de Vries"


def test_retention_shows_first_and_destroys_on_request(thv):
    _setup(thv)
    case_id = thv("start", "--region", "basis", "--as", "pol").out.strip()
    plan = thv("retention")
    assert plan.code == 0 and "0 van 0 afgeronde zaken" in plan.out  # the case still runs
    assert thv("retention", "--json").json() == []
    assert thv("retention", "--destroy").out.strip() == "niets te vernietigen"
    _refused(thv("retention", "--region", "mars"), "regio 'mars' bestaat niet")
    assert thv("case", case_id, "--json").json()["status"] == "active"


def test_subject_access_through_the_cli(thv):
    _setup(thv)
    assert (
        thv("user-add", "fg", "--roles", "fg", "--regions", "basis", "--password-stdin", stdin="lang-genoeg-ww\n").code
        == 0
    )
    _refused(thv("subject-access", "--name", "Niemand Bekend", "--as", "fg"), "geen persoon met die naam")
    _refused(thv("subject-access", "--name", "Niemand Bekend", "--as", "pol"), "functionaris gegevensbescherming")

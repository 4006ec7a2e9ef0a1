"""Versions side by side: a deploy never touches running cases, a designer can roll the live
version back, and running cases move to a newer version only where SpiffWorkflow's diff says it is safe.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

import engine.storage.analysis_tables  # noqa: F401 - the tables must be in Base.metadata before create_all
from engine.accounts.users import add_user
from engine.base.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.cases import operations as cases
from engine.design import case_migration
from engine.modeling.bundle import collect_bundle
from engine.modeling.forms import FORMS_DIR
from engine.modeling.registry import default_variant, deploy_bundle, list_versions, live_version
from engine.modeling.versions import cases_per_version, live_history, rollback_live_version
from engine.storage.analysis_tables import LiveVersionChange
from engine.storage.tables import Case, CaseEvent, ModelVersion
from engine.workflow import worklist
from tests.conftest import PASSWORD
from tests.engine.conftest import only_task, run_sample_until_waiting

SAMPLE = "sample.bpmn"
CHECK = "common/sample_check.bpmn"


def changed(files: dict[str, bytes], name: str, old: bytes, new: bytes) -> dict[str, bytes]:
    assert old in files[name]
    return {**files, name: files[name].replace(old, new)}


def deploy(session, rt, files, region="basis", variant="sample") -> ModelVersion:
    return deploy_bundle(
        session, rt.registry, files, region=region, variant=variant, actor="ontwerper", now=rt.clock.now()
    ).version


@pytest.fixture
def designers(session, clock):
    specs = {
        "ontwerper": (["designer"], ["basis"]),
        "ontwerper_elders": (["designer"], ["pilot1"]),
        "beheer": (["beheerder"], ["basis", "pilot1"]),
        "beheer_elders": (["beheerder"], ["pilot1"]),
    }
    return {
        name: add_user(session, name, roles, regions, password=PASSWORD, now=clock.now())[0]
        for name, (roles, regions) in specs.items()
    }


def complete(session, rt, user, case_id, data) -> None:
    task = only_task(session, case_id)
    cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data=data, user=user)


def test_a_deploy_leaves_running_cases_on_their_version_and_they_complete_there(
    session, rt, deployed, people, sample_files
):
    old = run_sample_until_waiting(session, rt, people)
    halfway = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    v2 = deploy(session, rt, changed(sample_files, SAMPLE, b'"P10D"', b'"P14D"'))
    assert v2.version == 2 and live_version(session, "basis", "sample").id == v2.id

    new = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    assert [session.get(Case, c).model_version_id for c in (old, halfway, new)] == [deployed.id, deployed.id, v2.id]
    for user, data in (
        ("pol", {"naam": "B", "ernst": 5}),
        ("bm", {"besluit": "opleggen"}),
        ("hovj", {"akkoord": True}),
    ):
        complete(session, rt, people[user], halfway, data)
    details = cases.case_details(session, rt.registry, halfway)
    assert details["model_version"] == 1
    assert details["variables"]["huisverbod"]["einde"] == "2026-02-12T20:15:00+00:00"  # v1: P10D
    cases.send_message(
        session,
        rt.registry,
        rt.clock,
        case_id=old,
        message="overtreding_gemeld",
        data={"omschrijving": "terug in de woning"},
        user=people["pol"],
    )
    assert session.get(Case, old).status == "completed" and session.get(Case, old).model_version_id == deployed.id


def test_rollback_makes_an_earlier_version_live_for_new_cases_and_records_who(
    session, rt, deployed, people, designers, sample_files, clock
):
    v2 = deploy(session, rt, changed(sample_files, SAMPLE, b'"P10D"', b'"P14D"'))
    on_v2 = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    clock.advance(timedelta(hours=1))

    result = rollback_live_version(
        session, user=designers["ontwerper"], region="basis", variant="sample", version=1, now=clock.now()
    )
    assert (result["version"], result["previous_version"], result["action"]) == (1, 2, "terugdraaien")
    assert live_version(session, "basis", "sample").id == deployed.id
    assert [(v["version"], v["live"]) for v in list_versions(session, "basis")] == [(1, True), (2, False)]
    assert default_variant(session, "basis") == "sample"
    on_v1 = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    assert session.get(Case, on_v1).model_version_id == deployed.id
    assert session.get(Case, on_v2).model_version_id == v2.id  # running cases are not touched

    history = live_history(session, "basis", "sample")
    assert [(h["version"], h["previous_version"], h["action"], h["actor"]) for h in history] == [
        (1, 2, "terugdraaien", "ontwerper"),
        (2, 1, "uitrol", "ontwerper"),
        (1, None, "uitrol", "test"),
    ]
    assert history[0]["at"] == clock.now().isoformat()

    # Deploying the files of the live version again stores nothing; a new deploy becomes live.
    assert (
        deploy_bundle(
            session, rt.registry, sample_files, region="basis", variant="sample", actor="x", now=clock.now()
        ).created
        is False
    )
    with pytest.raises(Forbidden):  # a beheerder also works only in the regions of the account
        rollback_live_version(
            session, user=designers["beheer_elders"], region="basis", variant="sample", version=2, now=clock.now()
        )
    forward = rollback_live_version(
        session, user=designers["beheer"], region="basis", variant="sample", version=2, now=clock.now()
    )
    assert forward["action"] == "vooruitzetten" and live_version(session, "basis", "sample").id == v2.id
    v3 = deploy(session, rt, changed(sample_files, SAMPLE, b'"P10D"', b'"P12D"'))
    assert live_version(session, "basis", "sample").id == v3.id


def test_rollback_refusals_change_nothing(session, rt, deployed, people, designers, sample_files, clock):
    deploy(session, rt, changed(sample_files, SAMPLE, b'"P10D"', b'"P14D"'))
    before = session.scalars(select(LiveVersionChange.id)).all()
    attempts = [
        (people["pol"], "basis", "sample", 1, Forbidden, "geen procesontwerper"),
        (designers["ontwerper_elders"], "basis", "sample", 1, Forbidden, "regio 'basis'"),
        (designers["ontwerper"], "basis", "sample", 7, NotFound, "geen versie 7 (wel: 1, 2)"),
        (designers["ontwerper"], "basis", "onbekend", 1, NotFound, "niet uitgerold"),
        (designers["ontwerper"], "basis", "sample", 2, Conflict, "al live"),
        (designers["ontwerper"], "atlantis", "sample", 1, InvalidInput, "bestaat niet"),
    ]
    for user, region, variant, version, error, fragment in attempts:
        with pytest.raises(error, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            rollback_live_version(session, user=user, region=region, variant=variant, version=version, now=clock.now())
    assert session.scalars(select(LiveVersionChange.id)).all() == before
    assert live_version(session, "basis", "sample").version == 2


def test_cases_per_version_counts_by_status_with_the_active_ids(session, rt, deployed, people, sample_files):
    done = run_sample_until_waiting(session, rt, people)
    cases.send_message(
        session,
        rt.registry,
        rt.clock,
        case_id=done,
        message="overtreding_gemeld",
        data={"omschrijving": "x"},
        user=people["pol"],
    )
    running = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    v2 = deploy(session, rt, changed(sample_files, SAMPLE, b'"P10D"', b'"P14D"'))
    newer = [cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"]) for _ in range(2)]
    deploy(session, rt, sample_files, region="pilot1", variant="proef")

    rows = cases_per_version(session)
    assert [
        (
            r["region"],
            r["variant"],
            r["version"],
            r["live"],
            r["total"],
            r["by_status"]["active"],
            r["by_status"]["completed"],
            r["active_case_ids"],
        )
        for r in rows
    ] == [
        ("basis", "sample", 1, False, 2, 1, 1, [running]),
        ("basis", "sample", 2, True, 2, 2, 0, newer),
        ("pilot1", "proef", 1, True, 0, 0, 0, []),
    ]
    assert [r["model_version_id"] for r in cases_per_version(session, "basis")] == [deployed.id, v2.id]
    with pytest.raises(InvalidInput):
        cases_per_version(session, "atlantis")


def test_migration_moves_only_safe_cases_and_keeps_running_terms(
    session, rt, deployed, people, designers, sample_files, clock
):
    waiting_for_decision = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    complete(session, rt, people["pol"], waiting_for_decision, {"naam": "A", "ernst": 4})
    decided = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    complete(session, rt, people["pol"], decided, {"naam": "B", "ernst": 4})
    complete(session, rt, people["bm"], decided, {"besluit": "opleggen"})
    due_before = session.get(Case, waiting_for_decision).next_timer_at
    task_before = only_task(session, waiting_for_decision)
    frozen = {c: (session.get(Case, c).workflow_json, session.get(Case, c).lock_version) for c in (decided,)}

    v2_files = changed(
        changed(sample_files, SAMPLE, b'"P10D"', b'"P14D"'),
        SAMPLE,
        b'name="Besluit burgemeester"',
        b'name="Besluit van de burgemeester"',
    )
    deploy(session, rt, v2_files)
    clock.advance(timedelta(hours=2))
    results = case_migration.migrate_cases(
        session,
        rt.registry,
        rt.clock,
        case_ids=[waiting_for_decision, decided],
        to_version=2,
        user=designers["ontwerper"],
    )
    assert results == [
        {"case_id": waiting_for_decision, "from_version": 1, "to_version": 2, "status": "migrated", "reason": None},
        {
            "case_id": decided,
            "from_version": 1,
            "to_version": 2,
            "status": "refused",
            "reason": "stap 'Besluit burgemeester' is al uitgevoerd en is gewijzigd in de nieuwe versie",
        },
    ]
    moved = session.get(Case, waiting_for_decision)
    assert cases.case_details(session, rt.registry, waiting_for_decision)["model_version"] == 2
    assert moved.next_timer_at == due_before  # the running 24-hour term did not restart
    task_after = only_task(session, waiting_for_decision)
    assert (task_after["id"], task_after["due_at"]) == (task_before["id"], task_before["due_at"])
    assert task_after["title"] == "Besluit van de burgemeester"  # the worklist follows the new model
    event = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == waiting_for_decision, CaseEvent.action == "gemigreerd")
    ).one()
    assert (event.actor, json.loads(event.detail)["van_versie"], json.loads(event.detail)["naar_versie"]) == (
        "ontwerper",
        1,
        2,
    )
    refused = session.get(Case, decided)
    assert (refused.workflow_json, refused.lock_version) == frozen[decided] and refused.model_version_id == deployed.id
    assert (
        session.scalars(select(CaseEvent).where(CaseEvent.case_id == decided, CaseEvent.action == "gemigreerd")).all()
        == []
    )

    complete(session, rt, people["bm"], waiting_for_decision, {"besluit": "opleggen"})
    complete(session, rt, people["hovj"], waiting_for_decision, {"akkoord": True})
    ban = cases.case_details(session, rt.registry, waiting_for_decision)["variables"]["huisverbod"]
    assert ban["einde"] == "2026-02-16T22:15:00+00:00"  # the new version's P14D


def test_migration_inside_a_running_subprocess(session, rt, deployed, people, designers, sample_files):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    complete(session, rt, people["pol"], case_id, {"naam": "A", "ernst": 4})
    complete(session, rt, people["bm"], case_id, {"besluit": "opleggen"})
    assert only_task(session, case_id)["element"] == "Task_check"
    deploy(session, rt, changed(sample_files, CHECK, b"Beschikking controleren", b"Beschikking nakijken"))
    [result] = case_migration.migrate_cases(
        session, rt.registry, rt.clock, case_ids=[case_id], to_version=2, user=designers["beheer"]
    )
    assert result["status"] == "migrated"
    assert only_task(session, case_id)["title"] == "Beschikking nakijken"
    complete(session, rt, people["hovj"], case_id, {"akkoord": True})
    assert "huisverbod_opgelegd" in [m["name"] for m in cases.case_details(session, rt.registry, case_id)["milestones"]]


def test_migration_refusals(session, rt, deployed, people, designers, sample_files):
    waiting = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    complete(session, rt, people["pol"], waiting, {"naam": "A", "ernst": 4})  # the 24-hour term runs
    finished = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    complete(session, rt, people["pol"], finished, {"naam": "C", "ernst": 1})
    assert session.get(Case, finished).status == "completed"
    deploy(session, rt, changed(sample_files, SAMPLE, b'"PT24H"', b'"PT48H"'))

    def refusal(case_id, to_version=2, user=designers["ontwerper"]) -> str:
        [result] = case_migration.migrate_cases(
            session, rt.registry, rt.clock, case_ids=[case_id], to_version=to_version, user=user
        )
        assert result["status"] == "refused"
        return result["reason"]

    assert refusal(waiting) == "termijn '24 uur verstreken' loopt al en is gewijzigd in de nieuwe versie"
    assert refusal(finished) == "de zaak is niet actief (completed)"
    assert refusal(waiting, to_version=1) == "de zaak draait op versie 1; migreren kan alleen naar een nieuwere versie"
    assert refusal(waiting, to_version=5) == "variant 'sample' heeft in regio 'basis' geen versie 5"
    assert refusal(waiting, user=designers["ontwerper_elders"]) == f"zaak {waiting} bestaat niet"
    assert refusal(123456) == "zaak 123456 bestaat niet"
    with pytest.raises(Forbidden):
        case_migration.migrate_cases(
            session, rt.registry, rt.clock, case_ids=[waiting], to_version=2, user=people["pol"]
        )
    with pytest.raises(InvalidInput):
        case_migration.migrate_cases(
            session, rt.registry, rt.clock, case_ids=[], to_version=2, user=designers["ontwerper"]
        )
    [dry] = case_migration.migration_preview(
        session, rt.registry, rt.clock, region="basis", variant="sample", to_version=2, user=designers["ontwerper"]
    )
    assert (dry["case_id"], dry["status"]) == (waiting, "refused")
    assert session.get(Case, waiting).model_version_id == deployed.id
    assert worklist.list_tasks(session, case_id=waiting)[0]["due_at"] == "2026-02-03T20:15:00+00:00"


def test_dry_run_reports_safe_cases_without_changing_them(session, rt, deployed, people, designers, sample_files):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    text_before = session.get(Case, case_id).workflow_json
    deploy(session, rt, changed(sample_files, SAMPLE, b'"P10D"', b'"P14D"'))
    [result] = case_migration.migrate_cases(
        session, rt.registry, rt.clock, case_ids=[case_id], to_version=2, user=designers["ontwerper"], dry_run=True
    )
    assert result["status"] == "safe"
    case = session.get(Case, case_id)
    session.refresh(case)
    assert (case.model_version_id, case.workflow_json) == (deployed.id, text_before)


def test_a_real_variant_migrates_mid_case_with_its_subprocesses_running(rt, session, designers):
    from tests.processes.scenario import PROCESSES, Scenario
    from tests.processes.steps import MELDING, help_without_children, impose, serve_and_notify

    rt.registry.forms_dir = FORMS_DIR  # the real forms of the real models
    s = Scenario(rt, session, "wth-basis")
    imposed = s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    waiting_at_start = s.start("politie", MELDING)
    files = collect_bundle(PROCESSES / "wth-basis")
    v2 = changed(
        changed(files, "wth_basis.bpmn", b'name="Zaak afronden"', b'name="Zaak afsluiten"'),
        "wth_basis.bpmn",
        b"\"eerste_termijn\": 'P10D'",
        b"\"eerste_termijn\": 'P12D'",
    )
    deploy(session, rt, v2, variant="wth-basis")

    results = case_migration.migrate_cases(
        session, rt.registry, rt.clock, case_ids=[imposed, waiting_at_start], to_version=2, user=designers["ontwerper"]
    )
    assert [r["status"] for r in results] == ["refused", "refused"]
    assert all("Kenmerken van deze variant" in r["reason"] for r in results)  # the settings script already ran

    v3 = changed(files, "wth_basis.bpmn", b'name="Zaak afronden"', b'name="Zaak afsluiten"')
    deploy(session, rt, v3, variant="wth-basis")
    s.case_id = imposed
    due = s.next_timer()
    [result] = case_migration.migrate_cases(
        session, rt.registry, rt.clock, case_ids=[imposed], to_version=3, user=designers["ontwerper"]
    )
    assert result["status"] == "migrated", result
    assert s.next_timer() == due
    serve_and_notify(s)
    help_without_children(s)
    s.advance(timedelta(days=10))
    assert s.milestones()[-1] == "huisverbod_verlopen"
    assert s.task("Task_afronden")["title"] == "Zaak afsluiten"
    assert s.case()["model_version"] == 3


def test_the_migration_gives_every_deployed_variant_its_live_pointer(tmp_path):
    """A database from before 0003: the highest version of each variant becomes the live one."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from engine.storage.db import MIGRATIONS, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'oud.sqlite'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    command.upgrade(config, "0002")
    with engine.begin() as conn:
        for number, (region, variant, version) in enumerate(
            [("basis", "a", 1), ("basis", "a", 2), ("basis", "b", 1), ("pilot1", "a", 1)], start=1
        ):
            conn.execute(
                text(
                    "INSERT INTO model_version (id, region, variant, version, sha256, main_process, "
                    "created_at, created_by) VALUES (:i, :r, :v, :n, 'x', 'p', '2026-01-0' || :i, 'ik')"
                ),
                {"i": number, "r": region, "v": variant, "n": version},
            )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT region, variant, model_version_id, set_by FROM live_version ORDER BY region, variant")
        ).all()
    assert [tuple(r) for r in rows] == [("basis", "a", 2, "ik"), ("basis", "b", 3, "ik"), ("pilot1", "a", 4, "ik")]
    engine.dispose()

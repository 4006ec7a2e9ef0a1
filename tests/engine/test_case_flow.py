"""The sample process end to end through the engine, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.base.errors import Conflict, Forbidden, FormInvalid, NotFound
from engine.cases import operations as cases
from engine.storage.tables import Case, CaseEvent
from engine.workflow import timers, worklist


def _only_task(session, case_id):
    tasks = worklist.list_tasks(session, case_id=case_id)
    assert len(tasks) == 1, tasks
    return tasks[0]


def _milestones(session, rt, case_id):
    return [m["name"] for m in cases.case_details(session, rt.registry, case_id)["milestones"]]


def test_full_path_records_milestones_tasks_and_ban_end(session, rt, deployed, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    task = _only_task(session, case_id)
    assert (task["role"], task["element"], task["due_at"]) == ("politie", "Task_verzoek", None)

    cases.complete_task(
        session, rt.registry, rt.clock, task_id=task["id"], data={"naam": "A", "ernst": 4}, user=people["pol"]
    )
    task = _only_task(session, case_id)
    assert task["role"] == "burgemeester"
    assert task["due_at"] == (rt.clock.now() + timedelta(hours=24)).isoformat()

    cases.complete_task(
        session, rt.registry, rt.clock, task_id=task["id"], data={"besluit": "opleggen"}, user=people["bm"]
    )
    task = _only_task(session, case_id)
    assert (task["role"], task["element"]) == ("hulpofficier", "Task_check")  # inside the call activity

    cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data={"akkoord": True}, user=people["hovj"])
    details = cases.case_details(session, rt.registry, case_id)
    assert details["status"] == "active"
    assert [m["name"] for m in details["milestones"]] == ["verzoek_ontvangen", "rihg_afgenomen", "huisverbod_opgelegd"]
    # Imposed 2026-02-02 21:15 Amsterdam: ten days later at the same minute.
    assert details["variables"]["huisverbod"]["einde"] == "2026-02-12T20:15:00+00:00"
    assert details["next_timer_at"] == "2026-02-12T20:15:00+00:00"
    assert details["waiting_for"] == ["overtreding_gemeld"]

    rt.clock.advance(timedelta(days=10) - timedelta(minutes=1))
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 0
    rt.clock.advance(timedelta(minutes=1))
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 1
    details = cases.case_details(session, rt.registry, case_id)
    assert details["status"] == "completed"
    assert details["milestones"][-1] == {"name": "huisverbod_verlopen", "at": "2026-02-12T20:15:00+00:00"}
    assert session.get(Case, case_id).next_timer_at is None
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 0


def test_low_advice_ends_without_ban(session, rt, deployed, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    task = _only_task(session, case_id)
    cases.complete_task(
        session, rt.registry, rt.clock, task_id=task["id"], data={"naam": "A", "ernst": 1}, user=people["pol"]
    )
    details = cases.case_details(session, rt.registry, case_id)
    assert details["status"] == "completed"
    assert [m["name"] for m in details["milestones"]] == [
        "verzoek_ontvangen",
        "rihg_afgenomen",
        "huisverbod_niet_opgelegd",
    ]
    assert details["open_tasks"] == []


def test_boundary_timer_cancels_overdue_task(session, rt, deployed, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    task = _only_task(session, case_id)
    cases.complete_task(
        session, rt.registry, rt.clock, task_id=task["id"], data={"naam": "A", "ernst": 5}, user=people["pol"]
    )
    besluit = _only_task(session, case_id)
    rt.clock.advance(timedelta(hours=24))
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 1
    assert worklist.list_tasks(session, case_id=case_id) == []
    cancelled = worklist.list_tasks(session, case_id=case_id, state="cancelled")
    assert [t["id"] for t in cancelled] == [besluit["id"]]
    with pytest.raises(Conflict):
        cases.complete_task(
            session, rt.registry, rt.clock, task_id=besluit["id"], data={"besluit": "opleggen"}, user=people["bm"]
        )


def _case_snapshot(session, case_id):
    case = session.get(Case, case_id)
    session.refresh(case)
    events = session.query(CaseEvent).filter_by(case_id=case_id).count()
    return case.workflow_json, case.lock_version, events, worklist.list_tasks(session, case_id=case_id)


def test_refusals_leave_the_case_unchanged(session, rt, deployed, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    task = _only_task(session, case_id)
    before = _case_snapshot(session, case_id)
    attempts = [
        (NotFound, dict(task_id=task["id"], data={"naam": "A", "ernst": 1}, user=people["pol_elders"])),
        (Forbidden, dict(task_id=task["id"], data={"naam": "A", "ernst": 1}, user=people["bm"])),
        (FormInvalid, dict(task_id=task["id"], data={"naam": "A", "ernst": "veel"}, user=people["pol"])),
        (FormInvalid, dict(task_id=task["id"], data={"naam": "A", "ernst": 1, "x": 1}, user=people["pol"])),
        (Conflict, dict(task_id=task["id"], data={"naam": "A", "ernst": 1}, user=people["pol"], expected_version=99)),
        (NotFound, dict(task_id="00000000-0000-0000-0000-000000000000", data={}, user=people["pol"])),
    ]
    for error, kwargs in attempts:
        with pytest.raises(error):
            cases.complete_task(session, rt.registry, rt.clock, **kwargs)
        assert _case_snapshot(session, case_id) == before


def test_form_errors_are_listed_per_field(session, rt, deployed, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    task = _only_task(session, case_id)
    with pytest.raises(FormInvalid) as info:
        cases.complete_task(
            session, rt.registry, rt.clock, task_id=task["id"], data={"ernst": 9, "extra": 1}, user=people["pol"]
        )
    assert info.value.fields == {"naam": "Dit veld is verplicht.", "ernst": "Maximaal 5.", "extra": "Onbekend veld."}
    assert info.value.codes == {"naam": "required", "ernst": "too_large", "extra": "unknown_field"}


def test_completing_twice_gives_conflict(session, rt, deployed, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    task = _only_task(session, case_id)
    cases.complete_task(
        session, rt.registry, rt.clock, task_id=task["id"], data={"naam": "A", "ernst": 1}, user=people["pol"]
    )
    with pytest.raises(Conflict):
        cases.complete_task(
            session, rt.registry, rt.clock, task_id=task["id"], data={"naam": "A", "ernst": 1}, user=people["pol"]
        )


def test_messages_check_sender_form_and_waiting_state(session, rt, deployed, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    with pytest.raises(Conflict, match="wacht nu niet"):
        cases.send_message(
            session,
            rt.registry,
            rt.clock,
            case_id=case_id,
            message="overtreding_gemeld",
            data={"omschrijving": "x"},
            user=people["pol"],
        )
    for role_user, data in (
        ("pol", {"naam": "A", "ernst": 4}),
        ("bm", {"besluit": "opleggen"}),
        ("hovj", {"akkoord": True}),
    ):
        task = _only_task(session, case_id)
        cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data=data, user=people[role_user])
    with pytest.raises(Forbidden):
        cases.send_message(
            session,
            rt.registry,
            rt.clock,
            case_id=case_id,
            message="overtreding_gemeld",
            data={"omschrijving": "x"},
            user=people["vt"],
        )
    with pytest.raises(FormInvalid):
        cases.send_message(
            session, rt.registry, rt.clock, case_id=case_id, message="overtreding_gemeld", data={}, user=people["ovj"]
        )
    with pytest.raises(NotFound):
        cases.send_message(
            session,
            rt.registry,
            rt.clock,
            case_id=case_id,
            message="overtreding_gemeld",
            data={"omschrijving": "x"},
            user=people["pol_elders"],
        )
    cases.send_message(
        session,
        rt.registry,
        rt.clock,
        case_id=case_id,
        message="overtreding_gemeld",
        data={"omschrijving": "woning betreden"},
        user=people["ovj"],
    )
    details = cases.case_details(session, rt.registry, case_id)
    assert details["status"] == "completed"
    assert details["milestones"][-1]["name"] == "overtreding_gemeld"
    assert details["variables"]["melding"] == {"omschrijving": "woning betreden"}


def test_start_refuses_unknown_region_and_foreign_user(session, rt, deployed, people):
    from engine.base.errors import InvalidInput

    with pytest.raises(InvalidInput):
        cases.start_case(session, rt.registry, rt.clock, region="nergens")
    with pytest.raises(Forbidden):
        cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol_elders"])
    with pytest.raises(NotFound):
        cases.start_case(session, rt.registry, rt.clock, region="pilot2")
    assert session.query(Case).count() == 0

"""Races between users and timer sweeps, on a SQLite file and on PostgreSQL.

Each thread works through its own session, as web workers and timer workers do.
Threads are lined up with a barrier; nothing sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.base.errors import Conflict
from engine.cases import operations as cases
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import deploy_bundle
from engine.storage.tables import Case, CaseEvent
from engine.workflow import timers, worklist
from tests.conftest import BUNDLES
from tests.engine.conftest import only_task

N_CASES = 20


@pytest.fixture
def db_url(shared_db_url):
    # Overrides the shared fixture: in-memory SQLite is a single connection and cannot race.
    return shared_db_url


def run_together(rt, *jobs: Callable[[Any], Any]) -> list[tuple[str, Any]]:
    """Run each job in its own thread with its own session, all released at once."""
    barrier = threading.Barrier(len(jobs))
    results: list[tuple[str, Any]] = [("not run", None)] * len(jobs)

    def runner(index: int, job) -> None:
        try:
            with rt.sessions() as own_session:
                barrier.wait(timeout=60)
                results[index] = ("ok", job(own_session))
        except Exception as exc:  # noqa: BLE001 - handed to the test
            results[index] = ("error", exc)

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hangs"
    return results


def _events(session, case_id: int, action: str) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == action)))


def test_two_users_complete_the_same_task_at_once(session, rt, deployed, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    task = only_task(session, case_id)
    session.commit()

    def complete(data):
        return lambda own: cases.complete_task(
            own, rt.registry, rt.clock, task_id=task["id"], data=data, user=people["pol"]
        )

    results = run_together(rt, complete({"naam": "A", "ernst": 4}), complete({"naam": "B", "ernst": 1}))

    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict), repr(error)
    session.expire_all()
    done = _events(session, case_id, "taak_afgerond")
    assert [e.element for e in done] == ["Task_verzoek"]
    assert session.get(Case, case_id).lock_version == 2
    # The winner's data and only the winner's: either the ban path or the low-advice end.
    winner = cases.case_details(session, rt.registry, case_id)
    assert (winner["variables"]["naam"], winner["status"]) in {("A", "active"), ("B", "completed")}


def _snapshot(session, case_id: int):
    session.expire_all()
    case = session.get(Case, case_id)
    events = session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id))
    return (
        case.workflow_json,
        case.lock_version,
        case.status,
        case.next_timer_at,
        events,
        worklist.list_tasks(session, case_id=case_id),
    )


def test_stale_expected_version_is_refused_and_changes_nothing(session, rt, deployed, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    task = only_task(session, case_id)
    before = _snapshot(session, case_id)
    current = before[1]
    for stale in (current - 1, current + 1):
        with pytest.raises(Conflict, match="gewijzigd"):
            cases.complete_task(
                session,
                rt.registry,
                rt.clock,
                task_id=task["id"],
                data={"naam": "A", "ernst": 4},
                user=people["pol"],
                expected_version=stale,
            )
        assert _snapshot(session, case_id) == before
    cases.complete_task(
        session,
        rt.registry,
        rt.clock,
        task_id=task["id"],
        data={"naam": "A", "ernst": 4},
        user=people["pol"],
        expected_version=current,
    )
    assert _snapshot(session, case_id)[1] == current + 1


def _cases_waiting_for_mayor(session, rt, people, count: int) -> list[int]:
    """Cases at Task_besluit, each with a 24-hour boundary timer."""
    ids = []
    for number in range(count):
        case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", variant="sample", user=people["pol"])
        task = only_task(session, case_id)
        cases.complete_task(
            session,
            rt.registry,
            rt.clock,
            task_id=task["id"],
            data={"naam": f"zaak {number}", "ernst": 4},
            user=people["pol"],
        )
        ids.append(case_id)
    return ids


def test_two_sweeps_at_once_fire_every_timer_exactly_once(session, rt, deployed, people):
    case_ids = _cases_waiting_for_mayor(session, rt, people, N_CASES)
    rt.clock.advance(timedelta(hours=24))
    session.commit()

    def sweep(own):
        return timers.fire_due_timers(own, rt.registry, rt.clock)

    results = run_together(rt, sweep, sweep)

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert sum(fired for _, fired in results) == N_CASES
    session.expire_all()
    for case_id in case_ids:
        assert len(_events(session, case_id, "timer")) == 1, case_id
        assert _events(session, case_id, "fout") == []
        case = session.get(Case, case_id)
        assert (case.status, case.next_timer_at, case.error) == ("completed", None, None)
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 0


@pytest.mark.parametrize("shared_db_url", ["sqlite_file"], indirect=True)
def test_sweep_that_loses_a_race_leaves_the_case_alone(session, rt, deployed, people, monkeypatch):
    """SQLite has no row locks: a user may save between the sweep's load and save.

    The sweep then gets a version conflict. That is no fault of the case: it must
    not be parked as 'error', and the user's step must stand.
    """
    # On PostgreSQL the row lock makes the user wait for the sweep instead, so this race cannot happen there.
    (case_id,) = _cases_waiting_for_mayor(session, rt, people, 1)
    besluit = only_task(session, case_id)
    rt.clock.advance(timedelta(hours=23))
    real_open = timers.open_workflow

    def open_then_let_user_in(sweep_session, registry, case):
        loaded = real_open(sweep_session, registry, case)
        with rt.sessions() as other:
            cases.complete_task(
                other, rt.registry, rt.clock, task_id=besluit["id"], data={"besluit": "opleggen"}, user=people["bm"]
            )
        return loaded

    monkeypatch.setattr(timers, "open_workflow", open_then_let_user_in)
    # The user acts at 23h, before the deadline; the sweep runs at 24h, when the boundary timer is due.
    sweep_clock = type(rt.clock)(rt.clock.now() + timedelta(hours=1))
    assert timers.fire_due_timers(session, rt.registry, sweep_clock) == 0

    session.expire_all()
    case = session.get(Case, case_id)
    assert (case.status, case.error) == ("active", None)
    assert _events(session, case_id, "fout") == [] and _events(session, case_id, "timer") == []
    assert only_task(session, case_id)["element"] == "Task_check"


def test_a_failing_timer_is_parked_and_the_sweep_goes_on(session, rt, deployed, people):
    """Timer_kapot reads the case variable 'einde' once Timer_eerst (one hour) has fired."""
    deploy_bundle(
        session,
        rt.registry,
        collect_bundle(BUNDLES / "broken_timer"),
        region="basis",
        variant="kapot",
        actor="test",
        now=rt.clock.now(),
    )

    def start_broken(data):
        return cases.start_case(session, rt.registry, rt.clock, region="basis", variant="kapot", data=data)

    (good_early,) = _cases_waiting_for_mayor(session, rt, people, 1)  # due at 24h
    rt.clock.advance(timedelta(hours=23, minutes=15))
    missing = start_broken({})  # due at 24h15: NameError inside the sandbox
    not_a_date = start_broken({"einde": "morgen"})  # due at 24h15: evaluates, but is no instant
    rt.clock.advance(timedelta(minutes=15))
    good_late = start_broken({"einde": (rt.clock.now() + timedelta(hours=1)).isoformat()})  # due at 24h30
    broken_before = {cid: session.get(Case, cid).workflow_json for cid in (missing, not_a_date)}
    rt.clock.advance(timedelta(hours=1))

    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 2

    session.expire_all()
    for case_id in (good_early, good_late):
        assert len(_events(session, case_id, "timer")) == 1
        assert (session.get(Case, case_id).status, _events(session, case_id, "fout")) == ("completed", [])
    for case_id in (missing, not_a_date):
        case = session.get(Case, case_id)
        assert case.status == "error" and case.error
        assert case.workflow_json == broken_before[case_id]  # the failed step was rolled back
        assert _events(session, case_id, "timer") == []
        (fout,) = _events(session, case_id, "fout")
        assert (fout.actor, fout.action) == ("systeem", "fout") and case.error in fout.detail
    assert "Timer_kapot" in session.get(Case, missing).error

    # Parked cases are not retried by later sweeps.
    rt.clock.advance(timedelta(days=1))
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 0
    assert all(len(_events(session, cid, "fout")) == 1 for cid in (missing, not_a_date))


def test_two_sweeps_park_each_failing_case_once(session, rt, deployed, people):
    deploy_bundle(
        session,
        rt.registry,
        collect_bundle(BUNDLES / "broken_timer"),
        region="basis",
        variant="kapot",
        actor="test",
        now=rt.clock.now(),
    )
    broken = [
        cases.start_case(
            session, rt.registry, rt.clock, region="basis", variant="kapot", data={} if n % 2 else {"einde": "morgen"}
        )
        for n in range(6)
    ]
    good = _cases_waiting_for_mayor(session, rt, people, 6)
    rt.clock.advance(timedelta(hours=24))
    session.commit()

    results = run_together(rt, *[lambda own: timers.fire_due_timers(own, rt.registry, rt.clock)] * 2)

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert sum(fired for _, fired in results) == len(good)
    session.expire_all()
    for case_id in broken:
        assert len(_events(session, case_id, "fout")) == 1, case_id
        assert session.get(Case, case_id).status == "error"
    for case_id in good:
        assert len(_events(session, case_id, "timer")) == 1 and _events(session, case_id, "fout") == []


def test_a_long_lived_session_works_on_the_locked_row_not_its_cached_copy(session, rt, deployed, people):
    """Sessions keep objects across commits (expire_on_commit=False); under the row lock the
    engine must use the row as it is now, not the copy this session saw last time."""
    (case_id,) = _cases_waiting_for_mayor(session, rt, people, 1)
    cached = session.get(Case, case_id)  # held, so the identity map keeps it
    assert cached.lock_version == 2
    with rt.sessions() as other:
        besluit = only_task(other, case_id)
        cases.complete_task(
            other, rt.registry, rt.clock, task_id=besluit["id"], data={"besluit": "opleggen"}, user=people["bm"]
        )
        check = only_task(other, case_id)

    cases.complete_task(
        session, rt.registry, rt.clock, task_id=check["id"], data={"akkoord": True}, user=people["hovj"]
    )
    details = cases.case_details(session, rt.registry, case_id)
    assert cached.lock_version == details["lock_version"] == 4
    assert details["waiting_for"] == ["overtreding_gemeld"]
    assert details["variables"]["besluit"] == "opleggen"

"""Time order on every variant: an extension served one minute before the end holds, also when it is
recorded after the sweep fired the end; one served a minute after the end is refused in Dutch.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.base.errors import InvalidInput, RuleRefused
from engine.cases import operations as cases
from engine.documents import service
from engine.storage.tables import Case, HumanTask
from tests.processes.steps import VARIANTS, decide_extension, imposed, issue

MINUTE = timedelta(minutes=1)


def _served(s, document, at) -> None:
    service.record_service(
        s.session,
        s.clock,
        document_id=document.id,
        recipient_role="uithuisgeplaatste",
        method="in_persoon_getekend",
        served_at=at,
        user=s.users["politie"],
    )


def _ban_row(s) -> tuple[str | None, str | None]:
    """The ban as the case row holds it for the search (engine.workflow.ban_state)."""
    case = s.session.get(Case, s.case_id)
    s.session.refresh(case)
    return case.huisverbod_status, case.huisverbod_einde.isoformat() if case.huisverbod_einde else None


def _imposed_until(rt, session, variant):
    """An imposed case (contact address given) and the end of its first term."""
    s = imposed(rt, session, variant)
    return s, s.clock.now() + timedelta(days=VARIANTS[variant][3])


def _extension_pending(rt, session, variant):
    s, end = _imposed_until(rt, session, variant)
    s.advance(timedelta(days=VARIANTS[variant][3] - 2))
    document = decide_extension(s, 7)
    return s, end, document


@pytest.mark.parametrize("variant", VARIANTS)
def test_in_time_service_recorded_after_the_sweep_still_extends(rt, session, variant):
    s, end, document = _extension_pending(rt, session, variant)
    task = s.task("Task_verlenging_uitreiken")
    s.advance_to(end + timedelta(hours=1))  # the sweep fires the end: nobody recorded the service yet
    assert "huisverbod_verlopen" in s.milestones() and not s.has_task("Task_verlenging_uitreiken")
    assert _ban_row(s) == ("verlopen", end.isoformat())
    s.clock.set(end + timedelta(hours=10))
    _served(s, document, end - MINUTE)  # the police record the next morning: served 21:14 the evening before
    cases.complete_task(s.session, s.rt.registry, s.clock, task_id=task["id"], data={}, user=s.users["politie"])
    assert "huisverbod_verlopen" not in s.milestones()
    assert s.milestones()[-1] == "huisverbod_verlengd"
    assert s.var("huisverbod")["einde"] == (end + timedelta(days=7)).isoformat()
    assert s.case()["status"] == "active"
    assert _ban_row(s) == ("verlengd", (end + timedelta(days=7)).isoformat())  # the revoked expiry no longer counts


@pytest.mark.parametrize("variant", VARIANTS)
def test_service_one_minute_after_the_end_is_refused_even_before_the_sweep(rt, session, variant):
    s, end, document = _extension_pending(rt, session, variant)
    s.clock.set(end + MINUTE)  # no sweep has run since the end
    _served(s, document, end + MINUTE)
    version = s.case()["lock_version"]
    with pytest.raises(RuleRefused) as refused:
        s.do("Task_verlenging_uitreiken", {})
    assert refused.value.message.startswith("het huisverbod is op ")
    assert "verlopen" in refused.value.message and "om 21:16)" in refused.value.message
    assert s.case()["lock_version"] == version
    assert "huisverbod_verlopen" not in s.milestones()  # nothing was stored, the sweep will do it


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_extension_made_and_served_before_the_end_but_entered_after_it_still_extends(rt, session, variant):
    """The verlengingsbeschikking was made (20:55) and handed over (21:14) before the end; the burgemeester
    and the politie enter both steps the next morning, one after the other, each with its own instant."""
    s, end = _imposed_until(rt, session, variant)
    s.advance_to(end - 40 * MINUTE)
    s.do("Task_verlenging", {"verlengen": True, "verlenging_dagen": 7, "verlenging_feiten": "Dreiging houdt aan."})
    document = issue(s, "verlengingsbeschikking", "burgemeester")
    s.advance_to(end + timedelta(hours=12))  # the sweep ended the ban overnight
    assert "huisverbod_verlopen" in s.milestones()
    cases.complete_task(
        s.session,
        s.rt.registry,
        s.clock,
        task_id=_row_id(s, "Task_verlengingsbeschikking"),
        data={"opgemaakt_op": (end - 20 * MINUTE).isoformat()},
        user=s.users["burgemeester"],
    )
    # The end fired again behind that step: the service step is closed until its own instant is entered.
    assert "huisverbod_verlopen" in s.milestones() and not s.has_task("Task_verlenging_uitreiken")
    _served(s, document, end - MINUTE)
    cases.complete_task(
        s.session,
        s.rt.registry,
        s.clock,
        task_id=_row_id(s, "Task_verlenging_uitreiken"),
        data={},
        user=s.users["politie"],
    )
    assert "huisverbod_verlopen" not in s.milestones()
    assert s.milestones()[-1] == "huisverbod_verlengd"
    assert s.var("huisverbod")["einde"] == (end + timedelta(days=7)).isoformat()


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_decision_entered_after_the_end_counts_at_its_instant_and_then_lapses(rt, session, variant):
    s, end = _imposed_until(rt, session, variant)
    s.advance_to(end + timedelta(hours=12))
    decided = end - 40 * MINUTE
    cases.complete_task(
        s.session,
        s.rt.registry,
        s.clock,
        task_id=_row_id(s, "Task_verlenging"),
        user=s.users["burgemeester"],
        data={
            "verlengen": True,
            "verlenging_dagen": 7,
            "verlenging_feiten": "Dreiging houdt aan.",
            "besloten_op": decided.isoformat(),
        },
    )
    # Decided in time, but nothing was made known before the end: the extension lapsed, and the case says so.
    assert s.var("huisverbod")["verlenging_vervallen"]["besloten_op"] == decided.isoformat()
    assert s.has_task("Task_vervallen_burgemeester")


def test_a_decision_instant_in_the_future_is_refused(rt, session):
    s = imposed(rt, session, "wth-basis")
    with pytest.raises(InvalidInput, match="in de toekomst"):
        s.do(
            "Task_verlenging",
            {
                "verlengen": True,
                "verlenging_dagen": 7,
                "verlenging_feiten": "x",
                "besloten_op": (s.clock.now() + MINUTE).isoformat(),
            },
        )
    assert s.has_task("Task_verlenging") and "huisverbod_verlengd" not in s.milestones()


def _row_id(s, element: str) -> str:
    """The worklist row of the latest task for ``element``, also when a timer closed it."""
    return s.session.scalars(
        select(HumanTask.id)
        .where(HumanTask.case_id == s.case_id, HumanTask.element == element)
        .order_by(HumanTask.created_at.desc())
    ).first()

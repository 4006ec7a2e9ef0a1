"""Cases stored before the legal-term timers became event definitions of our own still run.

tests/fixtures/stored_cases/wth_basis_ban_waiting.json holds the database rows of a
wth-basis case saved by the code that still patched SpiffWorkflow's timer module: its
model version and files, the case row with the workflow text, its worklist and events.
Loaded with the current code, its timers are our legal-term classes and fire exactly at
the instants they were armed for: one minute before, nothing; at the instant, the timer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Integer, select, text

from engine.base.clock import FixedClock
from engine.cases import operations as cases
from engine.modeling.legal_timers import LegalDurationTimerEventDefinition, LegalTimeDateEventDefinition
from engine.storage.tables import Case, CaseEvent, HumanTask, ModelFile, ModelVersion, UtcDateTime
from engine.workflow import timers
from engine.workflow.case_store import open_workflow
from tests.conftest import FIXTURES

STORED = FIXTURES / "stored_cases" / "wth_basis_ban_waiting.json"
TABLES = (("model_version", ModelVersion), ("model_file", ModelFile), ("thv_case", Case))
TABLES += (("human_task", HumanTask), ("case_event", CaseEvent))
BAN_END = datetime(2026, 2, 12, 20, 15, tzinfo=UTC)  # ten days after 2 February 21:15 Amsterdam
OUTREACH_DUE = datetime(2026, 2, 4, 20, 15, tzinfo=UTC)  # hulpverlening's "P2D" duration timer


def _row(table, values: dict[str, Any]):
    columns = table.__mapper__.columns  # by attribute name: the stored rows name attributes
    converted = {
        key: datetime.fromisoformat(value)
        if value is not None and isinstance(columns[key].type, UtcDateTime)
        else value
        for key, value in values.items()
    }
    return table(**converted)


@pytest.fixture
def stored_case(session, rt) -> int:
    """The stored rows, inserted as they were; the clock where the case was saved."""
    fixture = json.loads(STORED.read_text(encoding="utf-8"))
    for name, table in TABLES:
        session.add_all(_row(table, values) for values in fixture["tables"][name])
        session.flush()
    if session.bind.dialect.name == "postgresql":
        _move_sequences_past_the_stored_rows(session)
    session.commit()
    rt.clock.set(datetime.fromisoformat(fixture["clock"]))
    return fixture["tables"]["thv_case"][0]["id"]


def _move_sequences_past_the_stored_rows(session) -> None:
    """Rows inserted with their own ids leave PostgreSQL's id sequences at 1; the next event would collide."""
    for name, table in TABLES:
        key = table.__table__.c.get("id")
        if key is not None and isinstance(key.type, Integer):
            session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
            )


def _advance_to(session, rt, case_id: int, instant: datetime) -> None:
    """Live through time up to ``instant`` as the sweep does: each due timer at its own instant."""
    clock: FixedClock = rt.clock
    while True:
        case = session.get(Case, case_id)
        session.refresh(case)
        due = case.next_timer_at
        if due is None or due > instant:
            break
        clock.set(max(due, clock.now()))
        if timers.fire_due_timers(session, rt.registry, clock) == 0:
            break
    clock.set(instant)
    timers.fire_due_timers(session, rt.registry, clock)


def _milestones(session, rt, case_id: int) -> list[dict[str, str]]:
    return cases.case_details(session, rt.registry, case_id)["milestones"]


def _timer_state(session, rt, case_id: int, element: str) -> TaskState:
    _, workflow = open_workflow(session, rt.registry, session.get(Case, case_id))
    return next(t for t in workflow.get_tasks() if t.task_spec.bpmn_id == element).state


def test_stored_case_loads_its_timers_into_our_classes(session, rt, stored_case):
    _, workflow = open_workflow(session, rt.registry, session.get(Case, stored_case))
    specs = {t.task_spec.bpmn_id: t.task_spec for t in workflow.get_tasks() if t.state == TaskState.WAITING}
    assert type(specs["Timer_einde"].event_definition) is LegalTimeDateEventDefinition
    assert type(specs["Timer_outreach"].event_definition) is LegalDurationTimerEventDefinition
    gateway = specs["Gateway_beroep_wachten"].event_definition.event_definitions
    assert LegalTimeDateEventDefinition in [type(d) for d in gateway]
    assert specs["Timer_einde"].event_definition.expression == 'huisverbod["einde"]'


def test_stored_case_ends_its_ban_exactly_at_the_legal_term(session, rt, stored_case):
    assert session.get(Case, stored_case).next_timer_at == datetime(2026, 2, 2, 22, 15, tzinfo=UTC)
    _advance_to(session, rt, stored_case, BAN_END - timedelta(minutes=1))
    assert "huisverbod_verlopen" not in [m["name"] for m in _milestones(session, rt, stored_case)]
    _advance_to(session, rt, stored_case, BAN_END)
    assert _milestones(session, rt, stored_case)[-1] == {"name": "huisverbod_verlopen", "at": BAN_END.isoformat()}


def test_stored_duration_timer_fires_at_its_instant_not_a_minute_before(session, rt, stored_case):
    assert _timer_state(session, rt, stored_case, "Timer_outreach") == TaskState.WAITING
    _advance_to(session, rt, stored_case, OUTREACH_DUE - timedelta(minutes=1))
    assert _timer_state(session, rt, stored_case, "Timer_outreach") == TaskState.WAITING
    _advance_to(session, rt, stored_case, OUTREACH_DUE)
    assert _timer_state(session, rt, stored_case, "Timer_outreach") == TaskState.COMPLETED
    assert session.scalars(select(Case.status).where(Case.id == stored_case)).one() == "active"

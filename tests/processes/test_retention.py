"""Retention that destroys (engine.cases.retention, Wth 10(1)): a ban case five years after its last
beschikking, a case without a ban after its model's period; nothing of the person remains in any table."""

from __future__ import annotations

import json
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import LargeBinary, String, Text, select

from engine.base.errors import NotFound
from engine.cases import case_view
from engine.cases.retention import destroy_due, retention_plan
from engine.storage.document_tables import Document, ServiceRecord
from engine.storage.tables import Base, Case, CaseEvent, DestructionReport
from tests.processes.scenario import Scenario
from tests.processes.steps import MELDING, RIHG_LAAG, assess, decide
from tests.processes.test_basis import test_t1_acute_imposed_by_hulpofficier_and_extended_to_28_days as full_t1

MARKERS = ("de Vries", "Dorpsstraat")  # the uithuisgeplaatste, the achterblijver and the address of MELDING


@pytest.fixture
def s(rt, session) -> Scenario:
    return Scenario(rt, session, "wth-basis")


def _traces(session, markers=MARKERS) -> list[str]:
    """Every place in any table where a marker still stands (archived workflows decompressed)."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, LargeBinary))]
        for row in session.execute(select(*columns)).all() if columns else []:
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                if isinstance(value, bytes):
                    try:
                        value = zlib.decompress(value)
                    except zlib.error:
                        pass
                    text = value.decode("utf-8", "replace")
                else:
                    text = str(value)
                found += [f"{table.name}.{column.name}: {m}" for m in markers if m.lower() in text.lower()]
    return found


def test_a_ban_case_is_destroyed_five_years_after_its_last_beschikking(s, rt, session):
    full_t1(s)  # imposed, extended, expired, kept five years, "Dossier vernietigen" done: completed
    case_id = s.case_id
    assert _traces(session), "the markers are in the case before destruction"
    assert session.get(Case, case_id).adres  # the case's title, until it is destroyed
    due = s.clock.now()  # the timer of Task_vernietigen fired at the due instant itself
    s.clock.set(due - timedelta(minutes=1))
    [item] = retention_plan(session, rt.registry, s.clock.now())
    assert item.due == due and not item.is_due and "Wth 10(1)" in item.rule
    assert destroy_due(session, rt.registry, s.clock.now(), "test") == []
    s.clock.set(due)
    [report] = destroy_due(session, rt.registry, s.clock.now(), "test")
    counts = json.loads(report.counts)
    assert counts["documents"] >= 2 and counts["service_records"] >= 2 and counts["events"] > 10
    assert counts["persons"] >= 2  # the uithuisgeplaatste and the achterblijver, as rows (engine.cases.persons)

    assert _traces(session) == []
    assert session.scalars(select(Document).where(Document.case_id == case_id)).all() == []
    assert session.scalars(select(ServiceRecord).where(ServiceRecord.case_id == case_id)).all() == []
    husk = session.get(Case, case_id)
    assert husk.destroyed_at == due and husk.status == "completed" and husk.adres is None
    milestones = session.scalars(select(CaseEvent.milestone).where(CaseEvent.case_id == case_id)).all()
    assert "huisverbod_opgelegd" in milestones  # the anonymous figures stay
    details = session.execute(select(CaseEvent.action, CaseEvent.detail).where(CaseEvent.case_id == case_id)).all()
    assert {action for action, detail in details if detail is not None} == {"zaak_gestart"}  # for the dashboard
    with pytest.raises(NotFound, match="vernietigd"):
        case_view.case_page(session, rt.registry, case_id, s.users["burgemeester"], s.clock.now())
    assert retention_plan(session, rt.registry, s.clock.now()) == []  # destroyed once
    assert session.scalars(select(DestructionReport)).one().destroyed_by == "test"
    assert [t for t in _traces(session, ("test",)) if t.startswith("destruction_report")] == [
        "destruction_report.destroyed_by: test"
    ]  # the report names the actor, the rule and counts, no person


def test_a_case_without_a_ban_is_kept_for_the_period_its_model_states(s, rt, session):
    s.start("politie", MELDING)
    assess(s, RIHG_LAAG, afnemer="hulpofficier")
    decide(s, "hulpofficier", besluit="niet_opleggen", advies="geen")
    s.do("Task_melding_vt", {"melding_verstuurd_op": "2026-02-02T22:00:00+01:00"})
    ended = session.get(Case, s.case_id).ended_at
    due = ended.replace(year=ended.year + 1)  # bewaartermijnZonderHuisverbod P1Y (ASSUMPTION)
    s.clock.set(due - timedelta(minutes=1))
    [item] = retention_plan(session, rt.registry, s.clock.now())
    assert item.due == due and not item.is_due and "P1Y" in item.rule
    s.clock.set(due)
    assert [r.case_id for r in destroy_due(session, rt.registry, s.clock.now(), "test")] == [s.case_id]
    assert _traces(session) == []

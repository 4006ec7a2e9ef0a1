"""Time order: what fell due happens first, an act counts at the instant it happened.

The bundle ``termijn`` is a ban of a chosen number of days with a service step whose
boundary timer sits at the end, an expiry that leads to a follow-up task, and an
appeal message that carries the day it was lodged. The ban is imposed at
2 February 2026 21:15 (Amsterdam), so a ten-day term ends 12 February at 21:15.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.base.errors import Conflict, DeployRefused, FormInvalid, InvalidInput, RuleRefused
from engine.cases import case_view
from engine.cases import operations as cases
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import deploy_bundle
from engine.storage.tables import Case, CaseEvent, HumanTask
from engine.workflow import timers, worklist
from tests.conftest import BUNDLES, START

END = START + timedelta(days=10)  # 12 February 2026 21:15 Amsterdam
MINUTE = timedelta(minutes=1)


@pytest.fixture
def termijn(session, rt):
    return deploy_bundle(
        session,
        rt.registry,
        collect_bundle(BUNDLES / "termijn"),
        region="basis",
        variant="termijn",
        actor="test",
        now=rt.clock.now(),
    ).version


def _ready(session, case_id, element):
    found = [t for t in worklist.list_tasks(session, case_id=case_id) if t["element"] == element]
    assert len(found) == 1, worklist.list_tasks(session, case_id=case_id)
    return found[0]


def _impose(session, rt, people, days=10) -> int:
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", variant="termijn", user=people["pol"])
    task = _ready(session, case_id, "Task_opleggen")
    cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data={"dagen": days}, user=people["bm"])
    return case_id


def _serve(session, rt, people, case_id, task_id, at):
    cases.complete_task(
        session, rt.registry, rt.clock, task_id=task_id, data={"uitgereikt_op": at.isoformat()}, user=people["pol"]
    )


def _milestones(session, rt, case_id):
    return [(m["name"], m["at"]) for m in cases.case_details(session, rt.registry, case_id)["milestones"]]


def test_a_service_one_minute_before_the_end_extends(session, rt, termijn, people):
    case_id = _impose(session, rt, people)
    task = _ready(session, case_id, "Task_uitreiken")
    rt.clock.set(END - MINUTE)
    _serve(session, rt, people, case_id, task["id"], END - MINUTE)
    assert _milestones(session, rt, case_id)[-1] == ("huisverbod_verlengd", (END - MINUTE).isoformat())
    assert session.get(Case, case_id).status == "terminated"


def test_a_service_one_minute_after_the_end_is_refused_and_changes_nothing(session, rt, termijn, people):
    case_id = _impose(session, rt, people)
    task = _ready(session, case_id, "Task_uitreiken")
    before = session.get(Case, case_id).lock_version
    rt.clock.set(END + MINUTE)  # no sweep ran yet: the engine fires the end itself first
    with pytest.raises(RuleRefused) as refused:
        _serve(session, rt, people, case_id, task["id"], END + MINUTE)
    assert refused.value.message == (
        "de verlenging had vóór 12 februari 2026 om 21:15 moeten zijn uitgereikt; "
        "'Verlengingsbeschikking uitreiken' kan niet meer "
        "(handeling op 12 februari 2026 om 21:16)"
    )
    case = session.get(Case, case_id)
    assert (case.lock_version, case.status) == (before, "active")
    assert [m for m, _ in _milestones(session, rt, case_id)] == ["huisverbod_opgelegd"]


def test_an_act_recorded_now_after_an_unswept_end_is_refused(session, rt, termijn, people):
    """A decision taken after the end, before the next sweep, must not slip through."""
    case_id = _impose(session, rt, people)
    rt.clock.set(END + timedelta(hours=2))
    task = _ready(session, case_id, "Task_uitreiken")
    with pytest.raises(RuleRefused, match="moeten zijn uitgereikt"):
        _serve(session, rt, people, case_id, task["id"], END + timedelta(hours=2))


def test_a_timer_fires_at_its_own_instant_even_when_the_sweep_is_late(session, rt, termijn, people):
    case_id = _impose(session, rt, people)
    rt.clock.set(END + timedelta(hours=3))
    assert timers.fire_due_timers(session, rt.registry, rt.clock) == 2
    assert _milestones(session, rt, case_id)[-1] == ("huisverbod_verlopen", END.isoformat())
    variables = cases.case_details(session, rt.registry, case_id)["variables"]
    assert variables["verlopen_op"] == END.isoformat()  # nu() in the script is the legal instant
    row = session.scalars(
        select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.element == "Task_uitreiken")
    ).one()
    assert row.state == "cancelled"
    assert row.end_reason == "vervallen: de verlenging had vóór 12 februari 2026 om 21:15 moeten zijn uitgereikt"


def test_an_in_time_service_recorded_after_the_sweep_still_extends(session, rt, termijn, people):
    case_id = _impose(session, rt, people)
    task = _ready(session, case_id, "Task_uitreiken")
    rt.clock.set(END + timedelta(hours=1))
    timers.fire_due_timers(session, rt.registry, rt.clock)
    assert [m for m, _ in _milestones(session, rt, case_id)] == ["huisverbod_opgelegd", "huisverbod_verlopen"]

    rt.clock.set(END + timedelta(hours=9))  # the police record the next morning what they did in time
    _serve(session, rt, people, case_id, task["id"], END - MINUTE)

    assert _milestones(session, rt, case_id) == [
        ("huisverbod_opgelegd", START.isoformat()),
        ("huisverbod_verlengd", (END - MINUTE).isoformat()),
    ]
    case = session.get(Case, case_id)
    assert case.status == "terminated" and case.replay_json is None
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)).all()
    revoked = [e for e in events if e.revoked_by is not None]
    assert {e.milestone for e in revoked} == {"huisverbod_verlopen", None}  # the timer and its milestone
    herzien = [e for e in events if e.action == "herzien"]
    assert len(herzien) == 1 and all(e.revoked_by == herzien[0].id for e in revoked)
    assert json.loads(herzien[0].detail)["tijdstip"] == (END - MINUTE).isoformat()
    rows = {r.element: r.state for r in session.scalars(select(HumanTask).where(HumanTask.case_id == case_id))}
    assert rows["Task_uitreiken"] == "completed" and rows["Task_nazorg"] == "cancelled"


def test_a_late_recorded_act_cannot_undo_work_done_since(session, rt, termijn, people):
    case_id = _impose(session, rt, people)
    task = _ready(session, case_id, "Task_uitreiken")
    rt.clock.set(END + timedelta(hours=1))
    timers.fire_due_timers(session, rt.registry, rt.clock)
    nazorg = _ready(session, case_id, "Task_nazorg")
    cases.complete_task(session, rt.registry, rt.clock, task_id=nazorg["id"], data={}, user=people["pol"])
    rt.clock.set(END + timedelta(hours=2))
    with pytest.raises(Conflict, match="vervallen"):
        _serve(session, rt, people, case_id, task["id"], END - MINUTE)


def test_a_late_recorded_act_before_the_latest_act_is_refused(session, rt, termijn, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", variant="termijn", user=people["pol"])
    rt.clock.set(START + timedelta(hours=1))
    task = _ready(session, case_id, "Task_opleggen")
    cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data={"dagen": 10}, user=people["bm"])
    task = _ready(session, case_id, "Task_uitreiken")
    rt.clock.set(END + timedelta(hours=2))
    timers.fire_due_timers(session, rt.registry, rt.clock)
    # The imposition was recorded at 22:15; a service "at" 21:45 cannot be put before it.
    with pytest.raises(Conflict) as refused:
        _serve(session, rt, people, case_id, task["id"], START + timedelta(minutes=30))
    assert "na 2 februari 2026 om 22:15 is in deze zaak al verder gewerkt" in refused.value.message


def test_an_appeal_lodged_in_time_but_reported_after_the_end_counts_at_its_instant(session, rt, termijn, people):
    case_id = _impose(session, rt, people)
    rt.clock.set(END + timedelta(hours=1))
    timers.fire_due_timers(session, rt.registry, rt.clock)
    rt.clock.set(END + timedelta(days=1))
    cases.send_message(
        session,
        rt.registry,
        rt.clock,
        case_id=case_id,
        message="beroep_ingesteld",
        data={"ingesteld_op": (END - timedelta(days=2)).isoformat()},
        user=people["bm"],
    )
    names = _milestones(session, rt, case_id)
    assert names == [
        ("huisverbod_opgelegd", START.isoformat()),
        ("beroep_ingesteld", (END - timedelta(days=2)).isoformat()),
        ("huisverbod_verlopen", END.isoformat()),
    ]


def test_an_event_after_the_case_stopped_waiting_names_the_instant(session, rt, termijn, people):
    case_id = _impose(session, rt, people)
    rt.clock.set(END + timedelta(hours=1))
    timers.fire_due_timers(session, rt.registry, rt.clock)
    nazorg = _ready(session, case_id, "Task_nazorg")
    cases.complete_task(session, rt.registry, rt.clock, task_id=nazorg["id"], data={}, user=people["pol"])
    with pytest.raises(Conflict, match="niet meer actief"):
        cases.send_message(
            session,
            rt.registry,
            rt.clock,
            case_id=case_id,
            message="beroep_ingesteld",
            data={"ingesteld_op": END.isoformat()},
            user=people["bm"],
        )


@pytest.mark.parametrize(
    "offset, message", [(MINUTE, "ligt in de toekomst"), (-timedelta(days=30), "vóór het begin van de zaak")]
)
def test_an_act_instant_in_the_future_or_before_the_case_is_refused(session, rt, termijn, people, offset, message):
    case_id = _impose(session, rt, people)
    task = _ready(session, case_id, "Task_uitreiken")
    before = session.get(Case, case_id).lock_version
    with pytest.raises(InvalidInput, match=message):
        _serve(session, rt, people, case_id, task["id"], rt.clock.now() + offset)
    assert session.get(Case, case_id).lock_version == before


def test_an_unreadable_act_instant_is_a_form_error(session, rt, termijn, people):
    case_id = _impose(session, rt, people)
    task = _ready(session, case_id, "Task_uitreiken")
    with pytest.raises(FormInvalid) as error:
        cases.complete_task(
            session, rt.registry, rt.clock, task_id=task["id"], data={"uitgereikt_op": "gisteren"}, user=people["pol"]
        )
    assert list(error.value.fields) == ["uitgereikt_op"]


def test_a_model_rule_refuses_with_its_own_dutch_message(session, rt, termijn, people):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", variant="termijn", user=people["pol"])
    task = _ready(session, case_id, "Task_opleggen")
    before = session.get(Case, case_id).lock_version
    with pytest.raises(RuleRefused) as refused:
        cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data={"dagen": 29}, user=people["bm"])
    assert refused.value.message == ("een huisverbod duurt ten hoogste 28 dagen; uiterlijk 2 maart 2026 om 21:15")
    assert session.get(Case, case_id).lock_version == before
    cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data={"dagen": 28}, user=people["bm"])
    assert _milestones(session, rt, case_id)[-1][0] == "huisverbod_opgelegd"


def _termijn_with(old: str, new: str) -> dict[str, bytes]:
    files = collect_bundle(BUNDLES / "termijn")
    name = next(n for n in files if n.endswith("termijn.bpmn"))
    text = files[name].decode("utf-8")
    assert text.count(old) == 1
    return {**files, name: text.replace(old, new).encode("utf-8")}


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            'name="instantField" value="uitgereikt_op"',
            'name="instantField" value="uitgereikt"',
            "'instantField' noemt 'uitgereikt', maar het formulier heeft geen veld met die naam en format date-time",
        ),
        (
            'name="deadlineMessage" value="het huisverbod is op {tijdstip} verlopen"',
            'name="deadlineMessage" value=""',
            "deadlineMessage moet een zin van 1 tot 300 tekens zijn",
        ),
        (
            '<spiffworkflow:property name="milestone" value="huisverbod_verlopen" />',
            '<spiffworkflow:property name="milestone" value="huisverbod_verlopen" />'
            '<spiffworkflow:property name="deadlineMessage" value="te laat op {tijdstip}" />',
            "deadlineMessage hoort bij een timer",
        ),
    ],
)
def test_deploy_refuses_misused_time_properties(session, rt, old, new, message):
    with pytest.raises(DeployRefused) as refused:
        deploy_bundle(
            session,
            rt.registry,
            _termijn_with(old, new),
            region="basis",
            variant="termijn",
            actor="test",
            now=rt.clock.now(),
        )
    assert any(message in f.message for f in refused.value.findings), refused.value.findings


def test_the_history_shows_revoked_events_and_why_tasks_lapsed(session, rt, termijn, people):
    case_id = _impose(session, rt, people)
    task = _ready(session, case_id, "Task_uitreiken")
    rt.clock.set(END + timedelta(hours=1))
    timers.fire_due_timers(session, rt.registry, rt.clock)
    history = case_view.case_page(session, rt.registry, case_id, people["bm"], rt.clock.now()).history
    lapsed = [h for h in history if h["action"] == "taak_vervallen"]
    assert [(h["element_title"], h["detail"]["reden"]) for h in lapsed] == [
        (
            "Verlengingsbeschikking uitreiken",
            "vervallen: de verlenging had vóór 12 februari 2026 om 21:15 moeten zijn uitgereikt",
        )
    ]

    _serve(session, rt, people, case_id, task["id"], END - MINUTE)
    history = case_view.case_page(session, rt.registry, case_id, people["bm"], rt.clock.now()).history
    assert [h["milestone"] for h in history if h["revoked"]] == ["huisverbod_verlopen", None]
    assert [h["action"] for h in history if h["action"] == "herzien"] == ["herzien"]
    assert not [h for h in history if h["action"] == "taak_vervallen" and h["element"] == "Task_uitreiken"]

"""The legal-term timers of engine.modeling.legal_timers: parsed into our classes, serialized
under their own names, due exactly at their instant on the engine's clock, and SpiffWorkflow's
timer module left as it is.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.base.clock import AMSTERDAM, FixedClock, engine_time
from engine.modeling.checks import timer_value_problem
from engine.modeling.legal_timers import (
    SERIALIZER_CONFIG,
    LegalCycleTimerEventDefinition,
    LegalDurationTimerEventDefinition,
    LegalTimeDateEventDefinition,
    LegalTimerBpmnParser,
    recurring_interval,
)
from engine.modeling.registry import parse_bundle
from engine.modeling.sandbox import script_engine
from engine.modeling.serialization import dump_workflow, load_workflow, new_workflow
from tests.conftest import TEST_FORMS

# Start, a waiting task with a non-interrupting boundary timer (each firing ends in Tick), End.
MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="http://t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="Start_1"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start_1" targetRef="Task_wachten" />
    <bpmn:userTask id="Task_wachten"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_wachten" targetRef="End_1" />
    <bpmn:endEvent id="End_1"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="Timer_termijn" name="Termijn" attachedToRef="Task_wachten" cancelActivity="false">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:{kind}>{expression}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="Timer_termijn" targetRef="Tick" />
    <bpmn:endEvent id="Tick"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


def ams(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Run:
    """One workflow of MODEL, moved through time the way the engine does (engine.workflow.case_time)."""

    def __init__(self, kind: str, expression: str, start: datetime):
        parser = LegalTimerBpmnParser()
        parser.add_bpmn_xml(etree.fromstring(MODEL.format(kind=kind, expression=expression).encode()), filename="t")
        self.spec = parser.get_spec("p")
        self.clock = FixedClock(start)
        with engine_time(self.clock):
            self.workflow = BpmnWorkflow(self.spec, {}, script_engine=script_engine())
            self.workflow.do_engine_steps()

    def at(self, instant: datetime) -> int:
        """Refresh the timers with the clock at ``instant``; how many times the timer has fired so far."""
        self.clock.set(instant)
        with engine_time(self.clock):
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps()
        # get_tasks(state=...) stops descending below other states: filter here instead.
        ticks = [t for t in self.workflow.get_tasks() if t.task_spec.bpmn_id == "Tick"]
        return sum(1 for t in ticks if t.state == TaskState.COMPLETED)

    def due(self) -> str:
        return self.timer().internal_data["event_value"]

    def timer(self):
        return next(t for t in self.workflow.get_tasks() if t.task_spec.bpmn_id == "Timer_termijn")


# --- the parser and the serializer know our classes ------------------------------------------


@pytest.mark.parametrize(
    "kind, expression, legal",
    [
        ("timeDuration", '"P10D"', LegalDurationTimerEventDefinition),
        ("timeDate", '"2026-04-01T09:00:00+02:00"', LegalTimeDateEventDefinition),
        ("timeCycle", '"R2/P1D"', LegalCycleTimerEventDefinition),
    ],
)
def test_the_parser_makes_our_timer_classes(kind, expression, legal):
    definition = Run(kind, expression, ams(2026, 3, 1, 9, 0)).spec.task_specs["Timer_termijn"].event_definition
    assert type(definition) is legal
    assert isinstance(definition, TimerEventDefinition) and isinstance(definition, legal.__mro__[1])
    assert (definition.name, definition.expression) == ("Termijn", expression)


def test_deployed_models_hold_our_timers(sample_files):
    model = parse_bundle(sample_files, forms_dir=TEST_FORMS)
    specs = model.spec.task_specs
    assert type(specs["Timer_besluit"].event_definition) is LegalDurationTimerEventDefinition  # a boundary event
    # Catch_verlopen follows an event-based gateway, which takes over the definitions of the events after it.
    (gateway,) = specs["Catch_verlopen"].inputs
    assert LegalTimeDateEventDefinition in [type(d) for d in gateway.event_definition.event_definitions]


def test_a_workflow_with_its_spec_serializes_our_timers_under_their_own_names():
    run = Run("timeDuration", '"P1D"', ams(2026, 3, 28, 21, 15))
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG))
    text = serializer.serialize_json(run.workflow)
    assert '"typename": "LegalDurationTimerEventDefinition"' in text
    restored = serializer.deserialize_json(text)
    assert type(restored.spec.task_specs["Timer_termijn"].event_definition) is LegalDurationTimerEventDefinition
    assert restored.spec.task_specs["Timer_termijn"].event_definition.expression == '"P1D"'


def test_a_stored_case_keeps_its_armed_timer_and_our_class(sample_files):
    model = parse_bundle(sample_files, forms_dir=TEST_FORMS)
    with engine_time(FixedClock(ams(2026, 3, 28, 21, 15))):
        workflow = new_workflow(model)
        workflow.do_engine_steps()
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        ready.set_data(naam="A", ernst=4)
        ready.run()
        workflow.do_engine_steps()
    loaded = load_workflow(dump_workflow(workflow), model)
    timer = next(t for t in loaded.get_tasks() if t.task_spec.bpmn_id == "Timer_besluit")
    assert type(timer.task_spec.event_definition) is LegalDurationTimerEventDefinition
    assert timer.internal_data["event_value"] == "2026-03-29T20:15:00+00:00"


# --- SpiffWorkflow's timer module is not touched ----------------------------------------------


def test_spiffworkflow_timer_module_is_untouched_after_running_timers():
    run = Run("timeDuration", '"P1D"', ams(2026, 3, 28, 21, 15))
    assert run.at(utc(2026, 3, 29, 20, 15)) == 1
    assert spiff_timer.datetime is dt.datetime
    for cls, method in (
        (spiff_timer.DurationTimerEventDefinition, "has_fired"),
        (spiff_timer.TimeDateEventDefinition, "has_fired"),
        (spiff_timer.CycleTimerEventDefinition, "cycle_complete"),
    ):
        function = vars(cls)[method]
        assert (function.__module__, function.__qualname__) == (spiff_timer.__name__, f"{cls.__name__}.{method}")


# --- durations, instants and cycles on legal terms --------------------------------------------


@pytest.mark.parametrize(
    "start, duration, due",
    [
        (ams(2026, 3, 28, 21, 15), "P1D", utc(2026, 3, 29, 19, 15)),  # spring forward: 21:15 CEST, 23 real hours
        (ams(2026, 10, 24, 21, 15), "P1D", utc(2026, 10, 25, 20, 15)),  # fall back: 21:15 CET, 25 real hours
        (ams(2026, 3, 25, 21, 15), "P10D", utc(2026, 4, 4, 19, 15)),
        (ams(2026, 3, 28, 21, 15), "PT24H", utc(2026, 3, 29, 20, 15)),  # hours are elapsed time: 22:15 CEST
    ],
)
def test_a_duration_across_a_dst_change_ends_at_the_legal_term(start, duration, due):
    run = Run("timeDuration", f'"{duration}"', start)
    assert run.due() == due.isoformat()
    assert run.at(due - timedelta(minutes=1)) == 0
    assert run.at(due) == 1


@pytest.mark.parametrize(
    "expression, due",
    [
        ('"2026-03-29T03:30:00+02:00"', utc(2026, 3, 29, 1, 30)),
        ('"2026-03-29T03:30:00"', utc(2026, 3, 29, 1, 30)),  # no offset: Amsterdam time (summer time by then)
        ('"2026-01-15T09:00:00Z"', utc(2026, 1, 15, 9, 0)),
    ],
)
def test_a_time_date_timer_fires_at_its_instant_not_a_minute_before(expression, due):
    run = Run("timeDate", expression, ams(2026, 1, 1, 9, 0))
    assert run.due() == due.isoformat()
    assert run.at(due - timedelta(minutes=1)) == 0
    assert run.timer().state == TaskState.WAITING
    assert run.at(due) == 1


@pytest.mark.parametrize("start", [ams(2001, 5, 21, 12, 0), ams(2071, 5, 21, 12, 0)])
def test_timers_follow_the_fake_clock_far_from_real_time(start):
    duration = Run("timeDuration", '"P10D"', start)
    date = Run("timeDate", f'"{(start + timedelta(days=10)).isoformat()}"', start)
    for run in (duration, date):
        assert run.due() == (start + timedelta(days=10)).astimezone(UTC).isoformat()
        assert run.at(start + timedelta(days=10, minutes=-1)) == 0  # the real clock is decades away
        assert run.at(start + timedelta(days=10)) == 1


def test_a_cycle_repeats_on_legal_terms_across_the_dst_change():
    run = Run("timeCycle", '"R2/P1D"', ams(2026, 3, 28, 21, 15))
    assert run.due()["next"] == "2026-03-29T19:15:00+00:00"  # Sunday 21:15 CEST
    assert run.at(utc(2026, 3, 29, 19, 14)) == 0
    assert run.at(utc(2026, 3, 29, 19, 15)) == 1
    assert run.due()["next"] == "2026-03-30T19:15:00+00:00"
    assert run.at(utc(2026, 3, 30, 19, 14)) == 1
    assert run.at(utc(2026, 3, 30, 19, 15)) == 2
    assert run.at(utc(2026, 4, 30, 19, 15)) == 2  # two repetitions, then done


def test_a_cycle_from_a_start_instant_and_an_old_cycle_value_without_term():
    value = recurring_interval("R3/2026-03-28T21:15:00/P1D", utc(2000, 1, 1))
    assert value == {"cycles": 3, "next": "2026-03-28T20:15:00+00:00", "duration": 82800.0, "term": "P1D"}
    assert recurring_interval("R/PT2H", utc(2026, 1, 1))["cycles"] == -1
    run = Run("timeCycle", '"R2/PT1H"', ams(2026, 3, 28, 21, 15))
    # A value stored by the library's own cycle (seconds, no term) keeps counting in seconds.
    run.timer().internal_data["event_value"] = {"cycles": 2, "next": "2026-03-28T21:15:00+00:00", "duration": 1800.0}
    assert run.at(utc(2026, 3, 28, 21, 15)) == 1
    assert run.due()["next"] == "2026-03-28T21:45:00+00:00"


# --- bad values: a process error in Dutch that names the timer --------------------------------


@pytest.mark.parametrize(
    "kind, expression, message",
    [
        ("timeDuration", '"10 dagen"', "timerduur '10 dagen' is geen ISO 8601-duur"),
        ("timeDuration", '"P1.5M"', "timerduur 'P1.5M' is geen ISO 8601-duur"),
        ("timeDate", '"morgen"', "timertijdstip 'morgen' is geen ISO 8601-tijdstip"),
        ("timeCycle", '"R2/P1D/P2D"', "timercyclus 'R2/P1D/P2D' is geen ISO 8601-herhaling"),
    ],
)
def test_a_bad_timer_value_is_a_workflow_error_naming_the_element(kind, expression, message):
    with pytest.raises(WorkflowTaskException) as raised:
        Run(kind, expression, ams(2026, 3, 28, 21, 15))
    assert str(raised.value).startswith(message)
    assert raised.value.task_spec.bpmn_id == "Timer_termijn"


@pytest.mark.parametrize(
    "value, accepted",
    [
        ("R3/P1D", True),
        ("R/PT2H", True),
        ("R3/2026-04-01T09:00:00+02:00/P1D", True),
        ("R3/P1D/2026-04-01T09:00:00+02:00", False),  # counting back from an end: not run by the engine
        ("R3/P1.5M", False),  # a month has no fixed length
        ("P1D", False),
    ],
)
def test_deploy_accepts_exactly_the_cycles_the_engine_runs(value, accepted):
    assert (timer_value_problem("timeCycle", value) is None) is accepted
    if accepted:
        assert recurring_interval(value, utc(2026, 1, 1))["cycles"] in (3, -1)

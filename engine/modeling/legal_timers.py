"""BPMN timers that run on legal terms and on the engine's clock, through SpiffWorkflow's own extension points.

SpiffWorkflow's timer event definitions read ``datetime.now`` themselves, add durations
as elapsed time and fire only after their instant. Ours are subclasses of them (so every
``isinstance(..., TimerEventDefinition)`` in the library and in the engine still holds):

- "now" is :func:`engine.base.clock.current_now`, the clock bound by ``engine_time``;
- a ``timeDuration`` is a legal term (:func:`engine.base.clock.add_legal_term`: the date
  part on the Amsterdam calendar, the time part elapsed);
- a ``timeDate`` without offset is Amsterdam time;
- a timer is due AT its instant, not after it: the engine fires timers with the clock set
  exactly to their instant (engine.workflow.case_time);
- a ``timeCycle`` counts its first start and each repetition the same way.

They reach the workflow by the two routes SpiffWorkflow offers for classes of one's own:
:class:`LegalTimerBpmnParser` (the parser's ``OVERRIDE_PARSER_CLASSES``: the event parsers
build our definitions) and :data:`SERIALIZER_CONFIG` (the serializer's converter table).
Nothing in SpiffWorkflow's modules is replaced.

Stored cases: a case's workflow text is saved without its spec (engine.modeling.serialization),
so it names no event definition class at all; a waiting timer only keeps its due instant in
``internal_data['event_value']`` (an ISO instant; for a cycle a dict with ``next``). Cases saved
when the library's timer module was still patched therefore load unchanged into these classes,
with no converter for the old type names and no data migration
(tests/engine/test_stored_timer_cases.py runs such a case).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent, IntermediateThrowEvent, StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
    SpiffIntermediateThrowEventParser,
    SpiffStartEventParser,
)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.base.clock import add_legal_term, current_now, parse_instant


def _timer_error(my_task: Any, message: str) -> Exception:
    """A workflow error that names the timer element, so the engine reports it as a process error."""
    error: Exception = WorkflowTaskException(message, task=my_task)
    return error


def _fire_when_due(my_task: Any, due: str) -> bool:
    if parse_instant(due) <= current_now():
        my_task._set_internal_data(event_fired=True)
    return bool(my_task._get_internal_data("event_fired", False))


class LegalDurationTimerEventDefinition(DurationTimerEventDefinition):
    """A ``timeDuration``: due a legal term after the instant the timer was armed."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            try:
                event_value = add_legal_term(current_now(), str(expression)).isoformat()
            except Exception:  # noqa: BLE001 - the library's duration parser raises bare Exception
                raise _timer_error(my_task, f"timerduur '{expression}' is geen ISO 8601-duur") from None
            my_task._set_internal_data(event_value=event_value)
        return _fire_when_due(my_task, event_value)


class LegalTimeDateEventDefinition(TimeDateEventDefinition):
    """A ``timeDate``: due at the instant (Amsterdam time when it has no offset), not after it."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            try:
                event_value = parse_instant(str(value)).isoformat()
            except ValueError:
                raise _timer_error(my_task, f"timertijdstip '{value}' is geen ISO 8601-tijdstip") from None
            my_task._set_internal_data(event_value=event_value)
        return _fire_when_due(my_task, event_value)


def recurring_interval(expression: str, now: datetime) -> dict[str, Any]:
    """The first ``event_value`` of a cycle ``R[n]/<start>/<term>`` or ``R[n]/<term>`` (start: now + term).

    The library's own keys (``cycles``, ``next``, ``duration`` in seconds) are kept, so its
    ``details`` and the engine's ``timer_due`` read it as before; ``term`` makes each next
    repetition a legal term after the previous one.
    """
    components = expression.strip().upper().replace("--", "/").lstrip("R").split("/")
    cycles = int(components[0]) if components[0] else -1
    if len(components) == 2 and components[1].startswith("P"):
        term = components[1]
        start = add_legal_term(now, term)
    elif len(components) == 3 and components[2].startswith("P") and not components[1].startswith("P"):
        term = components[2]
        start = parse_instant(components[1])
    else:
        raise ValueError(f"herhaling {expression}: verwacht R[n]/duur of R[n]/begin/duur")
    duration = (add_legal_term(start, term) - start).total_seconds()
    return {"cycles": cycles, "next": start.isoformat(), "duration": duration, "term": term}


class LegalCycleTimerEventDefinition(CycleTimerEventDefinition):
    """A ``timeCycle``: each repetition due at its instant, a legal term after the one before."""

    def cycle_complete(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            try:
                event_value = recurring_interval(str(expression), current_now())
            except Exception:  # noqa: BLE001 - the library's duration parser raises bare Exception
                raise _timer_error(my_task, f"timercyclus '{expression}' is geen ISO 8601-herhaling") from None

        # As the library: True lets the parent task add another child; event_fired ends the cycles.
        ready = False
        if event_value["cycles"] != 0:
            due = parse_instant(event_value["next"])
            if due <= current_now():
                term = event_value.get("term")
                following = add_legal_term(due, term) if term else due + timedelta(seconds=event_value["duration"])
                event_value["next"] = following.isoformat()
                event_value["cycles"] -= 1
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True

        my_task._set_internal_data(event_value=event_value)
        return ready


LEGAL_TIMERS: dict[type[TimerEventDefinition], type[TimerEventDefinition]] = {
    TimeDateEventDefinition: LegalTimeDateEventDefinition,
    DurationTimerEventDefinition: LegalDurationTimerEventDefinition,
    CycleTimerEventDefinition: LegalCycleTimerEventDefinition,
}


class _LegalTimerParsing:
    """Mixin for SpiffWorkflow's event parsers: a parsed timer becomes its legal-term counterpart."""

    def parse_timer_event(self, event: Any) -> Any:
        # The library parses and validates (its errors name the element and file); we only swap the class.
        definition = super().parse_timer_event(event)  # type: ignore[misc]
        legal = LEGAL_TIMERS.get(type(definition))
        if legal is None:
            return definition
        return legal(definition.name, definition.expression, description=definition.description)


class LegalStartEventParser(_LegalTimerParsing, SpiffStartEventParser):
    pass


class LegalIntermediateCatchEventParser(_LegalTimerParsing, SpiffIntermediateCatchEventParser):
    pass


class LegalIntermediateThrowEventParser(_LegalTimerParsing, SpiffIntermediateThrowEventParser):
    pass


class LegalBoundaryEventParser(_LegalTimerParsing, SpiffBoundaryEventParser):
    pass


class LegalTimerBpmnParser(SpiffBpmnParser):
    """SpiffWorkflow's parser for Spiff-extended BPMN, with our timers in every event that can hold one.

    An event-based gateway holds the definitions of the catch events after it, so it gets ours too.
    """

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("startEvent"): (LegalStartEventParser, StartEvent),
        full_tag("intermediateCatchEvent"): (LegalIntermediateCatchEventParser, IntermediateCatchEvent),
        full_tag("intermediateThrowEvent"): (LegalIntermediateThrowEventParser, IntermediateThrowEvent),
        full_tag("boundaryEvent"): (LegalBoundaryEventParser, BoundaryEvent),
    }


# The serializer's converter table: SpiffWorkflow's, plus our timers (stored like the library's,
# under their own type names). Used wherever a workflow or spec is converted to a dict.
SERIALIZER_CONFIG: dict[type, type] = {
    **SPIFF_CONFIG,
    **{legal: TimerConditionalEventDefinitionConverter for legal in LEGAL_TIMERS.values()},
}

"""Applying a person's act to a case at the instant it happened.

An act (completing a task, reporting an event) happened at an instant: now, or
earlier when it is recorded later (a service record's ``served_at``, the moment
of a decision in the field named by the step's ``instantField``). The act is
judged against the case as it stood at that instant:

1. the timers due up to the instant fire first, each at its own instant;
2. if the act still fits (the task is ready, the case waits for the event), it is
   applied at its instant, and then what fell due up to now fires behind it;
3. if it no longer fits because a timer fired, but only timers have fired since
   the previous act, the case is replayed from the state after that act (kept in
   ``Case.replay_json``): the in-time act wins, and the timers' events are
   marked revoked by a 'herzien' event;
4. otherwise the act is refused with the rule and the instants in Dutch time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.base.clock import dutch_instant, parse_instant
from engine.base.errors import Conflict, InvalidInput, RuleRefused
from engine.base.observe import emit
from engine.base.vocabulary import Action
from engine.modeling.registry import LoadedModel, ModelRegistry
from engine.modeling.serialization import load_workflow
from engine.storage.tables import Case, CaseEvent
from engine.workflow import state as ws
from engine.workflow.ban_state import refresh_ban
from engine.workflow.case_store import SYSTEM_ACTOR, open_workflow, record_event, save_case
from engine.workflow.case_time import CaseRun, deadline_text, responsible_timer, too_late

# Whether the act fits the workflow as it stands: None when it does, else why not (Dutch).
Fits = Callable[[BpmnWorkflow], str | None]


@dataclass(frozen=True)
class ActResult:
    model: LoadedModel
    run: CaseRun
    replayed: bool  # the act was applied to the state after the previous act, and the timers redone
    completed_before: set[UUID]  # tasks already completed in the state the act was applied to


def instant_from(data: dict[str, Any], field: str | None, label: str) -> datetime | None:
    """The instant an act happened, from the form field the model names (``instantField``)."""
    if not field:
        return None
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        return parse_instant(str(value))
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(f"{label}: '{value}' is geen datum en tijd (ISO 8601)") from None


def checked_instant(case: Case, instant: datetime | None, now: datetime) -> datetime:
    """The act's instant, refused when it lies in the future or before the case began."""
    if instant is None:
        return now
    if instant > now:
        raise InvalidInput(f"het tijdstip {dutch_instant(instant)} ligt in de toekomst")
    if instant < case.started_at:
        raise InvalidInput(
            f"het tijdstip {dutch_instant(instant)} ligt vóór het begin van de zaak ({dutch_instant(case.started_at)})"
        )
    return instant


def apply_act(
    session: Session,
    registry: ModelRegistry,
    case: Case,
    *,
    instant: datetime,
    now: datetime,
    fits: Fits,
    act: Callable[[BpmnWorkflow], None],
    what: str,
    task_spec_name: str | None = None,
    message: str | None = None,
) -> ActResult:
    """Run ``act`` on the case at ``instant`` in time order."""
    model, workflow = open_workflow(session, registry, case)
    completed_before = ws.completed_ids(ws.all_tasks(workflow))
    run = CaseRun(workflow)
    run.advance_to(instant)
    problem = fits(workflow)
    replayed = False
    # Also an act that still fits is judged on the state at its instant when timers already fired
    # after that instant (a granted voorlopige voorziening of 23:15, recorded after the sweep ended the ban).
    overtaken = case.replay_after is not None and instant < case.replay_after
    if problem is not None or overtaken:
        run, problem, replayed = _replay(case, model, instant, fits, run, problem)
        if replayed:
            completed_before = run.completed_before
    if problem is not None:
        late = too_late(run.fired, what, instant, task_spec_name, message)
        raise RuleRefused(late) if late else Conflict(problem)
    run.act(instant, lambda: act(run.workflow))
    # What fell due between the act's instant and now fires in finish_act, after the act is saved.
    return ActResult(model, run, replayed, completed_before)


def _replay(
    case: Case, model: LoadedModel, instant: datetime, fits: Fits, run: CaseRun, problem: str | None
) -> tuple[CaseRun, str | None, bool]:
    if case.replay_json is None or case.acted_at is None:
        return run, problem, False
    if instant < case.acted_at:
        if problem is None:
            return run, None, False  # people worked on since: the act is taken as it stands now
        return (
            run,
            (
                f"{problem}; na {dutch_instant(case.acted_at)} is in deze zaak al verder gewerkt, "
                f"dus een handeling van {dutch_instant(instant)} kan niet meer worden vastgelegd"
            ),
            False,
        )
    base = load_workflow(case.replay_json, model)
    rerun = CaseRun(base, completed_before=ws.completed_ids(ws.all_tasks(base)))
    rerun.advance_to(instant)
    again = fits(rerun.workflow)
    return rerun, again, again is None


def last_event_id(session: Session, case: Case) -> int:
    return session.scalar(select(func.max(CaseEvent.id)).where(CaseEvent.case_id == case.id)) or 0


def settle_act(case: Case, instant: datetime) -> int | None:
    """Before the act is saved: record its instant and drop the replay base (the act settles the case).

    Done before the save so the case row is written once; returns the replay point (the last
    event id before the timers a replay redid) for :func:`finish_act`.
    """
    replay_event_id = case.replay_event_id
    case.acted_at = max(instant, case.acted_at) if case.acted_at else instant
    case.replay_json = None
    case.replay_event_id = None
    case.replay_after = None
    return replay_event_id


def finish_act(
    session: Session,
    case: Case,
    workflow: BpmnWorkflow,
    *,
    instant: datetime,
    now: datetime,
    actor: str,
    replayed: bool,
    replay_event_id: int | None,
    events_before: int,
) -> None:
    """After the act is saved: revoke what a replay undid, fire what is due since.

    ``events_before`` is the last event id before this operation recorded anything: the
    events after the replay point (``replay_event_id``, from :func:`settle_act`) up to it are
    the timers' work that the replay redid.
    """
    if replayed and replay_event_id is not None:
        undone = (
            CaseEvent.case_id == case.id,
            CaseEvent.id > replay_event_id,
            CaseEvent.id <= events_before,
            CaseEvent.revoked_by.is_(None),
        )
        count = session.scalar(select(func.count()).select_from(CaseEvent).where(*undone)) or 0
        record_event(
            session,
            case,
            actor=actor,
            action=Action.REVISED,
            now=now,
            detail={
                "tijdstip": instant.isoformat(),
                "herroepen_gebeurtenissen": count,
                "reden": "een tijdige handeling is later vastgelegd dan de termijnen die intussen "
                "verstreken; die zijn opnieuw beoordeeld",
            },
        )
        session.flush()
        marker = last_event_id(session, case)
        session.execute(update(CaseEvent).where(*undone).values(revoked_by=marker))
        refresh_ban(session, case)
    fire_due(session, case, workflow, now)


def fire_due(session: Session, case: Case, workflow: BpmnWorkflow, now: datetime) -> int:
    """Fire the timers due up to ``now`` on a saved case, as the sweep does; returns how many fired.

    The state before them is kept (``replay_json``) until the next act, so an act that happened
    before these timers but is recorded after them is judged on that state (see apply_act); this
    also lets a chain of late-recorded acts (decision, document, service) be entered one by one.
    """
    due = ws.next_timer_at(workflow)
    if due is None or due > now:
        return 0
    if case.replay_json is None:
        case.replay_json = case.workflow_json
        case.replay_event_id = last_event_id(session, case)
    completed_before = ws.completed_ids(ws.all_tasks(workflow))
    run = CaseRun(workflow)
    fired = run.advance_to(now)
    for timer in run.fired:
        emit("timer_fired", lag_seconds=max(0.0, (now - timer.instant).total_seconds()))
    if run.fired:
        first = min(t.instant for t in run.fired)
        case.replay_after = min(first, case.replay_after) if case.replay_after else first
    save_case(
        session,
        case,
        workflow,
        actor=SYSTEM_ACTOR,
        now=now,
        action=Action.TIMER,
        element=None,
        completed_before=completed_before,
        detail={"timers": fired},
        completed_at=run.completed_at,
        end_reasons=end_reasons(run),
    )
    return fired


def end_reasons(run: CaseRun) -> Callable[[str], str | None]:
    """Why an open task (by BPMN element) closed during this operation, when a timer did it."""

    def reason(element: str) -> str | None:
        timer = responsible_timer(run.fired, element)
        return f"vervallen: {deadline_text(timer)}" if timer else None

    return reason

"""Loading and saving one case inside an engine transaction.

Saving writes the workflow text, the derived columns (status, next timer), the
worklist rows, the audit events and the notification mails of new tasks together,
so they can never disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from engine.base.clock import add_legal_term
from engine.base.errors import ConfigurationError, NotFound
from engine.base.log_context import bind_case
from engine.base.vocabulary import Action
from engine.modeling.registry import LoadedModel, ModelRegistry
from engine.modeling.serialization import (
    SERIALIZER_VERSION,
    cut_settled_history,
    dump_subprocess,
    dump_workflow,
    load_workflow,
    take_restored_parts,
)
from engine.modeling.workflow_cache import WorkflowCache
from engine.notify.outbox import queue_task_mails
from engine.storage.tables import Case, CaseArchive, CaseEvent, HumanTask
from engine.storage.transaction import after_commit, transaction_state
from engine.workflow import state as ws
from engine.workflow.ban_state import BAN_VARIABLE, record_ban
from engine.workflow.processing_log import WRITE, log_processing

SYSTEM_ACTOR = "systeem"
_SAVED = "saved-workflows"  # (case, workflow) per case id saved in the running transaction


def lock_case(session: Session, case_id: int, *, regions: frozenset[str] | None = None) -> Case:
    """Load a case for writing; the row stays locked until commit on PostgreSQL.

    A case outside the caller's regions is reported as not found, so its
    existence does not leak.
    """
    # populate_existing: a session keeps objects across commits (expire_on_commit=False),
    # so without it a case this session saw before would come back with its old text
    # and version, although the row is now locked as it really is.
    case = session.scalars(
        select(Case).where(Case.id == case_id).with_for_update().execution_options(populate_existing=True)
    ).first()
    if case is None or (regions is not None and case.region not in regions):
        raise NotFound(f"zaak {case_id} bestaat niet")
    bind_case(case.id)
    return case


def lock_task(session: Session, task_id: str, *, regions: frozenset[str]) -> tuple[HumanTask, Case]:
    """Load a worklist row and its case for writing, in one locking query."""
    found = session.execute(
        select(HumanTask, Case)
        .join(Case, Case.id == HumanTask.case_id)
        .where(HumanTask.id == task_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if found is None or found[0].region not in regions:
        raise NotFound(f"taak {task_id} bestaat niet")
    bind_case(found[1].id)
    return found[0], found[1]


def open_workflow(
    session: Session, registry: ModelRegistry, case: Case, *, whole: bool = False
) -> tuple[LoadedModel, BpmnWorkflow]:
    """The case's workflow as far as it can still change; ``whole`` adds its finished subprocesses and
    its settled history (engine.modeling.settled_history).

    Running a case needs only the first (see save_case); a view of everything that happened
    in it, or a migration to another version, needs the whole.
    """
    if case.serializer_version != SERIALIZER_VERSION:
        # A stored format this code does not write: refuse loudly rather than load wrongly.
        raise ConfigurationError(
            f"zaak {case.id} is opgeslagen in formaat {case.serializer_version}; "
            f"deze versie leest alleen {SERIALIZER_VERSION}"
        )
    model = registry.model(session, case.model_version_id)
    if not whole:
        keep_saved_workflows(session, registry)
        kept = registry.workflows.take(session.get_bind(), case.id, case.lock_version, case.model_version_id)
        if kept is not None:
            return model, kept
    archived = None
    if whole:
        archived = dict(
            session.execute(
                select(CaseArchive.subprocess_id, CaseArchive.workflow_json).where(CaseArchive.case_id == case.id)
            ).all()
        )
    return model, load_workflow(case.workflow_json, model, archived)


def save_case(
    session: Session,
    case: Case,
    workflow: BpmnWorkflow,
    *,
    actor: str,
    now: datetime,
    action: Action,
    element: str | None,
    completed_before: set[UUID],
    detail: dict[str, Any] | None = None,
    completed_at: dict[UUID, datetime] | None = None,
    end_reasons: Callable[[str], str | None] | None = None,
) -> list[HumanTask]:
    """Write the workflow and everything derived from it; the caller commits.

    Returns the worklist rows this save made ready (new tasks, and tasks a replay brought back):
    what happens next.

    ``completed_at`` says at which instant each task completed (see engine.workflow.case_time); a
    milestone is recorded at that instant. ``end_reasons`` tells, per BPMN element, why a
    task that closed without being done closed (a timer that fired).
    """
    tasks = ws.all_tasks(workflow)
    # While a replay base is kept (acts.fire_due), a late act may reopen what timers finished: the
    # finished subprocesses then stay in the workflow text until the next act settles the case.
    archived = _take_finished(workflow) if case.replay_json is None else {}
    # Settled history likewise (engine.modeling.settled_history). A workflow loaded whole is
    # archived anew: the parts it was loaded with make way for what this save archives.
    restored = take_restored_parts(workflow)
    if case.replay_json is None:
        archived.update(cut_settled_history(workflow, completed_before))
    case.workflow_json = dump_workflow(workflow)
    case.serializer_version = SERIALIZER_VERSION
    case.status = ws.case_status(workflow, tasks)
    case.next_timer_at = ws.next_timer_at(workflow) if case.status == "active" else None
    case.updated_at = now
    instants = completed_at or {}
    newly_completed = sorted(
        (t for t in tasks if t.state == TaskState.COMPLETED and t.id not in completed_before),
        key=lambda t: (instants.get(t.id, now), t.last_state_change),
    )
    # Every change to the case row before the first flush: one UPDATE per save.
    for task in reversed(newly_completed):
        snapshot = task.data.get(BAN_VARIABLE) if ws.milestone_of(task.task_spec) else None
        if isinstance(snapshot, dict):
            record_ban(case, snapshot)
            break
    if case.status != "active" and case.ended_at is None:
        case.ended_at = now
    elif case.status == "active":
        case.ended_at = None  # a late-recorded act can reopen what a timer had ended
    new_case = case.id is None
    if new_case:
        session.add(case)
        session.flush()
    if archived or restored:
        _archive(session, case, archived, now, replaced=restored)
    transaction_state(session).setdefault(_SAVED, {})[case.id] = (case, workflow)

    record_event(session, case, actor=actor, action=action, element=element, now=now, detail=detail)
    reached = []
    for task in newly_completed:
        milestone = ws.milestone_of(task.task_spec)
        if milestone:
            reached.append(milestone)
            # The task that reaches a milestone holds the authoritative state of the ban; parallel
            # branches keep older copies, so the snapshot is taken here, at the source.
            snapshot = task.data.get(BAN_VARIABLE)
            record_event(
                session,
                case,
                actor=actor,
                action=Action.MILESTONE,
                element=task.task_spec.bpmn_id,
                milestone=milestone,
                now=instants.get(task.id, now),
                detail={BAN_VARIABLE: snapshot} if isinstance(snapshot, dict) else None,
            )
    reached_text = f"vervallen door: {', '.join(m.replace('_', ' ') for m in reached)}" if reached else None

    def reason(element: str) -> str:
        return (
            (end_reasons(element) if end_reasons else None)
            or reached_text
            or f"vervallen: het proces ging verder zonder deze taak ({action.replace('_', ' ')})"
        )

    made_ready = _sync_worklist(
        session, case, tasks, actor=actor, now=now, end_reason=reason, instants=instants, new_case=new_case
    )
    # In this transaction: a rolled-back act announces nothing, a committed one is never forgotten.
    queue_task_mails(session, made_ready, actor=actor, now=now)
    return made_ready


def _handling_due(task: ws.ReadyUserTask, ready_at: datetime) -> datetime | None:
    """An acute task's due time: its behandeltermijn, counted from the act that made it ready.

    An act recorded later counts from when it happened, so the next step is as urgent as it really is.
    """
    if not task.acute or not task.handling_term:
        return None
    return add_legal_term(ready_at, task.handling_term)


def keep_saved_workflows(session: Session, registry: ModelRegistry) -> None:
    """Keep the workflows the running transaction saves in the registry's cache once it commits."""
    saved = transaction_state(session).setdefault(_SAVED, {})
    after_commit(session, "keep-saved-workflows", partial(_keep_saved, saved, registry.workflows, session.get_bind()))


def _keep_saved(saved: dict[int, tuple[Case, BpmnWorkflow]], cache: WorkflowCache, database: object) -> None:
    """After commit: the workflows this transaction saved, kept for the next act on their case."""
    for case, workflow in saved.values():
        cache.put(database, case.id, case.lock_version, case.model_version_id, workflow)


def drop_finished(workflow: BpmnWorkflow) -> dict[UUID, Any]:
    """Remove the finished subprocesses from the workflow (nothing happens in them any more, and every
    engine step walks them); returns them by calling task id. The simulation does this after each act too."""
    finished = {}
    for task_id in ws.finished_subprocesses(workflow):
        subprocess = workflow.subprocesses.pop(task_id)
        for task in subprocess.tasks.values():
            workflow.event_manager.remove_task(task)
        finished[task_id] = subprocess
    return finished


def _take_finished(workflow: BpmnWorkflow) -> dict[str, str]:
    """Remove the finished subprocesses from the workflow; returns their text by calling task id."""
    return {str(task_id): dump_subprocess(subprocess) for task_id, subprocess in drop_finished(workflow).items()}


def _archive(
    session: Session, case: Case, parts: dict[str, str], now: datetime, *, replaced: tuple[str, ...] = ()
) -> None:
    """Write finished subprocesses and cut rounds to the case's archive.

    A part is archived once: it leaves the workflow text, and comes back only in a whole load
    (``replaced``: the parts that load put back). Of those, a part this save writes again replaces
    its row, and the others are deleted: they are in the workflow text again.
    """
    stale = [key for key in replaced if key not in parts]
    if stale:
        session.execute(delete(CaseArchive).where(CaseArchive.case_id == case.id, CaseArchive.subprocess_id.in_(stale)))
    again = [key for key in parts if key in replaced]
    existing = (
        {
            row.subprocess_id: row
            for row in session.scalars(
                select(CaseArchive).where(CaseArchive.case_id == case.id, CaseArchive.subprocess_id.in_(again))
            )
        }
        if again
        else {}
    )
    for key, text in parts.items():
        row = existing.get(key)
        if row is None:
            session.add(CaseArchive(case_id=case.id, subprocess_id=key, workflow_json=text, archived_at=now))
        elif row.workflow_json != text:
            row.workflow_json, row.archived_at = text, now


def record_event(
    session: Session,
    case: Case,
    *,
    actor: str,
    action: Action,
    now: datetime,
    element: str | None = None,
    milestone: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        CaseEvent(
            case_id=case.id,
            region=case.region,
            actor=actor,
            action=action,
            element=element,
            milestone=milestone,
            at=now,
            detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        )
    )
    # Every write of case data is a processing too; it stands or falls with the act (same transaction).
    log_processing(
        session, actor=actor, roles=(), region=case.region, case_id=case.id,
        activity="zaak_behandelen", operation=WRITE, now=now, commit=False,
    )  # fmt: skip


def _sync_worklist(
    session: Session,
    case: Case,
    tasks: list[Any],
    *,
    actor: str,
    now: datetime,
    end_reason: Callable[[str], str],
    instants: dict[UUID, datetime],
    new_case: bool = False,
) -> list[HumanTask]:
    ready = {r.id: r for r in ws.ready_user_tasks(tasks)}
    made_ready: list[HumanTask] = []
    # Rows of ready tasks that a replay brought back are revived rather than added twice (a new case has none).
    rows = (
        []
        if new_case
        else session.scalars(
            select(HumanTask).where(
                HumanTask.case_id == case.id, or_(HumanTask.state == "ready", HumanTask.id.in_(list(ready)))
            )
        ).all()
    )
    # Text ids only of the completed tasks among the rows that close, not of every task in the case.
    closing = {UUID(row.id) for row in rows if row.state == "ready" and row.id not in ready}
    done = {str(t.id) for t in tasks if t.id in closing and t.state == TaskState.COMPLETED} if closing else set()
    for row in rows:
        current = ready.pop(row.id, None)
        if current is not None:
            if row.state != "ready":
                row.state, row.completed_at, row.completed_by, row.end_reason = "ready", None, None, None
                made_ready.append(row)
            # A deadline timer that fired (non-interrupting) leaves no due date behind;
            # keep the old one so the task shows as overdue.
            if current.due_at is not None:
                row.due_at = current.due_at
            continue
        if row.state != "ready":
            continue
        completed = row.id in done
        row.state = "completed" if completed else "cancelled"
        row.completed_at = now
        row.completed_by = actor if completed else None
        row.end_reason = None if completed else end_reason(row.element)[:400]
    for task in ready.values():
        row = HumanTask(
            id=task.id,
            case_id=case.id,
            region=case.region,
            role=task.role,
            element=task.element,
            title=task.title,
            form=task.form,
            state="ready",
            due_at=task.due_at or _handling_due(task, instants.get(task.parent_id, now) if task.parent_id else now),
            acute=task.acute,
            created_at=now,
        )
        session.add(row)
        made_ready.append(row)
    return made_ready

"""Moving running cases to a newer version of their variant, only where it is safe.

Safety is SpiffWorkflow's own diff (``SpiffWorkflow.bpmn.util.diff``): the case's
workflow is aligned with the new spec and its subprocess specs, and a case is
refused when a step that already ran (completed or started) was changed or
removed, or when a subprocess it started no longer exists. One rule is added on
top: a running term (a waiting timer) whose expression changed is refused too,
because SpiffWorkflow would restart it from the moment of migration.

Migrating resets and re-predicts the open branches (``migrate_workflow``); the
due instants of unchanged running timers are put back, so no legal term moves.
Each case is its own transaction and gets a ``gemigreerd`` event; the worklist
rows follow the new model (role, title, form). A parked case (engine.workflow.parking)
migrates too: the corrected version takes it from where it stood, and it is active again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, diff_workflow, filter_tasks, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.clock import Clock, FixedClock, engine_time
from engine.base.errors import Conflict, Forbidden, InvalidInput, ThvError
from engine.base.vocabulary import OPEN_CASE_STATUSES, PARKED_STATUS, Action
from engine.design.read_models import MigrationResult
from engine.modeling.engine_steps import run_engine_steps
from engine.modeling.legal_timers import SERIALIZER_CONFIG
from engine.modeling.registry import LoadedModel, ModelRegistry
from engine.modeling.versions import ADMIN_ROLE, DESIGNER_ROLE, may_design
from engine.storage.tables import Case, HumanTask, ModelVersion, User
from engine.storage.transaction import in_transaction
from engine.workflow import state as ws
from engine.workflow.case_store import lock_case, open_workflow, save_case

log = logging.getLogger(__name__)
# The serializer's converter registry: SpecDiff compares task specs by their serialized form.
_SPEC_REGISTRY = BpmnWorkflowSerializer.configure(SERIALIZER_CONFIG)
MAX_CASES_PER_CALL = 1000
_JUST_BEFORE = timedelta(microseconds=1)
MIGRATABLE = OPEN_CASE_STATUSES  # a parked case resumes on the corrected version
MIGRATED, REFUSED, SAFE = "migrated", "refused", "safe"


def _timer_signature(task_spec: Any) -> tuple[tuple[str, Any], ...]:
    definition = getattr(task_spec, "event_definition", None)
    definitions = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
    return tuple((type(d).__name__, d.expression) for d in definitions if isinstance(d, TimerEventDefinition))


def _label(task: Any) -> str:
    spec = task.task_spec
    label: str = spec.bpmn_name or spec.bpmn_id or spec.name
    return label


def _unsafe_reasons(workflow: BpmnWorkflow, top: WorkflowDiff, subs: dict[UUID, WorkflowDiff | None]) -> list[str]:
    reasons: list[str] = []
    diffs: list[WorkflowDiff] = [top]
    for sp_id, diff in subs.items():
        if diff is None:
            reasons.append(f"deelproces '{workflow.subprocesses[sp_id].spec.name}' bestaat niet in de nieuwe versie")
        else:
            diffs.append(diff)
    for diff in diffs:
        for task in filter_tasks(diff.removed, state=TaskState.COMPLETED | TaskState.STARTED):
            reasons.append(f"stap '{_label(task)}' is al uitgevoerd en bestaat niet meer in de nieuwe versie")
        for task in filter_tasks(diff.changed, state=TaskState.COMPLETED | TaskState.STARTED):
            reasons.append(f"stap '{_label(task)}' is al uitgevoerd en is gewijzigd in de nieuwe versie")
        for task in filter_tasks(diff.changed, state=TaskState.WAITING):
            old = _timer_signature(task.task_spec)
            new_spec = diff.alignment.get(task)
            if old and new_spec is not None and old != _timer_signature(new_spec):
                reasons.append(f"termijn '{_label(task)}' loopt al en is gewijzigd in de nieuwe versie")
    return list(dict.fromkeys(reasons))  # each reason once, in order


def _plan(
    workflow: BpmnWorkflow, target: LoadedModel
) -> tuple[WorkflowDiff, dict[UUID, WorkflowDiff | None], list[str]]:
    top, subs = diff_workflow(_SPEC_REGISTRY, workflow, target.spec, target.subprocess_specs)
    return top, subs, _unsafe_reasons(workflow, top, subs)


def _waiting_timers(workflow: BpmnWorkflow) -> dict[tuple[Any, str], list[Any]]:
    """(workflow key, element) -> the tasks of waiting timers, per (sub)workflow."""
    found: dict[tuple[Any, str], list[Any]] = {}
    for key, flow in [("top", workflow), *workflow.subprocesses.items()]:
        # Unfiltered, then filtered here: get_tasks(state=...) does not descend below lower states.
        for task in flow.get_tasks(skip_subprocesses=True):
            if task.state == TaskState.WAITING and _timer_signature(task.task_spec):
                found.setdefault((key, task.task_spec.name), []).append(task)
    return found


def _apply(
    workflow: BpmnWorkflow, top: WorkflowDiff, subs: dict[UUID, WorkflowDiff | None], target: LoadedModel
) -> None:
    """Move the workflow onto the target spec; keep the due instants of the running timers.

    A timer that SpiffWorkflow re-armed gets its old due instant back, found by
    task id, else by element within its (sub)workflow; if that is ambiguous the
    case is refused rather than a term moved.
    """
    before = _waiting_timers(workflow)
    saved_by_id = {t.id: dict(t.internal_data) for tasks in before.values() for t in tasks}
    saved_by_key = {key: [dict(t.internal_data) for t in tasks] for key, tasks in before.items()}
    subprocesses = list(workflow.subprocesses.items())
    migrate_workflow(top, workflow, target.spec)
    for sp_id, subprocess in subprocesses:
        if sp_id in workflow.subprocesses:
            migrate_workflow(subs[sp_id], subprocess, target.subprocess_specs[subprocess.spec.name])
    workflow.subprocess_specs = target.subprocess_specs
    for key, tasks in _waiting_timers(workflow).items():
        for task in tasks:
            saved = saved_by_id.get(task.id)
            if saved is None and key in saved_by_key:
                if len(saved_by_key[key]) != 1 or len(tasks) != 1:
                    raise Conflict(f"de lopende termijn '{_label(task)}' kan niet eenduidig worden overgezet")
                saved = saved_by_key[key][0]
            if saved is not None and "event_value" in saved:
                task.internal_data["event_value"] = saved["event_value"]


def _resync_ready_rows(session: Session, case: Case, workflow: BpmnWorkflow) -> None:
    """Ready worklist rows take the role, title and form of the new model."""
    ready = {t.id: t for t in ws.ready_user_tasks(ws.all_tasks(workflow))}
    for row in session.scalars(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == "ready")):
        current = ready.get(row.id)
        if current is not None:
            row.role, row.title, row.form, row.element = current.role, current.title, current.form, current.element


def _target_version(session: Session, case: Case, to_version: int) -> tuple[ModelVersion, ModelVersion]:
    current = session.get(ModelVersion, case.model_version_id)
    assert current is not None  # the case row's foreign key
    target = session.scalars(
        select(ModelVersion).where(
            ModelVersion.region == case.region, ModelVersion.variant == case.variant, ModelVersion.version == to_version
        )
    ).first()
    if target is None:
        raise Conflict(f"variant '{case.variant}' heeft in regio '{case.region}' geen versie {to_version}")
    if target.version <= current.version:
        raise Conflict(f"de zaak draait op versie {current.version}; migreren kan alleen naar een nieuwere versie")
    return current, target


def _migrate_one(
    session: Session, registry: ModelRegistry, clock: Clock, case_id: int, to_version: int, user: User, dry_run: bool
) -> MigrationResult:
    from_version: int | None = None  # known once the case is read

    def work() -> None:
        nonlocal from_version
        regions = None if ADMIN_ROLE in user.roles else user.regions
        case = lock_case(session, case_id, regions=regions)
        if not may_design(user, case.region):
            raise Conflict(f"{user.name} is geen procesontwerper in regio '{case.region}'")
        if case.status not in MIGRATABLE:
            raise Conflict(f"de zaak is niet actief ({case.status})")
        current, target = _target_version(session, case, to_version)
        from_version = current.version
        _, workflow = open_workflow(session, registry, case, whole=True)
        target_model = registry.model(session, target.id)
        top, subs, reasons = _plan(workflow, target_model)
        if reasons:
            raise Conflict("; ".join(reasons))
        now = clock.now()
        # An overdue timer is the sweep's to fire, with its event; run the migration just before
        # it, or SpiffWorkflow would mark it fired without running what follows it.
        due = case.next_timer_at
        with engine_time(FixedClock(min(now, due - _JUST_BEFORE) if due is not None else now)):
            completed_before = ws.completed_ids(ws.all_tasks(workflow))
            _apply(workflow, top, subs, target_model)
            run_engine_steps(workflow)
        if dry_run:  # everything ran, in memory only: in_transaction rolls it back
            return
        case.model_version_id = target.id
        if case.status == PARKED_STATUS:  # the corrected model takes it from here
            case.status, case.error = "active", None
        save_case(
            session,
            case,
            workflow,
            actor=user.name,
            now=now,
            action=Action.MIGRATED,
            element=target.main_process,
            completed_before=completed_before,
            detail={
                "van_versie": current.version,
                "naar_versie": target.version,
                "van_model_version_id": current.id,
                "naar_model_version_id": target.id,
            },
        )
        _resync_ready_rows(session, case, workflow)

    def result(status: str, reason: str | None) -> MigrationResult:
        return {
            "case_id": case_id,
            "to_version": to_version,
            "from_version": from_version,
            "status": status,
            "reason": reason,
        }

    try:
        in_transaction(session, work, dry_run=dry_run)
    except ThvError as exc:
        return result(REFUSED, exc.message)
    except Exception as exc:
        log.exception("migratie van zaak %s mislukt", case_id)
        return result(REFUSED, f"de migratie liep vast ({type(exc).__name__}); er is niets gewijzigd")
    return result(SAFE if dry_run else MIGRATED, None)


def migrate_cases(
    session: Session,
    registry: ModelRegistry,
    clock: Clock,
    *,
    case_ids: Iterable[int],
    to_version: int,
    user: User,
    dry_run: bool = False,
) -> list[MigrationResult]:
    """Migrate each case to version ``to_version`` of its own region and variant.

    Every case is its own transaction; the result lists per case ``status``
    (``migrated``, ``refused``, or with ``dry_run`` ``safe``) and the reason of a
    refusal. Refused cases are left exactly as they were.
    """
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise InvalidInput("geef minstens één zaaknummer")
    if len(ids) > MAX_CASES_PER_CALL:
        raise InvalidInput(f"te veel zaken tegelijk (maximaal {MAX_CASES_PER_CALL})")
    if not isinstance(to_version, int) or to_version < 1:
        raise InvalidInput("de doelversie moet een positief versienummer zijn")
    if ADMIN_ROLE not in user.roles and DESIGNER_ROLE not in user.roles:
        raise Forbidden(f"{user.name} is geen procesontwerper")
    return [_migrate_one(session, registry, clock, case_id, to_version, user, dry_run) for case_id in ids]


def migration_preview(
    session: Session,
    registry: ModelRegistry,
    clock: Clock,
    *,
    region: str,
    variant: str,
    to_version: int,
    user: User,
    limit: int = 200,
) -> list[MigrationResult]:
    """Which active cases on older versions of a variant could move to ``to_version`` (nothing changes)."""
    ids = session.scalars(
        select(Case.id)
        .join(ModelVersion, ModelVersion.id == Case.model_version_id)
        .where(
            Case.region == region,
            Case.variant == variant,
            Case.status.in_(MIGRATABLE),
            ModelVersion.version < to_version,
        )
        .order_by(Case.id)
        .limit(limit)
    ).all()
    if not ids:
        return []
    return migrate_cases(session, registry, clock, case_ids=ids, to_version=to_version, user=user, dry_run=True)

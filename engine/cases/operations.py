"""Engine operations on cases. Each is one transaction: load, run, save, commit once.

On any error the session is rolled back and the case is exactly as it was.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.clock import Clock, dutch_instant, engine_time
from engine.base.errors import Conflict, Forbidden, InvalidInput, NotFound, ScriptStopped
from engine.base.vocabulary import (
    CASE_ROLE_CODES,
    PROPERTY_FORM,
    PROPERTY_INSTANT_FIELD,
    PROPERTY_SENDERS,
    PROPERTY_STARTERS,
    REGION_CODES,
    Action,
    start_data,
)
from engine.cases.persons import record_address, record_persons
from engine.cases.read_models import CaseDetails, Completion, NextTask, Started
from engine.documents.service import require_service, service_instant
from engine.modeling.engine_steps import run_engine_steps
from engine.modeling.forms import validate_form_data
from engine.modeling.registry import ModelRegistry, default_variant, live_version
from engine.modeling.serialization import SERIALIZER_VERSION, new_workflow
from engine.storage.tables import Case, CaseEvent, HumanTask, ModelVersion, User
from engine.storage.transaction import in_transaction
from engine.workflow import state as ws
from engine.workflow.acts import (
    apply_act,
    checked_instant,
    end_reasons,
    finish_act,
    instant_from,
    last_event_id,
    settle_act,
)
from engine.workflow.ban_state import BAN_VARIABLE
from engine.workflow.case_store import (
    SYSTEM_ACTOR,
    keep_saved_workflows,
    lock_case,
    lock_task,
    open_workflow,
    save_case,
)
from engine.workflow.case_title import CaseTitle
from engine.workflow.need_to_know import record_regiehouder
from engine.workflow.parking import park_case
from engine.workflow.worklist import task_row

MAX_DATA_BYTES = 256 * 1024
log = logging.getLogger(__name__)


def _check_data(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidInput("gegevens moeten een JSON-object zijn")
    try:
        size = len(json.dumps(data))
    except (TypeError, ValueError):
        raise InvalidInput("gegevens moeten JSON zijn") from None
    if size > MAX_DATA_BYTES:
        raise InvalidInput(f"gegevens zijn te groot (maximaal {MAX_DATA_BYTES // 1024} kB)")
    return data


def _starter_role(model_props: dict[str, str], user: User | None, role: str | None) -> str | None:
    """The role in which a case is started, checked against the start event's ``starters``."""
    starters = {r.strip() for r in model_props.get(PROPERTY_STARTERS, "").split(",") if r.strip()}
    if user is None:
        if role is not None and starters and role not in starters:
            raise Forbidden(f"rol '{role}' mag in dit proces geen zaak starten")
        return role
    allowed = (starters or CASE_ROLE_CODES) & user.roles
    if role is not None:
        if role not in user.roles:
            raise Forbidden(f"{user.name} heeft de rol '{role}' niet")
        if role not in allowed:
            raise Forbidden(f"rol '{role}' mag in dit proces geen zaak starten")
        return role
    if not allowed:
        raise Forbidden(
            f"{user.name} mag in dit proces geen zaak starten"
            + (f" (alleen: {', '.join(sorted(starters))})" if starters else "")
        )
    if len(allowed) > 1:
        raise InvalidInput(f"kies de rol waarin je start: {', '.join(sorted(allowed))}")
    return next(iter(allowed))


def start_case(
    session: Session,
    registry: ModelRegistry,
    clock: Clock,
    *,
    region: str,
    variant: str | None = None,
    data: dict[str, Any] | None = None,
    user: User | None = None,
    role: str | None = None,
) -> int:
    """Start a case (see start_case_answer); returns the case id."""
    started = start_case_answer(
        session, registry, clock, region=region, variant=variant, data=data, user=user, role=role
    )
    return started["id"]


def start_case_answer(
    session: Session,
    registry: ModelRegistry,
    clock: Clock,
    *,
    region: str,
    variant: str | None = None,
    data: dict[str, Any] | None = None,
    user: User | None = None,
    role: str | None = None,
) -> Started:
    """Start a case on the live version of the region's variant; returns its id and the tasks it made ready.

    The start event may name the roles that may start (``starters``) and a form
    for the request data. The starter is recorded in the case as ``verzoeker``.
    """
    data = _check_data(data)
    if region not in REGION_CODES:
        raise InvalidInput(f"regio '{region}' bestaat niet")
    if user is not None and region not in user.regions:
        raise Forbidden(f"{user.name} werkt niet in regio '{region}'")

    def work() -> Started:
        chosen = variant or default_variant(session, region)
        version = live_version(session, region, chosen) if chosen else None
        if version is None:
            raise NotFound(f"regio '{region}' heeft geen model{f' voor variant {chosen!r}' if chosen else ''}")
        model = registry.model(session, version.id)
        start_props = ws.start_event_properties(model.spec)
        starter_role = _starter_role(start_props, user, role)
        if start_props.get(PROPERTY_FORM):
            validate_form_data(model.forms[start_props[PROPERTY_FORM]], data)
        now = clock.now()
        actor = user.name if user else SYSTEM_ACTOR
        keep_saved_workflows(session, registry)
        with engine_time(clock):
            workflow = new_workflow(model)
            start = workflow.get_next_task(state=TaskState.READY)
            start.data.update(data)
            start.data.update(start_data(starter_role, actor))
            run_engine_steps(workflow)
        case = Case(
            region=region,
            variant=version.variant,
            model_version_id=version.id,
            status="active",
            serializer_version=SERIALIZER_VERSION,
            started_at=now,
            started_by=actor,
            updated_at=now,
            acted_at=now,
        )
        made_ready = save_case(
            session,
            case,
            workflow,
            actor=actor,
            now=now,
            action=Action.CASE_STARTED,
            element=model.main_process,
            completed_before=set(),
            detail={
                "model_version": version.version,
                "rol": starter_role,
                **({"route": data["route"][:40]} if isinstance(data.get("route"), str) else {}),
            },
        )
        record_persons(session, case, data, now)
        record_address(case, data)
        record_regiehouder(case, data)
        return {"id": case.id, "case_status": case.status, "next_tasks": _next_tasks(made_ready)}

    return in_transaction(session, work)


def complete_task(
    session: Session,
    registry: ModelRegistry,
    clock: Clock,
    *,
    task_id: str,
    data: dict[str, Any] | None,
    user: User,
    expected_version: int | None = None,
    respect_claims: bool = False,
) -> Completion:
    """Complete a ready user task as ``user`` with form data, at the instant the act happened.

    Returns what it led to: the case's status and the tasks it made ready, so the person who
    acted can be told what happens next and who holds it.

    The instant is the service of the documents a ``requiresService`` step waits for, the
    form field named by the step's ``instantField``, or now (see engine.workflow.acts). With
    ``respect_claims`` a task claimed by someone else is refused (conflict) until it is
    released (see engine.workflow.worklist); the web and the API pass it.
    """
    data = _check_data(data)
    located: list[tuple[int, int]] = []  # the case and its version as loaded, to park it
    outcome: list[Completion] = []

    def work() -> None:
        row, case = lock_task(session, task_id, regions=user.regions)
        located[:] = [(case.id, case.lock_version)]
        if row.role not in user.roles:
            raise Forbidden(f"deze taak is voor de rol '{row.role}'; {user.name} heeft die rol niet")
        if row.state == "completed":
            raise Conflict(f"taak '{row.title}' is al afgerond")
        if row.state == "cancelled" and case.replay_json is None:
            raise Conflict(f"taak '{row.title}' is vervallen" + (f" ({row.end_reason})" if row.end_reason else ""))
        if respect_claims and row.claimed_by not in (None, user.name):
            raise Conflict(f"taak '{row.title}' is in behandeling bij {row.claimed_by}; laat die haar eerst vrijgeven")
        if expected_version is not None and expected_version != case.lock_version:
            raise Conflict("de zaak is intussen gewijzigd; laad haar opnieuw")
        model = registry.model(session, case.model_version_id)
        if row.form:
            validate_form_data(model.forms[row.form], data)
        spec = ws.user_task_spec(model, row.element)
        now = clock.now()
        instant = checked_instant(
            case,
            instant_from(data, ws.properties(spec).get(PROPERTY_INSTANT_FIELD) if spec else None, row.title)
            or (service_instant(session, case, spec) if spec else None),
            now,
        )
        uuid = UUID(task_id)

        def fits(workflow: BpmnWorkflow) -> str | None:
            task = ws.find_task(workflow, uuid)
            if task is None or task.state != TaskState.READY or not task.task_spec.manual:
                return f"taak '{row.title}' staat niet klaar" + (f" ({row.end_reason})" if row.end_reason else "")
            return None

        def act(workflow: BpmnWorkflow) -> None:
            task = ws.find_task(workflow, uuid)
            assert task is not None  # apply_act runs the act only where fits() found the task ready
            require_service(session, case, task, row.title)
            task.set_data(**data)
            task.run()

        result = apply_act(
            session,
            registry,
            case,
            instant=instant,
            now=now,
            fits=fits,
            act=act,
            what=f"'{row.title}'",
            task_spec_name=spec.name if spec else None,
        )
        # Only a replay revokes events, by id up to this point (see finish_act); nothing is recorded before here.
        events_before = last_event_id(session, case) if result.replayed else 0
        replay_event_id = settle_act(case, instant)
        made_ready = save_case(
            session,
            case,
            result.run.workflow,
            actor=user.name,
            now=now,
            action=Action.TASK_COMPLETED,
            element=row.element,
            completed_before=result.completed_before,
            completed_at=result.run.completed_at,
            end_reasons=end_reasons(result.run),
            detail={"tijdstip": instant.isoformat()} if instant != now else None,
        )
        if row.state != "completed":  # a replay brought the task back from 'cancelled'
            row.state, row.completed_at, row.completed_by, row.end_reason = "completed", now, user.name, None
        record_persons(session, case, data, now)
        record_address(case, data)
        record_regiehouder(case, data)
        finish_act(
            session,
            case,
            result.run.workflow,
            instant=instant,
            now=now,
            actor=user.name,
            replayed=result.replayed,
            replay_event_id=replay_event_id,
            events_before=events_before,
        )
        outcome[:] = [_completion(case, made_ready)]

    _act_or_park(session, clock, work, located)
    return outcome[0]


def _completion(case: Case, made_ready: list[HumanTask]) -> Completion:
    return {"status": "afgerond", "case_id": case.id, "case_status": case.status, "next_tasks": _next_tasks(made_ready)}


def _next_tasks(made_ready: list[HumanTask]) -> list[NextTask]:
    """The tasks an act made ready, soonest due first: what happens next, for whom, by when."""
    soonest = sorted(made_ready, key=lambda r: (r.due_at is None, r.due_at or r.created_at, r.title))
    return [
        {
            "id": r.id,
            "title": r.title,
            "role": r.role,
            "due_at": r.due_at.isoformat() if r.due_at else None,
            "acute": r.acute,
        }
        for r in soonest
        if r.state == "ready"
    ]


def _act_or_park(session: Session, clock: Clock, work: Callable[[], None], located: list[tuple[int, int]]) -> None:
    """Run an act; when model code went over its budget, park the case (engine.workflow.parking).

    Every later attempt would hit the same script, so the case waits for a fixed model.
    """
    try:
        in_transaction(session, work)
    except ScriptStopped as exc:
        log.warning(
            "model code stopped at its budget (element %s, case %s)", exc.element, located[0][0] if located else None
        )
        if located and park_case(session, *located[0], exc.message, clock.now(), exc.element, budget=True):
            raise ScriptStopped(
                f"{exc.message}; de zaak is geparkeerd tot een procesontwerper het model herstelt", exc.element
            ) from None
        raise


def send_message(
    session: Session,
    registry: ModelRegistry,
    clock: Clock,
    *,
    case_id: int,
    message: str,
    data: dict[str, Any] | None,
    user: User,
) -> None:
    """Deliver an external event (a BPMN message) to a case, at the instant it happened.

    The instant is the form field named by the catch event's ``instantField`` (the day an
    appeal was lodged), or now; the case is judged as it stood then (see engine.workflow.acts).
    """
    data = _check_data(data)

    located: list[tuple[int, int]] = []

    def work() -> None:
        case = lock_case(session, case_id, regions=user.regions)
        located[:] = [(case.id, case.lock_version)]
        if case.status != "active" and case.replay_json is None:
            raise Conflict(f"zaak {case_id} is niet meer actief ({case.status})")
        model = registry.model(session, case.model_version_id)
        now = clock.now()
        field = ws.message_instant_field(model.all_specs(), message)
        instant = checked_instant(case, instant_from(data, field, f"'{message}'"), now)

        def fits(workflow: BpmnWorkflow) -> str | None:
            if ws.message_catch_specs(workflow, message):
                return None
            waiting = ", ".join(ws.waiting_messages(workflow)) or "geen enkel bericht"
            when = "wacht nu" if instant == now else f"wachtte op {dutch_instant(instant)}"
            return f"zaak {case_id} {when} niet op '{message}' (wel op: {waiting})"

        def act(workflow: BpmnWorkflow) -> None:
            catchers = ws.message_catch_specs(workflow, message)
            allowed = {
                r.strip() for t in catchers for r in ws.properties(t).get(PROPERTY_SENDERS, "").split(",") if r.strip()
            }
            if allowed and not allowed & user.roles:
                raise Forbidden(f"'{message}' mag alleen gemeld worden door: {', '.join(sorted(allowed))}")
            for form in {f for t in catchers if (f := ws.properties(t).get(PROPERTY_FORM)) is not None}:
                validate_form_data(model.forms[form], data)
            workflow.send_event(BpmnEvent(MessageEventDefinition(message), payload=data))

        result = apply_act(
            session,
            registry,
            case,
            instant=instant,
            now=now,
            fits=fits,
            act=act,
            what=f"het bericht '{message}'",
            message=message,
        )
        # Only a replay revokes events, by id up to this point (see finish_act); nothing is recorded before here.
        events_before = last_event_id(session, case) if result.replayed else 0
        replay_event_id = settle_act(case, instant)
        save_case(
            session,
            case,
            result.run.workflow,
            actor=user.name,
            now=now,
            action=Action.MESSAGE,
            element=message,
            completed_before=result.completed_before,
            completed_at=result.run.completed_at,
            end_reasons=end_reasons(result.run),
            detail={"bericht": message, **({"tijdstip": instant.isoformat()} if instant != now else {})},
        )
        finish_act(
            session,
            case,
            result.run.workflow,
            instant=instant,
            now=now,
            actor=user.name,
            replayed=result.replayed,
            replay_event_id=replay_event_id,
            events_before=events_before,
        )
        record_persons(session, case, data, now)
        record_address(case, data)
        record_regiehouder(case, data)

    _act_or_park(session, clock, work, located)


def case_details(
    session: Session, registry: ModelRegistry, case_id: int, *, regions: frozenset[str] | None = None
) -> CaseDetails:
    """Where a case stands: the shape of ``thv case --json``."""
    case = session.get(Case, case_id)
    if case is None or (regions is not None and case.region not in regions):
        raise NotFound(f"zaak {case_id} bestaat niet")
    model, workflow = open_workflow(session, registry, case, whole=True)
    return details_of(session, case, workflow)


def details_of(session: Session, case: Case, workflow: BpmnWorkflow) -> CaseDetails:
    """The ``thv case --json`` shape of a case whose workflow is already loaded."""
    version = session.get(ModelVersion, case.model_version_id)
    assert version is not None  # the case row's foreign key
    milestones = session.execute(
        select(CaseEvent.milestone, CaseEvent.at, CaseEvent.detail)
        .where(CaseEvent.case_id == case.id, CaseEvent.milestone.is_not(None), CaseEvent.revoked_by.is_(None))
        .order_by(CaseEvent.id)
    ).all()
    variables = ws.variables(workflow, ws.all_tasks(workflow))
    # Parallel branches keep older copies of the ban; the task that reached the latest milestone knew it.
    snapshots = [json.loads(d)[BAN_VARIABLE] for _, _, d in milestones if d and BAN_VARIABLE in json.loads(d)]
    if snapshots:
        variables[BAN_VARIABLE] = snapshots[-1]
    open_tasks = session.scalars(
        select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.state == "ready").order_by(HumanTask.created_at)
    ).all()
    return {
        "id": case.id,
        "region": case.region,
        "variant": case.variant,
        "model_version": version.version,
        "status": case.status,
        "lock_version": case.lock_version,
        # In the order they happened: a late-recorded act can reach a milestone before earlier-recorded ones.
        "milestones": [
            {"name": m, "at": at.isoformat()}
            for m, at, _ in sorted(milestones, key=lambda r: r[1])
            if m is not None  # the query has only milestone events; this tells mypy
        ],
        "open_tasks": [task_row(t, case.adres, CaseTitle.of_variables(variables).name) for t in open_tasks],
        "waiting_for": ws.waiting_messages(workflow) if case.status == "active" else [],
        "next_timer_at": case.next_timer_at.isoformat() if case.next_timer_at else None,
        "variables": json.loads(json.dumps(variables, default=str)),
    }

"""Worklist queries on the indexed task table; they never deserialise a case."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput
from engine.models import HumanTask, User
from engine.vocabulary import REGION_CODES, ROLE_CODES

TASK_STATES = ("ready", "completed", "cancelled")


def task_dict(task: HumanTask) -> dict[str, Any]:
    return {
        "id": task.id, "case_id": task.case_id, "region": task.region, "element": task.element,
        "title": task.title, "role": task.role, "form": task.form, "state": task.state,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "created_at": task.created_at.isoformat(),
        "claimed_by": task.claimed_by, "completed_by": task.completed_by,
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
    }


def list_tasks(session: Session, *, case_id: int | None = None, role: str | None = None,
               region: str | None = None, state: str = "ready", user: User | None = None,
               limit: int = 500) -> list[dict[str, Any]]:
    """Tasks by due date (no deadline last); a user sees only their roles and regions."""
    if role is not None and role not in ROLE_CODES:
        raise InvalidInput(f"rol '{role}' bestaat niet")
    if region is not None and region not in REGION_CODES:
        raise InvalidInput(f"regio '{region}' bestaat niet")
    if state not in TASK_STATES:
        raise InvalidInput(f"status '{state}' bestaat niet; kies uit {', '.join(TASK_STATES)}")
    query = select(HumanTask).where(HumanTask.state == state)
    if case_id is not None:
        query = query.where(HumanTask.case_id == case_id)
    if role is not None:
        query = query.where(HumanTask.role == role)
    if region is not None:
        query = query.where(HumanTask.region == region)
    if user is not None:
        query = query.where(HumanTask.role.in_(sorted(user.roles)), HumanTask.region.in_(sorted(user.regions)))
    query = query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at).limit(limit)
    return [task_dict(t) for t in session.scalars(query)]

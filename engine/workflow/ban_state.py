"""The ban's state in columns of the case row: its status and end, for finding cases by when a ban ends.

The authoritative state of the ban is the snapshot taken at the latest milestone that still counts
(engine.workflow.case_store records it; parallel branches of the workflow keep older copies). Saving a
case copies each new snapshot into the columns; a late-recorded act that revokes milestones (acts.py)
reads them again from the events that still count.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.clock import parse_instant
from engine.storage.tables import Case, CaseEvent

BAN_VARIABLE = "huisverbod"
MAX_STATUS = 40


def record_ban(case: Case, snapshot: dict[str, Any] | None) -> None:
    """Copy the ban's status and end from a milestone's snapshot into the case row (none: no ban)."""
    status = snapshot.get("status") if snapshot else None
    end = snapshot.get("einde") if snapshot else None
    case.huisverbod_status = status[:MAX_STATUS] if isinstance(status, str) else None
    try:
        case.huisverbod_einde = parse_instant(end) if isinstance(end, str) else None
    except ValueError:  # a model wrote something that is no instant: the case is then not found by its end
        case.huisverbod_einde = None


def refresh_ban(session: Session, case: Case) -> None:
    """Read the ban again from the milestones that still count (after some were revoked)."""
    details = session.scalars(
        select(CaseEvent.detail)
        .where(CaseEvent.case_id == case.id, CaseEvent.milestone.is_not(None), CaseEvent.revoked_by.is_(None))
        .order_by(CaseEvent.id.desc())
    )
    for detail in details:
        snapshot = json.loads(detail).get(BAN_VARIABLE) if detail else None
        if isinstance(snapshot, dict):
            record_ban(case, snapshot)
            return
    record_ban(case, None)

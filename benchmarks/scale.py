"""Worklist queries and the timer sweep at 1,000 and at 100,000 stored cases.

Why bulk rows are legitimate: the queries under test touch only indexed columns
(human_task state/region/role/due_at, thv_case status/next_timer_at), so filler
rows need realistic values there and a realistic size (each carries a real stored
workflow), not a real history. The cases the sweep fires are real engine cases, in
groups of five that fall due one hour apart, so each sweep sample fires exactly
five fresh cases.

The open workload of regions basis..pilot3 is held constant while history grows,
which isolates "cost per stored case". Region pilot4 instead gets one open task
per ten stored cases, to show how a first page behaves when the open worklist
itself grows (informational).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.orm import Session

from benchmarks.common import (
    START,
    Progress,
    add_users,
    build_runtime,
    deploy_sample,
    drive_case,
    time_call,
)
from engine.runtime import Runtime
from engine.storage.tables import Case, HumanTask, User
from engine.workflow import worklist
from engine.workflow.timers import fire_due_timers

FIXED_REGIONS = ("basis", "pilot1", "pilot2", "pilot3")
GROWING_REGION = "pilot4"
ALL_REGIONS = (*FIXED_REGIONS, GROWING_REGION)
ROLES = ("politie", "burgemeester", "hulpofficier", "veilig_thuis")
FIXED_READY_PER_COMBO = 10  # open tasks per (region, role) in the constant-workload regions
GROWING_EVERY = 10  # one open pilot4 task per this many stored cases
DUE_PER_SWEEP = 5
FILLER_TIMERS_FROM = START + timedelta(days=12)  # after every real group is due
CHUNK = 5_000
USER_SPECS = {
    "pol": (["politie"], ["basis"]),
    "bm": (["burgemeester"], ["basis"]),
    "hovj": (["hulpofficier"], ["basis"]),
    "werker": (["politie", "hulpofficier"], ["basis"]),
}


@dataclass
class ScalePoint:
    """Samples (seconds) of every query at one number of stored cases."""

    cases: int
    task_rows: int
    db_mb: float
    growing_open: int = 0  # ready pilot4 tasks for the role the growing query asks for
    samples: dict[str, list[float]] = field(default_factory=dict)
    rows_returned: dict[str, int] = field(default_factory=dict)


QUERIES: dict[str, tuple[str, bool]] = {
    # key: (label, is a target)
    "worklist_user": ("worklist: one user's roles + region", True),
    "worklist_filter": ("worklist: filter role + region", True),
    "sweep_due": (f"timer sweep, {DUE_PER_SWEEP} cases due", True),
    "sweep_idle": ("timer sweep, nothing due", False),
    "worklist_growing": ("worklist page of 20, open tasks grow 1:10 (pilot4)", False),
}


class ScaleDb:
    """One on-disk SQLite database: real due cases plus filler up to a given number of stored cases."""

    def __init__(self, db_path: Path, progress: Progress) -> None:
        self.db_path = db_path
        self.url = f"sqlite:///{db_path}"
        self.progress = progress
        self.rt: Runtime = build_runtime(self.url)
        deploy_sample(self.rt)
        self.users: dict[str, User] = add_users(self.rt, USER_SPECS)
        self.group_due: list[datetime] = []
        self.template: dict[str, Any] = {}
        self.filled = 0  # filler cases so far; numbers them across calls, keeping task ids unique

    def create_due_groups(self, groups: int) -> None:
        """Real engine cases, five per group, waiting on a timer; group g falls due g hours after group 0."""
        rt = self.rt
        with rt.sessions() as session:
            for g in range(groups):
                rt.clock.set(START + timedelta(hours=g))
                ids = [drive_case(rt, session, self.users, steps_done=3)[0] for _ in range(DUE_PER_SWEEP)]
                dues = session.scalars(select(Case.next_timer_at).where(Case.id.in_(ids))).all()
                assert None not in dues and len(set(dues)) == 1, dues
                self.group_due.append(dues[0])
            assert self.group_due == sorted(self.group_due) and self.group_due[-1] < FILLER_TIMERS_FROM
            template = session.get(Case, ids[0])
            self.template = {
                "model_version_id": template.model_version_id,
                "variant": template.variant,
                # Core inserts name columns, not attributes: the text goes to its compressed column.
                Case.__mapper__.columns["workflow_json"].key: template.workflow_json,
                "serializer_version": template.serializer_version,
            }

    def counts(self) -> tuple[int, int]:
        with self.rt.sessions() as session:
            return (
                session.scalar(select(func.count()).select_from(Case)),
                session.scalar(select(func.count()).select_from(HumanTask)),
            )

    def open_tasks(self, region: str, role: str) -> int:
        with self.rt.sessions() as session:
            return session.scalar(
                select(func.count())
                .select_from(HumanTask)
                .where(HumanTask.state == "ready", HumanTask.region == region, HumanTask.role == role)
            )

    def grow_to(self, total: int) -> None:
        """Bulk-insert filler cases and their task rows (SQLAlchemy Core) until ``total`` cases are stored."""
        missing = total - self.counts()[0]
        bulk_engine = create_engine(self.url)  # own connection: its PRAGMA must not leak into the pool
        with bulk_engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")  # loading speed only; measured paths use the runtime
            first_id = (conn.scalar(select(func.max(Case.id))) or 0) + 1
            for start in range(self.filled, self.filled + missing, CHUNK):
                numbers = range(start, min(start + CHUNK, self.filled + missing))
                case_rows, task_rows = self._filler(first_id - self.filled, numbers)
                conn.execute(insert(Case), case_rows)
                conn.execute(insert(HumanTask), task_rows)
            conn.commit()
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        bulk_engine.dispose()
        self.filled += missing
        cases, tasks = self.counts()
        self.progress(
            f"{self.db_path.name}: {len(self.group_due) * DUE_PER_SWEEP} real cases + "
            f"{missing:,} bulk-inserted = {cases:,} stored cases, {tasks:,} task rows"
        )

    def _filler(self, first_id: int, numbers: range) -> tuple[list[dict], list[dict]]:
        cases, tasks = [], []
        for n in numbers:
            case_id = first_id + n
            region = ALL_REGIONS[n % len(ALL_REGIONS)]
            started = START - timedelta(days=400) + timedelta(minutes=5 * n % 500_000)
            kind = n % 20  # 4 in 20 closed, 1 in 20 active without timer, the rest waiting on a future timer
            closed = kind < 4
            timer = None if kind <= 4 else FILLER_TIMERS_FROM + timedelta(hours=n % 2000, minutes=n % 60)
            cases.append(
                {
                    "id": case_id,
                    "region": region,
                    "status": "completed" if closed else "active",
                    "lock_version": 4,
                    "next_timer_at": timer,
                    "started_at": started,
                    "started_by": "bulk",
                    "updated_at": started,
                    "ended_at": started if closed else None,
                    "error": None,
                    **self.template,
                }
            )
            for k, (role, element) in enumerate(
                (("politie", "Task_verzoek"), ("burgemeester", "Task_besluit"), ("hulpofficier", "Task_check"))
            ):
                tasks.append(
                    _task_row(
                        f"{n:08x}-0000-4000-8000-{k:012x}",
                        case_id,
                        region,
                        role,
                        element,
                        "completed" if k < 2 or n % 7 else "cancelled",
                        started,
                        k,
                    )
                )
            if n % GROWING_EVERY == ALL_REGIONS.index(GROWING_REGION):  # implies region == pilot4
                tasks.append(
                    _task_row(
                        f"{n:08x}-0000-4000-9000-000000000000",
                        case_id,
                        region,
                        ROLES[(n // GROWING_EVERY) % len(ROLES)],
                        "Task_open",
                        "ready",
                        started,
                        n,
                    )
                )
            if n < FIXED_READY_PER_COMBO * len(ROLES) * len(ALL_REGIONS) and region in FIXED_REGIONS:
                role = ROLES[(n // len(ALL_REGIONS)) % len(ROLES)]
                tasks.append(
                    _task_row(
                        f"{n:08x}-0000-4000-a000-000000000000", case_id, region, role, "Task_open", "ready", started, n
                    )
                )
        return cases, tasks


Query = Callable[[ScaleDb, Session], Any]


def _sample(db: ScaleDb, query: Query) -> tuple[float, Any]:
    """One timed query in a fresh session, as a web request would run it."""
    with db.rt.sessions() as session:
        result = []
        elapsed = time_call(lambda: result.append(query(db, session)))
    return elapsed, result[0]


def _interleaved(
    key: str, dbs: list[ScaleDb], points: list[ScalePoint], query: Query, samples: int, warm_up: bool = True
) -> None:
    """Alternate the databases sample by sample, so machine noise hits both sizes alike."""
    for db in dbs if warm_up else ():
        _sample(db, query)  # statement cache, OS page cache
    for i in range(samples):
        order = list(range(len(dbs)))
        order = order[i % len(order) :] + order[: i % len(order)]
        for j in order:
            elapsed, result = _sample(dbs[j], query)
            points[j].samples.setdefault(key, []).append(elapsed)
            points[j].rows_returned[key] = len(result) if isinstance(result, list) else result


def _sweep(db: ScaleDb, session: Session) -> int:
    return fire_due_timers(session, db.rt.registry, db.rt.clock)


WORKLIST_QUERIES: dict[str, Query] = {
    "worklist_user": lambda db, s: worklist.list_tasks(s, user=db.users["werker"]),
    "worklist_filter": lambda db, s: worklist.list_tasks(s, role="burgemeester", region="basis"),
    "worklist_growing": lambda db, s: worklist.list_tasks(s, role="politie", region=GROWING_REGION, limit=20),
}


def _task_row(
    task_id: str, case_id: int, region: str, role: str, element: str, state: str, started: datetime, n: int
) -> dict[str, Any]:
    due = None if n % 3 == 0 else started + timedelta(hours=24 + n % 97)
    done = state != "ready"
    return {
        "id": task_id,
        "case_id": case_id,
        "region": region,
        "role": role,
        "element": element,
        "title": element,
        "form": None,
        "state": state,
        "due_at": due,
        "created_at": started + timedelta(seconds=n % 3600),
        "claimed_by": None,
        "completed_by": "bulk" if state == "completed" else None,
        "completed_at": started + timedelta(hours=1) if done else None,
    }


def run_scale(
    folder: Path, scales: tuple[int, ...], sweep_reps: int, samples: int, progress: Progress
) -> list[ScalePoint]:
    """One database per size, measured interleaved: each query alternates between the sizes."""
    dbs = []
    for total in scales:
        db = ScaleDb(folder / f"scale_{total}.sqlite", progress)
        db.create_due_groups(sweep_reps)
        db.grow_to(total)
        dbs.append(db)
    points = [
        ScalePoint(*db.counts(), os.path.getsize(db.db_path) / 1e6, db.open_tasks(GROWING_REGION, "politie"))
        for db in dbs
    ]
    for key, query in WORKLIST_QUERIES.items():
        _interleaved(key, dbs, points, query, samples)
    progress(f"worklist queries measured, {samples} samples per query and size")
    for g in range(sweep_reps):
        for db in dbs:
            db.rt.clock.set(db.group_due[g] - timedelta(minutes=1))
        _interleaved("sweep_idle", dbs, points, _sweep, 3)
        for db in dbs:
            db.rt.clock.set(db.group_due[g])
        _interleaved("sweep_due", dbs, points, _sweep, 1, warm_up=False)  # a warm-up would fire the group
        for point in points:
            assert point.rows_returned["sweep_due"] == DUE_PER_SWEEP, (point.cases, g, point.rows_returned)
    progress(f"timer sweeps measured, {sweep_reps} groups of {DUE_PER_SWEEP} due cases per size")
    expected = {
        "worklist_user": 2 * FIXED_READY_PER_COMBO,
        "worklist_filter": FIXED_READY_PER_COMBO,
        "worklist_growing": 20,
        "sweep_idle": 0,
    }
    for point in points:
        for key, rows in expected.items():
            assert point.rows_returned[key] == rows, (point.cases, key, point.rows_returned[key], rows)
    for db in dbs:
        db.rt.engine.dispose()
    return points

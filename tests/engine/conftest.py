"""Fixtures of the engine tests: databases that several connections can share
(a SQLite file, the test PostgreSQL database), fresh empty databases for
migrations, a recorder of the workflows the engine saves, and case helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, text

from engine.accounts.users import add_user, set_active, set_notifications
from engine.cases import operations as cases
from engine.storage.db import make_engine
from engine.storage.tables import Base
from engine.workflow import acts, case_store, worklist
from tests.conftest import PASSWORD

SAMPLE_STEPS = (("pol", {"naam": "A", "ernst": 4}), ("bm", {"besluit": "opleggen"}), ("hovj", {"akkoord": True}))


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite_file", "postgres"])
def shared_db_url(request, tmp_path) -> Iterator[str]:
    """A database that separate connections (threads) really share.

    The in-memory SQLite of ``db_url`` is one connection for everybody, so it
    cannot show races; a SQLite file (WAL) and PostgreSQL can. Test modules use
    it by overriding ``db_url`` with it, so ``rt``, ``deployed`` and ``people``
    follow.
    """
    if request.param == "sqlite_file":
        yield f"sqlite:///{tmp_path / 'thv.sqlite'}"
        return
    url = request.getfixturevalue("postgres_server").url("thv_test")
    yield url
    _truncate_all(url)


@pytest.fixture
def fresh_postgres_url(postgres_server) -> Iterator[str]:
    """A brand-new, empty PostgreSQL database, dropped afterwards."""
    name = f"thv_fresh_{uuid4().hex[:12]}"
    admin = create_engine(postgres_server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_server.url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class SaveRecorder:
    """The live workflow object of every save, in order: (case id, workflow)."""

    saves: list[tuple[int, Any]] = field(default_factory=list)

    def last(self, case_id: int):
        return next(wf for cid, wf in reversed(self.saves) if cid == case_id)


@pytest.fixture
def saves(monkeypatch) -> SaveRecorder:
    """Record the workflow each engine operation hands to save_case.

    cases.py and acts.py (the timers) import save_case by name, so both names are wrapped.
    """
    recorder = SaveRecorder()
    real = case_store.save_case

    def recording_save_case(session, case, workflow, **kwargs):
        made_ready = real(session, case, workflow, **kwargs)
        recorder.saves.append((case.id, workflow))
        return made_ready

    monkeypatch.setattr(cases, "save_case", recording_save_case)
    monkeypatch.setattr(acts, "save_case", recording_save_case)
    return recorder


def only_task(session, case_id: int) -> dict[str, Any]:
    tasks = worklist.list_tasks(session, case_id=case_id)
    assert len(tasks) == 1, tasks
    return tasks[0]


def run_sample_until_waiting(session, rt, people, *, after_step: Callable[[int], None] | None = None) -> int:
    """Start a sample case and take it to the event-based gateway (waiting for message or expiry)."""
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    if after_step:
        after_step(case_id)
    for user, data in SAMPLE_STEPS:
        task = only_task(session, case_id)
        cases.complete_task(session, rt.registry, rt.clock, task_id=task["id"], data=data, user=people[user])
        if after_step:
            after_step(case_id)
    return case_id


@pytest.fixture
def staff(session, clock, people) -> dict:
    """People with e-mail addresses: who should and who should not hear of a politie task in basis."""
    specs = {
        "pol2": (["politie"], ["basis"], "all"),
        "pol_pilot": (["politie"], ["pilot1"], "all"),  # another region
        "vt_mail": (["veilig_thuis"], ["basis"], "all"),  # another role
        "pol_geen": (["politie"], ["basis"], "none"),  # opted out
        "pol_overzicht": (["politie"], ["basis"], "digest"),  # the digest only
        "pol_uit": (["politie"], ["basis"], "all"),  # switched off below
        "bm_pilot": (["burgemeester"], ["pilot1"], "all"),
    }
    for name, (roles, regions, choice) in specs.items():
        add_user(session, name, roles, regions, password=PASSWORD, now=clock.now())
        set_notifications(session, name, f"{name}@org.example", choice)
    set_active(session, "pol_uit", False)
    add_user(session, "pol_zonder", ["politie"], ["basis"], password=PASSWORD, now=clock.now())  # no address
    for name in ("pol", "bm"):
        set_notifications(session, name, f"{name}@org.example", "all")
    return specs


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_engine(request, tmp_path) -> Iterator:
    """An engine on an empty database: a new SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    engine = make_engine(url)
    yield engine
    engine.dispose()

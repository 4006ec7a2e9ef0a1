"""One transaction path: every engine write commits through ``engine.storage.transaction``.

So every write reports a busy database the same way: a locked SQLite database is a
domain Conflict (the web and the API answer 409, tests/web/test_locked_database.py),
never a crash. The lock is real: a second sqlite3 connection holds the write lock
while the engine, with a short busy timeout, tries to write.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.accounts import api_tokens, users
from engine.base.errors import Conflict
from engine.cases import operations as cases
from engine.modeling import versions
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import deploy_bundle
from engine.storage.tables import ApiToken, CaseEvent, HumanTask, ModelVersion, User
from engine.workflow import worklist
from tests.conftest import BUNDLES, PASSWORD, PROJECT_ROOT, short_busy_timeout, sqlite_write_lock
from tests.engine.conftest import only_task

TRANSACTION_HELPER = Path("engine") / "storage" / "transaction.py"
SCANNED = ("engine", "web", "cli")


@pytest.fixture
def db_url(tmp_path) -> str:
    # A SQLite file, so that a second connection can lock it (in-memory SQLite is one connection).
    return f"sqlite:///{tmp_path / 'thv.sqlite'}"


@pytest.fixture
def db_file(db_url) -> Path:
    return Path(db_url.removeprefix("sqlite:///"))


@pytest.fixture
def ready_task(session, rt, deployed, people) -> dict[str, Any]:
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    task = only_task(session, case_id)
    short_busy_timeout(rt.engine)
    return task


def _claim_events(session, case_id: int) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "taak_geclaimd")
    return list(session.scalars(query))


def test_a_claim_on_a_locked_database_is_a_conflict_and_stores_nothing(session, rt, db_file, ready_task, people):
    with sqlite_write_lock(db_file), pytest.raises(Conflict, match="in gebruik"):
        worklist.claim_task(session, ready_task["id"], user=people["pol"], now=rt.clock.now())

    session.expire_all()
    assert session.get(HumanTask, ready_task["id"]).claimed_by is None
    assert _claim_events(session, ready_task["case_id"]) == []
    # The lock is gone: the same claim goes through, on the same session.
    claimed = worklist.claim_task(session, ready_task["id"], user=people["pol"], now=rt.clock.now())
    assert claimed["claimed_by"] == "pol"
    assert len(_claim_events(session, ready_task["case_id"])) == 1


def _changed_sample() -> dict[str, bytes]:
    files = collect_bundle(BUNDLES / "sample")
    return {**files, "sample.bpmn": files["sample.bpmn"] + b"\n<!-- tweede versie -->\n"}


# Each: (prepare before the lock, returning the write; what must be unchanged afterwards).
def _release(session, rt, people, task) -> Callable[[], Any]:
    worklist.claim_task(session, task["id"], user=people["pol"], now=rt.clock.now())
    return lambda: worklist.release_task(session, task["id"], user=people["pol"], now=rt.clock.now())


def _add_user(session, rt, people, task) -> Callable[[], Any]:
    return lambda: users.add_user(session, "nieuw", ["om"], ["basis"], password=PASSWORD, now=rt.clock.now())


def _create_token(session, rt, people, task) -> Callable[[], Any]:
    return lambda: api_tokens.create_token(session, people["pol"], name="t", now=rt.clock.now())


def _revoke_token(session, rt, people, task) -> Callable[[], Any]:
    made, _ = api_tokens.create_token(session, people["pol"], name="t", now=rt.clock.now())
    return lambda: api_tokens.revoke_token(session, people["pol"], made["id"], rt.clock.now())


def _first_token_use(session, rt, people, task) -> Callable[[], Any]:
    _, secret = api_tokens.create_token(session, people["pol"], name="t", now=rt.clock.now())
    return lambda: api_tokens.authenticate_token(session, secret, rt.clock.now())  # records last_used_at


def _deploy(session, rt, people, task) -> Callable[[], Any]:
    return lambda: deploy_bundle(
        session, rt.registry, _changed_sample(), region="basis", variant="sample", actor="t", now=rt.clock.now()
    )


def _roll_back_version(session, rt, people, task) -> Callable[[], Any]:
    deploy_bundle(
        session, rt.registry, _changed_sample(), region="basis", variant="sample", actor="t", now=rt.clock.now()
    )
    designer, _ = users.add_user(session, "ontwerper", ["designer"], ["basis"], password=PASSWORD, now=rt.clock.now())
    return lambda: versions.rollback_live_version(
        session, user=designer, region="basis", variant="sample", version=1, now=rt.clock.now()
    )


def _complete(session, rt, people, task) -> Callable[[], Any]:
    return lambda: cases.complete_task(
        session, rt.registry, rt.clock, task_id=task["id"], data={"naam": "A", "ernst": 4}, user=people["pol"]
    )


WRITES = {
    f.__name__.lstrip("_"): f
    for f in (_release, _add_user, _create_token, _revoke_token, _first_token_use, _deploy, _roll_back_version)
}
WRITES["complete"] = _complete


def _stored(session) -> dict[str, Any]:
    """What the writes above could change."""
    session.expire_all()
    return {
        "users": session.scalar(select(func.count()).select_from(User)),
        "tokens": [(t.id, t.revoked_at, t.last_used_at) for t in session.scalars(select(ApiToken))],
        "versions": session.scalar(select(func.count()).select_from(ModelVersion)),
        "live": versions.live_version_of(session, "basis", "sample").version,
        "claims": [(t.id, t.claimed_by, t.state) for t in session.scalars(select(HumanTask))],
        "events": session.scalar(select(func.count()).select_from(CaseEvent)),
    }


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_engine_write_on_a_locked_database_is_a_conflict(session, rt, db_file, ready_task, people, write):
    run = WRITES[write](session, rt, people, ready_task)
    before = _stored(session)
    session.commit()  # end the read of _stored; the write starts its own transaction
    with sqlite_write_lock(db_file), pytest.raises(Conflict, match="in gebruik"):
        run()
    assert _stored(session) == before


# --- only the transaction helper commits -------------------------------------------


def _in_handler(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.ExceptHandler):
            return True
    return False


def transaction_calls(source: str) -> list[tuple[int, str]]:
    """(line, call) of every ``.commit()``, and of every ``.rollback()`` outside an except block."""
    tree = ast.parse(source)
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name == "commit" or (name == "rollback" and not _in_handler(node, parents)):
                found.append((node.lineno, f".{name}()"))
    return sorted(found)


def test_the_scan_sees_commits_and_rollbacks_outside_error_handling():
    source = (
        "def f(s):\n"
        "    s.commit()\n"
        "    try:\n"
        "        db.session.rollback()\n"
        "    except Exception:\n"
        "        s.rollback()\n"
        "    def g():\n"
        "        return s.commit\n"
    )
    assert transaction_calls(source) == [(2, ".commit()"), (4, ".rollback()")]


def test_only_the_transaction_helper_commits():
    files = sorted(
        path
        for folder in SCANNED
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if "node_modules" not in path.parts  # web/assets: npm packages, not ours
    )
    assert PROJECT_ROOT / TRANSACTION_HELPER in files and PROJECT_ROOT / "web" / "api.py" in files
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {call}"
        for path in files
        if path.relative_to(PROJECT_ROOT) != TRANSACTION_HELPER
        for line, call in transaction_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "commit or roll back through engine.storage.transaction:\n" + "\n".join(offenders)

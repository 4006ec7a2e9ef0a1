"""The worklist a page at a time (issue 13, item 5): edges of paging, a total order, counts, a flat cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from engine.accounts.users import add_user
from engine.base.errors import InvalidInput
from engine.storage.tables import Case, HumanTask, ModelVersion
from engine.workflow.worklist_pages import MAX_PER_PAGE, task_page, worklist_counts


@pytest.fixture
def hovj(session, clock, deployed):
    return add_user(session, "hovj.pages", ["hulpofficier"], ["basis"], password="pagina-wachtwoord", now=clock.now())[
        0
    ]


def _open_tasks(session, clock, count: int, *, region: str = "basis", role: str = "hulpofficier", first: int = 0):
    """``count`` ready tasks on one case, in bulk (the engine is not needed to page a table)."""
    now = clock.now()
    case = Case(
        region=region,
        variant="sample",
        model_version_id=session.scalar(select(ModelVersion.id)),
        status="active",
        workflow_json="{}",
        serializer_version="-",
        started_at=now,
        started_by="test",
        updated_at=now,
    )
    session.add(case)
    session.flush()
    rows = [
        {
            "id": f"{region}-{role}-{first + n:06d}",
            "case_id": case.id,
            "region": region,
            "role": role,
            "element": "Task_toets" if n % 2 else "Task_mededeling",
            "title": "Toetsen" if n % 2 else "Mededeling",
            "state": "ready",
            # a third without a deadline; many share a deadline, so the order needs its tie-breakers
            "due_at": None if n % 3 == 0 else now + timedelta(hours=n % 7),
            "created_at": now - timedelta(minutes=n % 5),
            "claimed_by": "hovj.pages" if n % 10 == 0 else None,
        }
        for n in range(count)
    ]
    if rows:
        session.execute(insert(HumanTask), rows)
    session.commit()


def test_paging_edges_one_page_one_more_last_and_empty(session, clock, hovj):
    assert task_page(session, user=hovj, per_page=10).rows == []
    assert task_page(session, user=hovj, per_page=10).pages == 1
    _open_tasks(session, clock, 10)
    one = task_page(session, user=hovj, per_page=10)
    assert (len(one.rows), one.total, one.pages, one.has_next, one.first, one.last) == (10, 10, 1, False, 1, 10)
    _open_tasks(session, clock, 1, first=10)
    first, second = task_page(session, user=hovj, per_page=10), task_page(session, user=hovj, per_page=10, page=2)
    assert (first.pages, first.has_next, len(second.rows), second.first, second.last) == (2, True, 1, 11, 11)
    assert task_page(session, user=hovj, per_page=10, page=3).rows == []  # past the end: empty
    clamped = task_page(session, user=hovj, per_page=10, page=99, clamp=True)
    assert (clamped.page, len(clamped.rows)) == (2, 1)  # or, asked to, the last page


def test_pages_show_every_task_once_in_deadline_order(session, clock, hovj):
    _open_tasks(session, clock, 137)
    seen = []
    for number in range(1, 9):
        seen += task_page(session, user=hovj, per_page=20, page=number).rows
    assert len(seen) == 137 and len({t["id"] for t in seen}) == 137
    dues = [t["due_at"] for t in seen]
    with_deadline = [d for d in dues if d is not None]
    assert with_deadline == sorted(with_deadline) and dues[len(with_deadline) :] == [None] * (137 - len(with_deadline))


def test_filters_page_and_count_together_and_other_roles_and_regions_stay_out(session, clock, hovj):
    _open_tasks(session, clock, 30)
    _open_tasks(session, clock, 25, region="pilot1")
    _open_tasks(session, clock, 25, role="politie")
    page = task_page(session, user=hovj, per_page=10, element="Task_toets")
    assert page.total == 15 and all(t["element"] == "Task_toets" for t in page.rows)
    mine = task_page(session, user=hovj, per_page=10, claimed="mijn")
    assert mine.total == 3 and {t["claimed_by"] for t in mine.rows} == {"hovj.pages"}
    counts = worklist_counts(session, hovj, clock.now() + timedelta(hours=3, minutes=30))
    # deadlines at now + 0..6 hours for the 20 with one; those before 03:30 from now are overdue
    assert (counts.open, counts.claimed_by_me) == (30, 3)
    assert counts.overdue == sum(1 for n in range(30) if n % 3 and n % 7 <= 3)


@pytest.mark.parametrize("page, per_page", [(0, 10), (-1, 10), (1, 0), (1, MAX_PER_PAGE + 1)])
def test_bad_paging_is_refused_in_dutch(session, hovj, page, per_page):
    with pytest.raises(InvalidInput, match="pagina"):
        task_page(session, user=hovj, page=page, per_page=per_page)


def test_a_page_costs_the_same_statements_with_20_or_2000_open_tasks(rt, session, clock, hovj):
    statements: list[str] = []
    event.listen(rt.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    def count_for_a_page() -> int:
        statements.clear()
        task_page(session, user=hovj, per_page=50, page=1)
        worklist_counts(session, hovj, clock.now())
        return len(statements)

    _open_tasks(session, clock, 20)
    small = count_for_a_page()
    _open_tasks(session, clock, 1980, first=20)
    assert count_for_a_page() == small == 3  # a count, a page, the figures: nothing per task


def test_a_page_of_one_role_in_one_region_is_read_in_order_not_sorted(rt, session, clock, hovj):
    """The page's query walks ix_task_page in WORKLIST_ORDER and stops after the page: no sort of every open task."""
    executed: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        if "LIMIT" in statement:
            executed.append((statement, parameters))

    _open_tasks(session, clock, 200)
    event.listen(rt.engine, "before_cursor_execute", keep)
    try:
        task_page(session, user=hovj, per_page=20, page=3)
    finally:
        event.remove(rt.engine, "before_cursor_execute", keep)
    [(statement, parameters)] = executed
    connection = session.connection()
    if rt.engine.dialect.name == "sqlite":
        plan = " | ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
        assert "ix_task_page" in plan and "TEMP B-TREE" not in plan, plan
    else:  # PostgreSQL chooses by statistics (a small table is scanned): asked not to sort, it reads the index
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        plan = " | ".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters))
        assert "ix_task_page" in plan and "Sort" not in plan, plan
    session.rollback()

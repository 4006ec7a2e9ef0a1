"""Several nodes on one PostgreSQL (issue 13, item 2): gunicorn with 2 workers and 2 timer workers, a bounded load
of completions racing deadline timers, one web worker killed with SIGKILL mid-load.

Afterwards nothing is lost or doubled: every answered completion is in the case exactly once, no timer
fired twice, a case ends either by its completion or by its timer, the worklist rows agree with the stored
workflows, no case is parked with an error, and /metrics (added up over the workers, also the killed
one) counts the completions.
"""

from __future__ import annotations

import urllib.request
from collections import Counter
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, select, text

from benchmarks.http_load import METRICS_TOKEN, Cluster, prepare_database, run_load, wait_for_deadlines, wait_until
from engine.base.settings import Settings
from engine.base.vocabulary import Action
from engine.runtime import runtime_from_settings
from engine.storage.tables import Case, CaseEvent, HumanTask
from engine.workflow import state as ws
from engine.workflow.case_store import open_workflow
from tests.local_servers import free_port

CASES, CLIENTS = 120, 8


@pytest.fixture
def cluster(postgres_server, tmp_path) -> Iterator[tuple[Cluster, dict[str, str]]]:
    admin = create_engine(postgres_server.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS thv_nodes"))
        conn.execute(text("CREATE DATABASE thv_nodes"))
    admin.dispose()
    url = postgres_server.url("thv_nodes")
    tokens = prepare_database(url)
    nodes = Cluster(url, tmp_path, port=free_port())
    try:
        yield nodes.start(), tokens
    finally:
        nodes.stop()


def _metric(base: str, name: str, **labels: str) -> float:
    request = urllib.request.Request(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        families = text_string_to_metric_families(response.read().decode())
    return sum(
        s.value
        for f in families
        for s in f.samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    )


def test_two_web_workers_and_two_timer_workers_lose_and_double_nothing_when_a_worker_is_killed(cluster):
    nodes, tokens = cluster
    killed: list[int] = []
    calls = run_load(nodes.base, tokens, CASES, CLIENTS, halfway=lambda: killed.append(nodes.kill_worker()))
    assert killed and killed[0] not in nodes.worker_pids()
    wait_until(lambda: len(nodes.worker_pids()) == 2, 60, "gunicorn to replace the killed worker")

    rt = runtime_from_settings(Settings(mode="production", database_url=nodes.url, secret_key="x"))
    with rt.sessions() as session:
        wait_for_deadlines(session)

        cases = session.scalars(select(Case)).all()
        events = session.scalars(select(CaseEvent)).all()
        rows = session.scalars(select(HumanTask)).all()
        completed_events = Counter((e.case_id, e.element) for e in events if e.action == Action.TASK_COMPLETED)
        timer_events = Counter(e.case_id for e in events if e.action == Action.TIMER)
        answered = [c for c in calls if c.kind in ("opnemen", "afronden") and c.status is not None]
        lost_answers = [c for c in calls if c.status is None]

        # Every completion that was answered 200 is in its case exactly once.
        for call in answered:
            element = "Task_opnemen" if call.kind == "opnemen" else "Task_afronden"
            times = completed_events[(call.case_id, element)]
            assert times == (1 if call.status == 200 else times), call
            assert call.status in (200, 409), call  # a completion that lost the race to the timer is a conflict
        assert max(completed_events.values()) == 1  # nothing completed twice, answered or not
        assert max(timer_events.values(), default=0) == 1  # no timer fired twice
        started = [c.case_id for c in calls if c.kind == "start" and c.status == 201]
        assert len(started) == len({c.id for c in cases})  # no case lost or started twice
        unanswered = {c.case_id for c in lost_answers}  # a case whose client lost an answer may have stopped there
        for case in cases:
            assert case.status != "error", (case.id, case.error)
            finished = completed_events[(case.id, "Task_afronden")]
            if case.id not in unanswered:
                assert case.status == "completed", (case.id, case.status)
                assert finished + timer_events[case.id] == 1, case.id  # ended by its completion or by its timer
            # The worklist rows agree with the stored workflow.
            _, workflow = open_workflow(session, rt.registry, case)
            ready = {t.id for t in ws.ready_user_tasks(ws.all_tasks(workflow))}
            assert {r.id for r in rows if r.case_id == case.id and r.state == "ready"} == ready, case.id
        session.rollback()
    rt.engine.dispose()

    # Every case whose client stopped after opnemen was ended by its deadline timer; a lost answer (the killed
    # worker's) may cost one such case, never more.
    left = {c.case_id for c in answered if c.kind == "opnemen" and c.status == 200}
    left -= {c.case_id for c in calls if c.kind == "afronden"}
    assert all(timer_events[case_id] == 1 for case_id in left), sorted(left - set(timer_events))
    assert len(left) >= CASES // 4 - len(lost_answers)
    done = sum(1 for c in answered if c.status == 200)
    counted = _metric(nodes.base, "thv_task_completions_total", outcome="afgerond")
    assert done <= counted <= done + len(lost_answers)  # all workers added up, the killed one included
    lag = _metric(nodes.base, "thv_timer_workers")
    assert lag == 2  # both timer workers report their sweeps in the database

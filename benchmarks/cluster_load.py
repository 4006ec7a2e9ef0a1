"""API completions per server CPU-second through gunicorn on PostgreSQL with 8 clients, and timer lag under that load.

gunicorn with two workers and one timer worker (``thv timers --loop``) on a throw-away PostgreSQL server.
"Server CPU" is everything the server side spends: the gunicorn master and workers, the timer worker and
the PostgreSQL server with its backends (from /proc, including reaped children). The clients' own CPU is
not counted. Timer lag is, per deadline that fired, the time it was handled minus its due instant.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select, text

from benchmarks.common import Progress
from benchmarks.http_load import Cluster, percentile, prepare_database, run_load, wait_for_deadlines
from engine.base.settings import Settings
from engine.runtime import runtime_from_settings
from engine.storage.tables import HumanTask
from tests.local_servers import free_port


@dataclass(frozen=True)
class LoadResult:
    completions: int  # answered 200
    cpu_seconds: float
    p50_ms: float
    p99_ms: float
    timer_lags: list[float]  # seconds
    conflicts: int  # completions that lost the race to their deadline (409)
    cpu_by_part: dict[str, float]  # web, timers, database
    requests: int  # every API request of the load (starts and completions)

    @property
    def per_cpu_second(self) -> float:
        return self.completions / self.cpu_seconds if self.cpu_seconds else 0.0


def run_cluster_load(server: object, tmp: Path, cases: int, clients: int, progress: Progress) -> LoadResult:
    """``server`` is a started tests.pg_server.PostgresServer; a fresh database on it holds the run."""
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT")  # type: ignore[attr-defined]
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE thv_load"))
    admin.dispose()
    url = server.url("thv_load")  # type: ignore[attr-defined]
    tokens = prepare_database(url)
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])  # type: ignore[attr-defined]
    nodes = Cluster(url, tmp, web_workers=2, timer_workers=1, port=free_port(), postgres_pid=postmaster).start()
    try:
        progress(f"cluster up: gunicorn 2 workers, 1 timer worker, PostgreSQL; {cases} cases by {clients} clients")
        before = nodes.cpu_by_part()
        calls = run_load(nodes.base, tokens, cases, clients)
        parts = {part: seconds - before[part] for part, seconds in nodes.cpu_by_part().items()}
        cpu = sum(parts.values())
        rt = runtime_from_settings(Settings(mode="production", database_url=url, secret_key="x"))
        with rt.sessions() as session:
            wait_for_deadlines(session)
            closed = session.scalars(
                select(HumanTask).where(HumanTask.element == "Task_afronden", HumanTask.state == "cancelled")
            ).all()
            lags = [(r.completed_at - r.due_at).total_seconds() for r in closed if r.completed_at and r.due_at]
        rt.engine.dispose()
    finally:
        nodes.stop()
    completion_calls = [c for c in calls if c.kind in ("opnemen", "afronden")]
    latencies = [c.seconds * 1000 for c in completion_calls if c.status == 200]
    progress(f"load done: {len(latencies)} completions in {cpu:.1f} server CPU-s, {len(lags)} deadlines fired")
    return LoadResult(
        completions=len(latencies),
        cpu_seconds=cpu,
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p99_ms=percentile(latencies, 0.99),
        timer_lags=lags,
        conflicts=sum(1 for c in completion_calls if c.status == 409),
        cpu_by_part=parts,
        requests=len(calls),
    )

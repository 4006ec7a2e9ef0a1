"""The worklist page and the API's task list with 20 and with 2,000 open tasks for one hulpofficier.

Through the real Flask app (test client, no network): login, session, the page's count,
figures and one page of 50 rows, rendered. The open tasks are inserted in bulk; what is
measured is the cost of showing them, which must not follow their number.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from benchmarks.common import START, Progress, deploy_sample, time_call_cpu
from engine.accounts.api_tokens import create_token
from engine.accounts.users import add_user
from engine.storage.tables import Case, HumanTask, ModelVersion
from web import create_app

SIZES = (20, 2_000)
PASSWORD = "bench-wachtwoord"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class PagePoint:
    open_tasks: int
    html_ms: float  # median wall time of GET /?aantal=20 (a page of 20 rows)
    api_ms: float  # median wall time of GET /api/v1/tasks?per_page=20
    html_default_ms: float  # GET / (the default page of 50 rows; info)
    html_bytes: int


def _fill(url: str, open_tasks: int) -> str:
    """A database with ``open_tasks`` ready tasks for the hulpofficier of basis; returns an API token."""
    from benchmarks.common import build_runtime

    rt = build_runtime(url)
    deploy_sample(rt)
    with rt.sessions() as session:
        user, _ = add_user(session, "hovj", ["hulpofficier"], ["basis"], password=PASSWORD, now=START)
        token = create_token(session, user, name="bench", now=START)[1]
        version = session.scalar(select(ModelVersion.id))
        case = Case(
            region="basis",
            variant="sample",
            model_version_id=version,
            status="active",
            workflow_json="{}",
            serializer_version="-",
            started_at=START,
            started_by="bench",
            updated_at=START,
        )
        session.add(case)
        session.flush()
        session.execute(
            insert(HumanTask),
            [
                {
                    "id": f"bench-{n:06d}",
                    "case_id": case.id,
                    "region": "basis",
                    "role": "hulpofficier",
                    "element": "Task_check",
                    "title": "Controleren",
                    "state": "ready",
                    "due_at": START + timedelta(hours=n % 48) if n % 4 else None,
                    "created_at": START - timedelta(minutes=n),
                }
                for n in range(open_tasks)
            ],
        )
        session.commit()
    rt.engine.dispose()
    return token


def _measure(db_file: Path, open_tasks: int, samples: int) -> PagePoint:
    token = _fill(f"sqlite:///{db_file}", open_tasks)
    app = create_app(
        {"TESTING": True, "THV_MODE": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "SECRET_KEY": "b"}
    )
    client = app.test_client()
    login_page = client.get("/inloggen").get_data(as_text=True)
    csrf = _CSRF.search(login_page)
    assert csrf, "no CSRF token on the login page"
    client.post("/inloggen", data={"name": "hovj", "password": PASSWORD, "csrf_token": csrf.group(1)})
    headers = {"Authorization": f"Bearer {token}"}
    html = client.get("/?aantal=20").get_data(as_text=True)
    assert html.count('data-task-id="') == min(open_tasks, 20), "the page does not show the tasks"
    html_times, api_times, default_times = [], [], []
    for _ in range(samples):
        html_times.append(time_call_cpu(lambda: client.get("/?aantal=20"))[0])
        api_times.append(time_call_cpu(lambda: client.get("/api/v1/tasks?per_page=20", headers=headers))[0])
        default_times.append(time_call_cpu(lambda: client.get("/"))[0])
    return PagePoint(
        open_tasks,
        statistics.median(html_times) * 1000,
        statistics.median(api_times) * 1000,
        statistics.median(default_times) * 1000,
        len(html.encode()),
    )


def run_worklist_pages(tmp: Path, samples: int, progress: Progress) -> list[PagePoint]:
    points = []
    for size in SIZES:
        started = time.perf_counter()
        points.append(_measure(tmp / f"worklist_{size}.sqlite", size, samples))
        progress(f"worklist page with {size:,} open tasks: {samples} samples ({time.perf_counter() - started:.1f} s)")
    return points

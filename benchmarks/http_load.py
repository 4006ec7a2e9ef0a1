"""Several nodes on one PostgreSQL, for real: gunicorn workers and timer workers as separate processes, and a
load of API clients completing tasks while timers fall due. Shared by the multi-node test (tests/deploy) and
``make bench``.

The process is tests/fixtures/bundles/load: the politie records (Opnemen), the hulpofficier finishes
(Afronden) within four seconds or the deadline timer closes the case. Every fourth case is left to its
timer, so completions and timers race for the same tasks on different processes.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.api_tokens import create_token
from engine.accounts.users import add_user
from engine.base.settings import Settings
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import deploy_bundle
from engine.runtime import runtime_from_settings
from engine.storage.db import upgrade_schema
from engine.storage.tables import Case

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOAD_BUNDLE = PROJECT_ROOT / "tests" / "fixtures" / "bundles" / "load"
TEST_FORMS = PROJECT_ROOT / "tests" / "fixtures" / "forms"
SECRET_KEY = "een-lang-geheim-voor-de-lastproef"
METRICS_TOKEN = "een-lang-scrapergeheim"
TIMER_EVERY = 4  # every fourth case is left to its deadline timer
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def prepare_database(url: str) -> dict[str, str]:
    """Schema, the load model in region basis, a politie and a hulpofficier user; returns their API tokens."""
    settings = Settings(mode="production", database_url=url, forms_dir=TEST_FORMS, secret_key=SECRET_KEY)
    rt = runtime_from_settings(settings)
    upgrade_schema(rt.engine)
    now = datetime.now(UTC)
    tokens = {}
    with rt.sessions() as session:
        deploy_bundle(
            session,
            rt.registry,
            collect_bundle(LOAD_BUNDLE),
            region="basis",
            variant="load",
            actor="lastproef",
            now=now,
        )
        for name, role in (("pol", "politie"), ("hovj", "hulpofficier")):
            user, _ = add_user(session, name, [role], ["basis"], password="lastproef-wachtwoord", now=now)
            tokens[name] = create_token(session, user, name="lastproef", now=now)[1]
    rt.engine.dispose()
    return tokens


def _environment(url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("THV_", "PROMETHEUS_"))}
    env.update(
        {
            "THV_MODE": "production",
            "THV_DATABASE_URL": url,
            "THV_SECRET_KEY": SECRET_KEY,
            "THV_FORMS_DIR": str(TEST_FORMS),
            "THV_METRICS_TOKEN": METRICS_TOKEN,
        }
    )
    return env


def _cpu_seconds(pid: int) -> float:
    """CPU of a process, of its reaped children (cutime, cstime) and of its live descendants."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    own = sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return own + sum(_cpu_seconds(child) for child in _children(pid))


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                continue
    return found


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll another process's state until ``condition`` holds (bounded; a short pause between looks)."""
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:g} s for {what}")
        pause.wait(0.05)


def wait_for_deadlines(session: Session, seconds: float = 60) -> None:
    """Until the timer workers have fired every deadline that is due (no active case waits on a timer)."""

    def fired_all() -> bool:
        due = session.scalar(select(Case.id).where(Case.status == "active", Case.next_timer_at.is_not(None)))
        session.rollback()
        return due is None

    wait_until(fired_all, seconds, "the timer workers to fire every deadline")


@dataclass
class Cluster:
    """``thv serve`` (gunicorn, production) and ``thv timers --loop`` processes on one database."""

    url: str
    folder: Path
    web_workers: int = 2
    timer_workers: int = 2
    port: int = 0
    web: subprocess.Popen | None = None
    timers: list[subprocess.Popen] = field(default_factory=list)
    postgres_pid: int | None = None  # the postmaster, to count the database's CPU too
    logs: list[Any] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Cluster:
        env = _environment(self.url)
        command = [sys.executable, "-m", "cli.main"]
        log = (self.folder / "web.log").open("w")
        self.logs.append(log)
        self.web = subprocess.Popen(
            [*command, "serve", "--port", str(self.port), "--workers", str(self.web_workers)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for number in range(self.timer_workers):
            timer_log = (self.folder / f"timers-{number}.log").open("w")
            self.logs.append(timer_log)
            self.timers.append(
                subprocess.Popen(
                    [*command, "timers", "--loop", "--interval", "0.5"],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=timer_log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        wait_until(lambda: len(self.worker_pids()) == self.web_workers and self._answers(), 60, "gunicorn workers")
        return self

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/health/live", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        return _children(self.web.pid) if self.web else []

    def kill_worker(self) -> int:
        """SIGKILL one gunicorn worker mid-load (the master starts a new one); returns its pid."""
        victim = self.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def cpu_seconds(self) -> float:
        """CPU used so far by the web server, the timer workers and the database server."""
        return sum(self.cpu_by_part().values())

    def cpu_by_part(self) -> dict[str, float]:
        """CPU used so far by each part: web (gunicorn), timers, database."""
        return {
            "web": _cpu_seconds(self.web.pid) if self.web else 0.0,
            "timers": sum(_cpu_seconds(t.pid) for t in self.timers),
            "database": _cpu_seconds(self.postgres_pid) if self.postgres_pid else 0.0,
        }

    def stop(self) -> None:
        for process in [*self.timers, *([self.web] if self.web else [])]:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in [*self.timers, *([self.web] if self.web else [])]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        for log in self.logs:
            log.close()


@dataclass
class Call:
    """One API request of the load: what it was for, and what came back (None: no answer at all)."""

    kind: str  # start, opnemen, afronden, tasks
    case_id: int | None
    task_id: str | None
    status: int | None
    seconds: float


class Client:
    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base, self.tokens = base, tokens
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def _request(self, user: str, method: str, path: str, body: Any = None) -> tuple[int | None, Any, float]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.tokens[user]}", "Content-Type": "application/json"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null"), time.perf_counter() - started
        except urllib.error.HTTPError as error:
            return error.code, None, time.perf_counter() - started
        except (OSError, ValueError, http.client.HTTPException):  # the connection broke (a killed worker): no answer
            return None, None, time.perf_counter() - started

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _task(self, user: str, case_id: int) -> str | None:
        status, body, seconds = self._request(user, "GET", f"/api/v1/tasks?case={case_id}")
        self._record(Call("tasks", case_id, None, status, seconds))
        return body[0]["id"] if status == 200 and body else None

    def _complete(self, kind: str, user: str, case_id: int, data: dict[str, Any], task_id: str | None) -> Any:
        """Completes the task the previous answer named (or, without one, the first on the worklist)."""
        task_id = task_id or self._task(user, case_id)
        if task_id is None:
            return None
        status, body, seconds = self._request(user, "POST", f"/api/v1/tasks/{task_id}/complete", {"data": data})
        self._record(Call(kind, case_id, task_id, status, seconds))
        return body if status == 200 else None

    def one_case(self, number: int) -> None:
        """A case as an integrating system drives it: each answer names the next task (``next_tasks``)."""
        status, body, seconds = self._request("pol", "POST", "/api/v1/cases", {"region": "basis", "variant": "load"})
        case_id = body["id"] if status == 201 else None
        self._record(Call("start", case_id, None, status, seconds))
        if case_id is None:
            return
        answer = self._complete("opnemen", "pol", case_id, {"besluit": "opleggen"}, _next(body, "politie"))
        if number % TIMER_EVERY != 0 and answer is not None:
            self._complete("afronden", "hovj", case_id, {"akkoord": True}, _next(answer, "hulpofficier"))


def _next(answer: Any, role: str) -> str | None:
    """The id of the task for ``role`` that an answer (start or completion) says is now ready."""
    return next((t["id"] for t in answer.get("next_tasks", []) if t["role"] == role), None)


def run_load(
    base: str, tokens: dict[str, str], cases: int, clients: int, *, halfway: Callable[[], Any] | None = None
) -> list[Call]:
    """``cases`` cases through the API by ``clients`` concurrent clients; ``halfway`` runs once, mid-load."""
    client = Client(base, tokens)
    done = 0
    lock = threading.Lock()

    def job(number: int) -> None:
        nonlocal done
        client.one_case(number)
        with lock:
            done += 1
            if done == cases // 2 and halfway is not None:
                halfway()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(job, range(cases)))
    return client.calls


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")

"""``thv timers --loop`` survives a database outage (growing, capped pause; reset after success) and
writes a heartbeat after each successful sweep. Sleeping is a recorded fake: nothing here waits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from cli.timer_loop import TimerLoop
from engine.base.settings import Settings
from engine.runtime import runtime_from_settings
from engine.storage.db import upgrade_schema
from engine.storage.tables import TimerHeartbeat
from engine.workflow.timers import fire_due_timers
from tests.conftest import PROJECT_ROOT, TEST_FORMS

START = datetime(2026, 2, 2, 20, 15, tzinfo=UTC)


class FakeTime:
    """A clock that moves only when the loop sleeps; the pauses are recorded."""

    def __init__(self) -> None:
        self.moment = START
        self.pauses: list[float] = []

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.moment += timedelta(seconds=seconds)


def outage(*results: int | None):
    """A sweep that answers ``results`` in turn: a count, or None for a database error."""
    answers = iter(results)

    def sweep() -> int:
        answer = next(answers)
        if answer is None:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return answer

    return sweep


def test_the_pause_doubles_per_failure_is_capped_and_resets_after_a_success(tmp_path):
    fake = FakeTime()
    lines: list[str] = []
    warnings: list[str] = []
    loop = TimerLoop(
        sweep=outage(0, None, None, None, None, 3, None, 1),
        interval=5,
        max_pause=30,
        heartbeat=tmp_path / "hartslag",
        sleep=fake.sleep,
        now=fake.now,
        report=lines.append,
        warn=warnings.append,
    )
    loop.run(sweeps=8)
    assert fake.pauses == [5, 10, 20, 30, 30, 5, 10]  # no pause after the last sweep
    assert lines == ["0", "3", "1"]
    assert len(warnings) == 5 and warnings[0] == (
        "timersweep mislukt (OperationalError: database niet bereikbaar); opnieuw over 10 s"
    )
    assert loop.failures == 0


def test_the_heartbeat_holds_the_time_of_the_last_successful_sweep_only(tmp_path):
    fake = FakeTime()
    heartbeat = tmp_path / "hartslag"
    loop = TimerLoop(
        sweep=outage(2, None), interval=5, max_pause=60, heartbeat=heartbeat, sleep=fake.sleep, now=fake.now
    )
    loop.run(sweeps=1)
    assert heartbeat.read_text(encoding="utf-8") == "2026-02-02T20:15:00+00:00\n"
    assert heartbeat.stat().st_mtime == START.timestamp()
    loop.sleep(5)
    loop.run(sweeps=1)  # fails: the heartbeat keeps the last success, so a liveness check sees it age
    assert heartbeat.read_text(encoding="utf-8") == "2026-02-02T20:15:00+00:00\n"
    assert [p.name for p in tmp_path.iterdir()] == ["hartslag"]  # no temporary file left behind


def test_a_bug_in_a_sweep_is_not_retried():
    loop = TimerLoop(sweep=lambda: 1 // 0, interval=5, max_pause=60, sleep=FakeTime().sleep)
    with pytest.raises(ZeroDivisionError):
        loop.run(sweeps=3)


def test_the_loop_rides_out_a_real_database_that_goes_away_and_comes_back(tmp_path):
    """The SQLite file's folder is moved away (OperationalError on connect) and back after two pauses."""
    folder, away = tmp_path / "db", tmp_path / "weg"
    folder.mkdir()
    rt = runtime_from_settings(Settings(mode="test", database_url=f"sqlite:///{folder / 'thv.sqlite'}"))
    upgrade_schema(rt.engine)
    folder.rename(away)
    rt.engine.dispose()  # no pooled connection to the moved file: the next sweep must connect
    fake = FakeTime()

    def sleep(seconds: float) -> None:
        fake.sleep(seconds)
        if len(fake.pauses) == 2:
            away.rename(folder)

    def sweep() -> int:
        with rt.sessions() as session:
            return fire_due_timers(session, rt.registry, rt.clock)

    lines: list[str] = []
    heartbeat = tmp_path / "hartslag"
    loop = TimerLoop(
        sweep=sweep, interval=2, max_pause=60, heartbeat=heartbeat, sleep=sleep, now=fake.now, report=lines.append
    )
    try:
        loop.run(sweeps=4)
    finally:
        rt.engine.dispose()
    assert fake.pauses == [4, 8, 2]
    assert (
        lines == ["0", "0"]
        and heartbeat.read_text(encoding="utf-8") == (START + timedelta(seconds=14)).isoformat() + "\n"
    )


# --- through the command line -------------------------------------------------------------


def test_thv_timers_loop_backs_off_and_writes_its_heartbeat(thv, tmp_path, monkeypatch):
    pauses: list[float] = []

    class Stop(BaseException):
        """Ends the endless loop from the fake sleep (not an Exception: main() does not swallow it)."""

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            raise Stop

    sweeps = iter([None, None, 0, 0])
    real = fire_due_timers

    def flaky(session, registry, clock):
        if next(sweeps) is None:
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))
        return real(session, registry, clock)

    monkeypatch.setattr("time.sleep", sleep)
    monkeypatch.setattr("engine.workflow.heartbeats.fire_due_timers", flaky)
    heartbeat = tmp_path / "hartslag"
    with pytest.raises(Stop):
        thv("timers", "--loop", "--interval", "3", "--max-pause", "10", "--heartbeat", str(heartbeat))
    assert pauses == [6, 10, 3]
    assert heartbeat.is_file()
    datetime.fromisoformat(heartbeat.read_text(encoding="utf-8").strip())
    # The sweep that reached the database is reported there too, for /health/ready on every web node.
    with runtime_from_settings(Settings.from_env()).sessions() as session:
        beats = session.scalars(select(TimerHeartbeat)).all()
    assert [b.fired for b in beats] == [0] and beats[0].worker.endswith(f":{os.getpid()}")


def test_thv_timers_once_writes_the_heartbeat_and_refuses_a_missing_folder(thv, tmp_path):
    heartbeat = tmp_path / "hartslag"
    result = thv("timers", "--heartbeat", str(heartbeat))
    assert result.code == 0 and result.out == "0\n" and heartbeat.is_file()
    missing = Path(tmp_path / "nergens" / "hartslag")
    refused = thv("timers", "--heartbeat", str(missing))
    assert refused.code == 1 and refused.err == f"fout: --heartbeat: de map {missing.parent} bestaat niet\n"


def test_a_stop_signal_during_a_sweep_lets_the_sweep_finish_and_starts_no_other(tmp_path):
    fake = FakeTime()
    reported: list[str] = []

    def sweep() -> int:
        os.kill(os.getpid(), signal.SIGTERM)  # the service manager stops the worker mid-sweep
        return 2

    heartbeat = tmp_path / "hartslag"
    loop = TimerLoop(sweep=sweep, interval=5, max_pause=60, heartbeat=heartbeat, sleep=fake.sleep, now=fake.now,
                     report=reported.append)  # fmt: skip
    loop.run()  # returns, although endless
    assert reported == ["2"] and heartbeat.is_file()  # the sweep under way was finished and recorded
    assert fake.pauses == []  # and no pause or sweep after it
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_during_a_pause_cuts_it_short(number):
    swept: list[int] = []
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        os.kill(os.getpid(), number)  # arrives while the loop waits
        raise AssertionError("the pause went on after the stop signal")

    TimerLoop(sweep=lambda: swept.append(1) or 0, interval=3600, max_pause=3600, sleep=sleep).run()
    assert (swept, pauses) == ([1], [3600])


def test_thv_timers_loop_stops_cleanly_on_sigterm(tmp_path):
    """The real worker in its own process: SIGTERM during its hour-long pause ends it at once with exit code 0."""
    env = {
        **os.environ,
        "THV_MODE": "test",
        "THV_DATABASE_URL": f"sqlite:///{tmp_path / 'thv.sqlite'}",
        "THV_FORMS_DIR": str(TEST_FORMS),
    }
    thv = [sys.executable, "-m", "cli.main"]
    assert subprocess.run([*thv, "init-db"], env=env, capture_output=True, cwd=PROJECT_ROOT).returncode == 0
    worker = subprocess.Popen([*thv, "timers", "--loop", "--interval", "3600"], env=env, cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert worker.stdout is not None and worker.stdout.readline() == "0\n"  # the first sweep is done
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    finally:
        worker.kill()
    assert worker.returncode == 0, err
    assert out == "timerworker gestopt\n" and "Traceback" not in err

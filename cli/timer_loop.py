"""``thv timers --loop``: the timer worker, its own process next to the web server.

A database error (outage, restart, failover) does not end the loop: it waits a growing
pause (the interval doubled per failure in a row, capped) and tries again; the first
successful sweep brings the pause back to the interval. After each successful sweep the
heartbeat file, when given, holds the time of that sweep (and its modification time is
that moment), so an operator's liveness check can tell a stuck or dead worker. Sleeping
and the time are handed in, so tests run the loop without waiting.

SIGTERM (a service manager stopping it) and SIGINT (Ctrl-C) stop it cleanly: a sweep under way
finishes (its transactions commit, a mail being sent is recorded), a pause is cut short, and the
process exits with 0.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from engine.storage.db import DATABASE_UNAVAILABLE


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _ignore(_line: str) -> None:
    return None


class _Stop(Exception):
    """Raised by the signal handler only while the loop pauses, to cut the pause short."""


@dataclass
class TimerLoop:
    sweep: Callable[[], int]  # fires the due timers in one transaction sequence; returns how many fired
    interval: float
    max_pause: float
    heartbeat: Path | None = None
    sleep: Callable[[float], None] = field(default_factory=lambda: time.sleep)  # looked up per loop
    now: Callable[[], datetime] = _utc_now
    report: Callable[[str], None] = _ignore  # one line per successful sweep
    warn: Callable[[str], None] = _ignore  # one line per failed sweep
    failures: int = field(default=0, init=False)  # failed sweeps in a row
    stop_asked: bool = field(default=False, init=False)  # a stop signal came: no sweep starts after this
    _pausing: bool = field(default=False, init=False)

    def pause(self) -> float:
        """Seconds to wait before the next sweep."""
        if self.failures == 0:
            return self.interval
        return min(self.interval * 2**self.failures, max(self.max_pause, self.interval))

    def step(self) -> float:
        """One sweep; returns the pause before the next one."""
        try:
            fired = self.sweep()
        except DATABASE_UNAVAILABLE as exc:  # retried after a pause; any other error (a bug) ends the loop
            self.failures += 1
            pause = self.pause()
            self.warn(f"timersweep mislukt ({type(exc).__name__}: database niet bereikbaar); opnieuw over {pause:g} s")
            return pause
        self.failures = 0
        self.beat()
        self.report(str(fired))
        return self.interval

    def run(self, sweeps: int | None = None) -> None:
        """Sweep ``sweeps`` times (None: until stopped by SIGTERM or SIGINT), pausing after each sweep."""
        done = 0
        with self._stoppable():
            while (sweeps is None or done < sweeps) and not self.stop_asked:
                pause = self.step()
                done += 1
                if (sweeps is None or done < sweeps) and not self.stop_asked:
                    self._pause(pause)

    def _pause(self, seconds: float) -> None:
        self._pausing = True
        try:
            self.sleep(seconds)
        except _Stop:
            pass
        finally:
            self._pausing = False

    def _on_signal(self, _signum: int, _frame: object) -> None:
        self.stop_asked = True
        if self._pausing:  # a sweep is never interrupted; a pause is
            self._pausing = False
            raise _Stop

    @contextmanager
    def _stoppable(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():  # only the main thread takes signals
            yield
            return
        previous = {number: signal.signal(number, self._on_signal) for number in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def beat(self) -> None:
        """Record a successful sweep now in the heartbeat file (if any)."""
        if self.heartbeat is None:
            return
        # Written beside the file and renamed over it: a reader never sees half a timestamp.
        partial = self.heartbeat.with_name(self.heartbeat.name + ".tmp")
        partial.write_text(self.now().isoformat(timespec="seconds") + "\n", encoding="utf-8")
        os.replace(partial, self.heartbeat)
        moment = self.now().timestamp()
        os.utime(self.heartbeat, (moment, moment))

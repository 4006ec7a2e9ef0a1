"""The runner subprocess of engine.modeling.script_limits: runs model code under hard limits.

Started as ``python -m engine.modeling.script_runner``; reads requests from stdin and
writes answers to stdout, as length-prefixed pickles. The parent is trusted, so its
requests are unpickled as they come; the parent reads the answers as plain data only.

Limits: the address space is capped at what the runner uses after start-up plus the
memory budget (a bigger allocation raises MemoryError), and each request arms a
profiling timer of the CPU budget whose signal, left at its default action, ends the
process even inside a C-level loop.
"""

from __future__ import annotations

import os
import pickle
import resource
import signal
import sys
from datetime import datetime
from typing import Any

from engine.base.clock import FixedClock, engine_time
from engine.base.errors import ModelRefusal
from engine.modeling.sandbox import run_in_process
from engine.modeling.script_limits import _HEADER, CPU_SECONDS, MEMORY_BYTES, write_frame


def _limit_memory() -> None:
    with open("/proc/self/statm", encoding="ascii") as statm:
        in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (in_use + MEMORY_BYTES, in_use + MEMORY_BYTES))


def _read(stream: Any, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data and len(data) == size else None


def _answer(request: tuple[Any, ...]) -> tuple[Any, ...]:
    mode, source, context, external, now = request
    signal.setitimer(signal.ITIMER_PROF, CPU_SECONDS)
    try:
        with engine_time(FixedClock(datetime.fromisoformat(now))):
            result = run_in_process(mode, source, context, external)
        return ("ok", context if mode == "exec" else result)
    except MemoryError:
        return ("memory",)
    except ModelRefusal as exc:
        return ("refused", str(exc)[:500])
    except Exception as exc:  # noqa: BLE001 - every error of model code goes back to the caller
        return ("error", type(exc).__name__, str(exc)[:500])
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def main() -> None:
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers on the pipe
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    _limit_memory()
    while True:
        header = _read(requests, _HEADER.size)
        if header is None:
            return  # the parent went away
        payload = _read(requests, _HEADER.unpack(header)[0])
        if payload is None:
            return
        answer = _answer(pickle.loads(payload))
        try:
            write_frame(answers, answer)
        except MemoryError:
            write_frame(answers, ("memory",))
        except Exception as exc:  # noqa: BLE001 - a value that cannot travel is the script's error
            write_frame(
                answers, ("error", "TypeError", f"het script laat een waarde achter die niet kan worden bewaard: {exc}")
            )
        if answer[0] == "memory":
            return  # start clean: the parent replaces this runner


if __name__ == "__main__":
    main()

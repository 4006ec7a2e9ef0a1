"""Budgets for model code: no script, condition, timer expression or DMN cell may hold the
server for more than about a second of CPU or 256 MB of memory.

Model code runs one of two ways:

* **In the process** when it is *straight-line*: no loop, comprehension, function or
  lambda, no ``*``, ``**`` or ``<<``, few additions, and only calls of helpers whose
  cost is bounded by the (bounded) case data. Such code cannot run long or grow
  large, and this is how almost every gateway condition and timer expression looks.
* **In a runner subprocess** (engine.modeling.script_runner) for everything else. The
  runner has an address-space limit and a CPU timer whose signal kills it even inside a
  C-level loop that holds the GIL, which an in-process timeout could never stop. The
  caller waits on a pipe, so other threads and requests go on; a killed runner is
  replaced by a fresh one.

A stop raises :class:`ScriptBudgetExceeded`; SpiffWorkflow wraps it with the task, the
transaction helper turns it into :class:`engine.base.errors.ScriptStopped` naming the
element, and the operations park the case (engine.workflow.parking).
"""

from __future__ import annotations

import ast
import builtins
import io
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from functools import lru_cache
from typing import Any

from engine.base.errors import BUDGET_CPU, BUDGET_CRASH, BUDGET_MEMORY, ModelRefusal, ScriptBudgetExceeded

CPU_SECONDS = 1.0  # the figures are stated in ScriptBudgetExceeded's messages too (engine.base.errors)
MEMORY_BYTES = 256 * 2**20
# Wall-clock patience for a runner that neither answers nor uses CPU (a stuck pipe):
# well above the CPU budget, so a busy machine does not turn slowness into a stop.
WALL_SECONDS = 10.0
_IDLE_RUNNERS = 4  # per process; more may exist while several threads run slow code at once


class ScriptFailed(Exception):
    """Model code raised an error that has no builtin exception class of the same name."""


# --- which code may run in the process ---------------------------------------------------

# Calls whose cost is bounded by the size of their arguments (case data is bounded by its
# forms). ``range``, ``pow``, ``round`` and the padding methods are absent on purpose.
_BOUNDED_CALLS = frozenset(
    {
        "len", "str", "int", "float", "bool", "abs", "min", "max", "sum", "any", "all", "sorted",
        "isinstance", "dict", "list", "tuple", "set", "frozenset",
        "termijn_einde", "termijn_voor", "awb_termijn_einde", "rihg_kindsignalen", "later_dan",
        "schuif_op", "nu", "weiger", "datumtijd",
    }
)  # fmt: skip
_BOUNDED_METHODS = frozenset(
    {
        "get", "keys", "values", "items", "lower", "upper", "strip", "lstrip", "rstrip", "startswith",
        "endswith", "split", "append", "copy", "count", "index", "pop", "setdefault", "update",
        "isoformat", "casefold", "title", "capitalize", "isdigit",
    }
)  # fmt: skip
_GROWING_OPS = (ast.Mult, ast.Pow, ast.LShift, ast.MatMult)
_UNBOUNDED_NODES = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.Lambda,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Starred,
)
_MAX_ADDITIONS = 8  # each may at most double a value: 2**8 times the largest field stays small


@lru_cache(maxsize=4096)
def runs_in_process(source: str, mode: str) -> bool:
    """Whether ``source`` is straight-line code whose cost is bounded by its input."""
    try:
        tree = ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except SyntaxError:
        return True  # compiling reports it, in the process
    additions = 0
    for node in ast.walk(tree):
        if isinstance(node, _UNBOUNDED_NODES):
            return False
        if isinstance(node, (ast.BinOp, ast.AugAssign)):
            if isinstance(node.op, _GROWING_OPS):
                return False
            additions += 1
        elif isinstance(node, ast.Call) and not _bounded_call(node):
            return False
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load) and node.id in _BOUNDED_CALLS:
            return False  # 'len = ...' could make a bounded name unbounded
    return additions <= _MAX_ADDITIONS


def _bounded_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in _BOUNDED_CALLS
    return isinstance(func, ast.Attribute) and func.attr in _BOUNDED_METHODS


# --- the runner subprocess ----------------------------------------------------------------

_HEADER = struct.Struct("!I")


def write_frame(stream: Any, payload: object) -> None:
    send_frame(stream, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


def send_frame(stream: Any, data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


class _DataOnly(pickle.Unpickler):
    """Reads a runner's answer: plain data only, never an arbitrary class (the runner ran model code)."""

    _ALLOWED = frozenset(
        {
            ("builtins", "set"),
            ("builtins", "frozenset"),
            ("builtins", "complex"),
            ("datetime", "datetime"),
            ("datetime", "date"),
            ("datetime", "time"),
            ("datetime", "timedelta"),
            ("datetime", "timezone"),
            ("decimal", "Decimal"),
            ("zoneinfo", "ZoneInfo"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is geen gegevenstype")
        return super().find_class(module, name)


class _Runner:
    """One runner subprocess and its two pipes."""

    def __init__(self) -> None:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        env = {
            "PYTHONPATH": root,
            "PYTHONHASHSEED": "0",
            "LANG": "C.UTF-8",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "engine.modeling.script_runner"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=root,
            env=env,
            close_fds=True,
        )
        self.pid = os.getpid()

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def call(self, request: bytes) -> tuple[Any, ...]:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            send_frame(self.process.stdin, request)
        except (BrokenPipeError, OSError):
            raise _RunnerGone from None
        deadline = time.monotonic() + WALL_SECONDS
        header = self._read(_HEADER.size, deadline)
        (size,) = _HEADER.unpack(header)
        answer: tuple[Any, ...] = _DataOnly(io.BytesIO(self._read(size, deadline))).load()
        return answer

    def _read(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks: list[bytes] = []
        remaining = size
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise _RunnerSilent
            chunk = os.read(fd, remaining)
            if not chunk:
                raise _RunnerGone
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


class _RunnerGone(Exception):
    pass


class _RunnerSilent(Exception):
    pass


_idle: list[_Runner] = []
_lock = threading.Lock()


def _borrow() -> _Runner:
    with _lock:
        while _idle:
            runner = _idle.pop()
            if runner.pid == os.getpid() and runner.alive():
                return runner
            # A runner inherited from the parent of a forked worker is the parent's: leave its pipes.
    return _Runner()


def _give_back(runner: _Runner) -> None:
    with _lock:
        if len(_idle) < _IDLE_RUNNERS:
            _idle.append(runner)
            return
    runner.close()


def run_in_runner(mode: str, source: str, context: dict[str, Any], external: dict[str, Any], now: str) -> Any:
    """Run ``source`` in a runner subprocess within the budgets.

    Returns the expression's value (``eval``) or the script's new task data (``exec``).
    Raises what the code raised (a builtin exception of the same name, or ``ModelRefusal``
    for ``weiger``), or :class:`ScriptBudgetExceeded`.
    """
    try:
        request = pickle.dumps((mode, source, context, external, now), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
        raise TypeError(f"de taakgegevens kunnen niet naar het script: {exc}") from None
    runner = _borrow()
    try:
        answer = runner.call(request)
    except _RunnerSilent:
        runner.close()
        raise ScriptBudgetExceeded(BUDGET_CPU) from None
    except (_RunnerGone, pickle.UnpicklingError, EOFError, struct.error):
        try:
            code = runner.process.wait(timeout=2)  # its pipe closed as it died; let the exit status arrive
        except subprocess.TimeoutExpired:
            code = None
        runner.close()
        if code is not None and code < 0 and -code in (signal.SIGPROF, signal.SIGXCPU, signal.SIGKILL):
            raise ScriptBudgetExceeded(BUDGET_CPU) from None
        raise ScriptBudgetExceeded(BUDGET_CRASH) from None
    kind = answer[0]
    if kind == "memory":
        runner.close()  # its heap is fragmented now; start clean next time
        raise ScriptBudgetExceeded(BUDGET_MEMORY)
    _give_back(runner)
    if kind == "ok":
        return answer[1]
    if kind == "refused":
        raise ModelRefusal(answer[1])
    return _raise_like(answer[1], answer[2])


def _raise_like(type_name: str, message: str) -> Any:
    if type_name == "SandboxError":
        from engine.modeling.sandbox import SandboxError

        raise SandboxError(message)
    cls = getattr(builtins, type_name, None)
    if isinstance(cls, type) and issubclass(cls, Exception) and cls is not ScriptBudgetExceeded:
        try:
            error = cls(message)
        except (TypeError, ValueError):
            error = ScriptFailed(f"{type_name}: {message}")
        raise error
    raise ScriptFailed(f"{type_name}: {message}")


def stop_runners() -> None:
    """End this process's idle runners (tests, shutdown)."""
    with _lock:
        runners, _idle[:] = list(_idle), []
    for runner in runners:
        runner.close()

"""Starting the tests' own server processes: a free port, and waiting for the line a server prints when ready."""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_line(process: subprocess.Popen, text: str, deadline: float) -> list[str]:
    """The process's stderr lines up to the one containing ``text`` (blocks on the pipe, never sleeps).

    Reads the pipe itself (os.read): a buffered readline would take several lines at once and leave
    the selector waiting for more that already arrived.
    """
    received = ""
    descriptor = process.stderr.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(descriptor, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            chunk = os.read(descriptor, 65536)
            if not chunk:
                break
            received += chunk.decode("utf-8", "replace")
            lines = received.splitlines(keepends=True)
            for index, line in enumerate(lines):
                if text in line:
                    return lines[: index + 1]
    raise AssertionError(f"no '{text}' from the server:\n{received}")

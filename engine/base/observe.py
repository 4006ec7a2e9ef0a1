"""What the engine reports while it works, for whoever listens: metrics, logs. No Flask, no Prometheus here.

The entry points (web app, timer worker) subscribe; the engine only calls :func:`emit`.
A listener that fails is ignored: observing never changes what the engine does.

Events and their values:
- ``timer_fired``: ``lag_seconds``, how long after its due instant a timer fired;
- ``sweep``: ``duration_seconds`` and ``fired`` of one timer sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
_listeners: dict[str, list[Callable[..., None]]] = {}


def subscribe(event: str, listener: Callable[..., None]) -> None:
    if listener not in _listeners.setdefault(event, []):
        _listeners[event].append(listener)


def emit(event: str, **values: Any) -> None:
    for listener in _listeners.get(event, ()):
        try:
            listener(**values)
        except Exception:
            log.exception("waarnemer van '%s' faalde", event)

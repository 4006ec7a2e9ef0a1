"""Live workflows of recently saved cases, kept in this process so the next act need not load them.

A completion that finds its case here (same row version, same model version) skips reading
and rebuilding the workflow from its text, the largest part of its cost. An entry is taken
out while an operation works on it and put back only after that operation committed, so a
rolled-back operation can never leave its half-run workflow behind; a case changed by
another process has a newer row version and is loaded from the database as before.

Entries are also keyed by the database (the SQLAlchemy engine the session is bound to): a
registry shared by several databases (the tests copy one database per test) never hands
out a workflow of the same case number in another database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.modeling.sandbox import script_engine

DEFAULT_SIZE = 128  # about 0.5 MB each for a running ban with its history: some 64 MB per process at most


class WorkflowCache:
    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, int], tuple[int, int, object, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def take(self, database: object, case_id: int, lock_version: int, model_version_id: int) -> BpmnWorkflow | None:
        """The workflow of this exact case row, removed from the cache; None when not kept."""
        with self._lock:
            entry = self._entries.pop((id(database), case_id), None)
            if entry is None or entry[:3] != (lock_version, model_version_id, database):
                self.misses += 1
                return None
            self.hits += 1
        workflow = entry[3]
        workflow.script_engine = script_engine()  # as fresh as after a load: no state carried between acts
        return workflow

    def put(
        self, database: object, case_id: int, lock_version: int, model_version_id: int, workflow: BpmnWorkflow
    ) -> None:
        if self.size <= 0:
            return
        key = (id(database), case_id)
        with self._lock:
            self._entries[key] = (lock_version, model_version_id, database, workflow)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def peek(self, database: object, case_id: int) -> tuple[int, BpmnWorkflow] | None:
        """The row version and workflow kept for a case, left in place (for checks, not for acting on)."""
        with self._lock:
            entry = self._entries.get((id(database), case_id))
        return (entry[0], entry[3]) if entry is not None and entry[2] is database else None

    def forget(self, database: object, case_id: int) -> None:
        with self._lock:
            self._entries.pop((id(database), case_id), None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

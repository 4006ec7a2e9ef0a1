"""How engine/storage/dictionaries/archive-1.zdict was made: `python -m tools.archive_dictionary OUT`.

Run once; a dictionary in use never changes (engine.storage.compression). It is typical archived
text: one finished subprocess of each kind from a long baseline case (benchmarks.long_case),
with every id replaced by a fixed one and every text value in the case data emptied, so it holds
the structure, keys and element names that every archived subprocess repeats and no case data.
The most frequent kinds come last, nearest to what zlib packs after it; 32 kB is all zlib uses.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from benchmarks import long_case
from engine.modeling.settled_history import ARCHIVE_PREFIX
from engine.storage.tables import CaseArchive

WINDOW = 32 * 1024
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ANY_ID = "00000000-0000-4000-8000-000000000000"


def _without_values(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_values(item) for item in value]
    return "" if isinstance(value, str) else value


def _typical(text: str) -> str:
    workflow = orjson.loads(text)
    workflow["data"] = _without_values(workflow["data"])
    for task in workflow["tasks"].values():
        task["data"] = _without_values(task["data"])
        if task.get("delta"):
            task["delta"]["updates"] = _without_values(task["delta"].get("updates", {}))
    return _UUID.sub(_ANY_ID, orjson.dumps(workflow).decode("utf-8"))


def build() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        long = long_case.prepare(f"sqlite:///{tmp}/long.sqlite", 1, lambda _: None)
        with long.rt.sessions() as session:
            case_id = long.prepared[long_case.MEASURED_STEPS[-1]][0].case_id
            texts = session.scalars(
                select(CaseArchive.workflow_json).where(
                    CaseArchive.case_id == case_id,
                    CaseArchive.subprocess_id.not_like(f"{ARCHIVE_PREFIX}%"),  # subprocesses, not settled history
                )
            ).all()
        long.rt.engine.dispose()
    kinds = Counter(orjson.loads(t)["spec"] for t in texts)
    one_of_each = {orjson.loads(t)["spec"]: _typical(t) for t in texts}
    ordered = sorted(one_of_each, key=lambda spec: (kinds[spec], spec))  # most frequent last
    return "".join(one_of_each[spec] for spec in ordered).encode("utf-8")[-WINDOW:]


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.write_bytes(build())
    print(f"{out}: {out.stat().st_size} bytes")

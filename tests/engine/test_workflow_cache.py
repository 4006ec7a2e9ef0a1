"""The per-process cache of saved workflows: exact rows only, one database's cases never another's, bounded."""

from __future__ import annotations

from engine.modeling.workflow_cache import WorkflowCache


class _Workflow:
    script_engine = None


def test_a_kept_workflow_is_handed_out_once_and_only_for_the_same_row_version_model_and_database():
    cache, one, other, workflow = WorkflowCache(4), object(), object(), _Workflow()
    cache.put(one, 7, 3, 1, workflow)
    assert cache.take(other, 7, 3, 1) is None  # the same case number in another database
    cache.put(one, 7, 3, 1, workflow)
    assert cache.take(one, 7, 4, 1) is None  # the row changed since (another worker acted)
    cache.put(one, 7, 3, 1, workflow)
    assert cache.take(one, 7, 3, 2) is None  # migrated to another model version
    cache.put(one, 7, 3, 1, workflow)
    assert cache.take(one, 7, 3, 1) is workflow
    assert cache.take(one, 7, 3, 1) is None  # taken out while an operation works on it


def test_the_cache_keeps_the_most_recently_saved_cases_and_size_zero_keeps_none():
    cache, db = WorkflowCache(2), object()
    for case_id in (1, 2, 3):
        cache.put(db, case_id, 1, 1, _Workflow())
    assert len(cache) == 2 and cache.peek(db, 1) is None and cache.peek(db, 3) is not None
    off = WorkflowCache(0)
    off.put(db, 1, 1, 1, _Workflow())
    assert len(off) == 0

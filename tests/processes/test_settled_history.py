"""Settled history (the steps before the ban, earlier rounds of loops) leaves the hot workflow, and the
whole case stays exactly what it was.

Two cases go through the same acts at the same instants: one never cut (MIN_CUT out of reach),
one cut after every act (MIN_CUT 1, the most cuts and the most cuts on top of cuts). The whole
workflow of both, read task by task from the root (ids aside), is the same after every act,
and so are what users see: the open tasks, their deadlines and the milestones.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from copy import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.accounts.users import add_user
from engine.design.case_migration import migrate_cases
from engine.modeling import settled_history
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import deploy_bundle
from engine.modeling.versions import DESIGNER_ROLE
from engine.storage.tables import Case, CaseArchive
from engine.workflow import state as ws
from engine.workflow.case_store import open_workflow
from tests.processes import steps
from tests.processes.scenario import PROCESSES, Scenario


@contextmanager
def _min_cut(monkeypatch: pytest.MonkeyPatch, value: int):
    with monkeypatch.context() as patch:
        patch.setattr(settled_history, "MIN_CUT", value)
        yield


def _plain(value: Any) -> Any:
    # An event SpiffWorkflow keeps in internal data compares by what it holds, not by its address.
    return {type(value).__name__: vars(value)} if hasattr(value, "__dict__") else str(value)


def _tree(workflow: Any) -> Any:
    """The workflow from its root, without ids and times: spec, state, data, whether its children name
    it as their parent, children (and the subprocess a task ran, under it)."""

    def node(task: Any) -> Any:
        sub = workflow.subprocesses.get(task.id)
        return (
            task.task_spec.name,
            task.state,
            json.dumps(task.data, sort_keys=True, default=str),
            json.dumps(task.internal_data, sort_keys=True, default=_plain),
            task.triggered,
            all(child.parent is task for child in task.children),
            [node(child) for child in task.children],
            node(sub.task_tree) if sub is not None else None,
        )

    return node(workflow.task_tree)


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two trees first differ (a readable failure), or None."""
    if a[:6] != b[:6]:
        return f"{path}/{a[0]}: {a[:6]} != {b[:6]}"
    if len(a[6]) != len(b[6]):
        return f"{path}/{a[0]}: children {[c[0] for c in a[6]]} != {[c[0] for c in b[6]]}"
    for x, y in zip([*a[6], a[7]], [*b[6], b[7]], strict=True):
        if (x is None) != (y is None):
            return f"{path}/{a[0]}: subprocess {x is None} != {y is None}"
        found = _first_difference(x, y, f"{path}/{a[0]}") if x is not None else None
        if found:
            return found
    return None


def _opened(s: Scenario, *, whole: bool) -> Any:
    case = s.session.get(Case, s.case_id)
    s.session.refresh(case)
    _, workflow = open_workflow(s.session, s.rt.registry, case, whole=whole)
    s.session.rollback()
    return workflow


def _whole(s: Scenario) -> Any:
    return _opened(s, whole=True)


def _hot_tasks(s: Scenario) -> int:
    return len(ws.all_tasks(_opened(s, whole=False)))


def _cuts(s: Scenario) -> list[str]:
    return [
        key
        for key in s.session.scalars(select(CaseArchive.subprocess_id).where(CaseArchive.case_id == s.case_id))
        if key.startswith(settled_history.ARCHIVE_PREFIX)
    ]


def _lockstep(rt, session, monkeypatch, variant: str) -> tuple[Scenario, Scenario, Any]:
    """Two cases of one deployment, the first never cut, the second cut after every act, and ``both``:
    the same act at the same instant in each, after which they must still be alike."""
    kept = Scenario(rt, session, variant)
    cut = copy(kept)  # the same deployment and users, a case of its own

    def both(act) -> None:
        with _min_cut(monkeypatch, 10**6):
            act(kept)
        with _min_cut(monkeypatch, 1):
            act(cut)
        if kept.case_id is not None:
            assert _first_difference(_tree(_whole(cut)), _tree(_whole(kept))) is None
            assert _seen_by_users(cut) == _seen_by_users(kept)

    return kept, cut, both


def _pair(rt, session, monkeypatch) -> tuple[Scenario, Scenario, Any]:
    """A lockstep pair of the baseline model, taken to where breaches can be reported."""
    kept, cut, both = _lockstep(rt, session, monkeypatch, "wth-basis")
    both(lambda s: s.start("politie", steps.MELDING))
    both(lambda s: steps.impose(s, afnemer="hulpofficier", decider="hulpofficier"))
    both(steps.serve_and_notify)
    both(steps.help_without_children)
    return kept, cut, both


def _seen_by_users(s: Scenario) -> tuple[Any, ...]:
    case = s.case()
    open_tasks = sorted((t["element"], t["due_at"], t["acute"]) for t in case["open_tasks"])
    return open_tasks, s.milestones(), case["status"]


def test_cut_rounds_come_back_exactly_and_nothing_users_see_changes(rt, session, monkeypatch):
    kept, cut, both = _pair(rt, session, monkeypatch)
    with _min_cut(monkeypatch, 10**6):  # a sweep fires both cases' timers: the uncut case stays uncut
        kept.advance(timedelta(days=7, hours=12))
    both(lambda s: steps.extend(s, 18))
    hot = []
    for number in range(1, 7):
        with _min_cut(monkeypatch, 10**6):
            kept.advance(timedelta(hours=6))
        both(lambda s, n=number: steps.violation(s, n))
        hot.append(_hot_tasks(cut))
    assert _cuts(kept) == [] and len(_cuts(cut)) >= 4  # a cut on top of cuts every round
    # The hot workflow stops growing with the rounds; the uncut one grows by each round's tasks.
    assert hot[-1] == hot[2]
    assert _hot_tasks(kept) >= hot[-1] + 4 * 4


@pytest.mark.parametrize("variant", steps.VARIANTS)
def test_each_variant_cut_after_every_act_is_the_uncut_one(rt, session, monkeypatch, variant):
    """Each variant's own steps before the ban (toets, RIHG, weegteam, decision) and an appeal that
    suspends the ban: the case cut after every act stays the uncut one, deadlines and all."""
    kept, cut, both = _lockstep(rt, session, monkeypatch, variant)
    starter, taker, decider, _, data = steps.VARIANTS[variant]
    both(lambda s: s.start(starter, data))
    if variant == "v4-integraal":
        both(lambda s: s.do("Task_integraal", {"integrale_maatregel": "huisverbod", "integrale_motivering": "Gevaar."}))
    both(lambda s: steps.impose(s, afnemer=taker, decider=decider))
    both(lambda s: s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"}))
    with _min_cut(monkeypatch, 10**6):  # a sweep fires both cases' timers: the uncut case stays uncut
        kept.advance(timedelta(days=2))
    both(steps.appeal)
    both(steps.prepare_hearing)
    both(lambda s: steps.vovo_ruling(s, granted=True))
    both(lambda s: steps.copies(s, "Task_afschriften_vovo"))
    assert kept.var("huisverbod")["status"] == cut.var("huisverbod")["status"] == "geschorst"
    assert _cuts(kept) == [] and _cuts(cut)
    assert _hot_tasks(cut) < _hot_tasks(kept)


def test_cuts_wait_for_enough_rounds(rt, session, monkeypatch):
    """Cuts come once MIN_CUT tasks may be cut: the higher the threshold, the fewer cuts."""
    first = Scenario(rt, session, "wth-basis")
    cases = {4: first, 12: copy(first), 10**6: copy(first)}
    counts: dict[int, list[int]] = {value: [] for value in cases}

    def each(act) -> None:
        for value, s in cases.items():
            with _min_cut(monkeypatch, value):
                act(s)
            counts[value].append(len(_cuts(s)))

    each(lambda s: s.start("politie", steps.MELDING))
    each(lambda s: steps.impose(s, afnemer="hulpofficier", decider="hulpofficier"))
    each(steps.serve_and_notify)
    each(steps.help_without_children)
    for number in range(1, 5):
        for value, s in cases.items():
            with _min_cut(monkeypatch, value):
                s.advance(timedelta(hours=6))
        each(lambda s, n=number: steps.violation(s, n))
    assert counts[10**6][-1] == 0
    assert all(a <= b for a, b in zip(counts[12], counts[4], strict=True))
    assert 0 < counts[12][-1] < counts[4][-1]


def test_a_migration_puts_the_cuts_back_and_cuts_anew(rt, session, monkeypatch):
    """A migration loads a case whole and saves it: the cut case comes out as the uncut one does."""
    kept, cut, both = _pair(rt, session, monkeypatch)
    for number in range(1, 5):
        with _min_cut(monkeypatch, 10**6):
            kept.advance(timedelta(hours=6))
        both(lambda s, n=number: steps.violation(s, n))
    cuts_before = _cuts(cut)
    assert len(cuts_before) >= 3
    files = collect_bundle(PROCESSES / "wth-basis")
    main = next(name for name in files if name.endswith(".bpmn"))
    files[main] += b"\n<!-- versie 2 -->\n"
    deploy_bundle(session, rt.registry, files, region="basis", variant="wth-basis", actor="test", now=rt.clock.now())
    designer, _ = add_user(
        session, "ontwerper.lus", [DESIGNER_ROLE], ["basis"], password="scenario-wachtwoord", now=rt.clock.now()
    )

    def migrate(s: Scenario) -> None:
        [result] = migrate_cases(session, rt.registry, rt.clock, case_ids=[s.case_id], to_version=2, user=designer)
        assert result["status"] == "migrated", result

    both(migrate)
    assert _first_difference(_tree(_whole(cut)), _tree(_whole(kept))) is None
    # Its earlier rounds are archived again, now as one cut per line, and the hot workflow is as small.
    cuts_after = _cuts(cut)
    assert 1 <= len(cuts_after) < len(cuts_before) and not set(cuts_after) - set(cuts_before)
    assert _hot_tasks(cut) <= _hot_tasks(kept) - 3 * 4  # (the migration itself predicts a few tasks anew)
    with _min_cut(monkeypatch, 10**6):
        kept.advance(timedelta(hours=6))
    both(lambda s: steps.violation(s, 5))  # and both run on alike
    assert _first_difference(_tree(_whole(cut)), _tree(_whole(kept))) is None
    assert _seen_by_users(cut) == _seen_by_users(kept)

"""Audit-trail actions are one vocabulary (engine.base.vocabulary.Action): code spells an action as a member,
never as a bare string, and every action has the Dutch label the case history shows."""

from __future__ import annotations

import ast

from engine.base.vocabulary import ACTION_LABELS, Action
from tests.conftest import PROJECT_ROOT

SCANNED = ("engine", "web", "cli")
# Calls that write an audit-trail entry; their ``action=`` is the entry's action.
WRITERS = {"CaseEvent", "record_event", "save_case"}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_action(node: ast.AST) -> bool:
    """``action``, ``x.action`` or ``x["action"]``: an action read from an event or a history row."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        return _name(node) == "action"
    return isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value == "action"


def _strings(node: ast.AST) -> list[ast.Constant]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def action_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string used as an action: written, compared, filtered on or put in a history row."""
    found: list[ast.Constant] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node.func) in WRITERS:
            found += [s for k in node.keywords if k.arg == "action" for s in _strings(k.value)]
        elif isinstance(node, ast.Call) and _name(node.func) == "in_" and _is_action(node.func.value):
            found += [s for arg in node.args for s in _strings(arg)]  # CaseEvent.action.in_([...])
        elif isinstance(node, ast.Compare) and any(_is_action(n) for n in (node.left, *node.comparators)):
            found += [s for n in (node.left, *node.comparators) if not _is_action(n) for s in _strings(n)]
        elif isinstance(node, ast.Dict):
            found += [
                s
                for key, value in zip(node.keys, node.values)
                if isinstance(key, ast.Constant) and key.value == "action"
                for s in _strings(value)
            ]
    return sorted((s.lineno, s.value) for s in found)


def _verdict(text: str) -> str:
    known = {a.value: a.name for a in Action}
    return f"schrijf Action.{known[text]}" if text in known else "staat niet in engine.base.vocabulary.Action"


def test_the_scan_finds_every_way_of_spelling_an_action():
    source = "\n".join(
        [
            'record_event(s, c, actor="a", action="taak_afgerond")',
            'CaseEvent(case_id=1, action="onbekend" if x else Action.TIMER)',
            'q.where(CaseEvent.action == "mijlpaal")',
            'q.where(CaseEvent.action.in_(["bericht", *OTHERS]))',
            'row = {"action": "taak_vervallen", "actor": "systeem"}',
            'if h["action"] != "herzien": pass',
            'name = milestone if action == "mijlpaal" else action.replace("_", " ")',
            "save_case(s, c, w, actor=a, action=Action.CASE_STARTED, detail={'reden': 'x'})",
        ]
    )
    assert action_literals(source) == [
        (1, "taak_afgerond"),
        (2, "onbekend"),
        (3, "mijlpaal"),
        (4, "bericht"),
        (5, "taak_vervallen"),
        (6, "herzien"),
        (7, "mijlpaal"),
    ]
    assert _verdict("mijlpaal") == "schrijf Action.MILESTONE" and "niet" in _verdict("onbekend")


def test_code_spells_actions_only_through_the_vocabulary():
    files = sorted(p for top in SCANNED for p in (PROJECT_ROOT / top).rglob("*.py"))
    assert PROJECT_ROOT / "engine" / "workflow" / "case_store.py" in files
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {text!r} {_verdict(text)}"
        for path in files
        for line, text in action_literals(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_action_has_a_dutch_label():
    assert set(ACTION_LABELS) == set(Action)
    assert all(label.strip() and label != action.value for action, label in ACTION_LABELS.items())


def test_actions_are_the_stored_codes():
    # Stored rows keep their codes: a member is equal to, and hashes like, the string in the database.
    assert Action.TASK_COMPLETED == "taak_afgerond" and {Action.SERVED: 1}.get("uitgereikt") == 1
    assert all(len(a.value) <= 40 for a in Action)  # case_event.action is String(40)

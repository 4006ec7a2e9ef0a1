"""Who sees which case data (engine/workflow/visibility.py), checked against a frozen record.

tests/processes/visibility_expected.json records, per variant and per role, which paths of a realistic case
(tests/processes/visibility_corpus.py) are hidden. It was written from the deny-list rules before the allow-list
replaced them, so it proves that the declarations keep today's data where it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.base.vocabulary import ROLE_CODES
from engine.workflow.visibility import visible_variables
from tests.processes.visibility_corpus import VARIANTS, form_variables, hidden_paths, paths, rich_case

EXPECTED = Path(__file__).with_name("visibility_expected.json")
EVERYTHING = "alles"  # the role sees no case data at all


def observed(rt, session, variant: str) -> dict:
    model, snapshots = rich_case(rt, session, variant)
    snapshots.append(form_variables(model))
    every = set().union(*(paths(v) for v in snapshots))
    hidden = {}
    for role in sorted(ROLE_CODES):
        gone = hidden_paths(snapshots, lambda v, role=role: visible_variables(v, [role]))
        hidden[role] = EVERYTHING if gone == every else sorted(gone)
    return {"paths": sorted(every), "hidden": hidden}


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_role_sees_what_it_saw_before_the_allow_list(rt, session, variant):
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))[variant]
    assert observed(rt, session, variant) == expected

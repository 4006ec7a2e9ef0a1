"""Issue 11, suspension of the term in the pilot variants that have it (V3, V4).

A suspension is a decision of the burgemeester with its reason; the ban stays in force; all suspensions of one
ban together last at most ``variant["maximale_opschorting"]`` (P14D, an ASSUMPTION: the law is silent), after
which the term runs again by itself; after every resumption the new end is made known. Basis per rule:
processes/README.md ("Suspension").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.base.errors import Conflict, Forbidden, FormInvalid, RuleRefused
from tests.processes.scenario import Scenario
from tests.processes.steps import VARIANTS, impose, issue, record, start_variant

START = datetime(2026, 2, 2, 20, 15, tzinfo=UTC)
SUSPENDING = [v for v in VARIANTS if v in ("v3-termijnflex", "v4-integraal")]
REASON = "Geen contactadres; telefoon staat uit."
MINUTE = timedelta(minutes=1)


def _unreachable(rt, session, variant: str) -> Scenario:
    """Imposed at START without a contact address: 24 hours later the burgemeester must decide."""
    s = start_variant(rt, session, variant)
    _, taker, decider, _, _ = VARIANTS[variant]
    impose(s, afnemer=taker, decider=decider)
    s.advance_to(START + timedelta(hours=24))
    return s


def _suspend(s: Scenario) -> None:
    s.do("Task_opschorting", {"opschorten": True, "opschorting_reden": REASON})


def _status(s: Scenario) -> str:
    return s.var("huisverbod")["status"]


def _make_known(s: Scenario) -> None:
    record(
        s,
        issue(s, "kennisgeving_nieuw_einde", "burgemeester"),
        to="uithuisgeplaatste",
        method="in_persoon_getekend",
        by="politie",
    )
    s.do("Task_nieuw_einde", {"kennis_genomen": True})


@pytest.mark.parametrize("variant", SUSPENDING)
def test_unreachable_asks_the_burgemeester_who_may_decline(rt, session, variant):
    s = _unreachable(rt, session, variant)
    assert s.task("Task_opschorting")["role"] == "burgemeester"
    assert _status(s) == "opgelegd"  # nothing happens by itself
    s.do("Task_opschorting", {"opschorten": False})
    assert _status(s) == "opgelegd" and "huisverbod_opgeschort" not in s.milestones()
    assert "uithuisgeplaatste_onbereikbaar" in s.case()["waiting_for"]  # a later report asks again
    s.send("uithuisgeplaatste_onbereikbaar", "politie", {})
    assert s.has_task("Task_opschorting")


@pytest.mark.parametrize("variant", SUSPENDING)
def test_a_suspension_needs_its_reason_and_changes_nothing_without(rt, session, variant):
    s = _unreachable(rt, session, variant)
    version = s.case()["lock_version"]
    with pytest.raises(FormInvalid):
        s.do("Task_opschorting", {"opschorten": True})
    assert s.case()["lock_version"] == version and _status(s) == "opgelegd"


@pytest.mark.parametrize("variant", SUSPENDING)
def test_a_suspension_ends_by_itself_at_its_maximum_and_the_new_end_is_made_known(rt, session, variant):
    s = _unreachable(rt, session, variant)
    _suspend(s)
    suspended_at = START + timedelta(hours=24)
    ban = s.var("huisverbod")
    limit = datetime(2026, 2, 17, 20, 15, tzinfo=UTC)  # P14D after the decision
    assert ban["opschorting_grens"] == limit.isoformat() and ban["opschorting_reden"] == REASON
    s.advance_to(limit - MINUTE)
    assert _status(s) == "opgeschort"
    s.advance_to(limit)
    ban = s.var("huisverbod")
    assert _status(s) == "hervat" and s.milestones()[-1] == "huisverbod_hervat"
    days = VARIANTS[variant][3]
    assert ban["einde"] == (START + timedelta(days=days) + (limit - suspended_at)).isoformat()
    task = s.task("Task_nieuw_einde")
    assert task["role"] == "burgemeester"
    with pytest.raises(Conflict):
        s.do("Task_nieuw_einde", {"kennis_genomen": True})  # the notice must be made and served first
    _make_known(s)
    assert not s.has_task("Task_nieuw_einde")


@pytest.mark.parametrize("variant", SUSPENDING)
def test_later_suspensions_share_the_maximum_and_one_beyond_it_is_refused(rt, session, variant):
    s = _unreachable(rt, session, variant)
    _suspend(s)
    s.advance(timedelta(days=5))
    s.send("uithuisgeplaatste_bereikbaar", "politie", {"bereikbaar_adres": "Logeeradres, Zeist"})
    _make_known(s)
    s.advance(timedelta(days=1))
    s.send("uithuisgeplaatste_onbereikbaar", "politie", {})
    _suspend(s)
    limit = s.clock.now() + timedelta(days=9)  # 14 days in all, 5 used
    assert s.var("huisverbod")["opschorting_grens"] == limit.isoformat()
    s.advance_to(limit)
    assert _status(s) == "hervat"
    _make_known(s)
    s.advance(timedelta(hours=2))
    s.send("uithuisgeplaatste_onbereikbaar", "politie", {})
    with pytest.raises(RuleRefused, match="maximum") as refused:
        _suspend(s)
    assert "eindigt op" in str(refused.value)
    assert _status(s) == "hervat"


@pytest.mark.parametrize("variant", SUSPENDING)
def test_only_politie_and_hulpverlening_report_unreachable(rt, session, variant):
    s = start_variant(rt, session, variant)
    _, taker, decider, _, _ = VARIANTS[variant]
    impose(s, afnemer=taker, decider=decider)
    with pytest.raises(Forbidden):
        s.send("uithuisgeplaatste_onbereikbaar", "burgemeester", {})
    s.send("uithuisgeplaatste_onbereikbaar", "hulpverlening", {})
    assert s.has_task("Task_opschorting")


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v not in SUSPENDING])
def test_other_variants_never_suspend(rt, session, variant):
    s = _unreachable(rt, session, variant)
    assert not s.has_task("Task_opschorting")
    assert "uithuisgeplaatste_onbereikbaar" not in s.case()["waiting_for"]

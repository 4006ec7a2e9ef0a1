"""The ban's status and end on the case row (engine.workflow.ban_state) follow the ban through the real chain,
and /zaken finds a case by the Dutch day its ban ends (issue 16, item 2)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.cases import case_search
from engine.storage.tables import Case
from tests.processes.scenario import Scenario
from tests.processes.steps import MELDING, extend, impose, serve_and_notify, withdraw


@pytest.fixture
def s(rt, session) -> Scenario:
    return Scenario(rt, session, "wth-basis")


def _row(s: Scenario) -> tuple[str | None, str | None]:
    case = s.session.get(Case, s.case_id)
    s.session.refresh(case)
    return case.huisverbod_status, case.huisverbod_einde.isoformat() if case.huisverbod_einde else None


def _as_the_case_shows_it(s: Scenario) -> tuple[str | None, str | None]:
    ban = s.case()["variables"].get("huisverbod") or {}
    return ban.get("status"), ban.get("einde")


def _found(s: Scenario, first: date | None, last: date | None) -> list[int]:
    ban_end = case_search.BanEndRange(first, last)
    hits = case_search.search_cases(s.session, s.users["hulpofficier"], s.clock.now(), ban_end=ban_end).hits
    return [hit.id for hit in hits]


def test_the_row_follows_the_ban_from_imposed_to_extended_to_expired(s):
    s.start("politie", MELDING)  # 2 February 2026 21:15 Amsterdam
    assert _row(s) == (None, None)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    assert _row(s) == ("opgelegd", "2026-02-12T20:15:00+00:00") == _as_the_case_shows_it(s)
    serve_and_notify(s)
    extend(s, 18)
    assert _row(s) == ("verlengd", "2026-03-02T20:15:00+00:00") == _as_the_case_shows_it(s)
    s.advance_to(datetime(2026, 3, 2, 20, 15, tzinfo=UTC))
    assert _row(s) == ("verlopen", "2026-03-02T20:15:00+00:00") == _as_the_case_shows_it(s)


def test_a_withdrawn_ban_keeps_its_end_and_says_so(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    serve_and_notify(s)
    withdraw(s)
    assert _row(s)[0] == "ingetrokken" and _row(s) == _as_the_case_shows_it(s)


def test_a_case_is_found_by_the_dutch_day_its_ban_ends(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")  # ends 12 February 21:15 Amsterdam
    assert _found(s, date(2026, 2, 12), date(2026, 2, 12)) == [s.case_id]
    assert _found(s, None, date(2026, 2, 12)) == [s.case_id]
    assert _found(s, date(2026, 2, 12), None) == [s.case_id]
    assert _found(s, None, date(2026, 2, 11)) == []
    assert _found(s, date(2026, 2, 13), None) == []
    hit = case_search.search_cases(s.session, s.users["hulpofficier"], s.clock.now()).hits[0]
    assert (hit.ban_status, hit.ban_end) == ("opgelegd", datetime(2026, 2, 12, 20, 15, tzinfo=UTC))

"""The case search's query on SQLite and PostgreSQL alike: relations, LIKE with escapes, the processing log."""

from __future__ import annotations

from sqlalchemy import select

from engine.cases import case_search
from engine.cases import operations as cases
from engine.storage.tables import Case, ProcessingLog


def test_the_search_finds_related_cases_on_both_databases(session, rt, people, deployed):
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])
    case = session.get(Case, case_id)
    case.set_address("Laan 5%_ Noord")
    session.commit()
    now = rt.clock.now()
    found = case_search.search_cases(session, people["pol"], now, q=str(case_id))  # politie started it
    assert [h.id for h in found.hits] == [case_id] and found.total == 1 and found.first == found.last == 1
    assert [h.address for h in case_search.search_cases(session, people["pol"], now, q="5%_ noord").hits] == [
        "Laan 5%_ Noord"
    ]
    assert case_search.search_cases(session, people["pol"], now, q="5__").hits == []  # _ is a character
    case.set_address("Église-Straße 3")
    session.commit()
    # Case does not count beyond ASCII either (SQLite's lower() would miss É); ß folds to ss as casefold() does.
    assert [h.id for h in case_search.search_cases(session, people["pol"], now, q="église-strasse").hits] == [case_id]
    assert case_search.search_cases(session, people["ovj"], now, q=str(case_id)).hits == []  # no relation
    assert case_search.search_cases(session, people["pol_elders"], now).hits == []  # another region
    logged = session.scalars(select(ProcessingLog.case_id).where(ProcessingLog.activity == "zaken_zoeken")).all()
    assert logged == [case_id, case_id, case_id]

"""Persons as data (engine.cases.persons): the persons named in a case's forms become rows, a
subject-access request (AVG art. 15) exports everything about one of them, and the processing log
reads per person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.accounts.users import add_user
from engine.base.errors import Forbidden, InvalidInput
from engine.cases.persons import persons_in, subject_access
from engine.storage.tables import Person
from engine.workflow.processing_log import log_entries
from tests.conftest import PASSWORD
from tests.processes.scenario import Scenario
from tests.processes.steps import MELDING, impose


@pytest.fixture
def s(rt, session) -> Scenario:
    return Scenario(rt, session, "wth-basis")


@pytest.fixture
def fg(session, clock):
    return add_user(session, "fg.basis", ["fg"], ["basis"], password=PASSWORD, now=clock.now())[0]


def test_the_fields_that_name_persons():
    data = {
        "uithuisgeplaatste_naam": "  P.  de Vries ",
        "achterblijvers": [{"naam": "S. de Vries", "relatie": "partner"}, {"naam": ""}],
        "kinderen": [{"voornaam": "Kim", "leeftijd": 7}],
        "contactverbod_namen": ["S. de Vries"],
        "adres": "Dorpsstraat 1",
    }
    assert persons_in(data) == [
        ("uithuisgeplaatste", "P. de Vries", {}),
        ("achterblijver", "S. de Vries", {"relatie": "partner"}),
        ("kind", "Kim", {"leeftijd": 7}),
        ("beschermd", "S. de Vries", {}),
    ]


def test_a_case_records_its_persons_once(s, session):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")  # the beschikking names them again
    rows = session.scalars(select(Person).where(Person.case_id == s.case_id)).all()
    assert sorted((p.role, p.name) for p in rows) == [
        ("achterblijver", "S. de Vries"),
        ("beschermd", "S. de Vries"),
        ("uithuisgeplaatste", "P. de Vries"),
    ]


def test_subject_access_exports_everything_about_one_person(s, session, fg):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    [found] = subject_access(session, fg, "p. DE  vries", s.clock.now())
    assert (found.case_id, found.roles, found.status) == (s.case_id, ("uithuisgeplaatste",), "active")
    assert found.events and found.processing
    by_person = log_entries(session, fg, person="P. de Vries")
    assert by_person and {e.case_id for e in by_person} == {s.case_id}
    assert by_person[0].activity == "inzageverzoek"  # the request itself is logged, newest first
    with pytest.raises(InvalidInput, match="geen persoon met die naam"):
        subject_access(session, fg, "Onbekende Persoon", s.clock.now())
    with pytest.raises(InvalidInput, match="minstens 3 tekens"):
        subject_access(session, fg, " x ", s.clock.now())
    with pytest.raises(Forbidden):
        subject_access(session, s.users["burgemeester"], "P. de Vries", s.clock.now())
    elders = add_user(session, "fg.elders", ["fg"], ["pilot1"], password=PASSWORD, now=s.clock.now())[0]
    with pytest.raises(InvalidInput):  # another region's FG finds nothing here
        subject_access(session, elders, "P. de Vries", s.clock.now())

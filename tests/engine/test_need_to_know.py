"""Need-to-know (engine.workflow.need_to_know): which roles read a case and why, role × relation × field,
and break-the-glass at its edges."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.accounts.users import add_user
from engine.base.errors import Forbidden, InvalidInput
from engine.cases import case_view
from engine.cases import operations as cases
from engine.storage.document_tables import Document, ServiceRecord
from engine.workflow import need_to_know as ntk
from engine.workflow.need_to_know import NeedToKnow, Relation
from tests.conftest import PASSWORD


@pytest.fixture
def case_id(session, rt, deployed, people) -> int:
    """A sample case the politie started and completed its first task in (the burgemeester's task is open)."""
    case_id = cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"], role="politie")
    from tests.engine.conftest import only_task

    task = only_task(session, case_id)
    cases.complete_task(
        session, rt.registry, rt.clock, task_id=task["id"], data={"naam": "Marker Naam", "ernst": 4}, user=people["pol"]
    )
    return case_id


@pytest.fixture
def more_people(session, clock):
    return {
        name: add_user(session, name, roles, regions, password=PASSWORD, now=clock.now())[0]
        for name, (roles, regions) in {
            "wijk": (["wijkteam"], ["basis"]),
            "ontwerper": (["designer"], ["basis"]),
            "pol_wijk": (["politie", "wijkteam"], ["basis"]),
        }.items()
    }


def _access(session, rt, user, case_id):
    from engine.storage.tables import Case

    return ntk.case_access(session, session.get(Case, case_id), user, rt.clock.now())


def test_relations_per_role(session, rt, people, more_people, case_id):
    assert dict(_access(session, rt, people["pol"], case_id).relations) == {"politie": (Relation.TASK, Relation.PARTY)}
    assert dict(_access(session, rt, people["bm"], case_id).relations) == {"burgemeester": (Relation.TASK,)}
    with pytest.raises(NeedToKnow):
        _access(session, rt, more_people["wijk"], case_id)
    with pytest.raises(NeedToKnow):
        _access(session, rt, people["ovj"], case_id)
    designer = _access(session, rt, more_people["ontwerper"], case_id)  # no case roles: the process, no data
    assert designer.roles == frozenset()
    mixed = _access(session, rt, more_people["pol_wijk"], case_id)  # only the related role reads
    assert mixed.roles == {"politie"}


def test_a_served_document_asks_the_recipient_in(session, rt, people, more_people, case_id):
    now = rt.clock.now()
    document = Document(
        case_id=case_id, region="basis", kind="kennisgeving_hulpverlening", version=1, template_version="t",
        generated_at=now, generated_by="bm", generated_role="burgemeester", sha256="0" * 64, html="", pdf=b"",
        pdf_sha256="0" * 64, source="{}",
    )  # fmt: skip
    session.add(document)
    session.flush()
    session.add(
        ServiceRecord(
            document_id=document.id, case_id=case_id, region="basis", recipient_name="", recipient_role="wijkteam",
            method="digitaal", served_at=now, recorded_at=now, recorded_by="bm", recorded_role="burgemeester",
        )
    )  # fmt: skip
    session.commit()
    assert dict(_access(session, rt, more_people["wijk"], case_id).relations) == {"wijkteam": (Relation.ASKED,)}


def test_the_case_page_filters_fields_by_the_related_roles_only(session, rt, people, more_people, case_id):
    page = case_view.case_page(session, rt.registry, case_id, more_people["pol_wijk"], rt.clock.now())
    assert page.access.roles == {"politie"} and page.sees_data
    with pytest.raises(NeedToKnow):
        case_view.case_page(session, rt.registry, case_id, more_people["wijk"], rt.clock.now())
    designer = case_view.case_page(session, rt.registry, case_id, more_people["ontwerper"], rt.clock.now())
    assert designer.case["variables"] == {} and not designer.sees_data
    assert designer.history and all(h["actor"] == "" and h["detail"] == {} for h in designer.history)
    assert "Marker Naam" not in str(designer)


def test_break_the_glass_at_its_edges(session, rt, more_people, case_id):
    wijk = more_people["wijk"]
    with pytest.raises(InvalidInput, match="minstens 10 tekens"):
        ntk.break_the_glass(session, case_id, wijk, "123456789", rt.clock.now())
    with pytest.raises(InvalidInput, match="bestaat niet"):
        ntk.break_the_glass(session, 999, wijk, "melding van de buren", rt.clock.now())
    with pytest.raises(Forbidden):
        ntk.break_the_glass(session, case_id, more_people["ontwerper"], "ik wil het zien", rt.clock.now())
    with pytest.raises(NeedToKnow):
        _access(session, rt, wijk, case_id)  # nothing was granted by the refusals
    until = ntk.break_the_glass(session, case_id, wijk, "1234567890", rt.clock.now())
    assert until == rt.clock.now() + timedelta(hours=ntk.GLASS_HOURS)
    assert dict(_access(session, rt, wijk, case_id).relations) == {"wijkteam": (Relation.GLASS,)}
    rt.clock.set(until - timedelta(minutes=1))
    assert _access(session, rt, wijk, case_id).by_glass
    rt.clock.set(until)
    with pytest.raises(NeedToKnow):
        _access(session, rt, wijk, case_id)  # the grant has ended


def test_the_burgemeesters_office_sees_every_break(session, rt, people, more_people, case_id):
    ntk.break_the_glass(session, case_id, more_people["wijk"], "  buurtmelding   over geluid ", rt.clock.now())
    [entry] = ntk.glass_entries(session, people["bm"])
    assert (entry.case_id, entry.user_name, entry.roles, entry.reason) == (
        case_id,
        "wijk",
        ("wijkteam",),
        "buurtmelding over geluid",
    )
    with pytest.raises(Forbidden):
        ntk.glass_entries(session, people["pol"])


def _name_regiehouder(session, case_id: int, value: object) -> None:
    from engine.storage.tables import Case

    ntk.record_regiehouder(session.get(Case, case_id), {"regiehouder": value})
    session.commit()


def test_the_regiehouder_is_a_party_that_reads_and_finds_the_case_without_a_task(session, rt, more_people, case_id):
    from engine.cases import case_search

    wijk = more_people["wijk"]
    with pytest.raises(NeedToKnow):
        _access(session, rt, wijk, case_id)
    assert case_search.search_cases(session, wijk, rt.clock.now(), q=str(case_id)).hits == []
    _name_regiehouder(session, case_id, "wijkteam")
    assert dict(_access(session, rt, wijk, case_id).relations) == {"wijkteam": (Relation.PARTY,)}
    assert [hit.id for hit in case_search.search_cases(session, wijk, rt.clock.now(), q=str(case_id)).hits] == [case_id]
    mixed = _access(session, rt, more_people["pol_wijk"], case_id)  # politie by its task, wijkteam as regiehouder
    assert dict(mixed.relations) == {"politie": (Relation.TASK, Relation.PARTY), "wijkteam": (Relation.PARTY,)}


@pytest.mark.parametrize("value", ["Wijkteam Noord", "Wijkteam", "beheerder", "designer", "", None, ["wijkteam"]])
def test_only_a_case_role_named_as_regiehouder_becomes_a_party(session, rt, more_people, case_id, value):
    """Free text (as the form took before) or a role that works no cases gives nobody access."""
    from engine.storage.tables import Case

    _name_regiehouder(session, case_id, value)
    assert session.get(Case, case_id).regiehouder is None
    with pytest.raises(NeedToKnow):
        _access(session, rt, more_people["wijk"], case_id)


def test_a_later_regiehouder_replaces_the_earlier(session, rt, people, more_people, case_id):
    _name_regiehouder(session, case_id, "wijkteam")
    _name_regiehouder(session, case_id, "veilig_thuis")
    with pytest.raises(NeedToKnow):
        _access(session, rt, more_people["wijk"], case_id)


def test_the_regiehouder_form_offers_the_case_roles_by_their_labels():
    import json

    from engine.base.paths import FORMS_DIR
    from engine.base.vocabulary import AUDIENCES, ROLES

    schema = json.loads((FORMS_DIR / "regiehouder.schema.json").read_text(encoding="utf-8"))
    options = {option["const"]: option["title"] for option in schema["properties"]["regiehouder"]["oneOf"]}
    labels = {role.code: role.label for role in ROLES}
    assert options == {code: labels[code] for code in options}
    # Care organisations only: the check-in form they then read shows its notes to "zorg".
    assert set(options) <= AUDIENCES["zorg"] and "veilig_thuis" in options and "wijkteam" in options

"""A case's title (issue 16, item 5): the address of the home and the uithuisgeplaatste's name, which every
form that asks them shows to the whole chain, so the worklist may show them to any role with a task in the case."""

from __future__ import annotations

import json

import pytest

from engine.base.vocabulary import CASE_ROLE_CODES, audience_roles
from engine.cases.persons import record_address
from engine.storage.tables import Case
from engine.workflow.case_title import ADDRESS_FIELD, NAME_FIELD, CaseTitle
from tests.conftest import PROJECT_ROOT


@pytest.mark.parametrize("field_name", [ADDRESS_FIELD, NAME_FIELD])
def test_every_form_that_asks_a_part_of_the_title_shows_it_to_every_role_in_the_chain(field_name):
    asking = []
    for path in sorted((PROJECT_ROOT / "forms").glob("*.schema.json")):
        field = json.loads(path.read_text(encoding="utf-8")).get("properties", {}).get(field_name)
        if isinstance(field, dict):
            asking.append(path.name)
            assert audience_roles(field.get("x-visible-to", [])) >= CASE_ROLE_CODES, path.name
    assert {"melding_crisis.schema.json", "verzoek_huisverbod.schema.json"} <= set(asking)


def test_the_title_is_the_latest_address_given_tidied_and_bounded():
    case = Case()
    record_address(case, {"omschrijving": "geen adres"})
    assert case.adres is None
    record_address(case, {ADDRESS_FIELD: "  Dorpsstraat 1,\n  Ergens "})
    assert case.adres == "Dorpsstraat 1, Ergens"
    record_address(case, {ADDRESS_FIELD: "   "})  # an empty answer leaves the title
    assert case.adres == "Dorpsstraat 1, Ergens"
    record_address(case, {ADDRESS_FIELD: "x" * 500})
    assert case.adres == "x" * 200


def test_the_title_shows_what_the_user_may_see_of_the_address_and_the_name():
    assert CaseTitle.of_variables(
        {"adres": " Dorpsstraat 1,\n Ergens", "uithuisgeplaatste_naam": "Jan  Jansen"}
    ).text == ("Dorpsstraat 1, Ergens · Jan Jansen")
    assert CaseTitle.of_variables({"uithuisgeplaatste_naam": "Jan Jansen"}).text == "Jan Jansen"
    assert CaseTitle.of_variables({"adres": 7, "uithuisgeplaatste_naam": "  "}).text == ""  # filtered or not given

"""Who sees which case data (engine/workflow/visibility.py): the allow-list against a frozen record of the
deny-list it replaced, every field declared, undeclared data only for its writers, and each audience at its edges.

tests/processes/visibility_expected.json records, per variant and per role, which paths of a realistic case
(tests/processes/visibility_corpus.py) were hidden by the deny-list rules before the allow-list replaced them.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from lxml import etree

from engine.base.vocabulary import AUDIENCES, CASE_ROLE_CODES, ROLE_CODES, VISIBLE_TO, audience_roles
from engine.modeling.bundle import collect_bundle
from engine.modeling.forms import FORMS_DIR, load_schema_text
from engine.modeling.registry import parse_bundle
from engine.rihg.instrument import police_data_paths
from engine.workflow.visibility import SCRIPT_DATA, form_writers, rules_for, visible_variables
from tests.processes.scenario import PROCESSES
from tests.processes.visibility_corpus import VARIANTS, form_variables, hidden_paths, paths, rich_case

EXPECTED = Path(__file__).with_name("visibility_expected.json")
EVERYTHING = "alles"  # the role sees no case data at all
# The one deliberate change: the RIHG form's own politiegegevens (only inside the RIHG subprocess of a running
# case) were visible to care roles under the deny-list, which named only the copy in rihg_resultaat.
TIGHTENED = {f"{p}{leaf}" for p in police_data_paths() for leaf in ("", ".score", ".signalen", ".toelichting")}
# The second: the 509hh Sv gedragsaanwijzing narrowed to its need-to-know circle (engine/base/vocabulary.py).
OUTSIDE_509HH = CASE_ROLE_CODES - AUDIENCES["gedragsaanwijzing"]


def _509hh(paths: list[str]) -> set[str]:
    return {p for p in paths if ("gedragsaanwijzing" in p or "509hh" in p) and not p.startswith("variant.")}


def observed(rt, session, variant: str) -> dict:
    model, snapshots = rich_case(rt, session, variant)
    snapshots.append(form_variables(model))
    every = set().union(*(paths(v) for v in snapshots))
    hidden = {}
    for role in sorted(ROLE_CODES):
        gone = hidden_paths(snapshots, lambda v, role=role: visible_variables(v, [role], model))
        hidden[role] = EVERYTHING if gone == every else sorted(gone)
    return {"paths": sorted(every), "hidden": hidden}


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_role_sees_what_it_saw_before_the_allow_list(rt, session, variant):
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))[variant]
    for role in AUDIENCES["zorg"]:
        expected["hidden"][role] = sorted({*expected["hidden"][role], *TIGHTENED})
    for role in OUTSIDE_509HH:
        expected["hidden"][role] = sorted({*expected["hidden"][role], *_509hh(expected["paths"])})
    for role in ROLE_CODES - set(expected["hidden"]):  # roles added since (fg): they work no cases
        assert role not in CASE_ROLE_CODES
        expected["hidden"][role] = EVERYTHING
    assert observed(rt, session, variant) == expected


# --- every field and every script variable is declared -----------------------------------------------------


def _undeclared(schema: dict, where: str) -> list[str]:
    """Top-level properties without a declaration (nested ones inherit theirs)."""
    return [f"{where}: {name}" for name, prop in schema.get("properties", {}).items() if VISIBLE_TO not in prop]


def test_every_form_field_declares_who_may_see_it():
    undeclared = []
    for path in sorted(FORMS_DIR.glob("*.schema.json")):
        undeclared += _undeclared(json.loads(path.read_text(encoding="utf-8")), path.name)
    assert not undeclared, "velden zonder x-visible-to: " + ", ".join(undeclared)


def _declarations(schema: dict, where: str, inside_list: bool = False):
    for name, prop in (schema.get("properties") or {}).items():
        if VISIBLE_TO in prop:
            yield f"{where}{name}", prop[VISIBLE_TO], inside_list
        yield from _declarations(prop, f"{where}{name}.", inside_list)
        if isinstance(prop.get("items"), dict):
            yield from _declarations(prop["items"], f"{where}{name}[].", True)


def test_every_declaration_names_audiences_or_case_roles_and_counts():
    for path in sorted(FORMS_DIR.glob("*.schema.json")):
        schema = load_schema_text(path.read_text(encoding="utf-8"))  # what deploy checks
        for where, names, inside_list in _declarations(schema, f"{path.name}: "):
            assert not inside_list, f"{where}: items of a list share the list's declaration"
            assert audience_roles(names) <= CASE_ROLE_CODES, where
    for name, names in SCRIPT_DATA.items():
        assert audience_roles(names), name
        if "." in name:
            assert name.split(".")[0] in SCRIPT_DATA, f"{name}: declare its variable first"
    assert not set(AUDIENCES) & ROLE_CODES, "an audience is not named like a role"


# Names a script, pre/post script, data object or call activity output of a model may write.
_ASSIGNED = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*=(?!=)", re.M)
_NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


def _written_by(files: dict[str, bytes]) -> set[str]:
    names: set[str] = set()
    for name, content in files.items():
        if name.endswith(".dmn"):
            names |= {o.get("name") for o in etree.fromstring(content).iter("{*}output") if o.get("name")}
        if not name.endswith(".bpmn"):
            continue
        root = etree.fromstring(content)
        for tag in ("bpmn:script", "spiff:preScript", "spiff:postScript"):
            for script in root.iterfind(f".//{tag}", _NS):
                names |= set(_ASSIGNED.findall(script.text or ""))
        for tag in ("bpmn:dataObject", "bpmn:dataOutput"):
            names |= {d.get("name") for d in root.iterfind(f".//{tag}", _NS) if d.get("name", "").isidentifier()}
    return names


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variable_the_models_write_is_declared(variant):
    model = parse_bundle(collect_bundle(PROCESSES / variant))
    undeclared = sorted(_written_by(model.files) - set(rules_for(model)))
    assert not undeclared, f"niet gedeclareerd in SCRIPT_DATA of een formulier: {undeclared}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variable_of_a_rich_case_is_declared(rt, session, variant):
    model, snapshots = rich_case(rt, session, variant)
    rules = rules_for(model)
    undeclared = sorted({name for v in snapshots for name in v} - set(rules))
    assert not undeclared, f"niet gedeclareerd: {undeclared}"


# --- undeclared data: only who wrote it --------------------------------------------------------------------


def _with_undeclared_field(variant: str = "wth-basis"):
    """The variant's model with a new, undeclared field in the outreach form (hulpverlening fills it in)."""
    model = parse_bundle(collect_bundle(PROCESSES / variant))
    model.forms["outreach.schema.json"] = copy.deepcopy(model.forms["outreach.schema.json"])
    model.forms["outreach.schema.json"]["properties"]["verslavingszorg"] = {"type": "string", "title": "Verslaving"}
    model.spec_state.clear()
    return model


def test_an_undeclared_field_added_to_a_form_is_seen_only_by_the_role_that_wrote_it():
    model = _with_undeclared_field()
    assert {(f, t, w) for f, t, w in form_writers(model) if f == "outreach.schema.json"} == {
        ("outreach.schema.json", None, frozenset({"hulpverlening"}))
    }
    variables = {"verslavingszorg": "intake gepland", "outreach_notitie": "zorg"}
    for role in sorted(ROLE_CODES):
        seen = visible_variables(variables, [role], model)
        assert ("verslavingszorg" in seen) is (role == "hulpverlening"), role
    assert "verslavingszorg" in visible_variables(variables, ["politie", "hulpverlening"], model)


def test_an_undeclared_variable_no_form_writes_is_seen_by_no_one():
    model = parse_bundle(collect_bundle(PROCESSES / "wth-basis"))
    for role in sorted(ROLE_CODES):
        assert visible_variables({"nieuw_scriptveld": 1}, [role], model) == {}, role


def test_a_nested_declaration_narrows_and_a_field_written_twice_takes_the_narrowest():
    model = _with_undeclared_field()
    outreach = model.forms["outreach.schema.json"]["properties"]
    outreach["contact"] = {
        "type": "object",
        VISIBLE_TO: ["keten"],
        "properties": {"plek": {"type": "string"}, "dossier": {"type": "string", VISIBLE_TO: ["zorg", "om"]}},
    }
    outreach["adres"] = {"type": "string", VISIBLE_TO: ["oplegging", "zorg"]}  # the melding says keten
    model.spec_state.clear()
    variables = {"contact": {"plek": "thuis", "dossier": "VT-1"}, "adres": "Dorpsstraat 1"}
    assert visible_variables(variables, ["veilig_thuis"], model) == variables
    assert visible_variables(variables, ["om"], model) == {"contact": {"plek": "thuis", "dossier": "VT-1"}}
    assert visible_variables(variables, ["politie"], model) == {"contact": {"plek": "thuis"}, "adres": "Dorpsstraat 1"}
    assert visible_variables(variables, ["reclassering"], model) == {"contact": {"plek": "thuis"}}


# --- each audience at its edges, on the real declarations --------------------------------------------------

SAMPLE = {
    "adres": "Dorpsstraat 1",  # keten
    "pv_nummer": "PL0100-2026",  # oplegging, strafrecht
    "outreach_notitie": "zorg",  # oplegging, zorg
    "gedragsaanwijzing": {"soort": "contactverbod"},  # the 509hh circle
    "rihg_resultaat": {
        "advies": "huisverbod",
        "uitkomst": {"persoon": {"1a": {"signalen": ["1a.1"]}, "1b": {"signalen": ["1b.1"]}}},
    },
    "samenloop": {"zsm": {"afdoening": "dagvaarden", "gedragsaanwijzing": "geen"}, "huisverbod": {"besluit": "x"}},
}


@pytest.fixture(scope="module")
def basis():
    return parse_bundle(collect_bundle(PROCESSES / "wth-basis"))


@pytest.mark.parametrize("role", sorted(ROLE_CODES))
def test_each_role_sees_its_audiences_data(basis, role):
    seen = visible_variables(SAMPLE, [role], basis)
    if role in AUDIENCES["oplegging"]:
        assert seen == SAMPLE
    elif role in AUDIENCES["zorg"]:
        assert seen["outreach_notitie"] and "pv_nummer" not in seen and seen["adres"]
        assert seen["rihg_resultaat"]["uitkomst"]["persoon"] == {"1b": {"signalen": ["1b.1"]}}
        assert seen["samenloop"]["zsm"] == {} and "gedragsaanwijzing" not in seen  # outside the 509hh circle
    elif role in AUDIENCES["strafrecht"]:
        assert seen["pv_nummer"] and "outreach_notitie" not in seen
        assert seen["rihg_resultaat"] == SAMPLE["rihg_resultaat"] and seen["samenloop"] == SAMPLE["samenloop"]
    else:  # designer, beheerder
        assert role not in CASE_ROLE_CODES and seen == {}
    assert SAMPLE["rihg_resultaat"]["uitkomst"]["persoon"]["1a"]  # the input is never changed


def test_several_roles_see_the_union(basis):
    assert visible_variables(SAMPLE, ["veilig_thuis", "om"], basis) == SAMPLE
    assert visible_variables(SAMPLE, ["designer", "wijkteam"], basis) == visible_variables(SAMPLE, ["wijkteam"], basis)
    assert visible_variables(SAMPLE, [], basis) == {}


def test_narrowing_the_509hh_circle_is_one_line(basis, monkeypatch):
    monkeypatch.setitem(AUDIENCES, "gedragsaanwijzing", AUDIENCES["oplegging"] | AUDIENCES["strafrecht"])
    basis.spec_state.clear()
    try:
        seen = visible_variables({**SAMPLE, "afweging_509hh": "x"}, ["wijkteam"], basis)
        assert "gedragsaanwijzing" not in seen and "afweging_509hh" not in seen
        assert "gedragsaanwijzing" not in seen["samenloop"]["zsm"]
    finally:
        basis.spec_state.clear()


@pytest.mark.parametrize(
    "declared, problem",
    [
        (["ketne"], "'ketne' is geen doelgroep"),
        (["designer"], "'designer' is geen doelgroep"),
        ([], "niet-lege lijst"),
        ("keten", "niet-lege lijst"),
    ],
)
def test_deploy_refuses_a_form_that_names_an_unknown_audience(declared, problem):
    form = {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {VISIBLE_TO: declared}}}}}
    with pytest.raises(ValueError, match=problem) as refused:
        load_schema_text(json.dumps(form))
    assert "'a.b'" in str(refused.value)

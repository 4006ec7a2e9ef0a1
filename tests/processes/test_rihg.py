"""The RiHG subprocesses run inside the engine: performer lane, scoring DMN,
advice, the decision with its deviation reason, and refusal of bad input.

Everything goes through engine.cases.operations with the real forms and the real models
of processes/common, on SQLite and PostgreSQL; no DMN code is called directly.
"""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from engine.base.errors import FormInvalid, ProcessError
from engine.cases import operations as cases
from engine.rihg.instrument import ANNEX, NIEUW_PERSPECTIEF
from engine.storage.tables import Case, CaseEvent
from engine.workflow import worklist
from tests.processes.conftest import COMMON

USER_FOR_ROLE = {
    "politie": "pol",
    "hulpofficier": "hovj",
    "veilig_thuis": "vt",
    "crisisteam": "crisis",
    "burgemeester": "bm",
}


def _start(session, rt, *, afnemer="hulpofficier", besluit_door="burgemeester", catalogus="basis") -> int:
    data = {"rihg_afnemer": afnemer, "besluit_door": besluit_door, "catalogus": catalogus}
    return cases.start_case(session, rt.registry, rt.clock, region="basis", data=data)


def _only_task(session, case_id) -> dict[str, Any]:
    tasks = worklist.list_tasks(session, case_id=case_id)
    assert len(tasks) == 1, tasks
    return tasks[0]


def _complete(session, rt, people, task, data) -> None:
    cases.complete_task(
        session, rt.registry, rt.clock, task_id=task["id"], data=data, user=people[USER_FOR_ROLE[task["role"]]]
    )


def _variables(session, rt, case_id) -> dict[str, Any]:
    return cases.case_details(session, rt.registry, case_id)["variables"]


def _scored(**levels: dict[str, str]) -> dict[str, Any]:
    """Form data from {level: {indicator: score}}; every scored indicator gets its first signal ticked."""
    return {
        level: {code: {"signalen": [f"{code}.1"], "score": score} for code, score in scores.items()}
        for level, scores in levels.items()
    }


ALL_LOW = {level.key: {i.code: "laag" for i in level.indicators} for level in ANNEX.levels}

# (description, form data, expected tussenoordelen persoon/incident/leefomstandigheden, expected advice)
ADVICE_CASES = [
    ("niets aangevinkt", {}, ("laag", "laag", "laag"), "geen"),
    ("alles laag", _scored(**ALL_LOW), ("laag", "laag", "laag"), "geen"),
    (
        "precies twee hoog in incident",
        _scored(incident={"2c": "hoog", "2g": "hoog"}),
        ("laag", "hoog", "laag"),
        "huisverbod",
    ),
    ("twee hoog in persoon", _scored(persoon={"1a": "hoog", "1c": "hoog"}), ("hoog", "laag", "laag"), "huisverbod"),
    (
        "één hoog in elk niveau",
        _scored(persoon={"1b": "hoog"}, incident={"2a": "hoog"}, leefomstandigheden={"3f": "hoog"}),
        ("midden", "midden", "midden"),
        "geen",
    ),
    (
        "hoog in elk niveau",
        _scored(
            persoon={"1a": "hoog", "1b": "hoog"},
            incident={"2c": "hoog", "2h": "hoog"},
            leefomstandigheden={"3a": "hoog", "3e": "hoog"},
        ),
        ("hoog", "hoog", "hoog"),
        "huisverbod",
    ),
    ("twee midden", _scored(leefomstandigheden={"3b": "midden", "3c": "midden"}), ("laag", "laag", "midden"), "geen"),
    ("één midden", _scored(incident={"2k": "midden"}), ("laag", "laag", "laag"), "geen"),
    ("één hoog en één midden", _scored(incident={"2d": "hoog", "2e": "midden"}), ("laag", "midden", "laag"), "geen"),
    (
        "drie hoog verspreid, twee in leefomstandigheden",
        _scored(persoon={"1c": "hoog"}, leefomstandigheden={"3d": "hoog", "3e": "hoog"}),
        ("midden", "laag", "hoog"),
        "huisverbod",
    ),
]


@pytest.mark.parametrize("description,data,oordelen,advies", ADVICE_CASES, ids=[c[0] for c in ADVICE_CASES])
def test_dmn_gives_tussenoordelen_and_advice(session, rt, rihg_deployed, people, description, data, oordelen, advies):
    case_id = _start(session, rt)
    _complete(session, rt, people, _only_task(session, case_id), data)

    result = _variables(session, rt, case_id)["rihg_resultaat"]
    assert result["tussenoordelen"] == dict(zip(("persoon", "incident", "leefomstandigheden"), oordelen))
    assert result["advies"] == advies
    assert result["catalogus"] == ANNEX.id and result["uitbreiding"] is None
    # The decision task that follows carries the form of this advice.
    decision = _only_task(session, case_id)
    assert (decision["role"], decision["form"]) == ("burgemeester", f"rihg_besluit_advies_{advies}.schema.json")


def test_result_keeps_the_assessment_and_the_counts(session, rt, rihg_deployed, people):
    case_id = _start(session, rt, afnemer="politie")
    data = _scored(incident={"2c": "hoog", "2g": "hoog", "2a": "midden"}, persoon={"1b": "laag"})
    data["incident"]["2c"].update(signalen=["2c.1", "2c.4"], toelichting="Verwurging, striemen in de hals.")
    data["incident"]["tussenoordeel_toelichting"] = "Ernstig lichamelijk geweld met wapen."
    _complete(session, rt, people, _only_task(session, case_id), data)

    variables = _variables(session, rt, case_id)
    result = variables["rihg_resultaat"]
    assert result["afnemer"] == "politie"
    assert result["uitkomst"] == {"persoon": data["persoon"], "incident": data["incident"], "leefomstandigheden": {}}
    assert result["aantal_hoog"] == {"persoon": 0, "incident": 2, "leefomstandigheden": 0}
    assert result["aantal_midden"] == {"persoon": 0, "incident": 1, "leefomstandigheden": 0}
    assert result["afgenomen_op"] == rt.clock.now().isoformat()
    # Only the declared outputs leave the subprocess: no form fields or counters leak into the main process.
    assert not {"persoon", "incident", "aantal_hoog", "advies", "tussenoordeel_incident"} & set(variables)


@pytest.mark.parametrize("afnemer", ["politie", "hulpofficier", "veilig_thuis", "crisisteam"])
def test_performer_lane_follows_rihg_afnemer(session, rt, rihg_deployed, people, afnemer):
    case_id = _start(session, rt, afnemer=afnemer)
    task = _only_task(session, case_id)
    assert (task["role"], task["element"], task["title"], task["form"]) == (
        afnemer,
        f"Task_rihg_{afnemer}",
        "RiHG afnemen",
        "rihg.schema.json",
    )
    _complete(session, rt, people, task, {})
    milestones = cases.case_details(session, rt.registry, case_id)["milestones"]
    assert [m["name"] for m in milestones] == ["rihg_afgenomen"]
    assert _variables(session, rt, case_id)["rihg_resultaat"]["afnemer"] == afnemer


def test_unknown_afnemer_falls_back_to_hulpofficier(session, rt, rihg_deployed):
    case_id = _start(session, rt, afnemer="weegteam")
    assert _only_task(session, case_id)["role"] == "hulpofficier"


def test_missing_afnemer_is_a_process_error_and_starts_nothing(session, rt, rihg_deployed):
    with pytest.raises(ProcessError):
        cases.start_case(
            session, rt.registry, rt.clock, region="basis", data={"besluit_door": "burgemeester", "catalogus": "basis"}
        )
    assert session.query(Case).count() == 0


def test_extension_signals_are_recorded_but_not_counted(session, rt, rihg_deployed, people):
    case_id = _start(session, rt, afnemer="veilig_thuis", catalogus="nieuw_perspectief")
    task = _only_task(session, case_id)
    assert (task["role"], task["form"]) == ("veilig_thuis", "rihg_nieuw_perspectief.schema.json")
    all_extension = [s.code for s in NIEUW_PERSPECTIEF.signals]
    data = _scored(incident={"2c": "hoog"})
    data["nieuw_perspectief"] = {"signalen": all_extension, "toelichting": "Eerder gewurgd, stalkt de ex."}
    _complete(session, rt, people, task, data)

    result = _variables(session, rt, case_id)["rihg_resultaat"]
    assert result["catalogus"] == NIEUW_PERSPECTIEF.catalogue_id
    assert result["uitbreiding"] == data["nieuw_perspectief"]
    assert result["tussenoordelen"]["incident"] == "midden"  # the nine extra signals weigh nothing
    assert result["advies"] == "geen"


def _snapshot(session, case_id):
    case = session.get(Case, case_id)
    session.refresh(case)
    events = session.query(CaseEvent).filter_by(case_id=case_id).count()
    return case.workflow_json, case.lock_version, events, worklist.list_tasks(session, case_id=case_id)


BAD_ASSESSMENTS = [
    ("onbekende signaalcode", {"incident": {"2c": {"signalen": ["2c.9"], "score": "hoog"}}}, "incident.2c.signalen.0"),
    (
        "signaal van een andere indicator",
        {"incident": {"2c": {"signalen": ["2d.1"], "score": "hoog"}}},
        "incident.2c.signalen.0",
    ),
    (
        "score buiten laag/midden/hoog",
        {"persoon": {"1b": {"signalen": ["1b.2"], "score": "zeer hoog"}}},
        "persoon.1b.score",
    ),
    ("signalen zonder score", {"incident": {"2c": {"signalen": ["2c.4"]}}}, "incident.2c.score"),
    (
        "dubbel signaal",
        {"leefomstandigheden": {"3b": {"signalen": ["3b.1", "3b.1"], "score": "laag"}}},
        "leefomstandigheden.3b.signalen",
    ),
    ("onbekende indicator", {"incident": {"2z": {"score": "hoog"}}}, "incident.2z"),
    ("uitbreiding in het basisformulier", {"nieuw_perspectief": {"signalen": ["N1"]}}, "nieuw_perspectief"),
]


@pytest.mark.parametrize("description,data,field", BAD_ASSESSMENTS, ids=[b[0] for b in BAD_ASSESSMENTS])
def test_bad_assessment_is_refused_and_nothing_is_stored(session, rt, rihg_deployed, people, description, data, field):
    case_id = _start(session, rt)
    task = _only_task(session, case_id)
    before = _snapshot(session, case_id)
    with pytest.raises(FormInvalid) as info:
        _complete(session, rt, people, task, data)
    assert field in info.value.fields, info.value.fields
    assert _snapshot(session, case_id) == before
    assert _only_task(session, case_id)["id"] == task["id"]  # still ready


def _to_decision(session, rt, people, data, **start) -> tuple[int, dict[str, Any]]:
    case_id = _start(session, rt, **start)
    _complete(session, rt, people, _only_task(session, case_id), data)
    return case_id, _only_task(session, case_id)


HIGH = _scored(incident={"2c": "hoog", "2h": "hoog"})


@pytest.mark.parametrize("data,advies,afwijkend", [(HIGH, "huisverbod", "niet_opleggen"), ({}, "geen", "opleggen")])
def test_deviating_decision_needs_a_reason(session, rt, rihg_deployed, people, data, advies, afwijkend):
    case_id, task = _to_decision(session, rt, people, data)
    assert task["form"] == f"rihg_besluit_advies_{advies}.schema.json"
    before = _snapshot(session, case_id)
    for bad in (
        {"besluit": afwijkend},
        {"besluit": afwijkend, "afwijking_reden": ""},
        {"besluit": afwijkend, "afwijking_reden": "   "},
    ):
        with pytest.raises(FormInvalid) as info:
            _complete(session, rt, people, task, bad)
        assert list(info.value.fields) == ["afwijking_reden"]
        assert _snapshot(session, case_id) == before

    _complete(session, rt, people, task, {"besluit": afwijkend, "afwijking_reden": "Zie toelichting hulpverlening."})
    details = cases.case_details(session, rt.registry, case_id)
    assert details["status"] == "completed"
    besluit = details["variables"]["huisverbod_besluit"]
    assert besluit["besluit"] == afwijkend and besluit["advies"] == advies
    assert besluit["afwijking"] is True and besluit["afwijking_reden"] == "Zie toelichting hulpverlening."
    assert besluit["genomen_door"] == "burgemeester"


@pytest.mark.parametrize("data,volgend", [(HIGH, "opleggen"), ({}, "niet_opleggen")])
def test_following_the_advice_needs_no_reason(session, rt, rihg_deployed, people, data, volgend):
    case_id, task = _to_decision(session, rt, people, data)
    _complete(session, rt, people, task, {"besluit": volgend})
    besluit = _variables(session, rt, case_id)["huisverbod_besluit"]
    assert (besluit["besluit"], besluit["afwijking"], besluit["afwijking_reden"]) == (volgend, False, None)


def test_hulpofficier_decides_under_mandate(session, rt, rihg_deployed, people):
    case_id, task = _to_decision(session, rt, people, HIGH, besluit_door="hulpofficier")
    assert (task["role"], task["element"]) == ("hulpofficier", "Task_besluit_hovj_huisverbod")
    _complete(session, rt, people, task, {"besluit": "opleggen", "toelichting": "Mondeling aangezegd."})
    besluit = _variables(session, rt, case_id)["huisverbod_besluit"]
    assert besluit["genomen_door"] == "hulpofficier" and besluit["toelichting"] == "Mondeling aangezegd."


# --- the models themselves ----------------------------------------------------------------------------

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
FLOW_NODES = (
    "startEvent",
    "endEvent",
    "userTask",
    "scriptTask",
    "businessRuleTask",
    "callActivity",
    "exclusiveGateway",
    "sequenceFlow",
    "lane",
    "participant",
    "dataInput",
    "dataOutput",
)


@pytest.mark.parametrize("path", sorted(COMMON.glob("rihg*.bpmn")), ids=lambda p: p.name)
def test_every_element_has_a_diagram_shape(path):
    root = etree.parse(str(path)).getroot()
    semantic = {e.get("id") for tag in FLOW_NODES for e in root.iter(f"{BPMN}{tag}")}
    drawn = {e.get("bpmnElement") for e in root.iter(f"{DI}BPMNShape", f"{DI}BPMNEdge")}
    assert semantic - drawn == set()
    for edge in root.iter(f"{DI}BPMNEdge"):
        assert len(edge.findall("{http://www.omg.org/spec/DD/20100524/DI}waypoint")) >= 2
    assert root.find(f"{BPMN}collaboration/{BPMN}participant") is not None


def test_catalogue_ids_in_the_models_match_the_catalogue():
    """The BPMN scripts name the catalogue they use; that name must be the generated forms' name."""
    for file, expected in (("rihg.bpmn", ANNEX.id), ("rihg_nieuw_perspectief.bpmn", NIEUW_PERSPECTIEF.catalogue_id)):
        text = (COMMON / file).read_text(encoding="utf-8")
        assert f'rihg_catalogus = "{expected}"' in text

"""Models from Camunda Modeler, bpmn-js or SpiffArena (issue 17): every finding at once in Dutch with the fix,
nothing accepted that cannot run, standard DMN welcome, other engines' properties named in a warning.
"""

from __future__ import annotations

import pytest
from lxml import etree

from engine.base.errors import ERROR, WARNING, DeployRefused, Finding
from engine.modeling.registry import parse_bundle
from engine.modeling.smoke_start import example_data
from tests.engine.foreign_models import (
    END,
    FOREIGN,
    FORM_PROPERTY,
    FORMS,
    RUNNABLE,
    START,
    flows,
    process,
    script_task,
    user_task,
    with_decision,
)


def refused(files: dict[str, bytes]) -> list[Finding]:
    with pytest.raises(DeployRefused) as info:
        parse_bundle(files, forms_dir=FORMS)
    return info.value.findings


def _english(message: str) -> bool:
    return any(word in message for word in (" must ", " not supported", "Unsupported", "without condition", "the "))


# (case, BPMN body, element named, words of the Dutch finding)
REFUSALS = [
    (
        "link event",
        START
        + '<bpmn:intermediateThrowEvent id="Link_uit"><bpmn:linkEventDefinition id="LD1" name="a"/>'
        + '</bpmn:intermediateThrowEvent><bpmn:intermediateCatchEvent id="Link_in">'
        + '<bpmn:linkEventDefinition id="LD2" name="a"/></bpmn:intermediateCatchEvent>'
        + user_task("T")
        + END
        + flows(("S", "Link_uit"), ("Link_in", "T"), ("T", "E")),
        "Link_uit",
        "koppelingsgebeurtenis",
    ),
    (
        "ad-hoc subprocess",
        START + f'<bpmn:adHocSubProcess id="Adhoc">{user_task("T")}</bpmn:adHocSubProcess>' + END
        + flows(("S", "Adhoc"), ("Adhoc", "E")),
        "Adhoc",
        "ad-hocsubproces",
    ),
    (
        "compensation",
        START + user_task("T")
        + '<bpmn:boundaryEvent id="Compensatie" attachedToRef="T"><bpmn:compensateEventDefinition id="CD"/>'
        + "</bpmn:boundaryEvent>" + END + flows(("S", "T"), ("T", "E")),
        "Compensatie",
        "compensatie",
    ),
    (
        "complex gateway",
        START + '<bpmn:complexGateway id="Complex"/>' + user_task("T") + END
        + flows(("S", "Complex"), ("Complex", "T"), ("T", "E")),
        "Complex",
        "complexe gateway",
    ),
    (
        "implicit split",
        START + user_task("T") + user_task("T2") + '<bpmn:endEvent id="E2"/>' + END
        + flows(("S", "T"), ("T", "T2"), ("T", "E"), ("T2", "E2")),
        "T",
        "impliciete splitsing",
    ),
    (
        "service task",
        START + '<bpmn:serviceTask id="Dienst"/>' + user_task("T") + END
        + flows(("S", "Dienst"), ("Dienst", "T"), ("T", "E")),
        "Dienst",
        "geen connectors",
    ),
    (
        "script task without script",
        START + '<bpmn:scriptTask id="Leeg"/>' + user_task("T") + END + flows(("S", "Leeg"), ("Leeg", "T"), ("T", "E")),
        "Leeg",
        "scripttaak zonder script",
    ),
    (
        "plain task",
        START + '<bpmn:task id="Gewoon"/>' + END + flows(("S", "Gewoon"), ("Gewoon", "E")),
        "Gewoon",
        "taak zonder type",
    ),
    (
        "data store",
        START + '<bpmn:dataStoreReference id="Opslag"/>' + user_task("T") + END + flows(("S", "T"), ("T", "E")),
        "Opslag",
        "gegevensopslag",
    ),
    (
        "flow without condition",
        START + '<bpmn:exclusiveGateway id="Keuze" default="F_Keuze_T2"/>' + user_task("T") + user_task("T2")
        + '<bpmn:endEvent id="E2"/>' + END
        + flows(("S", "Keuze"), ("Keuze", "T"), ("Keuze", "T2"), ("T", "E"), ("T2", "E2")),
        "F_Keuze_T",
        "zonder voorwaarde",
    ),
    (
        "self call",
        START + '<bpmn:callActivity id="Zelf" calledElement="p_main"/>' + END + flows(("S", "Zelf"), ("Zelf", "E")),
        "Zelf",
        "roept zichzelf aan",
    ),
    (
        "zeebe called element",
        START + '<bpmn:callActivity id="Aanroep"><bpmn:extensionElements><zeebe:calledElement processId="ander"/>'
        + "</bpmn:extensionElements></bpmn:callActivity>" + END + flows(("S", "Aanroep"), ("Aanroep", "E")),
        "Aanroep",
        "zet die proces-id in het attribuut calledElement",
    ),
    (
        "javascript",
        START + script_task("Js", "x = 1", ' scriptFormat="javascript"') + user_task("T") + END
        + flows(("S", "Js"), ("Js", "T"), ("T", "E")),
        "Js",
        "alleen Python-scripts",
    ),
    (
        "groovy that parses as python",
        START + script_task("Groovy", "x = 1", ' scriptFormat="groovy"') + user_task("T") + END
        + flows(("S", "Groovy"), ("Groovy", "T"), ("T", "E")),
        "Groovy",
        "alleen Python-scripts",
    ),
    (
        "JUEL condition",
        START + '<bpmn:exclusiveGateway id="Keuze" default="F_Keuze_T2"/>' + user_task("T") + user_task("T2")
        + '<bpmn:endEvent id="E2"/>' + END + flows(("S", "Keuze"), ("Keuze", "T2"), ("T", "E"), ("T2", "E2"))
        + '<bpmn:sequenceFlow id="Juel" sourceRef="Keuze" targetRef="T"><bpmn:conditionExpression '
        + 'xsi:type="bpmn:tFormalExpression">${akkoord}</bpmn:conditionExpression></bpmn:sequenceFlow>',
        "Juel",
        "JUEL",
    ),
    (
        "FEEL condition",
        START + '<bpmn:exclusiveGateway id="Keuze" default="F_Keuze_T2"/>' + user_task("T") + user_task("T2")
        + '<bpmn:endEvent id="E2"/>' + END + flows(("S", "Keuze"), ("Keuze", "T2"), ("T", "E"), ("T2", "E2"))
        + '<bpmn:sequenceFlow id="Feel" sourceRef="Keuze" targetRef="T"><bpmn:conditionExpression '
        + 'xsi:type="bpmn:tFormalExpression">= akkoord</bpmn:conditionExpression></bpmn:sequenceFlow>',
        "Feel",
        "FEEL",
    ),
]  # fmt: skip


@pytest.mark.parametrize("body, element, words", [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_what_spiffworkflow_cannot_run_is_refused_by_name_with_the_fix(body, element, words):
    findings = refused({"model.bpmn": process(body)})
    named = [f for f in findings if f.element == element and f.severity == ERROR]
    assert named and words in named[0].message, findings
    assert all(f.file == "model.bpmn" and f.line for f in named)
    assert not any(_english(f.message) for f in findings), findings


def test_a_runnable_model_is_accepted():
    model = parse_bundle({"model.bpmn": process(RUNNABLE)}, forms_dir=FORMS)
    assert model.main_process == "p_main" and model.warnings == []


def test_other_engines_properties_are_named_in_a_warning_and_the_model_still_runs():
    camunda = ' camunda:assignee="demo" camunda:candidateGroups="politie" camunda:formKey="embedded:app:form.html"'
    listener = (
        '<bpmn:extensionElements><camunda:executionListener event="start" class="nl.Voorbeeld"/>'
        "</bpmn:extensionElements>"
    )
    body = (
        START
        + user_task("T", camunda)
        + f'<bpmn:endEvent id="E">{listener}</bpmn:endEvent>'
        + flows(("S", "T"), ("T", "E"))
    )
    model = parse_bundle({"camunda.bpmn": process(body)}, forms_dir=FORMS)
    assert [(w.element, w.severity) for w in model.warnings] == [("T", WARNING), ("E", WARNING)]
    task, end = model.warnings
    assert "camunda:assignee, camunda:candidateGroups, camunda:formKey wordt hier genegeerd" in task.message
    assert "lane" in task.message and "formJsonSchemaFilename" in task.message
    assert "camunda:executionListener" in end.message and "preScript" in end.message


@pytest.mark.parametrize(
    "dmn, decision",
    [
        ("advies_dmn11.dmn", "advies_dmn11"),
        ("advies_dmn12.dmn", "advies_dmn12"),
        ("advies_trisotech.dmn", "advies_trisotech"),
    ],
)
def test_standard_dmn_1_1_to_1_3_is_accepted_and_runs(dmn, decision):
    files = {"model.bpmn": with_decision(decision), dmn: (FOREIGN / dmn).read_bytes()}
    model = parse_bundle(files, forms_dir=FORMS)  # the trial start evaluates the decision
    assert model.main_process == "p_main" and model.warnings == []


@pytest.mark.parametrize(
    "dmn, decision, line_text, words",
    [
        ("beslissingsdienst.dmn", "advies_dienst", "<decisionService", "beslissingsdienst"),
        ("twee_beslissingen.dmn", "eerste", '<decision id="tweede"', "één beslissing"),
        ("ongeldig_dmn13.dmn", "ongeldig", '<input id="In_o"', "ongeldig DMN 1.3"),
    ],
)
def test_dmn_spiffworkflow_cannot_run_is_refused_at_the_line_of_the_file(dmn, decision, line_text, words):
    content = (FOREIGN / dmn).read_bytes()
    line = content.decode().splitlines().index(next(ln for ln in content.decode().splitlines() if line_text in ln)) + 1
    findings = refused({"model.bpmn": with_decision(decision), dmn: content})
    assert any(f.file == dmn and f.line == line and words in f.message for f in findings), findings


def test_every_finding_of_every_file_at_once_sorted_by_file_and_line():
    broken_dmn = (FOREIGN / "beslissingsdienst.dmn").read_bytes()
    files = {
        "b_hoofd.bpmn": process(
            START + '<bpmn:callActivity id="Roep" calledElement="sub"/>'
            + script_task("Js", "x = 1", ' scriptFormat="javascript"') + END
            + flows(("S", "Roep"), ("Roep", "Js"), ("Js", "E")),
        ),
        "a_sub.bpmn": process(
            START + '<bpmn:complexGateway id="Complex"/>' + user_task("T") + END
            + flows(("S", "Complex"), ("Complex", "T"), ("T", "E")),
            process_id="sub",
        ).replace(b'name="politie"', b'name="Afdeling onbekend"'),
        "c.dmn": broken_dmn,
        "notities.txt": b"geen model",
    }  # fmt: skip
    findings = refused(files)
    assert findings == sorted(findings, key=lambda f: f.sort_key)
    said = {(f.file, f.element or "") for f in findings}
    assert {("a_sub.bpmn", "Complex"), ("a_sub.bpmn", "Lane_politie"), ("b_hoofd.bpmn", "Js")} <= said
    assert {("c.dmn", "Dienst_advies"), ("notities.txt", "")} <= said


def test_accepted_means_runnable_a_trial_start_refuses_what_fails_on_the_way():
    def body(script: str, start: str = START) -> bytes:
        return process(
            start
            + script_task("Reken", script)
            + user_task("T")
            + END
            + flows(("S", "Reken"), ("Reken", "T"), ("T", "E"))
        )

    # With a start form the start data is known: a name it does not bring is refused.
    with_form = START.replace("/>", ">" + FORM_PROPERTY + "</bpmn:startEvent>")
    missing = refused({"model.bpmn": body("x = onbekend + 1", with_form)})
    assert [(f.element, "'onbekend' bestaat op dat moment niet" in f.message) for f in missing] == [("Reken", True)]
    # Without one, an API client may bring it: accepted, and said as a warning at the element.
    model = parse_bundle({"model.bpmn": body("x = onbekend + 1")}, forms_dir=FORMS)
    assert [(w.element, w.severity, "geef de start een formulier" in w.message) for w in model.warnings] == [
        ("Reken", WARNING, True)
    ]
    zero = refused({"model.bpmn": body("x = 1 / 0")})
    assert [(f.element, "ZeroDivisionError" in f.message) for f in zero] == [("Reken", True)]


def test_a_trial_start_refuses_a_case_that_would_wait_for_nothing():
    # The exclusive gateway always takes T; the parallel join then waits for a branch that never comes.
    body = (
        START + '<bpmn:exclusiveGateway id="Keuze" default="F_Keuze_Vast"/>' + script_task("Ok", "x = 1")
        + '<bpmn:scriptTask id="Vast"><bpmn:script>y = 1</bpmn:script></bpmn:scriptTask>'
        + '<bpmn:parallelGateway id="Samen"/>' + user_task("T") + END
        + flows(("S", "Keuze"), ("Keuze", "Vast"), ("Ok", "Samen"), ("Vast", "Samen"), ("Samen", "T"), ("T", "E"))
        + '<bpmn:sequenceFlow id="Altijd" sourceRef="Keuze" targetRef="Ok"><bpmn:conditionExpression '
        + 'xsi:type="bpmn:tFormalExpression">True</bpmn:conditionExpression></bpmn:sequenceFlow>'
    )  # fmt: skip
    findings = refused({"model.bpmn": process(body)})
    assert any("wacht de zaak nergens op" in f.message for f in findings), findings


def test_example_data_follows_the_start_form():
    schema = {
        "type": "object",
        "properties": {
            "route": {"enum": ["acuut", "structureel"]},
            "ernst": {"type": "integer", "minimum": 1},
            "tijdstip": {"type": "string", "format": "date-time"},
            "kinderen": {"type": "array"},
            "aanhouding": {"type": "boolean", "default": True},
            "adres": {"type": ["string", "null"]},
        },
    }
    assert example_data(schema) == {
        "route": "acuut",
        "ernst": 1,
        "tijdstip": "2026-01-01T12:00:00+01:00",
        "kinderen": [],
        "aanhouding": True,
        "adres": "proef",
    }


def test_the_corpus_files_are_well_formed():
    for path in FOREIGN.glob("*.dmn"):
        etree.fromstring(path.read_bytes())

"""Deploy refusals: every hostile or broken bundle is refused with a Dutch finding that
names file, line and element, and nothing is stored. Plus redeploys and collect_bundle.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.base.errors import DeployRefused, Finding
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import deploy_bundle, parse_bundle
from engine.storage.tables import ModelFile, ModelVersion
from tests.conftest import BUNDLES, FIXTURES

HOSTILE = FIXTURES / "hostile"
MAIN, DMN, CHECK = "sample.bpmn", "common/sample_advies.dmn", "common/sample_check.bpmn"
Files = dict[str, bytes]


def _line(content: bytes, needle: str) -> int:
    text = content.decode("utf-8")
    assert text.count(needle) == 1, f"{needle!r} must occur once"
    return text[: text.index(needle)].count("\n") + 1


def _replace(files: Files, name: str, old: str, new: str) -> Files:
    text = files[name].decode("utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {name}"
    return {**files, name: text.replace(old, new).encode("utf-8")}


def _renamed_everywhere(files: Files, old: str, new: str) -> Files:
    """The main model with an element's id changed in every place that names it."""
    return {**files, MAIN: files[MAIN].decode("utf-8").replace(old, new).encode("utf-8")}


def _without(files: Files, name: str) -> Files:
    assert name in files
    return {k: v for k, v in files.items() if k != name}


def _renamed(files: Files, old: str, new: str) -> Files:
    return {**_without(files, old), new: files[old]}


def _second_main(files: Files) -> Files:
    text = files[MAIN].decode("utf-8").replace("sample_main", "sample_tweede").replace("Definitions_sample", "D2")
    return {**files, "tweede.bpmn": text.encode("utf-8")}


def _oversized(files: Files) -> Files:
    padding = "<!-- " + "x" * (5 * 1024 * 1024) + " -->\n"
    return _replace(files, MAIN, "<bpmn:message ", padding + "<bpmn:message ")


TIME_DATE = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">huisverbod["einde"]</bpmn:timeDate>'
UNKNOWN = '<bpmn:eindeVanDeWereld id="Unknown_1" />'
CORRELATION = (
    '<bpmn:correlationProperty id="Corr_1" name="zaak"><bpmn:correlationPropertyRetrievalExpression '
    'messageRef="Message_overtreding">\n<bpmn:formalExpression>__import__("os").getcwd()'
    "</bpmn:formalExpression></bpmn:correlationPropertyRetrievalExpression></bpmn:correlationProperty>\n  "
)
TIMER_DATE_DEF = (
    f'<bpmn:timerEventDefinition id="TimerDef_verlopen">\n        {TIME_DATE}\n      </bpmn:timerEventDefinition>'
)
CONDITIONAL = (
    '<bpmn:conditionalEventDefinition id="CondDef_1">\n<bpmn:condition xsi:type="bpmn:tFormalExpression">'
    "open('/etc/passwd').read()</bpmn:condition></bpmn:conditionalEventDefinition>"
)

# id, bundle builder, (file, line needle or None, element), fragments the message must contain
CASES: list[tuple[str, Callable[[Files], Files], tuple[str, str | None, str | None], tuple[str, ...]]] = [
    (
        "reserved_end_id",  # deployed before, and then ended its process wrongly
        lambda f: _renamed_everywhere(f, "End_verlopen", "End"),
        (MAIN, '<bpmn:endEvent id="End"', "End"),
        ("'End' is voorbehouden", "ander id, bijvoorbeeld 'End_1'"),
    ),
    (
        "reserved_start_id",
        lambda f: _renamed_everywhere(f, "End_verlopen", "Start"),
        (MAIN, '<bpmn:endEvent id="Start"', "Start"),
        ("'Start' is voorbehouden",),
    ),
    (
        "reserved_suffix_id",
        lambda f: _renamed_everywhere(f, "End_verlopen", "sample.EndJoin"),
        (MAIN, '<bpmn:endEvent id="sample.EndJoin"', "sample.EndJoin"),
        ("'sample.EndJoin' is voorbehouden", "'sample_EndJoin_1'"),
    ),
    (
        "xxe",
        lambda f: {**f, "xxe.bpmn": (HOSTILE / "xxe.bpmn").read_bytes()},
        ("xxe.bpmn", "<!DOCTYPE", None),
        ("DOCTYPE", "niet toegestaan"),
    ),
    (
        "xxe_utf16",
        lambda f: {
            **f,
            "xxe.bpmn": (HOSTILE / "xxe.bpmn")
            .read_text("utf-8")
            .replace('encoding="UTF-8"', 'encoding="UTF-16"')
            .encode("utf-16"),
        },
        ("xxe.bpmn", None, None),
        ("DOCTYPE", "niet toegestaan"),
    ),
    (
        "billion_laughs",
        lambda f: {**f, "lol.bpmn": (HOSTILE / "billion_laughs.bpmn").read_bytes()},
        ("lol.bpmn", "<!DOCTYPE", None),
        ("DOCTYPE", "entiteiten"),
    ),
    (
        "not_xml",
        lambda f: {**f, MAIN: b"Dit is gewone tekst, geen BPMN."},
        (MAIN, "Dit is", None),
        ("geen geldige XML",),
    ),
    ("empty_file", lambda f: {**f, MAIN: b""}, (MAIN, None, None), ("bestand is leeg",)),
    (
        "dmn_named_bpmn",
        lambda f: _renamed(f, DMN, "common/sample_advies.bpmn"),
        ("common/sample_advies.bpmn", "<?xml", None),
        ("heet .bpmn maar is geen BPMN",),
    ),
    (
        "bpmn_named_dmn",
        lambda f: _renamed(f, CHECK, "common/sample_check.dmn"),
        ("common/sample_check.dmn", "<?xml", None),
        ("heet .dmn maar is geen DMN",),
    ),
    (
        "unknown_element_xsd",
        lambda f: _replace(
            f, MAIN, '<bpmn:endEvent id="End_verlopen"', UNKNOWN + '\n    <bpmn:endEvent id="End_verlopen"'
        ),
        (MAIN, "eindeVanDeWereld", "Unknown_1"),
        ("ongeldig BPMN", "bpmn:eindeVanDeWereld", "niet toegestaan"),
    ),
    (
        "lane_without_role",
        lambda f: _replace(f, MAIN, 'name="burgemeester"', 'name="Kapitein Haddock"'),
        (MAIN, 'id="Lane_burgemeester"', "Lane_burgemeester"),
        ("Kapitein Haddock", "geen bekende rol"),
    ),
    (
        "user_task_outside_lane",
        lambda f: _replace(f, MAIN, "<bpmn:flowNodeRef>Task_besluit</bpmn:flowNodeRef>", ""),
        (MAIN, 'id="Task_besluit"', "Task_besluit"),
        ("niet in een lane",),
    ),
    (
        "handling_term_not_a_duration",
        lambda f: _replace(
            f,
            MAIN,
            '<spiffworkflow:property name="formJsonSchemaFilename" value="sample_besluit.schema.json" />',
            '<spiffworkflow:property name="formJsonSchemaFilename" value="sample_besluit.schema.json" />'
            '<spiffworkflow:property name="behandeltermijn" value="twee uur" />',
        ),
        (MAIN, 'name="behandeltermijn"', "Task_besluit"),
        ("behandeltermijn moet een ISO 8601-duur zijn", "'twee uur'"),
    ),
    (
        "handling_term_of_zero",
        lambda f: _replace(
            f,
            MAIN,
            '<spiffworkflow:property name="formJsonSchemaFilename" value="sample_besluit.schema.json" />',
            '<spiffworkflow:property name="formJsonSchemaFilename" value="sample_besluit.schema.json" />'
            '<spiffworkflow:property name="behandeltermijn" value="PT0H" />',
        ),
        (MAIN, 'name="behandeltermijn"', "Task_besluit"),
        ("van meer dan nul tot en met 30 dagen",),
    ),
    (
        "handling_term_on_an_event",
        lambda f: _replace(
            f,
            MAIN,
            '<spiffworkflow:property name="formJsonSchemaFilename" value="sample_melding.schema.json" />',
            '<spiffworkflow:property name="formJsonSchemaFilename" value="sample_melding.schema.json" />'
            '<spiffworkflow:property name="behandeltermijn" value="PT1H" />',
        ),
        (MAIN, 'name="behandeltermijn"', "Catch_overtreding"),
        ("hoort bij een gebruikerstaak",),
    ),
    (
        "unquoted_timer",
        lambda f: _replace(f, MAIN, '"PT24H"', "PT24H"),
        (MAIN, "<bpmn:timeDuration", "TimerDef_besluit"),
        ("aanhalingstekens", '"PT24H"'),
    ),
    (
        "timer_not_iso",
        lambda f: _replace(f, MAIN, '"PT24H"', '"10 dagen"'),
        (MAIN, "<bpmn:timeDuration", "TimerDef_besluit"),
        ("'10 dagen'", "geen ISO 8601-duur"),
    ),
    (
        "timer_fractional_months",
        lambda f: _replace(f, MAIN, '"PT24H"', '"P1.5M"'),
        (MAIN, "<bpmn:timeDuration", "TimerDef_besluit"),
        ("'P1.5M'", "hele getallen"),
    ),
    (
        "time_date_invalid",
        lambda f: _replace(f, MAIN, TIME_DATE, TIME_DATE.replace('huisverbod["einde"]', '"2026-02-30T10:00:00+01:00"')),
        (MAIN, "<bpmn:timeDate", "TimerDef_verlopen"),
        ("2026-02-30", "geen ISO 8601-tijdstip"),
    ),
    (
        "form_missing",
        lambda f: _replace(f, MAIN, "sample_besluit.schema.json", "bestaat_niet.schema.json"),
        (MAIN, 'id="Task_besluit"', "Task_besluit"),
        ("bestaat_niet.schema.json", "staat niet in de bundel"),
    ),
    (
        "call_target_missing",
        lambda f: _without(f, CHECK),
        (MAIN, 'id="Call_check"', "Call_check"),
        ("sample_check", "zit niet in de bundel"),
    ),
    (
        "decision_missing",
        lambda f: _replace(f, MAIN, ">sample_advies<", ">advies_bestaat_niet<"),
        (MAIN, 'id="Rule_advies"', "Rule_advies"),
        ("advies_bestaat_niet", "zit niet in de bundel"),
    ),
    (
        "script_imports_os",
        lambda f: _replace(f, MAIN, "huisverbod = {", "import os\nhuisverbod = {"),
        (MAIN, "<bpmn:script>", "Script_opleggen"),
        ("import is niet toegestaan",),
    ),
    (
        "condition_dunder_import",
        lambda f: _replace(f, MAIN, 'advies == "huisverbod"', "__import__('os').system('id') == 0"),
        (MAIN, "<bpmn:conditionExpression", "Flow_ja"),
        ("expressie is niet toegestaan", "__import__"),
    ),
    (
        "correlation_expression_escape",
        lambda f: _replace(f, MAIN, "<bpmn:process ", CORRELATION + "<bpmn:process "),
        (MAIN, "<bpmn:formalExpression>", "Corr_1"),
        ("expressie is niet toegestaan", "__import__"),
    ),
    (
        "conditional_event_escape",
        lambda f: _replace(f, MAIN, TIMER_DATE_DEF, CONDITIONAL),
        (MAIN, "<bpmn:condition ", "CondDef_1"),
        ("expressie is niet toegestaan", "'open'"),
    ),
    (
        "dmn_feel_range",
        lambda f: _replace(f, DMN, "<text>&gt;= 3</text>", "<text>[1..5]</text>"),
        (DMN, 'id="Entry_hoog"', "Entry_hoog"),
        ("[1..5]", "geen FEEL"),
    ),
    (
        "dmn_feel_list",
        lambda f: _replace(f, DMN, "<text>&gt;= 3</text>", "<text>3, 4, 5</text>"),
        (DMN, 'id="Entry_hoog"', "Entry_hoog"),
        ("FEEL-lijst", "' in [3, 4, 5]'"),
    ),
    (
        "unknown_milestone",
        lambda f: _replace(f, MAIN, 'value="verzoek_ontvangen"', 'value="koffie_gezet"'),
        (MAIN, 'value="koffie_gezet"', "Task_verzoek"),
        ("mijlpaal 'koffie_gezet'", "vaste lijst"),
    ),
    (
        "senders_unknown_role",
        lambda f: _replace(f, MAIN, 'value="politie,om"', 'value="politie,piraat"'),
        (MAIN, 'name="senders"', "Catch_overtreding"),
        ("onbekende rollen: piraat",),
    ),
    # SpiffWorkflow's parser loops forever on this one: it must be refused before parsing.
    (
        "dangling_data_object_in_subprocess",
        lambda f: {**f, "dangling.bpmn": (HOSTILE / "dangling_data_object.bpmn").read_bytes()},
        ("dangling.bpmn", 'id="ref"', "ref"),
        ("gegevensobject 'nergens'", "bestaat niet"),
    ),
    ("two_main_processes", _second_main, ("", None, None), ("meer dan één hoofdproces", "sample_tweede")),
    ("file_over_5_mb", _oversized, (MAIN, None, None), ("te groot", "maximaal 5 MB")),
    (
        "form_not_json_schema",
        lambda f: {**f, "forms/sample_besluit.schema.json": (HOSTILE / "invalid_schema.schema.json").read_bytes()},
        ("forms/sample_besluit.schema.json", None, "Task_besluit"),
        ("sample_besluit.schema.json", "geen geldig JSON Schema"),
    ),
    (
        "form_not_json",
        lambda f: {**f, "forms/sample_besluit.schema.json": b"{besluit: opleggen"},
        ("forms/sample_besluit.schema.json", None, "Task_besluit"),
        ("sample_besluit.schema.json", "geen geldige JSON"),
    ),
]


def _counts(session) -> tuple[int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(ModelVersion)),
        session.scalar(select(func.count()).select_from(ModelFile)),
    )


def _deploy(session, rt, files: Files):
    return deploy_bundle(
        session, rt.registry, files, region="basis", variant="sample", actor="test", now=rt.clock.now()
    )


def _refused(session, rt, files: Files) -> list[Finding]:
    before = _counts(session)
    with pytest.raises(DeployRefused) as info:
        _deploy(session, rt, files)
    assert _counts(session) == before, "a refused bundle must store nothing"
    assert str(info.value).startswith("Model geweigerd: ")
    return info.value.findings


@pytest.mark.parametrize("build, where, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_bundle_is_refused_with_a_precise_finding(session, rt, deployed, sample_files, build, where, fragments):
    files = build(sample_files)
    findings = _refused(session, rt, files)
    file, needle, element = where
    line = _line(files[file], needle) if needle else None
    matching = [f for f in findings if all(fr in f.message for fr in fragments)]
    assert matching, [str(f) for f in findings]
    assert (matching[0].file, matching[0].line, matching[0].element) == (file, line, element)
    assert "root:" not in "".join(f.message for f in findings)  # nothing of /etc/passwd leaks


def test_refusal_keeps_every_finding_of_a_bundle(session, rt, sample_files):
    files = _replace(sample_files, MAIN, 'value="politie,om"', 'value="piraat"')
    files = _replace(files, MAIN, '"PT24H"', "PT24H")
    files = _replace(files, DMN, "<text>&gt;= 3</text>", "<text>[1..5]</text>")
    findings = _refused(session, rt, files)
    assert {f.element for f in findings} == {"Catch_overtreding", "TimerDef_besluit", "Entry_hoog"}
    assert _counts(session) == (0, 0)


def test_identical_redeploy_stores_nothing(session, rt, sample_files):
    first = _deploy(session, rt, sample_files)
    assert (first.created, first.version.version) == (True, 1)
    stored = _counts(session)
    assert stored == (1, len(sample_files) + 4)  # the model files plus the four forms its tasks use
    again = _deploy(session, rt, dict(reversed(list(sample_files.items()))))
    assert (again.created, again.version.id) == (False, first.version.id)
    assert _counts(session) == stored


def test_changed_bundle_becomes_version_two_and_leaves_version_one_alone(session, rt, sample_files):
    first = _deploy(session, rt, sample_files).version
    first_id, first_sha = first.id, first.sha256
    before = {f.path: f.content for f in first.files}
    changed = _replace(sample_files, MAIN, 'name="Voorbeeldproces"', 'name="Voorbeeldproces, herzien"')
    second = _deploy(session, rt, changed)
    assert (second.created, second.version.version) == (True, 2)
    assert second.version.sha256 != first_sha and second.version.id != first_id
    session.expire_all()
    version_one = session.get(ModelVersion, first_id)
    assert version_one.version == 1
    assert {f.path: f.content for f in version_one.files} == before
    assert "herzien" not in before[MAIN]
    assert "herzien" in {f.path: f.content for f in second.version.files}[MAIN]
    assert _counts(session)[0] == 2


def _common_copy(tmp_path: Path) -> Path:
    root = tmp_path / "bundles"
    shutil.copytree(BUNDLES, root)
    return root


def test_collect_bundle_takes_only_the_common_files_the_variant_calls(tmp_path):
    root = _common_copy(tmp_path)
    check = (root / "common" / "sample_check.bpmn").read_text("utf-8")
    (root / "common" / "ongebruikt.bpmn").write_text(check.replace("sample_check", "ongebruikt"), "utf-8")
    advies = (root / "common" / "sample_advies.dmn").read_text("utf-8")
    (root / "common" / "ongebruikt.dmn").write_text(advies.replace("sample_advies", "ongebruikte_regel"), "utf-8")
    files = collect_bundle(root / "sample")
    assert set(files) == {MAIN, CHECK, DMN}
    assert files[CHECK] == (BUNDLES / "common" / "sample_check.bpmn").read_bytes()


def test_collect_bundle_follows_calls_from_common_files(tmp_path):
    root = _common_copy(tmp_path)
    check_path = root / "common" / "sample_check.bpmn"
    rule = (
        '<bpmn:businessRuleTask id="Rule_extra"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
        "extra_regel</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>\n"
        '    <bpmn:endEvent id="End_check">'
    )
    check_path.write_text(check_path.read_text("utf-8").replace('<bpmn:endEvent id="End_check">', rule), "utf-8")
    advies = (root / "common" / "sample_advies.dmn").read_text("utf-8")
    (root / "common" / "extra.dmn").write_text(advies.replace('"sample_advies"', '"extra_regel"'), "utf-8")
    (root / "common" / "niet_nodig.dmn").write_text(advies.replace('"sample_advies"', '"niet_nodig"'), "utf-8")
    assert set(collect_bundle(root / "sample")) == {MAIN, CHECK, DMN, "common/extra.dmn"}


def test_a_hostile_file_in_the_variant_is_refused_with_the_others(tmp_path):
    root = _common_copy(tmp_path)
    shutil.copy(HOSTILE / "xxe.bpmn", root / "sample" / "xxe.bpmn")
    (root / "sample" / "kapot.bpmn").write_bytes(b"<bpmn:definitions")
    files = collect_bundle(root / "sample")  # collecting reads nothing it cannot parse safely
    with pytest.raises(DeployRefused) as info:
        parse_bundle(files, forms_dir=FIXTURES / "forms")
    assert [(f.file, f.line) for f in info.value.findings] == [("kapot.bpmn", 1), ("xxe.bpmn", 2)]
    assert "DOCTYPE" in info.value.findings[1].message


def test_event_gateway_with_two_timers_is_refused(session, rt, deployed, sample_files):
    main = sample_files[MAIN].decode()
    second = (
        '<bpmn:sequenceFlow id="Flow_extra" sourceRef="Gateway_wacht" targetRef="Catch_extra" />'
        '<bpmn:intermediateCatchEvent id="Catch_extra"><bpmn:incoming>Flow_extra</bpmn:incoming>'
        "<bpmn:outgoing>Flow_extra_end</bpmn:outgoing><bpmn:timerEventDefinition>"
        '<bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>'
        '</bpmn:intermediateCatchEvent><bpmn:sequenceFlow id="Flow_extra_end" sourceRef="Catch_extra" '
        'targetRef="End_verlopen" />'
    )
    main = main.replace(
        "<bpmn:outgoing>Flow_8</bpmn:outgoing>",
        "<bpmn:outgoing>Flow_8</bpmn:outgoing><bpmn:outgoing>Flow_extra</bpmn:outgoing>",
        1,
    )
    main = main.replace("</bpmn:process>", second + "</bpmn:process>")
    findings = _refused(session, rt, {**sample_files, MAIN: main.encode()})
    assert any(f.element == "Gateway_wacht" and "één timer" in f.message for f in findings), findings

"""The script sandbox: escapes fail in scripts, conditions, timers and DMN cells, both at
deploy (the bundle is refused) and at run time (the sandboxed engine refuses them even in a
model that skipped the deploy checks); normal scripts keep working.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from RestrictedPython import compile_restricted_eval
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.base.clock import FixedClock, engine_time
from engine.base.errors import DeployRefused
from engine.modeling.registry import parse_bundle
from engine.modeling.sandbox import SandboxError, compile_expression, compile_script, script_engine
from engine.modeling.serialization import dump_workflow, load_workflow, new_workflow
from engine.modeling.xml_safety import parse_model_xml
from tests.conftest import TEST_FORMS

MAIN, DMN = "sample.bpmn", "common/sample_advies.dmn"
TASK_DATA = {
    "Task_verzoek": {"naam": "A", "ernst": 4},
    "Task_besluit": {"besluit": "opleggen"},
    "Task_check": {"akkoord": True},
}

ESCAPES = {
    "dunder_import": "__import__('os').getcwd()",
    "open": "open('/etc/passwd').read()",
    "subclasses": "().__class__.__base__.__subclasses__()",
    "getattr": "getattr(getattr((), '__cl' + 'ass__'), '__base__')",
    "eval": "eval('1 + 1')",
    "exec": "exec('x = 1')",
    "format_attribute": "'{0.__class__.__base__.__subclasses__}'.format(())",
    "format_map_attribute": "'{x.__class__}'.format_map({'x': 1})",
}
IMPORTS = {"import_os": "import os", "from_import": "from os import system", "import_as": "import os as veilig"}

# Where an expression is placed in the sample bundle: (file, element, original text, replacement template).
PLACES = {
    "script": (MAIN, "Script_opleggen", 'huisverbod = {"status"', 'x = {code}\nhuisverbod = {{"status"'),
    "condition": (MAIN, "Flow_ja", 'advies == "huisverbod"', "{code}"),
    "timer": (MAIN, "TimerDef_besluit", '"PT24H"', "{code}"),
    "dmn_input": (DMN, "Entry_hoog", "<text>&gt;= 3</text>", "<text>{code}</text>"),
    "dmn_output": (DMN, "Out_hoog", '<text>"huisverbod"</text>', "<text>{code}</text>"),
}


def _inject(files: dict[str, bytes], place: str, code: str) -> dict[str, bytes]:
    name, _, old, template = PLACES[place]
    text = files[name].decode("utf-8")
    assert text.count(old) == 1
    return {**files, name: text.replace(old, template.format(code=code)).encode("utf-8")}


def _inject_statement(files: dict[str, bytes], statement: str) -> dict[str, bytes]:
    name, _, old, _ = PLACES["script"]
    return {**files, name: files[name].decode("utf-8").replace(old, f"{statement}\n{old}").encode("utf-8")}


def _run_unchecked(files: dict[str, bytes], engine=None) -> BpmnWorkflow:
    """Parse WITHOUT the deploy checks and run the sample path with the given engine."""
    parser = SpiffBpmnParser()
    for name, content in files.items():
        root, finding = parse_model_xml(name, content)
        assert finding is None
        (parser.add_dmn_xml if name.endswith(".dmn") else parser.add_bpmn_xml)(root, filename=name)
    workflow = BpmnWorkflow(
        parser.get_spec("sample_main"),
        parser.get_subprocess_specs("sample_main"),
        script_engine=engine or script_engine(),
    )
    workflow.do_engine_steps()
    while ready := workflow.get_tasks(state=TaskState.READY, manual=True):
        ready[0].set_data(**TASK_DATA[ready[0].task_spec.bpmn_id])
        ready[0].run()
        workflow.do_engine_steps()
    return workflow


def _error_chain(exc: BaseException | None) -> list[str]:
    names = []
    while exc is not None:
        names += [type(exc).__name__, getattr(exc, "error_type", "")]
        exc = exc.__cause__ or exc.__context__
    return names


def _deploy_refusal(files: dict[str, bytes]) -> str:
    with pytest.raises(DeployRefused) as info:
        parse_bundle(files, forms_dir=TEST_FORMS)
    return " | ".join(str(f) for f in info.value.findings)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("escape", ESCAPES)
def test_escape_is_refused_at_deploy(sample_files, escape, place):
    message = _deploy_refusal(_inject(sample_files, place, ESCAPES[escape]))
    file, element = PLACES[place][:2]
    assert message.startswith(f"{file}, regel "), message
    assert f"element '{element}'" in message and "niet toegestaan" in message, message
    assert message.count(" | ") == 0, "one finding, for the one injected expression"


@pytest.mark.parametrize("statement", IMPORTS.values(), ids=IMPORTS)
def test_import_in_a_script_is_refused_at_deploy(sample_files, statement):
    message = _deploy_refusal(_inject_statement(sample_files, statement))
    assert "element 'Script_opleggen'" in message and "import is niet toegestaan" in message


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("escape", ESCAPES)
def test_escape_fails_at_run_time_in_an_unchecked_model(sample_files, escape, place):
    with pytest.raises(Exception) as info:
        _run_unchecked(_inject(sample_files, place, ESCAPES[escape]))
    assert "SandboxError" in _error_chain(info.value), _error_chain(info.value)


@pytest.mark.parametrize("statement", IMPORTS.values(), ids=IMPORTS)
def test_import_fails_at_run_time_in_an_unchecked_model(sample_files, statement):
    with pytest.raises(Exception) as info:
        _run_unchecked(_inject_statement(sample_files, statement))
    assert "SandboxError" in _error_chain(info.value)


def test_run_harness_reaches_the_ban_and_would_catch_an_unsandboxed_engine(sample_files):
    # The unchanged sample runs to the event gateway with the sandbox ...
    workflow = _run_unchecked(sample_files)
    assert workflow.last_task.data["huisverbod"]["status"] == "opgelegd"
    # ... and SpiffWorkflow's own engine really would run the escape: the tests above can fail.
    helpers = {name: script_engine().environment.globals[name] for name in ("nu", "termijn_einde")}
    escaped = _run_unchecked(
        _inject(sample_files, "condition", "__import__('os').getpid() > 0"),
        engine=PythonScriptEngine(environment=TaskDataEnvironment(helpers)),
    )
    assert escaped.last_task.data["huisverbod"]["status"] == "opgelegd"


@pytest.mark.parametrize(
    "source, error",
    [
        ("open('/etc/passwd').read()", NameError),
        ("getattr((), 'x')", NameError),
        ("setattr(d, 'a', 1)", NameError),
        ("globals()", NameError),
        ("type(1)", NameError),
        ("'{0.__class__}'.format(1)", NotImplementedError),
        ("'{x.__class__}'.format_map({'x': 1})", NotImplementedError),
    ],
)
def test_second_layer_guards_block_what_slips_past_the_compiler(source, error):
    # Compiled by RestrictedPython alone, without the engine's compile-time refusals.
    code = compile_restricted_eval(source).code
    assert code is not None
    with pytest.raises(error):
        eval(code, {**script_engine().environment.globals, "d": {}})


@pytest.mark.parametrize(
    "source",
    [
        "print('hallo')",
        "class Dossier:\n    pass",
        "x = open",
        "x = 'a{}'.format(1)",
        "setattr(d, 'a', 1)",
    ],
)
def test_scripts_that_would_fail_at_run_time_do_not_compile(source):
    with pytest.raises(SandboxError, match="niet toegestaan"):
        compile_script(source)


@pytest.mark.parametrize("expression", ["type == 'aanhouding'", "f'{naam!r:>10}'", "'%s-%d' % (naam, 3)"])
def test_harmless_names_and_formatting_stay_usable(expression):
    value = script_engine().environment.evaluate(expression, {"type": "aanhouding", "naam": "A"})
    assert value in (True, "       'A'", "A-3")


NORMAL_SCRIPT = """
partijen["verdachte"]["naam"] = partijen["verdachte"]["naam"].upper()
partijen["kinderen"].append({"naam": "C", "leeftijd": 4})
totaal = 0
namen = []
for rol, persoon in sorted(partijen.items()):
    if isinstance(persoon, list):
        for kind in persoon:
            totaal += kind["leeftijd"]
    else:
        namen.append(rol + ":" + persoon["naam"])
leeftijden = [k["leeftijd"] for k in partijen["kinderen"]]
jongste, oudste, aantal = min(leeftijden), max(leeftijden), len(leeftijden)
for index, (naam, leeftijd) in enumerate(zip(["x", "y"], leeftijden)):
    totaal += index
opgelegd_op = nu()
einde = termijn_einde(opgelegd_op, "P10D")
"""


def test_normal_scripts_still_work():
    data = {"partijen": {"verdachte": {"naam": "b"}, "kinderen": [{"naam": "K", "leeftijd": 7}]}}
    with engine_time(FixedClock(datetime(2026, 3, 25, 20, 15, tzinfo=UTC))):
        script_engine().environment.execute(NORMAL_SCRIPT, data)
    assert data["partijen"]["verdachte"]["naam"] == "B"
    assert data["partijen"]["kinderen"][-1] == {"naam": "C", "leeftijd": 4}
    assert (data["totaal"], data["namen"], data["leeftijden"]) == (12, ["verdachte:B"], [7, 4])
    assert (data["jongste"], data["oudste"], data["aantal"]) == (4, 7, 2)
    assert data["opgelegd_op"] == "2026-03-25T20:15:00+00:00"
    assert data["einde"] == "2026-04-04T19:15:00+00:00"  # 21:15 Amsterdam, across the DST change
    assert "termijn_einde" not in data and "nu" not in data and "__builtins__" not in data


def test_normal_expressions_and_dmn_style_cells_evaluate():
    env = script_engine().environment
    context = {"ernst": 4, "advies": "huisverbod", "lijst": [3, 1, 2]}
    assert env.evaluate('advies == "huisverbod" and ernst >= 3', context) is True
    assert env.evaluate("sorted(lijst)[0] + max(lijst) + len(lijst)", context) == 7
    assert env.evaluate("(ernst) == (4)", context) is True
    assert env.evaluate("ernst in [0, 1, 2]", context) is False
    assert compile_expression("ernst >= 3") is compile_expression("ernst >= 3")  # compiled once


def test_sandbox_engine_is_reattached_after_load(sample_files):
    model = parse_bundle(sample_files, forms_dir=TEST_FORMS)
    workflow = new_workflow(model)
    assert workflow.script_engine is script_engine()
    workflow.do_engine_steps()
    workflow.script_engine = PythonScriptEngine()  # whatever ran before, it is not persisted
    loaded = load_workflow(dump_workflow(workflow), model)
    assert loaded.script_engine is script_engine()
    task = loaded.get_tasks(state=TaskState.READY, manual=True)[0]
    with pytest.raises(Exception) as info:
        loaded.script_engine.evaluate(task, "__import__('os').getcwd()")
    assert "SandboxError" in _error_chain(info.value)


# Rule cells for "ernst" (the case has ernst=4): deployable exactly when SpiffWorkflow's DMN engine can use them.
DMN_CELLS = {
    "-": True,
    "": True,
    "4": True,
    " in [4, 5]": True,
    "3 &lt; ? &lt; 5": True,
    "&gt;= 3": True,
    "[1..5]": False,
    "4, 5": False,
    "in [4, 5]": False,
    " 4": False,
    "not(4)": False,
    "   ": False,
}


@pytest.mark.parametrize("cell, deployable", DMN_CELLS.items(), ids=[repr(c) for c in DMN_CELLS])
def test_dmn_cell_deploys_exactly_when_the_dmn_engine_can_use_it(sample_files, cell, deployable):
    files = _inject(sample_files, "dmn_input", cell)
    if deployable:
        parse_bundle(files, forms_dir=TEST_FORMS)
        assert _run_unchecked(files).last_task.data["huisverbod"]["status"] == "opgelegd"
    else:
        assert "element 'Entry_hoog'" in _deploy_refusal(files)
        with pytest.raises(Exception):  # noqa: B017 - a syntax error, or no rule matches and "advies" is missing
            _run_unchecked(files)


def test_indented_dmn_input_expression_is_refused_like_the_engine_does(sample_files):
    files = {**sample_files, DMN: sample_files[DMN].replace(b"<text>ernst</text>", b"<text>\n  ernst\n</text>")}
    assert "element 'InputExpression_ernst'" in _deploy_refusal(files)
    with pytest.raises(Exception, match="unexpected indent"):
        _run_unchecked(files)

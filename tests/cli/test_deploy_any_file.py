"""No internal error, ever (issue 17): whatever file a designer brings, ``thv deploy`` answers with findings
(exit 1) or a version (exit 0), never an internal error (exit 3) or a traceback; nothing is stored on a refusal.
"""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from tests.engine.foreign_models import FOREIGN, RUNNABLE, process
from tests.engine.test_foreign_models import REFUSALS

BPMN_HEAD = b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">'
DMN_HEAD = b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="D" name="d" namespace="x">'

ODD_FILES: dict[str, bytes] = {
    "leeg.bpmn": b"",
    "binair.bpmn": bytes(range(256)) * 4,
    "afgebroken.bpmn": process(RUNNABLE)[:300],
    "utf16.bpmn": process(RUNNABLE).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
    "latin1.bpmn": process(RUNNABLE).replace(b"politie", "politi\xe9".encode("latin-1")),
    "dmn_als_bpmn.bpmn": (FOREIGN / "advies_dmn12.dmn").read_bytes(),
    "bpmn_als_dmn.dmn": process(RUNNABLE),
    "ander_xml.bpmn": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
    "geen_proces.bpmn": BPMN_HEAD + b"</bpmn:definitions>",
    "niet_uitvoerbaar.bpmn": process(RUNNABLE).replace(b'isExecutable="true"', b'isExecutable="false"'),
    "dubbele_ids.bpmn": process(RUNNABLE.replace('id="E"', 'id="T"')),
    "pijl_naar_niets.bpmn": process(RUNNABLE + '<bpmn:sequenceFlow id="Los" sourceRef="T" targetRef="Nergens"/>'),
    "diep.bpmn": BPMN_HEAD + b"<bpmn:documentation>" * 3000 + b"</bpmn:documentation>" * 3000 + b"</bpmn:definitions>",
    "timer_onzin.bpmn": process(
        RUNNABLE.replace(
            '<bpmn:endEvent id="E"/>',
            '<bpmn:intermediateCatchEvent id="W"><bpmn:timerEventDefinition id="TD"><bpmn:timeDuration>'
            "morgen ergens</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
            '<bpmn:endEvent id="E"/>',
        )
    ),
    "dmn_zonder_beslissing.dmn": DMN_HEAD + b"</definitions>",
    "dmn_onbekende_versie.dmn": b'<definitions xmlns="http://www.omg.org/spec/DMN/20991231/MODEL/" id="D"/>',
    "dmn_kapotte_tabel.dmn": DMN_HEAD + b'<decision id="d"><decisionTable id="t"><rule id="r"/></decisionTable>'
    b"</decision></definitions>",
    "formulier.json": b'{"type": "object"}',
    "notities.txt": "één regel".encode(),
}
CORPUS = {
    **ODD_FILES,
    **{path.name: path.read_bytes() for path in sorted(FOREIGN.glob("*.dmn"))},
    **{path.name: path.read_bytes() for path in sorted((FIXTURES / "hostile").glob("*.bpmn"))},
    **{f"{case[0].replace(' ', '_')}.bpmn": process(case[1]) for case in REFUSALS},
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_any_file_alone_gives_findings_never_an_internal_error(thv, tmp_path, name):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / name).write_bytes(CORPUS[name])
    result = thv("deploy", str(folder), "--region", "basis", "--variant", "proef", "--json")
    assert result.code == 1, (result.code, result.err)
    assert "Traceback" not in result.err and "interne fout" not in result.err
    answer = result.json()
    assert answer["deployed"] is False and answer["findings"], answer
    assert thv("versions", "--json").json() == []


def test_all_odd_files_beside_a_good_model_at_once(thv, tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "goed.bpmn").write_bytes(process(RUNNABLE))
    for name, content in ODD_FILES.items():
        (folder / name).write_bytes(content)
    result = thv("deploy", str(folder), "--region", "basis", "--variant", "proef")
    assert result.code == 1 and "Traceback" not in result.err and "interne fout" not in result.err
    said = result.err.splitlines()
    assert said[-1].startswith("fout: Model geweigerd")
    files = {line.split(":")[0].split(",")[0] for line in said[:-1]}
    assert {"leeg.bpmn", "binair.bpmn", "dmn_kapotte_tabel.dmn", "afgebroken.bpmn", "utf16.bpmn"} <= files
    # Notes and other files beside a model are not part of it: left alone, not refused.
    assert not files & {"notities.txt", "formulier.json"}


def _model_with_own_form(folder, form: str = "eigen_controle.schema.json") -> None:
    folder.mkdir(exist_ok=True)
    (folder / "model.bpmn").write_bytes(process(RUNNABLE).replace(b"sample_check.schema.json", form.encode()))


OWN_FORM = b'{"type": "object", "required": ["klaar"], "properties": {"klaar": {"type": "boolean", "title": "Klaar"}}}'


def test_forms_travel_with_the_model_from_a_cli_folder(thv, tmp_path):
    folder = tmp_path / "model"
    _model_with_own_form(folder)
    missing = thv("deploy", str(folder), "--region", "basis", "--variant", "proef", "--json")
    assert missing.code == 1
    assert any("eigen_controle.schema.json" in f["message"] for f in missing.json()["findings"])

    (folder / "forms").mkdir()
    (folder / "forms" / "eigen_controle.schema.json").write_bytes(OWN_FORM)
    (folder / "forms" / "ongebruikt.schema.json").write_bytes(b'{"type": "object"}')
    result = thv("deploy", str(folder), "--region", "basis", "--variant", "proef", "--json")
    assert result.code == 0, result.err
    answer = result.json()
    assert answer["files"] == ["forms/eigen_controle.schema.json", "model.bpmn"]  # stored with the version
    assert [(w["file"], w["severity"]) for w in answer["warnings"]] == [
        ("forms/ongebruikt.schema.json", "waarschuwing")
    ]


def test_a_form_in_the_bundle_is_validated_at_deploy(thv, tmp_path):
    folder = tmp_path / "model"
    _model_with_own_form(folder)
    (folder / "eigen_controle.schema.json").write_bytes(b'{"type": "object",\n "properties": {"klaar": }}')
    (folder / "kapot_ongebruikt.schema.json").write_bytes(b'{"type": "array"}')
    result = thv("deploy", str(folder), "--region", "basis", "--variant", "proef", "--json")
    assert result.code == 1
    said = {f["file"]: f["message"] for f in result.json()["findings"]}
    assert "regel 2" in said["forms/eigen_controle.schema.json"]
    assert '"type": "object"' in said["forms/kapot_ongebruikt.schema.json"]
    assert thv("versions", "--json").json() == []

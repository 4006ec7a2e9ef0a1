"""The werkprocesbeschrijving: complete for every variant, following the models, and comparing with the baseline.

Completeness is checked against the XML itself (not against the reader that builds the description): every user
task, timer, message event, document and lane of each variant's bundle appears in its Markdown.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from engine.base.errors import NotFound
from engine.base.paths import FORMS_DIR, PROJECT_ROOT
from engine.base.vocabulary import lane_role
from engine.design.werkproces import build_werkproces, werkproces_for_version
from engine.design.werkproces_model import VersionLabel, Werkproces
from engine.design.werkproces_render import to_markdown
from engine.documents.templates import load_spec
from engine.modeling.bundle import collect_bundle
from engine.modeling.document_rules import required_services
from engine.modeling.registry import LoadedModel, deploy_bundle, parse_bundle
from engine.runtime import Runtime
from engine.storage.tables import ModelVersion
from tests.conftest import runtime_for

PROCESSES = PROJECT_ROOT / "processes"
VARIANTS = ("wth-basis", "v1-brede-toegang", "v2-weegteam", "v3-termijnflex", "v4-integraal")
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "s": "http://spiffworkflow.org/bpmn/schema/1.0/core"}
ROLE_LABELS = {"politie": "Politie", "veilig_thuis": "Veilig Thuis"}


def _model(folder: Path) -> LoadedModel:
    return parse_bundle(collect_bundle(folder), forms_dir=FORMS_DIR)


def _label(variant: str) -> VersionLabel:
    return VersionLabel(1, "pilot1", "Pilotregio 1", variant, 1, variant)


@pytest.fixture(scope="module")
def baseline() -> LoadedModel:
    return _model(PROCESSES / "wth-basis")


def _describe(variant: str, baseline: LoadedModel) -> Werkproces:
    model = baseline if variant == "wth-basis" else _model(PROCESSES / variant)
    base = (baseline.files, baseline.main_process, _label("wth-basis"))
    return build_werkproces(model.files, model.main_process, _label(variant), base)


def _escaped(name: str) -> str:
    for char in "\\`*_[]<>|#":
        name = name.replace(char, "\\" + char)
    return " ".join(name.split())


def _expected(files: dict[str, bytes]) -> dict[str, set[str]]:
    """What the bundle's XML holds: names of user tasks, timers, message events; document titles; lanes."""
    found: dict[str, set[str]] = {"taak": set(), "termijn": set(), "bericht": set(), "document": set(), "lane": set()}
    for name, content in files.items():
        if not name.endswith(".bpmn"):
            continue
        root = etree.fromstring(content)
        found["taak"] |= {n.get("name") for n in root.iterfind(".//bpmn:userTask", NS)}
        for kind, definition in (("termijn", "timerEventDefinition"), ("bericht", "messageEventDefinition")):
            found[kind] |= {d.getparent().get("name") for d in root.iterfind(f".//bpmn:{definition}", NS)}
        for prop in root.iterfind(".//s:property[@name='requiresService']", NS):
            found["document"] |= {load_spec(kind).title for kind, _ in required_services(prop.get("value"))}
        for lane in root.iterfind(".//bpmn:lane", NS):
            found["lane"].add(lane.get("name"))
    return found


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_task_timer_message_document_and_lane_appears(variant, baseline):
    model = baseline if variant == "wth-basis" else _model(PROCESSES / variant)
    text = to_markdown(_describe(variant, baseline))
    expected = _expected(model.files)
    assert all(expected.values())
    missing = {
        kind: sorted(n for n in names if _escaped(n) not in text and not (kind == "lane" and lane_role(n)))
        for kind, names in expected.items()
    }
    assert missing == {kind: [] for kind in expected}
    lanes = {n for n in expected["lane"] if lane_role(n)}
    assert all(_escaped(n) in text for n in lanes)


def test_steps_are_ordered_by_the_leidraad_phases(baseline):
    description = _describe("v2-weegteam", baseline)
    assert [s.label for s in description.sections] == [
        "Opstarten & verzoeken",
        "Beoordelen",
        "Opleggen",
        "Uitvoeren",
        "Handhaven",
        "Verlengen",
        "Afronden & monitoren",
    ]
    assert description.steps_without_phase == 0
    first = description.sections[0].steps[0]
    assert first.name == "Verzoek huisverbod" and "Wijkteam" in first.starters


def test_a_step_says_who_what_which_data_documents_terms_and_decisions(baseline):
    steps = {(s.name, s.organisation): s for s in _describe("wth-basis", baseline).all_steps()}
    toets = steps[("Meerderjarigheid en woonsituatie toetsen", "Hulpofficier van justitie")]
    assert toets.instructions and toets.instructions.startswith("Toets of de persoon meerderjarig is")
    assert ("Woonsituatie", True) in {(f.label, f.required) for f in toets.fields}
    grond = steps[("Wettelijke grond?", "Hulpofficier van justitie")]
    assert grond.branches[0].condition == (
        "«Is de uithuis te plaatsen persoon meerderjarig?» is ja en «Woonsituatie» is «Woont in de woning» "
        "of «Verblijft er anders dan incidenteel»"
    )
    assert grond.branches[1].condition.startswith("anders")
    uitreiken = steps[("Beschikking uitreiken en sleutels innemen", "Politie")]
    (document,) = uitreiken.documents
    assert (document.title, document.served_to) == ("Beschikking tijdelijk huisverbod", "Uithuisgeplaatste")
    raadsman = next(s for s in steps.values() if s.element_id == "Timer_raadsman")
    assert raadsman.timer is not None and raadsman.timer.basis == "Wth 5 (raadsman binnen 24 uur)"
    overtreding = next(s for s in steps.values() if s.message == "overtreding_gemeld")
    assert overtreding.phase == "handhaven" and "Politie" in overtreding.senders


def test_the_baseline_does_not_describe_what_only_pilots_reach(baseline):
    description = _describe("wth-basis", baseline)
    assert description.is_baseline and description.differences == [] and description.beyond_wth == []
    unreachable = {s.name for s in description.unreachable}
    assert {"Opschorting beoordelen", "Verplichte hulp (plegeraanpak) opleggen en volgen"} <= unreachable
    assert "Opschorting beoordelen" not in {s.name for s in description.all_steps()}


def test_the_table_per_organisation_lists_added_removed_and_changed_tasks(baseline):
    rows = {r.organisation: r for r in _describe("v1-brede-toegang", baseline).per_organisation}
    assert "Voorleggen aan de burgemeester" in rows["Politie"].added
    assert "Voorleggen aan de burgemeester" in rows["Crisisteam"].added
    assert "Beschikking opstellen (was: Hulpofficier van justitie)" in rows["Burgemeester"].added
    assert "Beschikking opstellen (gaat naar Burgemeester)" in rows["Hulpofficier van justitie"].removed
    assert "RiHG afnemen (in een ander deelproces)" in rows["Hulpofficier van justitie"].changed
    assert "Periodieke check-in" in rows["Regiehouder"].added  # the organisation the case names (principle 10)
    assert "Hulpverlening" not in rows or "Periodieke check-in" not in rows["Hulpverlening"].added


def test_each_difference_names_the_leidraad_principle(baseline):
    description = _describe("v3-termijnflex", baseline)
    params = {r.key: (r.baseline, r.value, r.principle) for r in description.parameters}
    assert params["eerste_termijn"] == ("10 dagen", "14 dagen", "8D")
    assert params["opschorting"] == ("nee", "ja", "8D")
    by_step = {d.step: d for d in description.differences}
    suspension = by_step["Opschorting beoordelen"]
    assert (suspension.change, suspension.note) == ("nieuw", "in de basis niet bereikt")
    assert [(p.code, p.derived) for p in suspension.principles] == [("8D", False)]
    toets = by_step["Meerderjarigheid en woonsituatie toetsen"]
    assert toets.note == "was: Hulpofficier van justitie" and all(p.derived for p in toets.principles)
    assert {p.code for p in description.principles} >= {"7", "8D", "10"}
    beyond = {b.step for b in description.beyond_wth}
    assert {"Opschorting beoordelen", "Kenmerken van deze variant", "Verzoek huisverbod"} <= beyond


@pytest.fixture
def rt(db_url, clock) -> Iterator[Runtime]:
    yield from runtime_for(db_url, clock, FORMS_DIR)


def test_changing_a_timer_in_a_model_changes_the_description(rt, tmp_path):
    shutil.copytree(PROCESSES, tmp_path / "processes")
    hulp = tmp_path / "processes" / "common" / "hulpverlening.bpmn"
    text = hulp.read_text(encoding="utf-8")
    assert text.count('"P2D"') == 1
    with rt.sessions() as session:
        ids = []
        for _ in range(2):
            result = deploy_bundle(
                session,
                rt.registry,
                collect_bundle(tmp_path / "processes" / "v1-brede-toegang"),
                region="pilot1",
                variant="v1-brede-toegang",
                actor="test",
                now=rt.clock.now(),
            )
            ids.append(result.version.id)
            hulp.write_text(text.replace('"P2D"', '"P5D"'), encoding="utf-8")
        before, after = (to_markdown(werkproces_for_version(session, i)) for i in ids)
    assert ids[0] != ids[1]
    assert "bij 'Contact leggen met alle betrokkenen', na 2 dagen" in before
    assert "na 5 dagen" not in before
    assert "bij 'Contact leggen met alle betrokkenen', na 5 dagen" in after
    assert "Er is geen basisversie (wth\\_basis) uitgerold" in before  # no baseline deployed: said, not hidden


def test_an_unknown_version_is_a_dutch_error_and_stores_nothing(rt):
    with rt.sessions() as session:
        count = session.scalar(select(func.count()).select_from(ModelVersion))
        with pytest.raises(NotFound) as refused:
            werkproces_for_version(session, 4242)
        assert refused.value.message == "modelversie 4242 bestaat niet; zie 'thv versions' voor de uitgerolde versies"
        assert session.scalar(select(func.count()).select_from(ModelVersion)) == count

"""The werkprocesbeschrijving of a deployed version, generated from its models (issue 18, Leidraad "Eindresultaat").

Everything comes from the version's own files, so the models stay the one source of truth: the steps and their
order from the BPMN, the data asked from the forms, the documents from ``requiresService`` and the document
rules, the terms from the timers and their ``grondslag``, the decisions from the gateway conditions (in Dutch,
engine.design.condition_text), the phase from ``fase``, the Leidraad principle from ``leidraadPrincipe``, steps
beyond the current Wth from ``buitenWth``. A variant is compared with the baseline (the deployed ``wth_basis``,
of the same region when it has one) through engine.design.model_diff and the reachability of each step
(engine.design.werkproces_read). Reading a description changes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.errors import NotFound
from engine.base.leidraad import PRINCIPLE_BY_CODE, PRINCIPLES, principle_codes
from engine.base.vocabulary import PHASES, PROPERTY_VARIANT_PRINCIPLES, REGIONS
from engine.design.decision_text import decision_table
from engine.design.designer import may_view, require_area
from engine.design.werkproces_diff import compare_with_baseline, parameter_rows, variant_dict
from engine.design.werkproces_model import (
    BeyondWth,
    Difference,
    OrganisationChanges,
    ParameterRow,
    PhaseSection,
    PrincipleText,
    Step,
    VersionLabel,
    Werkproces,
)
from engine.design.werkproces_read import constants, is_step, read_processes, walk
from engine.design.werkproces_steps import build_step, forms_of, labels_of
from engine.modeling.phases import phase_label
from engine.storage.analysis_tables import LiveVersion
from engine.storage.tables import ModelVersion, User

BASELINE_PROCESS = "wth_basis"  # the main process of processes/wth-basis: current law and practice
_REGION_NAMES = {r.code: r.name for r in REGIONS}


def read_steps(files: dict[str, bytes], main: str) -> tuple[list[Step], dict[str, Any], list[str]]:
    """Every step of a bundle (reachable first, in flow order), the variant's constants and its principles."""
    processes, messages = read_processes(files)
    forms = forms_of(files)
    labels = labels_of(forms)
    form_fields = {name for schema in forms.values() for name in (schema.get("properties") or {})}
    known = constants(processes, form_fields)
    reached = walk(processes, main, known)
    order = reached + [(p.id, n) for p in processes.values() for n in p.nodes if (p.id, n) not in set(reached)]
    reachable = set(reached)
    steps = []
    variant_principles: list[str] = []
    for pid, nid in order:
        process = processes[pid]
        node = process.nodes.get(nid)
        if node is None:
            continue
        if PROPERTY_VARIANT_PRINCIPLES in node.props and pid == main:
            variant_principles = principle_codes(node.props[PROPERTY_VARIANT_PRINCIPLES])
        if is_step(node):
            step = build_step(process, node, labels, forms, messages)
            step.reachable = (pid, nid) in reachable
            if step.decision:
                step.decision_table = decision_table(files, step.decision)
            steps.append(step)
    return steps, known, variant_principles


def build_werkproces(
    files: dict[str, bytes],
    main: str,
    label: VersionLabel,
    baseline: tuple[dict[str, bytes], str, VersionLabel] | None,
) -> Werkproces:
    steps, known, variant_principles = read_steps(files, main)
    is_baseline = main == BASELINE_PROCESS
    description = _process_documentation(files, main)
    differences: list[Difference] = []
    per_organisation: list[OrganisationChanges] = []
    parameters: list[ParameterRow] = []
    if baseline is not None and not is_baseline:
        base_files, base_main, _ = baseline
        base_steps, base_known, _ = read_steps(base_files, base_main)
        differences, per_organisation = compare_with_baseline(
            files, main, steps, base_files, base_main, base_steps, variant_principles
        )
        parameters = parameter_rows(variant_dict(base_known), variant_dict(known))
    reachable = [s for s in steps if s.reachable]
    sections = [PhaseSection(p.code, p.label, [s for s in reachable if s.phase == p.code]) for p in PHASES]
    without = [s for s in reachable if s.phase not in {p.code for p in PHASES}]
    if without:
        sections.append(PhaseSection(None, phase_label(None), without))
    used = {c for s in reachable for c in s.principles} | {
        c for d in differences for p in d.principles for c in [p.code]
    }
    used |= {r.principle for r in parameters if r.principle}
    return Werkproces(
        version=label,
        description=description,
        baseline=baseline[2] if baseline is not None and not is_baseline else None,
        is_baseline=is_baseline,
        organisations=sorted({s.organisation for s in reachable if s.organisation}),
        sections=[s for s in sections if s.steps],
        unreachable=[s for s in steps if not s.reachable],
        parameters=parameters,
        differences=differences,
        per_organisation=per_organisation,
        beyond_wth=[BeyondWth(s.name, s.organisation, s.beyond_wth) for s in reachable if s.beyond_wth],
        principles=[
            PrincipleText(p.code, p.title, phase_label(p.phase), p.knelpunt, p.principe)
            for p in PRINCIPLES
            if p.code in used
        ],
        steps_without_phase=len(without),
    )


def _process_documentation(files: dict[str, bytes], main: str) -> str | None:
    processes, _ = read_processes(files)
    process = processes.get(main)
    if process is None:
        return None
    doc = process.root.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}documentation")
    return " ".join((doc.text or "").split()) or None if doc is not None else None


def _label(version: ModelVersion, files: dict[str, bytes]) -> VersionLabel:
    processes, _ = read_processes(files)
    main = processes.get(version.main_process)
    return VersionLabel(
        version.id,
        version.region,
        _REGION_NAMES.get(version.region, version.region),
        version.variant,
        version.version,
        (main.name if main and main.name else version.main_process),
    )


def _files(version: ModelVersion) -> dict[str, bytes]:
    return {f.path: f.content.encode("utf-8") for f in version.files}


def baseline_version(session: Session, version: ModelVersion) -> ModelVersion | None:
    """The baseline to compare with: the live wth_basis of the same region, else the newest one anywhere."""
    live = session.scalars(
        select(ModelVersion)
        .join(LiveVersion, LiveVersion.model_version_id == ModelVersion.id)
        .where(ModelVersion.main_process == BASELINE_PROCESS, ModelVersion.region == version.region)
    ).first()
    if live is not None:
        return live
    return session.scalars(
        select(ModelVersion).where(ModelVersion.main_process == BASELINE_PROCESS).order_by(ModelVersion.id.desc())
    ).first()


def werkproces_for_version(session: Session, version_id: int) -> Werkproces:
    """The description of deployed version ``version_id`` (an id from ``thv versions``)."""
    version = session.get(ModelVersion, version_id)
    if version is None:
        raise NotFound(f"modelversie {version_id} bestaat niet; zie 'thv versions' voor de uitgerolde versies")
    files = _files(version)
    base = None if version.main_process == BASELINE_PROCESS else baseline_version(session, version)
    baseline = (_files(base), base.main_process, _label(base, _files(base))) if base is not None else None
    return build_werkproces(files, version.main_process, _label(version, files), baseline)


def werkproces_for_user(session: Session, user: User, version_id: int) -> Werkproces:
    """The description for the designer area: a designer or beheerder of the version's region; another region's
    version is "not found", as on the version page."""
    require_area(user)
    version = session.get(ModelVersion, version_id)
    if version is None or not may_view(user, version.region):
        raise NotFound(f"modelversie {version_id} bestaat niet")
    return werkproces_for_version(session, version_id)


def principle_title(code: str) -> str:
    principle = PRINCIPLE_BY_CODE.get(code)
    return f"{code}. {principle.title}" if principle else code

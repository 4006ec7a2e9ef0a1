"""The model registry: parse and check bundles, store immutable versions, cache specs.

A bundle is a mapping of file name to bytes: BPMN and DMN files, plus the forms
(``forms/<name>.schema.json``) their user tasks use. A deployed version stores
all of them, so a version can be parsed again from the database alone.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine.base.errors import DeployRefused, Finding, InvalidInput, NotFound, refuses
from engine.base.vocabulary import PROPERTY_FORM, PROPERTY_INSTANT_FIELD, REGION_CODES, known_lane
from engine.modeling.bpmn_xml import BPMN_NS, SPIFF_NS
from engine.modeling.bundle_forms import instant_field_problem, load_form, unused_form_finding
from engine.modeling.checks import check_bpmn_xml, check_dmn_xml, check_parse_hazards
from engine.modeling.forms import FORMS_DIR, FORMS_PREFIX
from engine.modeling.legal_timers import LegalTimerBpmnParser
from engine.modeling.phases import check_phases
from engine.modeling.smoke_start import trial_start
from engine.modeling.spiff_findings import check_dmn_file, dmn_for_spiff, spiff_finding
from engine.modeling.versions import VersionRow, live_version_ids, live_version_of, mark_live
from engine.modeling.workflow_cache import DEFAULT_SIZE, WorkflowCache
from engine.modeling.xml_safety import parse_model_xml
from engine.storage.tables import ModelFile, ModelVersion
from engine.storage.transaction import in_transaction

DMN_NAMESPACES = ("https://www.omg.org/spec/DMN/", "http://www.omg.org/spec/DMN/")
MAX_BUNDLE_FILES = 200


@dataclass
class LoadedModel:
    """A parsed bundle, ready to run cases."""

    main_process: str
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    forms: dict[str, dict[str, Any]]
    files: dict[str, bytes]
    version_id: int | None = None
    spec_state: dict[str, Any] = field(default_factory=dict)  # per-model caches used by the engine
    warnings: list[Finding] = field(default_factory=list)  # what the deploy checks said without refusing

    def all_specs(self) -> list[BpmnProcessSpec]:
        return [self.spec, *self.subprocess_specs.values()]


def bundle_sha256(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def _is_dmn(root: etree._Element) -> bool:
    return any(etree.QName(root).namespace.startswith(ns) for ns in DMN_NAMESPACES)


def parse_bundle(files: dict[str, bytes], forms_dir: Path | None = FORMS_DIR) -> LoadedModel:
    """Parse and check a bundle in one pass; raise DeployRefused with every finding, sorted by file and line.

    Nothing a file contains ends in an internal error: every refusal of SpiffWorkflow's parser becomes a
    Dutch finding (engine.modeling.spiff_findings). A bundle without errors is started once in memory
    (engine.modeling.smoke_start); the warnings of an accepted bundle are on ``LoadedModel.warnings``.
    """
    if not files:
        raise DeployRefused([Finding("", None, None, "de bundel bevat geen bestanden")])
    if len(files) > MAX_BUNDLE_FILES:
        raise DeployRefused([Finding("", None, None, f"te veel bestanden (maximaal {MAX_BUNDLE_FILES})")])
    findings: list[Finding] = []
    spiff: list[Finding] = []  # SpiffWorkflow's own refusals: dropped where a check of ours names the element
    parser = LegalTimerBpmnParser(validator=VALIDATOR)
    parser.dmn_schemas = {}  # DMN is validated against the schema of its own version (spiff_findings)
    roots: dict[str, etree._Element] = {}
    forms_in_bundle = {n[len(FORMS_PREFIX) :]: c for n, c in files.items() if n.startswith(FORMS_PREFIX)}

    for name, content in sorted(files.items()):
        if name.startswith(FORMS_PREFIX):
            continue
        if not name.endswith((".bpmn", ".dmn")):
            findings.append(
                Finding(name, None, None, "alleen .bpmn- en .dmn-bestanden (en formulieren) horen in een bundel")
            )
            continue
        root, finding = parse_model_xml(name, content)
        if finding or root is None:
            findings.append(finding or Finding(name, None, None, "bestand is leeg"))
            continue
        _add_file(parser, name, root, roots, findings, spiff)

    main: str | None = None
    if roots:
        findings.extend(check_phases(sorted(roots.items())))
        findings.extend(_missing_dependencies(parser, roots))
        main = _main_process(parser, roots, findings)
    model: LoadedModel | None = None
    if main is not None:
        try:
            spec = parser.get_spec(main)
            subprocess_specs = parser.get_subprocess_specs(main)
        except Exception as exc:  # noqa: BLE001 - SpiffWorkflow's refusal becomes a finding
            spiff.append(spiff_finding("", exc, _root_of(roots, getattr(exc, "id", None))))
        else:
            model = LoadedModel(main, spec, subprocess_specs, {}, dict(files))
            _check_specs_and_load_forms(model, roots, forms_in_bundle, forms_dir, findings)
    ours = {(f.file, f.element) for f in findings if f.element}
    findings.extend(f for f in spiff if (f.file, f.element) not in ours or not f.element)
    if model is None and not refuses(findings):
        findings.append(Finding("", None, None, "de bundel bevat geen uitvoerbaar proces"))
    if model is not None and not refuses(findings):
        main_file, _ = _locate(roots, main or "")
        for finding in trial_start(model.spec, model.subprocess_specs, model.forms, main_file):
            file, line = _locate(roots, finding.element) if finding.element else (finding.file, None)
            findings.append(replace(finding, file=file or finding.file, line=line))
    findings.sort(key=lambda f: f.sort_key)
    if model is None or refuses(findings):
        raise DeployRefused(findings)
    model.warnings = findings
    return model


def _add_file(
    parser: SpiffBpmnParser,
    name: str,
    root: etree._Element,
    roots: dict[str, etree._Element],
    findings: list[Finding],
    spiff: list[Finding],
) -> None:
    """Check one model file and hand it to SpiffWorkflow's parser; whatever it refuses becomes a finding."""
    is_dmn = _is_dmn(root)
    if name.endswith(".dmn") != is_dmn:
        expected = "DMN" if name.endswith(".dmn") else "BPMN"
        findings.append(Finding(name, 1, None, f"bestand heet .{name.rsplit('.', 1)[1]} maar is geen {expected}"))
        return
    if not is_dmn and etree.QName(root).namespace != BPMN_NS:
        findings.append(Finding(name, 1, None, "geen BPMN 2.0-bestand"))
        return
    try:
        if is_dmn:
            problems = check_dmn_file(name, root)
            findings.extend(problems)
            if problems:
                return
            findings.extend(check_dmn_xml(name, root))
            parser.add_dmn_xml(dmn_for_spiff(root), filename=name)
        else:
            hazards = check_parse_hazards(name, root)
            findings.extend(hazards)
            findings.extend(check_bpmn_xml(name, root))
            if hazards:
                return
            parser.add_bpmn_xml(root, filename=name)
        roots[name] = root
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow's refusal (or its crash) becomes a finding
        spiff.append(spiff_finding(name, exc, root))


def _find(roots: dict[str, etree._Element], element_id: str | None) -> tuple[str, etree._Element | None]:
    """The file and the node of the element with ``element_id`` (``("", None)`` when no file has it)."""
    if element_id:
        for name, root in roots.items():
            found = root.xpath("//*[@id=$i]", i=element_id)
            if found:
                return name, found[0]
    return "", None


def _root_of(roots: dict[str, etree._Element], element_id: str | None) -> etree._Element | None:
    name, _ = _find(roots, element_id)
    return roots.get(name)


def _locate(roots: dict[str, etree._Element], element_id: str) -> tuple[str, int | None]:
    name, node = _find(roots, element_id)
    return name, node.sourceline if node is not None else None


def _missing_dependencies(parser: SpiffBpmnParser, roots: dict[str, etree._Element]) -> list[Finding]:
    findings = []
    missing_processes = set(parser.get_process_dependencies()) - set(parser.process_parsers)
    for name, root in roots.items():
        for node in root.iter(f"{{{BPMN_NS}}}callActivity"):
            if node.get("calledElement") and node.get("calledElement") in missing_processes:
                findings.append(
                    Finding(
                        name,
                        node.sourceline,
                        node.get("id"),
                        f"roept proces '{node.get('calledElement')}' aan, maar dat zit niet in de bundel",
                    )
                )
        for node in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
            ref = node.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}calledDecisionId")
            decision = (ref.text or "").strip() if ref is not None else ""
            if not decision:
                findings.append(
                    Finding(
                        name,
                        node.sourceline,
                        node.get("id"),
                        "bedrijfsregeltaak zonder beslissing (spiffworkflow:calledDecisionId)",
                    )
                )
            elif decision not in parser.dmn_parsers:
                findings.append(
                    Finding(
                        name,
                        node.sourceline,
                        node.get("id"),
                        f"gebruikt beslissing '{decision}', maar die zit niet in de bundel",
                    )
                )
    return findings


def _main_process(parser: SpiffBpmnParser, roots: dict[str, etree._Element], findings: list[Finding]) -> str | None:
    """The executable process that no other process in the bundle calls (a self-call is refused elsewhere)."""
    called = _called_by_others(roots)
    candidates: list[str] = sorted(p for p in parser.get_process_ids() if p not in called)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        findings.append(Finding("", None, None, 'de bundel bevat geen uitvoerbaar hoofdproces (isExecutable="true")'))
    else:
        findings.append(
            Finding(
                "",
                None,
                None,
                "de bundel heeft meer dan één hoofdproces: "
                + ", ".join(candidates)
                + "; een bundel is één variant met de subprocessen die zij aanroept",
            )
        )
    return None


def _called_by_others(roots: dict[str, etree._Element]) -> set[str]:
    called = set()
    for root in roots.values():
        for process in root.iter(f"{{{BPMN_NS}}}process"):
            for node in process.iter(f"{{{BPMN_NS}}}callActivity"):
                if node.get("calledElement") and node.get("calledElement") != process.get("id"):
                    called.add(node.get("calledElement"))
    return called


_HUMAN_TAGS = {"userTask": "gebruikerstaak", "manualTask": "handmatige taak"}


def _check_specs_and_load_forms(
    model: LoadedModel,
    roots: dict[str, etree._Element],
    forms_in_bundle: dict[str, bytes],
    forms_dir: Path | None,
    findings: list[Finding],
) -> None:
    for spec in model.all_specs():
        for task_spec in spec.task_specs.values():
            form = (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get(PROPERTY_FORM)
            manual = getattr(task_spec, "manual", False)
            if not manual and not form:
                continue
            file, node = _find(roots, task_spec.bpmn_id)
            where = dict(file=file, line=node.sourceline if node is not None else None, element=task_spec.bpmn_id)
            kind = _HUMAN_TAGS.get(etree.QName(node).localname if node is not None else "")
            if manual and kind is None:
                continue  # a plain bpmn:task: refused by engine.modeling.compatibility, as a task
            if manual and not known_lane(task_spec.lane):
                findings.append(Finding(**where, message=f"{kind} staat niet in een lane van een bekende rol"))
            if manual and not form:
                findings.append(Finding(**where, message=f"{kind} heeft geen formulier ({PROPERTY_FORM})"))
            if form and form not in model.forms:
                load_form(model.forms, model.files, form, forms_in_bundle, forms_dir, where, findings)
            instant_field = (
                (getattr(task_spec, "extensions", None) or {}).get("properties", {}).get(PROPERTY_INSTANT_FIELD)
            )
            if instant_field and (problem := instant_field_problem(model.forms.get(form or ""), instant_field)):
                findings.append(Finding(**where, message=problem))
    # A form shipped in the bundle but used by no task is checked all the same, then left out of the version.
    for name in list(model.files):
        if name.startswith(FORMS_PREFIX) and name[len(FORMS_PREFIX) :] not in model.forms:
            del model.files[name]
            findings.append(unused_form_finding(name, forms_in_bundle[name[len(FORMS_PREFIX) :]]))


class ModelRegistry:
    """Parsed specs per deployed version, parsed once and shared by all cases."""

    def __init__(self, forms_dir: Path, *, workflow_cache_size: int = DEFAULT_SIZE):
        self.forms_dir = forms_dir
        self._cache: dict[int, LoadedModel] = {}
        self.workflows = WorkflowCache(workflow_cache_size)
        self._lock = threading.Lock()

    def model(self, session: Session, version_id: int) -> LoadedModel:
        cached = self._cache.get(version_id)
        if cached is not None:
            return cached
        version = session.get(ModelVersion, version_id)
        if version is None:
            raise NotFound(f"modelversie {version_id} bestaat niet")
        model = parse_bundle({f.path: f.content.encode("utf-8") for f in version.files}, forms_dir=None)
        model.version_id = version_id
        with self._lock:
            return self._cache.setdefault(version_id, model)

    def remember(self, version_id: int, model: LoadedModel) -> None:
        model.version_id = version_id
        with self._lock:
            self._cache[version_id] = model


@dataclass(frozen=True)
class DeployResult:
    version: ModelVersion
    created: bool
    warnings: list[Finding] = field(default_factory=list)  # said, not refused: what will be ignored


def deploy_bundle(
    session: Session,
    registry: ModelRegistry,
    files: dict[str, bytes],
    *,
    region: str,
    variant: str,
    actor: str,
    now: datetime,
) -> DeployResult:
    """Check and store a bundle as the next version of ``region``/``variant``.

    Nothing is stored when a check fails. Deploying exactly the files of the
    live version again stores nothing and returns that version.
    """
    if region not in REGION_CODES:
        raise InvalidInput(f"regio '{region}' bestaat niet; kies uit {', '.join(sorted(REGION_CODES))}")
    if not variant or len(variant) > 80 or not all(c.isalnum() or c in "-_." for c in variant):
        raise InvalidInput(f"variantnaam '{variant}' is ongeldig (letters, cijfers, - _ .)")

    def work() -> tuple[DeployResult, LoadedModel]:
        model = parse_bundle(files, forms_dir=registry.forms_dir)
        sha = bundle_sha256(model.files)
        live = live_version(session, region, variant)
        if live is not None and live.sha256 == sha:
            return DeployResult(live, created=False, warnings=model.warnings), model
        number = (
            session.scalar(
                select(func.max(ModelVersion.version)).where(
                    ModelVersion.region == region, ModelVersion.variant == variant
                )
            )
            or 0
        ) + 1
        version = ModelVersion(
            region=region,
            variant=variant,
            version=number,
            sha256=sha,
            main_process=model.main_process,
            created_at=now,
            created_by=actor,
        )
        version.files = [ModelFile(path=p, content=_utf8_text(p, c)) for p, c in sorted(model.files.items())]
        session.add(version)
        mark_live(session, version, actor=actor, now=now)
        return DeployResult(version, created=True, warnings=model.warnings), model

    result, model = in_transaction(session, work)
    if result.created:
        registry.remember(result.version.id, model)
    return result


def _utf8_text(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise DeployRefused([Finding(name, None, None, "bestand is geen UTF-8-tekst; sla het op als UTF-8")]) from None


def live_version(session: Session, region: str, variant: str) -> ModelVersion | None:
    """The live version of a variant in a region: the last deployed, unless a designer rolled back."""
    return live_version_of(session, region, variant)


def default_variant(session: Session, region: str) -> str | None:
    """The variant deployed last to a region."""
    return session.scalars(
        select(ModelVersion.variant).where(ModelVersion.region == region).order_by(ModelVersion.id.desc()).limit(1)
    ).first()


def list_versions(session: Session, region: str | None = None) -> list[VersionRow]:
    """The deployed versions (of one region, or all), by region, variant and version number."""
    query = (
        select(ModelVersion)
        .options(selectinload(ModelVersion.files))
        .order_by(ModelVersion.region, ModelVersion.variant, ModelVersion.version)
    )
    if region:
        query = query.where(ModelVersion.region == region)
    versions = session.scalars(query).all()
    live = live_version_ids(session, region or None)
    defaults = {v.region: v.variant for v in sorted(versions, key=lambda v: v.id)}
    return [
        {
            "id": v.id,
            "region": v.region,
            "variant": v.variant,
            "version": v.version,
            "sha256": v.sha256,
            "main_process": v.main_process,
            "created_at": v.created_at.isoformat(),
            "created_by": v.created_by,
            "live": live.get((v.region, v.variant)) == v.id,
            "region_default": defaults[v.region] == v.variant,
            "files": [f.path for f in v.files],
        }
        for v in versions
    ]

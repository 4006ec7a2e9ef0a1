"""Read models of documents and their service for the web pages and the API. Nothing here writes.

* ``documents_panel``: the "Documenten" section of a case page: per document kind the versions
  the user may read (with who received them and how), whether the user may make it and what
  it still lacks, the choices of the service form, the service status and the dossier button.
* ``document_detail``: one document version (for the print page and the API).
* ``service_form``: one document version with the choices of its service form.
* ``missing_service_for_task``: what a task with ``requiresService`` still waits for, so a
  page can say so before the caseworker hits the refusal of engine.documents.service.require_service.

The rules themselves stay in engine.modeling.document_rules, engine.documents.generation and engine.documents.service;
this module only combines their public functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.orm import Session

from engine.base.clock import parse_instant
from engine.base.errors import Forbidden, NotFound
from engine.base.vocabulary import PROPERTY_REQUIRES_SERVICE
from engine.documents.generation import (
    case_data,
    get_document,
    latest,
    milestones_of,
    missing_for,
    reader_roles,
    source_of,
)
from engine.documents.read_models import (
    DocumentInput,
    DocumentKindPanel,
    DocumentsPanel,
    DocumentVersion,
    MakeForm,
    MissingService,
    ServiceForm,
    ServiceMethodOption,
    ServiceOptions,
)
from engine.documents.service import (
    counts,
    kind_title,
    records_of,
    service_status,
    versions_for_roles,
)
from engine.documents.templates import TemplateSpec, load_spec, missing_parts
from engine.modeling.document_rules import (
    DOSSIER_READERS,
    KINDS,
    METHODS,
    RECIPIENT_NOUNS,
    issuable_kinds,
    may_read,
    required_services,
)
from engine.modeling.registry import ModelRegistry
from engine.storage.document_tables import Document
from engine.storage.tables import Case, User
from engine.workflow import state as ws
from engine.workflow.case_store import open_workflow
from engine.workflow.processing_log import READ, log_processing
from engine.workflow.worklist import get_task

INPUT_PREFIX = "invoer."


# --- service form choices ---------------------------------------------------------------------


def service_options(kind: str, user: User, source: dict[str, Any]) -> ServiceOptions:
    """The recipients and methods ``user`` may record for a document of ``kind``, and known names.

    A method is offered when one of the user's roles both serves this kind and records that method;
    each method lists the recipients it is possible for. ``counts`` is False for an oral notice of a
    besluit: it is recorded, but the written decision must still follow.
    """
    rule = KINDS[kind]
    methods = []
    for code, way in METHODS.items():
        if not user.roles & rule.servers & way.recorders:
            continue
        recipients = tuple(r for r in rule.recipients if r in way.recipients)
        if recipients:
            methods.append(
                ServiceMethodOption(
                    code=code,
                    label=way.label,
                    proof=way.proof,
                    recipients=recipients,
                    counts=way.written or not rule.decision,
                )
            )
    offered = tuple(r for r in rule.recipients if any(r in m.recipients for m in methods))
    names: dict[str, list[str]] = {}
    if isinstance(source.get("uithuisgeplaatste_naam"), str) and source["uithuisgeplaatste_naam"].strip():
        names["uithuisgeplaatste"] = [source["uithuisgeplaatste_naam"]]
    left_behind = source.get("achterblijvers")
    if isinstance(left_behind, list):
        names["achterblijver"] = [
            a["naam"]
            for a in left_behind
            if isinstance(a, dict) and isinstance(a.get("naam"), str) and a["naam"].strip()
        ]
    return ServiceOptions(
        methods=tuple(methods),
        recipients=offered,
        names=names,
        possible=bool(methods),
        first_recipient=rule.recipients[0],
    )


def document_detail(session: Session, document_id: int, user: User, now: datetime) -> DocumentVersion:
    """One document version as engine.documents.service.documents_of_case lists it; 404/403 as get_document."""
    document = get_document(session, document_id, user, now, purpose="documenten_inzien")
    for entry in versions_for_roles(session, document.case_id, reader_roles(session, document.case_id, user, now)):
        if entry.id == document.id:
            return entry
    raise NotFound(f"document {document_id} bestaat niet")  # pragma: no cover - get_document checked it


def service_form(session: Session, document_id: int, user: User, now: datetime) -> ServiceForm:
    """A document version with the choices of its service form (for the service page)."""
    document = get_document(session, document_id, user, now)
    return ServiceForm(
        document=document_detail(session, document_id, user, now),
        title=load_spec(document.kind).title,
        service=service_options(document.kind, user, source_of(document)),
    )


# --- the documents section of a case page --------------------------------------------------------


def _case(session: Session, case_id: int, user: User) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.region not in user.regions:
        raise NotFound(f"zaak {case_id} bestaat niet")
    return case


def _missing_by_kind(
    session: Session, registry: ModelRegistry, case: Case, kinds: list[str]
) -> dict[str, dict[str, str]]:
    """What each kind lacks now (as engine.documents.generation.missing_for), from one load of the case data."""
    data = case_data(session, registry, case)
    checkable = {**data, "mijlpaal": {name: at.isoformat() for name, at in milestones_of(session, case.id)}}
    return {kind: dict(missing_parts(load_spec(kind), checkable, {})) for kind in kinds}


def _inputs(spec: TemplateSpec) -> tuple[DocumentInput, ...]:
    return tuple(
        DocumentInput(name=name, title=f.title, max_length=f.max_length, required=f.required)
        for name, f in spec.inputs.items()
    )


def _case_missing(missing: dict[str, str]) -> dict[str, str]:
    """The parts the case data lacks; the fields typed in when making a document are asked for separately."""
    return {p: label for p, label in missing.items() if not p.startswith(INPUT_PREFIX)}


def documents_panel(
    session: Session, registry: ModelRegistry, case_id: int, user: User, now: datetime
) -> DocumentsPanel:
    """Everything the "Documenten" section of a case page shows to ``user``.

    ``kinds`` lists, in the order of engine.modeling.document_rules.KINDS, each kind the user may read
    a version of or may make: its versions (newest first), what it still lacks (``missing``,
    Dutch names; fields typed in when making it are in ``inputs`` instead), and the choices of
    the service form for its current version.
    """
    case = _case(session, case_id, user)
    roles = reader_roles(session, case.id, user, now)  # need-to-know: 403 without a relation
    listed = versions_for_roles(session, case.id, roles)
    log_processing(
        session, actor=user.name, roles=roles, region=case.region, case_id=case.id,
        activity="documenten_inzien", operation=READ, now=now,
    )  # fmt: skip
    issuable = issuable_kinds(roles)
    missing = _missing_by_kind(session, registry, case, issuable) if issuable else {}
    kinds = []
    for kind in KINDS:
        versions = tuple(sorted((d for d in listed if d.kind == kind), key=lambda d: -d.version))
        if not versions and kind not in issuable:
            continue
        spec = load_spec(kind)
        current = versions[0] if versions else None
        source: dict[str, Any] = {}
        if current:  # ``listed`` passed the reader rules above: fetch the row, not the access check again per kind
            stored = session.get(Document, current.id)
            assert stored is not None  # listed in this session
            source = source_of(stored)
        kinds.append(
            DocumentKindPanel(
                kind=kind,
                title=spec.title,
                versions=versions,
                current=current,
                may_make=kind in issuable,
                roles=tuple(r for r in KINDS[kind].issuers if r in roles),
                makers=tuple(KINDS[kind].issuers),
                missing=_case_missing(missing.get(kind, {})),
                inputs=_inputs(spec),
                service=service_options(kind, user, source) if current else None,
            )
        )
    reads_ban = may_read("beschikking", roles)
    status = service_status(session, case.id, user, now) if reads_ban else None
    imposed = any(name == "huisverbod_opgelegd" for name, _ in milestones_of(session, case.id))
    dossier = bool(DOSSIER_READERS & roles)
    return DocumentsPanel(
        kinds=tuple(kinds),
        status=status,
        show_status=status is not None and (imposed or status.beschikking.document_id is not None),
        dossier=dossier,
        show=bool(kinds) or dossier or status is not None,
    )


def make_form(
    session: Session, registry: ModelRegistry, case_id: int, kind: str, user: User, now: datetime
) -> MakeForm:
    """The page that makes a document of ``kind``: what it lacks, the fields to type in, the roles to choose."""
    case = _case(session, case_id, user)
    rule, spec = KINDS[kind], load_spec(kind)
    if not user.roles & set(rule.issuers):
        raise Forbidden(f"een {kind_title(kind)} wordt alleen gemaakt door: {', '.join(rule.issuers)}")
    missing = missing_for(session, registry, case.id, kind, user)
    versions = [
        d for d in versions_for_roles(session, case.id, reader_roles(session, case.id, user, now)) if d.kind == kind
    ]
    return MakeForm(
        kind=kind,
        title=spec.title,
        description=spec.description,
        case_id=case.id,
        missing=_case_missing(missing),
        inputs=_inputs(spec),
        roles=tuple(r for r in rule.issuers if r in user.roles),
        next_version=max((d.version for d in versions), default=0) + 1,
    )


# --- a task that waits for service ------------------------------------------------------------------


def _task_spec(registry: ModelRegistry, session: Session, case: Case, element: str) -> Any:
    return ws.user_task_spec(registry.model(session, case.model_version_id), element)


def _task_data(session: Session, registry: ModelRegistry, case: Case, task_id: str) -> dict[str, Any]:
    _, workflow = open_workflow(session, registry, case, whole=True)
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, KeyError):
        return {}
    return dict(task.data) if task is not None else {}


def _served(session: Session, document: Document, recipient: str) -> bool:
    return any(counts(document, r, recipient) for r in records_of(session, [document.id])[document.id])


def _missing(
    kind: str, recipient: str, document: Document | None, user: User, reason: str, message: str
) -> MissingService:
    rule = KINDS[kind]
    return MissingService(
        kind=kind,
        title=load_spec(kind).title,
        recipient=recipient,
        document_id=document.id if document else None,
        version=document.version if document else None,
        makers=tuple(rule.issuers),
        servers=tuple(sorted(rule.servers)),
        may_make=bool(user.roles & set(rule.issuers)),
        may_serve=bool(user.roles & rule.servers),
        reason=reason,
        message=message,
    )


def missing_service_for_task(
    session: Session, registry: ModelRegistry, task_id: str, user: User
) -> list[MissingService]:
    """What a ready task with ``requiresService`` waits for, one entry per document kind; [] when nothing.

    Mirrors engine.documents.service.require_service (the check that refuses completing the task) without
    raising: for each kind the latest version must exist, (for a verlengingsbeschikking) name the
    end the task extends to, and have a counting service record to the kind's first recipient.
    ``reason`` is ``geen_document``, ``ander_einde`` or ``niet_uitgereikt``; ``message`` says it in Dutch.
    """
    task = get_task(session, task_id, user)
    if task["state"] != "ready":
        return []
    case = _case(session, task["case_id"], user)
    spec = _task_spec(registry, session, case, task["element"])
    value = ws.properties(spec).get(PROPERTY_REQUIRES_SERVICE) if spec is not None else None
    if not value:
        return []
    pairs = [(k, r) for k, r in required_services(value) if k in KINDS]
    data = _task_data(session, registry, case, task_id) if any(k == "verlengingsbeschikking" for k, _ in pairs) else {}
    missing = []
    for kind, recipient in pairs:
        title = kind_title(kind)
        document = latest(session, case.id, kind)
        if document is None:
            missing.append(_missing(kind, recipient, None, user, "geen_document", f"er is nog geen {title} gemaakt"))
            continue
        wanted = data.get("nieuw_einde")
        if kind == "verlengingsbeschikking" and isinstance(wanted, str):
            announced = source_of(document).get("nieuw_einde")
            if not isinstance(announced, str) or parse_instant(announced) != parse_instant(wanted):
                message = (
                    f"de {title} (versie {document.version}) noemt een ander einde dan deze "
                    "verlenging; maak een nieuwe versie"
                )
                missing.append(_missing(kind, recipient, document, user, "ander_einde", message))
                continue
        if not _served(session, document, recipient):
            message = (
                f"de uitreiking van de {title} (versie {document.version}) aan "
                f"{RECIPIENT_NOUNS[recipient]} is niet vastgelegd"
            )
            missing.append(_missing(kind, recipient, document, user, "niet_uitgereikt", message))
    return missing

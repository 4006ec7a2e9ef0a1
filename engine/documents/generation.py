"""Documents of a case: generate from a template, store immutably, find, verify.

``generate_document`` is one transaction: lock the case, check region and role
(engine.modeling.document_rules), gather the case data, refuse with the Dutch names of
the missing legal parts, render, seal with a checksum, make the PDF, store the
next version and record ``document_gemaakt`` in the audit trail. Nothing is
stored when anything fails. There is no function to change or delete a document.

The checksum (``sha256``) is the SHA-256 of the document's HTML with the printed
checksum itself left out (see engine.documents.templates.seal); ``verify`` recomputes
it, and ``pdf_sha256`` is the hash of the stored PDF file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.base.clock import Clock
from engine.base.errors import Forbidden, InvalidInput, NotFound, ThvError
from engine.base.vocabulary import Action
from engine.documents.templates import (
    TemplateSpec,
    checksum_of,
    load_spec,
    lower_first,
    missing_parts,
    pdf_of,
    render_html,
    seal,
    value_at,
)
from engine.modeling.document_rules import issuer_role, may_read, rule
from engine.modeling.registry import ModelRegistry
from engine.storage.document_tables import Document
from engine.storage.tables import Case, CaseEvent, User
from engine.storage.transaction import in_transaction
from engine.workflow import state as ws
from engine.workflow.case_store import lock_case, open_workflow, record_event
from engine.workflow.need_to_know import case_access
from engine.workflow.processing_log import READ, log_processing

# Kept in every document's source snapshot when present: the service checks and reader rules use them.
ALWAYS_IN_SOURCE = ("uithuisgeplaatste_naam", "achterblijvers", "huisverbod.einde", "nieuw_einde", "verzoeker.rol")


class MissingParts(ThvError):
    """A document lacks required parts; ``missing`` maps each data path to its Dutch name."""

    status = 422

    def __init__(self, title: str, missing: list[tuple[str, str]]):
        self.missing = dict(missing)
        super().__init__(
            f"de {lower_first(title)} kan niet worden gemaakt; ontbreekt: " + "; ".join(label for _, label in missing)
        )


def case_data(session: Session, registry: ModelRegistry, case: Case) -> dict[str, Any]:
    """The case variables as the next step sees them, completed with the data of finished branches.

    A parallel branch that has ended (serving the beschikking, say) no longer shows in the
    current variables; its last values are taken from the completed tasks, oldest first,
    and the current variables win over them.
    """
    _, workflow = open_workflow(session, registry, case, whole=True)
    tasks = ws.all_tasks(workflow)
    merged: dict[str, Any] = {}
    for task in sorted((t for t in tasks if t.state == TaskState.COMPLETED), key=lambda t: t.last_state_change):
        merged.update(task.data)
    merged.update(ws.variables(workflow, tasks))
    plain: dict[str, Any] = json.loads(json.dumps(merged, default=str))
    return plain


def milestones_of(session: Session, case_id: int) -> list[tuple[str, datetime]]:
    return [
        (m, at)
        for m, at in session.execute(
            select(CaseEvent.milestone, CaseEvent.at)
            .where(CaseEvent.case_id == case_id, CaseEvent.milestone.is_not(None), CaseEvent.revoked_by.is_(None))
            .order_by(CaseEvent.id)
        ).all()
        if m is not None  # the query has only milestone events; this tells mypy
    ]


def _checked_inputs(spec: TemplateSpec, inputs: dict[str, Any] | None) -> dict[str, str]:
    if inputs is None:
        return {}
    if not isinstance(inputs, dict):
        raise InvalidInput("invoer moet een object met tekstvelden zijn")
    unknown = sorted(set(inputs) - set(spec.inputs))
    if unknown:
        expected = ", ".join(spec.inputs) or "geen"
        raise InvalidInput(
            f"onbekend invoerveld voor de {lower_first(spec.title)}: {', '.join(unknown)} (verwacht: {expected})"
        )
    clean = {}
    for name, value in inputs.items():
        if not isinstance(value, str):
            raise InvalidInput(f"{spec.inputs[name].title}: vul tekst in")
        if len(value) > spec.inputs[name].max_length:
            raise InvalidInput(f"{spec.inputs[name].title}: maximaal {spec.inputs[name].max_length} tekens")
        clean[name] = value.strip()
    return clean


def _facts(
    session: Session, registry: ModelRegistry, case: Case, spec: TemplateSpec, inputs: dict[str, str]
) -> tuple[dict[str, Any], list[tuple[str, datetime]], list[tuple[str, str]]]:
    data = case_data(session, registry, case)
    milestones = milestones_of(session, case.id)
    checkable = {**data, "mijlpaal": {name: at.isoformat() for name, at in milestones}}
    return data, milestones, missing_parts(spec, checkable, inputs)


def missing_for(
    session: Session, registry: ModelRegistry, case_id: int, kind: str, user: User, inputs: dict[str, Any] | None = None
) -> dict[str, str]:
    """What a document still lacks (path -> Dutch name), without storing anything; {} when complete."""
    rule(kind)
    case = session.get(Case, case_id)
    if case is None or case.region not in user.regions:
        raise NotFound(f"zaak {case_id} bestaat niet")
    spec = load_spec(kind)
    return dict(_facts(session, registry, case, spec, _checked_inputs(spec, inputs))[2])


def generate_document(
    session: Session,
    registry: ModelRegistry,
    clock: Clock,
    case_id: int,
    kind: str,
    user: User,
    *,
    role: str | None = None,
    inputs: dict[str, Any] | None = None,
) -> Document:
    """Make the next version of a document of ``kind`` for a case, as ``user``; returns the stored row.

    ``inputs`` are the fields the template declares under [inputs] (typed in when making it,
    such as the keys taken in). Refuses, naming the missing parts, when required data is absent.
    """
    rule(kind)

    def work() -> Document:
        case = lock_case(session, case_id, regions=user.regions)
        spec = load_spec(kind)
        issued_as = issuer_role(kind, user.roles, role, user.name, lower_first(spec.title))
        clean = _checked_inputs(spec, inputs)
        data, milestones, missing = _facts(session, registry, case, spec, clean)
        if missing:
            raise MissingParts(spec.title, missing)
        last = session.scalar(
            select(func.max(Document.version)).where(Document.case_id == case.id, Document.kind == kind)
        )
        version, now = (last or 0) + 1, clock.now()
        context = {
            "zaak": {"nummer": case.id, "regio": case.region, "variant": case.variant},
            "v": data,
            "invoer": clean,
            "mijlpalen": [{"naam": name, "op": at} for name, at in milestones],
            "mijlpaal": {name: at for name, at in milestones},
            "document": {
                "soort": kind,
                "titel": spec.title,
                "versie": version,
                "sjabloonversie": spec.version,
                "gemaakt_op": now,
                # The person, not the login: the signature and "gemaakt door" name who made it.
                "gemaakt_door": user.display_name or user.name,
                "functie": user.job_title,
                "organisatie": user.organisation,
                "rol": issued_as,
            },
        }
        html, digest = seal(render_html(f"{kind}.html", context))
        pdf = pdf_of(html)
        paths = [*spec.required, *spec.conditions, *ALWAYS_IN_SOURCE]
        source = {path: value_at(data, path) for path in dict.fromkeys(paths) if value_at(data, path) is not None}
        document = Document(
            case_id=case.id,
            region=case.region,
            kind=kind,
            version=version,
            template_version=spec.version,
            generated_at=now,
            generated_by=user.name,
            generated_role=issued_as,
            sha256=digest,
            html=html,
            pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            source=json.dumps({**source, "invoer": clean}, ensure_ascii=False, sort_keys=True),
        )
        session.add(document)
        session.flush()
        record_event(
            session,
            case,
            actor=user.name,
            action=Action.DOCUMENT_MADE,
            element=kind,
            now=now,
            detail={"document_id": document.id, "soort": kind, "versie": version, "sha256": digest},
        )
        return document

    return in_transaction(session, work)


def source_of(document: Document) -> dict[str, Any]:
    source: dict[str, Any] = json.loads(document.source)
    return source


def readable(document: Document, roles: Iterable[str]) -> bool:
    return may_read(document.kind, roles, source_of(document).get("verzoeker.rol"))


def reader_roles(session: Session, case_id: int, user: User, now: datetime) -> frozenset[str]:
    """The user's roles that read this case's documents: need-to-know (engine.workflow.need_to_know).

    Raises NeedToKnow (403) for a case role without a relation; designer and beheerder get none.
    """
    case = session.get(Case, case_id)
    if case is None or case.region not in user.regions:
        raise NotFound(f"zaak {case_id} bestaat niet")
    return case_access(session, case, user, now).roles


def get_document(
    session: Session, document_id: int, user: User, now: datetime, *, purpose: str | None = None
) -> Document:
    """One stored document version for download or print; region, need-to-know and reader rules apply.

    ``purpose`` (a processing activity such as ``document_downloaden``) logs the read
    (engine.workflow.processing_log); engine-internal reads pass none.
    """
    document = session.get(Document, document_id)
    if document is None or document.region not in user.regions:
        raise NotFound(f"document {document_id} bestaat niet")
    roles = reader_roles(session, document.case_id, user, now)
    if not readable(document, roles):
        raise Forbidden(f"{user.name} mag dit document ({document.kind}) niet inzien")
    if purpose is not None:
        log_processing(
            session,
            actor=user.name,
            roles=roles,
            region=document.region,
            case_id=document.case_id,
            activity=purpose,
            operation=READ,
            now=now,
        )
    return document


def documents_for_case(session: Session, case_id: int) -> list[Document]:
    """Every version of every document of a case, by kind and version (no access check: engine use)."""
    return list(
        session.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.kind, Document.version))
    )


def latest(session: Session, case_id: int, kind: str) -> Document | None:
    return session.scalars(
        select(Document)
        .where(Document.case_id == case_id, Document.kind == kind)
        .order_by(Document.version.desc())
        .limit(1)
    ).first()


def find_by_checksum(session: Session, digest: str, user: User) -> list[Document]:
    """The documents carrying a printed checksum, to check a paper copy; only those the user may see."""
    digest = (digest or "").strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InvalidInput("een controlegetal bestaat uit 64 tekens 0-9 en a-f")
    found = session.scalars(select(Document).where(Document.sha256 == digest).order_by(Document.id))
    return [d for d in found if d.region in user.regions and readable(d, user.roles)]


def verify(document: Document) -> bool:
    """True when the stored HTML and PDF are exactly what was generated."""
    return (
        checksum_of(document.html, document.sha256) == document.sha256
        and hashlib.sha256(document.pdf).hexdigest() == document.pdf_sha256
    )


def filename(document: Document, extension: str = "pdf") -> str:
    return f"zaak-{document.case_id}-{document.kind}-v{document.version}.{extension}"

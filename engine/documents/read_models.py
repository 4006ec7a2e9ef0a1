"""What engine.documents hands the web pages, the API and the CLI: documents, their service, the forms.

Keys are English identifiers; Dutch stays in the values (titles, reasons, labels) and in the codes
the rules use (document kinds, recipient roles, methods). ``to_json()`` gives the shape of the API
and of ``thv ... --json`` (web/openapi.json is its contract); templates read the attributes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict


class ServiceRecordJson(TypedDict):
    """A service record in the API and ``thv ... --json`` (see :class:`ServiceRecordView`)."""

    id: int
    document_id: int
    recipient_name: str
    recipient_role: str
    method: str
    method_label: str
    proof: str
    served_at: str
    recorded_at: str
    recorded_by: str
    recorded_role: str
    note: str | None


class DocumentVersionJson(TypedDict):
    """A document version in the API and ``thv ... --json`` (see :class:`DocumentVersion`)."""

    id: int
    case_id: int
    kind: str
    title: str
    version: int
    current: bool
    template_version: str
    generated_at: str
    generated_by: str
    generated_role: str
    sha256: str
    pdf_sha256: str
    served_to: list[str]
    service: list[ServiceRecordJson]


class DecisionServiceStatusJson(TypedDict):
    """See :class:`DecisionServiceStatus`."""

    document_id: int | None
    version: int | None
    served: bool
    proof: ServiceRecordJson | None
    service: list[ServiceRecordJson]


class ExtensionServiceStatusJson(DecisionServiceStatusJson):
    """See :class:`ExtensionServiceStatus`."""

    needed: bool
    current: bool


class ServiceStatusJson(TypedDict):
    """See :class:`ServiceStatus`."""

    served: bool
    reasons: list[str]
    beschikking: DecisionServiceStatusJson
    verlengingsbeschikking: ExtensionServiceStatusJson


@dataclass(frozen=True)
class ServiceRecordView:
    """One recorded service (uitreiking) of a document version: who received it, how and when, and who recorded it.

    ``proof`` says in Dutch what the method proves; ``recipient_role_label`` is the Dutch name of the
    recipient's role (shown on pages and in the dossier, not part of the JSON).
    """

    id: int
    document_id: int
    recipient_name: str
    recipient_role: str
    recipient_role_label: str
    method: str
    method_label: str
    proof: str
    served_at: str
    recorded_at: str
    recorded_by: str
    recorded_role: str
    note: str | None

    def to_json(self) -> ServiceRecordJson:
        return {
            "id": self.id,
            "document_id": self.document_id,
            "recipient_name": self.recipient_name,
            "recipient_role": self.recipient_role,
            "method": self.method,
            "method_label": self.method_label,
            "proof": self.proof,
            "served_at": self.served_at,
            "recorded_at": self.recorded_at,
            "recorded_by": self.recorded_by,
            "recorded_role": self.recorded_role,
            "note": self.note,
        }


@dataclass(frozen=True)
class DocumentVersion:
    """One stored version of a document of a case, with its service records.

    ``current`` is True for the newest version of its kind; ``served_to`` lists the recipient roles
    a counting service record reached (an oral notice of a besluit does not count).
    """

    id: int
    case_id: int
    kind: str
    title: str
    version: int
    current: bool
    template_version: str
    generated_at: str
    generated_by: str
    generated_role: str
    sha256: str
    pdf_sha256: str
    service: tuple[ServiceRecordView, ...]
    served_to: tuple[str, ...]

    def to_json(self) -> DocumentVersionJson:
        return {
            "id": self.id,
            "case_id": self.case_id,
            "kind": self.kind,
            "title": self.title,
            "version": self.version,
            "current": self.current,
            "template_version": self.template_version,
            "generated_at": self.generated_at,
            "generated_by": self.generated_by,
            "generated_role": self.generated_role,
            "sha256": self.sha256,
            "pdf_sha256": self.pdf_sha256,
            "served_to": list(self.served_to),
            "service": [r.to_json() for r in self.service],
        }


@dataclass(frozen=True)
class DecisionServiceStatus:
    """Whether the latest version of a decision (beschikking) reached the uithuisgeplaatste.

    ``proof`` is the strongest counting record; ``service`` every record to the uithuisgeplaatste.
    ``document_id`` and ``version`` are None while no version was made.
    """

    document_id: int | None
    version: int | None
    served: bool
    service: tuple[ServiceRecordView, ...]
    proof: ServiceRecordView | None

    def to_json(self) -> DecisionServiceStatusJson:
        return {
            "document_id": self.document_id,
            "version": self.version,
            "served": self.served,
            "proof": self.proof.to_json() if self.proof else None,
            "service": [r.to_json() for r in self.service],
        }


@dataclass(frozen=True)
class ExtensionServiceStatus(DecisionServiceStatus):
    """The service of the latest verlengingsbeschikking: as a decision, and whether one is needed and current.

    ``needed`` once the ban was extended or an extension decision was made; ``current`` when it
    announces an end at least as late as the latest recorded extension.
    """

    needed: bool
    current: bool

    def to_json(self) -> ExtensionServiceStatusJson:
        return {**super().to_json(), "needed": self.needed, "current": self.current}


@dataclass(frozen=True)
class ServiceStatus:
    """Whether the ban counts as served (betekend), and in Dutch what is still missing (``reasons``)."""

    served: bool
    reasons: tuple[str, ...]
    beschikking: DecisionServiceStatus
    verlengingsbeschikking: ExtensionServiceStatus

    def to_json(self) -> ServiceStatusJson:
        return {
            "served": self.served,
            "reasons": list(self.reasons),
            "beschikking": self.beschikking.to_json(),
            "verlengingsbeschikking": self.verlengingsbeschikking.to_json(),
        }


@dataclass(frozen=True)
class ServiceMethodOption:
    """A way of serving (``code`` of engine.modeling.document_rules.METHODS) a user may record for a document.

    ``counts`` is False for an oral notice of a besluit: recorded, but the written decision must follow.
    """

    code: str
    label: str
    proof: str
    recipients: tuple[str, ...]
    counts: bool


@dataclass(frozen=True)
class ServiceOptions:
    """The choices of the service form of a document for one user: methods, recipients, known names.

    ``names`` maps a recipient role to the names the document knows for it; ``possible`` is False when
    the user may record no method at all; ``first_recipient`` is the one the service status counts.
    """

    methods: tuple[ServiceMethodOption, ...]
    recipients: tuple[str, ...]
    names: dict[str, list[str]]
    possible: bool
    first_recipient: str


@dataclass(frozen=True)
class DocumentInput:
    """A field typed in when making a document (declared under [inputs] of its template)."""

    name: str
    title: str
    max_length: int
    required: bool


@dataclass(frozen=True)
class DocumentKindPanel:
    """One document kind in the "Documenten" section of a case page.

    ``versions`` newest first, ``current`` the newest (None when none was made); ``missing`` maps the
    data paths the case still lacks to their Dutch names; ``service`` is the service form of the
    current version (None without one).
    """

    kind: str
    title: str
    versions: tuple[DocumentVersion, ...]
    current: DocumentVersion | None
    may_make: bool
    roles: tuple[str, ...]
    makers: tuple[str, ...]
    missing: dict[str, str]
    inputs: tuple[DocumentInput, ...]
    service: ServiceOptions | None


@dataclass(frozen=True)
class DocumentsPanel:
    """The "Documenten" section of a case page for one user, with the service status of the ban.

    ``status`` is None for users who may not read the beschikking; ``show_status`` holds it back until
    a ban is imposed or a beschikking exists; ``show`` is False when there is nothing to show at all.
    """

    kinds: tuple[DocumentKindPanel, ...]
    status: ServiceStatus | None
    show_status: bool
    dossier: bool
    show: bool


@dataclass(frozen=True)
class MakeForm:
    """The page that makes a document of ``kind`` for a case: what it lacks, the fields, the roles."""

    kind: str
    title: str
    description: str
    case_id: int
    missing: dict[str, str]
    inputs: tuple[DocumentInput, ...]
    roles: tuple[str, ...]
    next_version: int


@dataclass(frozen=True)
class ServiceForm:
    """The page that records the service of one document version: the version, its title, the choices."""

    document: DocumentVersion
    title: str
    service: ServiceOptions


@dataclass(frozen=True)
class MissingService:
    """What a task with ``requiresService`` still waits for, for one document kind.

    ``reason`` is the code ``geen_document``, ``ander_einde`` or ``niet_uitgereikt``; ``message`` says
    it in Dutch. ``makers`` and ``servers`` are the roles that may make and serve the kind.
    """

    kind: str
    title: str
    recipient: str
    document_id: int | None
    version: int | None
    makers: tuple[str, ...]
    servers: tuple[str, ...]
    may_make: bool
    may_serve: bool
    reason: str
    message: str

"""``thv`` commands for the documents of a case and their service (uitreiking).

With these, every step of a case can be driven without the web: a step with
``requiresService`` waits for a document that is made and handed over, and these
commands do both. They call the same engine functions as web.views.documents and
the API (engine.documents.generation, engine.documents.service, engine.documents.service_view), so the rules of
engine.modeling.document_rules apply unchanged: who may make, read and hand over what.

Registered by ``cli.main`` (see ``COMMANDS``). Same contract as the other
commands: a one-line reason on failure (exit 1 refused, 2 usage, 3 internal),
``--json`` for JSON on stdout, with the keys of the API (the ``to_json()`` of
engine.documents.read_models).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.context import State, emit, parse_data
from engine.accounts import users
from engine.base.errors import InvalidInput
from engine.documents import generation as documents
from engine.documents import service, service_view
from engine.documents.generation import MissingParts
from engine.documents.read_models import DocumentKindPanel, DocumentVersion, ServiceStatus
from engine.modeling.document_rules import KINDS, METHODS, RECIPIENT_ROLES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from engine.modeling.registry import ModelRegistry
    from engine.runtime import Runtime
    from engine.storage.tables import User

INPUT_PREFIX = service_view.INPUT_PREFIX


def _runtime(ctx: click.Context) -> Runtime:
    return ctx.ensure_object(State).rt


# --- listing -------------------------------------------------------------------------------------


def _version_lines(entry: DocumentVersion) -> list[str]:
    current = " (actueel)" if entry.current else ""
    lines = [
        f"  document {entry.id}\tversie {entry.version}{current}\tgemaakt {entry.generated_at} door "
        f"{entry.generated_by} ({entry.generated_role})\tsha256 {entry.sha256[:12]}"
    ]
    lines.extend(
        f"    uitgereikt aan {r.recipient_name} ({r.recipient_role_label}): {r.method_label}, op {r.served_at}"
        # A note may span lines; one record stays one line.
        + (f" ({' '.join(r.note.split())})" if r.note else "")
        for r in entry.service
    )
    if not entry.service:
        lines.append("    nog niet uitgereikt")
    return lines


def _listing_text(kinds: tuple[DocumentKindPanel, ...], status: ServiceStatus | None, show_status: bool) -> str:
    lines: list[str] = []
    for kind in kinds:
        lines.append(f"{kind.title} ({kind.kind})")
        for entry in sorted(kind.versions, key=lambda d: d.version):
            lines.extend(_version_lines(entry))
        if kind.may_make:
            missing = list(kind.missing.values())
            lines.append(
                "  te maken"
                + (f"; ontbreekt in de zaak: {'; '.join(missing)}" if missing else ": de zaakgegevens zijn compleet")
            )
            if kind.inputs:
                lines.append(
                    "  invoer met --data: "
                    + ", ".join(f"{f.name} ({f.title}{', verplicht' if f.required else ''})" for f in kind.inputs)
                )
    if status is not None and show_status:
        lines.append(
            "huisverbod betekend" if status.served else "huisverbod niet betekend: " + "; ".join(status.reasons)
        )
    return "\n".join(lines) if lines else "geen documenten die je mag inzien of maken"


def _listing_json(case_id: int, kinds: tuple[DocumentKindPanel, ...], status: ServiceStatus | None) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "kinds": [
            {
                "kind": k.kind,
                "title": k.title,
                "may_make": k.may_make,
                "roles": list(k.roles),
                "missing": k.missing,
                "inputs": [dataclasses.asdict(f) for f in k.inputs],
                "versions": [d.to_json() for d in sorted(k.versions, key=lambda d: d.version)],
            }
            for k in kinds
        ],
        "service_status": status.to_json() if status is not None else None,
    }


def case_documents(
    session: Session, registry: ModelRegistry, case_id: int, user: User, now: datetime
) -> tuple[dict[str, Any], str]:
    """The documents of a case as ``thv documents --json`` and as text.

    Per kind: the readable versions (oldest first), whether the user may make it and what it still lacks;
    then the service status, only for readers of the beschikking, as on the case page. Like the case page,
    the text leaves the status out until a ban is imposed or a beschikking exists; before that, "niet
    betekend" would only confuse.
    """
    panel = service_view.documents_panel(session, registry, case_id, user, now)
    text = _listing_text(panel.kinds, panel.status, panel.show_status)
    return _listing_json(case_id, panel.kinds, panel.status), text


@click.command("documents")
@click.argument("case_id", type=int)
@click.option("--as", "as_user", required=True, help="de gebruiker die kijkt (rol en regio bepalen wat je ziet)")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_documents(ctx: click.Context, case_id: int, as_user: str, as_json: bool) -> None:
    """Toon de documenten van een zaak die je mag inzien, met hun uitreikingen en de uitreikingsstatus."""
    rt = _runtime(ctx)
    with rt.sessions() as session:
        user = users.get_user(session, as_user)
        listing, text = case_documents(session, rt.registry, case_id, user, rt.clock.now())
    emit(listing, as_json, text)


# --- making ------------------------------------------------------------------------------------------


def _missing_message(exc: MissingParts) -> str:
    # The engine names the parts; the CLI adds how to supply the ones typed in when making the document.
    fields = [path[len(INPUT_PREFIX) :] for path in exc.missing if path.startswith(INPUT_PREFIX)]
    if not fields:
        return exc.message
    example = json.dumps({name: "..." for name in fields}, ensure_ascii=False)
    return f"{exc.message}; vul in met --data '{example}'"


# The choices in the help texts come from the rule table, so they cannot drift from what the engine accepts.
@click.command(
    "document-make",
    help=(
        "Maak een nieuwe versie van een document; toont het documentnummer.\n\n"
        f"KIND is de documentsoort: {', '.join(KINDS)}. Ontbreekt er iets, dan wordt niets opgeslagen."
    ),
)
@click.argument("case_id", type=int)
@click.argument("kind")
@click.option("--as", "as_user", required=True)
@click.option("--role", help="de rol waarin je het document maakt, als je er meer hebt")
@click.option("--data", "raw_data", help="invoervelden van het sjabloon: JSON of @bestand")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def make_document(
    ctx: click.Context, case_id: int, kind: str, as_user: str, role: str | None, raw_data: str | None, as_json: bool
) -> None:
    rt = _runtime(ctx)
    inputs = parse_data(raw_data)
    with rt.sessions() as session:
        user = users.get_user(session, as_user)
        try:
            made = documents.generate_document(
                session, rt.registry, rt.clock, case_id, kind, user, role=role, inputs=inputs
            )
        except MissingParts as exc:
            emit({"made": False, "missing": exc.missing}, as_json)
            raise InvalidInput(_missing_message(exc)) from None
        detail = service_view.document_detail(session, made.id, user, rt.clock.now())
    emit({"made": True, **detail.to_json()}, as_json, str(made.id))


# --- service (uitreiking) ------------------------------------------------------------------------------


@click.command("document-serve")
@click.argument("document_id", type=int)
@click.option("--recipient", required=True, help=f"wie het ontving: {', '.join(RECIPIENT_ROLES)}")
@click.option("--method", required=True, help=f"hoe: {', '.join(METHODS)}")
@click.option("--at", "served_at", required=True, help="wanneer (ISO 8601; zonder tijdzone: Nederlandse tijd)")
@click.option("--as", "as_user", required=True)
@click.option("--name", help="naam van de ontvanger (voor de uithuisgeplaatste: standaard de naam in het document)")
@click.option("--note", help="toelichting (verplicht bij een geweigerde handtekening)")
@click.option("--role", help="de rol waarin je de uitreiking vastlegt, als je er meer hebt")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def serve_document(
    ctx: click.Context,
    document_id: int,
    recipient: str,
    method: str,
    served_at: str,
    as_user: str,
    name: str | None,
    note: str | None,
    role: str | None,
    as_json: bool,
) -> None:
    """Leg vast dat een documentversie is uitgereikt of verzonden (bewijs van uitreiking)."""
    rt = _runtime(ctx)
    with rt.sessions() as session:
        user = users.get_user(session, as_user)
        record = service.record_service(
            session,
            rt.clock,
            document_id=document_id,
            recipient_role=recipient,
            method=method,
            served_at=served_at,
            user=user,
            recipient_name=name,
            note=note,
            role=role,
        )
        shown = service.service_record(record)
    emit(
        shown.to_json(),
        as_json,
        f"uitreiking vastgelegd: document {document_id} aan {shown.recipient_name} "
        f"({shown.recipient_role_label}), {shown.method_label}, op {shown.served_at}",
    )


# --- the PDF -------------------------------------------------------------------------------------------


@click.command("document-pdf")
@click.argument("document_id", type=int)
@click.option("--as", "as_user", required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="het PDF-bestand")
@click.pass_context
def document_pdf(ctx: click.Context, document_id: int, as_user: str, out: Path) -> None:
    """Schrijf de opgeslagen PDF van een documentversie naar een bestand (precies zoals gemaakt)."""
    rt = _runtime(ctx)
    with rt.sessions() as session:
        user = users.get_user(session, as_user)
        document = documents.get_document(session, document_id, user, rt.clock.now(), purpose="document_downloaden")
        pdf, name, digest = document.pdf, documents.filename(document), document.pdf_sha256
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise InvalidInput(f"kan {out} niet schrijven ({exc.strerror or exc.__class__.__name__})") from None
    click.echo(f"{name} geschreven naar {out} ({len(pdf)} bytes, sha256 {digest})")


COMMANDS: tuple[click.Command, ...] = (list_documents, make_document, serve_document, document_pdf)

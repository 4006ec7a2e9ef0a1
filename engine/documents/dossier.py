"""The dossier for the OM and the court: one PDF per case.

It holds an overview of the ban, whether and how it was served (engine.documents.service), the
RIHG (per level the scored indicators with their signals, the tussenoordelen and the
advice), a timeline of milestones, documents and service, and, as attachments, every
stored version of the beschikking, verlengingsbeschikking and intrekkingsbesluit,
laid out from their stored HTML so each page carries its own checksum. Only the roles
in engine.modeling.document_rules.DOSSIER_READERS may export it; each export is recorded in the
audit trail (``dossier_geexporteerd``) with the checksum of what was handed out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.base.clock import Clock
from engine.base.errors import Forbidden
from engine.base.vocabulary import Action
from engine.documents.generation import case_data, documents_for_case, milestones_of
from engine.documents.service import counts, kind_title, records_of, service_record, service_status
from engine.documents.templates import load_spec, lower_first, pdf_of_all, render_html, seal
from engine.modeling.document_rules import DOSSIER_KINDS, DOSSIER_READERS, KINDS
from engine.modeling.registry import ModelRegistry
from engine.rihg.instrument import ANNEX, SCORE_COLOURS, signal
from engine.storage.document_tables import Document, ServiceRecord
from engine.storage.tables import CaseEvent, User
from engine.storage.transaction import in_transaction
from engine.workflow.case_store import lock_case, record_event
from engine.workflow.need_to_know import case_access
from engine.workflow.processing_log import READ, log_processing

STATUS_LABELS = {"active": "lopend", "completed": "afgerond", "terminated": "beëindigd", "error": "fout"}
MILESTONE_LABELS = {"rihg_afgenomen": "RiHG afgenomen", "zsm_besluit": "ZSM-besluit"}


@dataclass(frozen=True)
class Dossier:
    filename: str
    pdf: bytes
    sha256: str  # of the overview's HTML, printed on it (as for every document)
    pdf_sha256: str
    attachments: tuple[int, ...]  # the document ids laid out after the overview


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def milestone_label(name: str) -> str:
    return MILESTONE_LABELS.get(name, name.replace("_", " ").capitalize())


def _label(code: str) -> str:
    try:
        return signal(code).label
    except KeyError:
        return code


def rihg_summary(result: Any) -> dict[str, Any] | None:
    """The RIHG of a case (``rihg_resultaat``) as the dossier shows it, or None when none was taken."""
    if not isinstance(result, dict) or not isinstance(result.get("uitkomst"), dict):
        return None
    levels = []
    for level in ANNEX.levels:
        scored = result["uitkomst"].get(level.key) or {}
        indicators = []
        for indicator in level.indicators:
            entry = scored.get(indicator.code)
            if not isinstance(entry, dict):
                continue
            score: Any = entry.get("score")  # case data: whatever the RIHG form stored
            indicators.append(
                {
                    "code": indicator.code,
                    "naam": indicator.name,
                    "score": score,
                    "kleur": SCORE_COLOURS.get(score, ""),
                    "politiegegevens": indicator.police_data,
                    "signalen": [{"code": c, "label": _label(c)} for c in entry.get("signalen") or []],
                    "toelichting": entry.get("toelichting"),
                }
            )
        levels.append(
            {
                "titel": level.title,
                "kop": level.heading,
                "indicatoren": indicators,
                "tussenoordeel": (result.get("tussenoordelen") or {}).get(level.key),
                "aantal_hoog": (result.get("aantal_hoog") or {}).get(level.key),
                "aantal_midden": (result.get("aantal_midden") or {}).get(level.key),
                "toelichting": scored.get("tussenoordeel_toelichting"),
            }
        )
    extension = result.get("uitbreiding") if isinstance(result.get("uitbreiding"), dict) else None
    return {
        "catalogus": result.get("catalogus"),
        "afnemer": result.get("afnemer"),
        "afgenomen_op": result.get("afgenomen_op"),
        "advies": result.get("advies"),
        "niveaus": levels,
        "uitbreiding": None
        if extension is None
        else {
            "signalen": [{"code": c, "label": _label(c)} for c in extension.get("signalen") or []],
            "toelichting": extension.get("toelichting"),
        },
    }


def _timeline(
    session: Session, case_id: int, documents: list[Document], records: dict[int, list[ServiceRecord]]
) -> list[dict[str, Any]]:
    items = [
        {"op": at, "wat": milestone_label(name), "soort": "mijlpaal"} for name, at in milestones_of(session, case_id)
    ]
    for document in documents:
        items.append(
            {
                "op": document.generated_at,
                "soort": "document",
                "wat": f"{_cap(kind_title(document.kind))} versie {document.version} gemaakt door "
                f"{document.generated_by}",
            }
        )
        for record in records[document.id]:
            items.append(
                {
                    "op": record.served_at,
                    "soort": "uitreiking",
                    "wat": f"{_cap(kind_title(document.kind))} versie {document.version} aan "
                    f"{record.recipient_name} ({service_record(record).recipient_role_label}): "
                    f"{lower_first(service_record(record).method_label)}",
                }
            )
    return sorted(items, key=lambda i: i["op"])


def export_dossier(session: Session, registry: ModelRegistry, clock: Clock, case_id: int, user: User) -> Dossier:
    """Build the dossier PDF of a case for a user of the OM, burgemeester, hulpofficier or politie."""

    def work() -> Dossier:
        case = lock_case(session, case_id, regions=user.regions)
        roles = sorted(DOSSIER_READERS & case_access(session, case, user, clock.now()).roles)  # need-to-know
        if not roles:
            raise Forbidden(f"het dossier is alleen voor: {', '.join(sorted(DOSSIER_READERS))}")
        log_processing(
            session, actor=user.name, roles=roles, region=case.region, case_id=case.id,
            activity="dossier_exporteren", operation=READ, now=clock.now(), commit=False,
        )  # fmt: skip
        data = case_data(session, registry, case)
        documents = documents_for_case(session, case.id)
        order = {kind: n for n, kind in enumerate(KINDS)}
        documents.sort(key=lambda d: (order[d.kind], d.version))
        records = records_of(session, [d.id for d in documents])
        attached = [d for d in documents if d.kind in DOSSIER_KINDS]
        exports = (
            session.scalar(
                select(func.count())
                .select_from(CaseEvent)
                .where(CaseEvent.case_id == case.id, CaseEvent.action == Action.DOSSIER_EXPORTED)
            )
            or 0
        )
        spec, now = load_spec("dossier"), clock.now()
        context = {
            "zaak": {
                "nummer": case.id,
                "regio": case.region,
                "variant": case.variant,
                "status": STATUS_LABELS.get(case.status, case.status),
            },
            "v": data,
            "status": service_status(session, case.id),
            "documenten": [
                {
                    "titel": _cap(kind_title(d.kind)),
                    "soort": d.kind,
                    "versie": d.version,
                    "gemaakt_op": d.generated_at,
                    "gemaakt_door": d.generated_by,
                    "sha256": d.sha256,
                    "bijlage": d in attached,
                    # (the record, whether it counts as service of the document)
                    "uitreikingen": [(service_record(r), counts(d, r, r.recipient_role)) for r in records[d.id]],
                }
                for d in documents
            ],
            "rihg": rihg_summary(data.get("rihg_resultaat") or data.get("rihg")),
            "tijdlijn": _timeline(session, case.id, documents, records),
            "document": {
                "soort": "dossier",
                "titel": spec.title,
                "versie": exports + 1,
                "sjabloonversie": spec.version,
                "gemaakt_op": now,
                "gemaakt_door": user.name,
                "rol": roles[0],
            },
        }
        html, digest = seal(render_html("dossier.html", context))
        pdf = pdf_of_all([html, *(d.html for d in attached)])
        pdf_digest = hashlib.sha256(pdf).hexdigest()
        record_event(
            session,
            case,
            actor=user.name,
            action=Action.DOSSIER_EXPORTED,
            now=now,
            element="dossier",
            detail={
                "sha256": digest,
                "pdf_sha256": pdf_digest,
                "uitdraai": exports + 1,
                "documenten": [d.id for d in attached],
            },
        )
        return Dossier(
            f"zaak-{case.id}-dossier-{exports + 1}.pdf", pdf, digest, pdf_digest, tuple(d.id for d in attached)
        )

    return in_transaction(session, work)

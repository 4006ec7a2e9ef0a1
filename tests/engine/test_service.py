"""Proof of service: recorded per recipient in the audit trail, required before the ban (and each
extension) counts as served, required by BPMN steps with ``requiresService``; and the dossier.
"""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from engine.base.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.cases import operations as cases
from engine.documents import service
from engine.documents.dossier import export_dossier
from engine.modeling.document_rules import check_requires_service
from engine.storage.document_tables import ServiceRecord
from engine.storage.tables import Case
from engine.workflow import state as ws
from engine.workflow.case_store import open_workflow
from engine.workflow.need_to_know import break_the_glass
from tests.engine.document_fixtures import (  # noqa: F401  (fixtures)
    DAY_8,
    KEYS,
    compact,
    events,
    extend,
    impose_with,
    imposed,
    make,
    make_extension_known,
    pdf_text,
    rt,
    s,
    serve,
)
from tests.processes.steps import BESCHIKKING


def test_service_is_recorded_per_recipient_and_in_the_audit_trail(imposed):
    s = imposed
    beschikking = make(s, "beschikking", "hulpofficier")
    notice = make(s, "kennisgeving_achterblijver", "burgemeester")
    serve(s, beschikking)  # politie hands it over at 21:25, signed
    serve(s, notice, to="achterblijver", recipient_name="S. de Vries", note="Thuis afgegeven.")
    serve(s, beschikking, "burgemeester", to="hulpverlening", method="digitaal", recipient_name="Ambulant team")

    listed = {
        d.kind: d for d in service.documents_of_case(s.session, s.case_id, s.users["burgemeester"], s.rt.clock.now())
    }
    [handed, sent] = listed["beschikking"].service
    assert (handed.recipient_name, handed.recipient_role, handed.method, handed.served_at, handed.recorded_by) == (
        "P. de Vries",
        "uithuisgeplaatste",
        "in_persoon_getekend",
        "2026-02-02T20:25:00+00:00",
        "politie.basis",
    )
    assert handed.method_label == "In persoon uitgereikt, voor ontvangst getekend"
    assert (sent.recipient_name, sent.recipient_role_label, sent.method) == (
        "Ambulant team",
        "Hulpverlening",
        "digitaal",
    )
    assert listed["beschikking"].served_to == ("hulpverlening", "uithuisgeplaatste")
    assert listed["kennisgeving_achterblijver"].service[0].note == "Thuis afgegeven."
    assert listed["beschikking"].current and listed["beschikking"].sha256 == beschikking.sha256

    first = events(s, "uitgereikt")[0]
    detail = json.loads(first.detail)
    assert (first.actor, first.element) == ("politie.basis", "beschikking")
    assert detail == {
        "document_id": beschikking.id,
        "soort": "beschikking",
        "versie": 1,
        "sha256": beschikking.sha256,
        "ontvanger": "P. de Vries",
        "rol": "uithuisgeplaatste",
        "wijze": "in_persoon_getekend",
        "uitgereikt_op": "2026-02-02T20:25:00+00:00",
    }
    assert [
        d.kind for d in service.documents_of_case(s.session, s.case_id, s.users["hulpverlening"], s.rt.clock.now())
    ] == [
        "beschikking",
        "kennisgeving_achterblijver",
    ]


def test_the_ban_counts_as_served_only_with_a_written_service_record(imposed):
    s = imposed
    status = service.service_status(s.session, s.case_id)
    assert not status.served and status.reasons == ("er is nog geen beschikking gemaakt",)
    beschikking = make(s, "beschikking", "hulpofficier")
    assert service.service_status(s.session, s.case_id).reasons == (
        "de uitreiking van de beschikking (versie 1) aan de uithuisgeplaatste is niet vastgelegd",
    )
    serve(s, beschikking, method="mondeling_aangezegd")  # recorded, but a besluit must reach them in writing
    serve(s, beschikking, to="achterblijver", recipient_name="S. de Vries")  # someone else
    assert not service.service_status(s.session, s.case_id).served

    serve(s, beschikking, method="in_persoon_geweigerd", note="Weigerde te tekenen; agent B. Smit aanwezig.")
    status = service.service_status(s.session, s.case_id)
    assert status.served and status.reasons == ()
    assert status.beschikking.proof.proof == "verklaring van de uitreikende ambtenaar"
    assert not status.verlengingsbeschikking.needed

    make(s, "beschikking", "hulpofficier")  # a corrected version must reach them again
    status = service.service_status(s.session, s.case_id)
    assert not status.served and "versie 2" in status.reasons[0]


def test_an_extension_counts_as_served_only_with_its_own_service_record(imposed):
    s = imposed
    serve(s, make(s, "beschikking", "hulpofficier"), after=timedelta(0))
    extend(s, 10, DAY_8)  # decided: to 22 February 21:15, once made known
    assert service.service_status(s.session, s.case_id).served  # not extended yet: the beschikking counts
    with pytest.raises(Conflict, match="verlengingsbeschikking"):
        s.do("Task_verlenging_uitreiken", {})
    extension = make(s, "verlengingsbeschikking", "burgemeester")
    with pytest.raises(Conflict, match="is vastgelegd"):
        s.do("Task_verlenging_uitreiken", {})
    serve(s, extension)
    make_extension_known(s, extension)
    assert s.milestones()[-1] == "huisverbod_verlengd"
    status = service.service_status(s.session, s.case_id)
    assert status.served and status.verlengingsbeschikking.version == 1
    # A step with requiresService="verlengingsbeschikking" also checks it announces the end being extended to.
    case = s.session.get(Case, s.case_id)
    step = SimpleNamespace(
        task_spec=SimpleNamespace(extensions={"properties": {"requiresService": "verlengingsbeschikking"}}),
        data={"nieuw_einde": "2026-02-22T20:15:00+00:00"},
    )
    service.require_service(s.session, case, step, "Verlengingsbeschikking uitreiken")
    step.data["nieuw_einde"] = "2026-03-02T20:15:00+00:00"
    with pytest.raises(Conflict, match=r"versie 1 noemt een ander einde; maak een nieuwe versie"):
        service.require_service(s.session, case, step, "Verlengingsbeschikking uitreiken")

    extend(s, 8, datetime(2026, 2, 20, 9, tzinfo=UTC))  # a second one, to 2 March: the old document does not cover it
    with pytest.raises(Conflict, match="noemt een ander einde"):
        s.do("Task_verlenging_uitreiken", {})
    second = make(s, "verlengingsbeschikking", "burgemeester")
    serve(s, second, "burgemeester", method="per_post")
    make_extension_known(s, second)
    status = service.service_status(s.session, s.case_id)
    assert status.served and status.verlengingsbeschikking.version == 2
    assert status.verlengingsbeschikking.proof.method == "per_post"


def test_a_task_with_requires_service_is_refused_until_the_beschikking_is_served(s):
    impose_with(s, BESCHIKKING)  # processes/common/uitreiken.bpmn has requiresService="beschikking"
    task_row = s.task("Task_uitreiken")
    case = s.session.get(Case, s.case_id)

    def check() -> None:
        _, workflow = open_workflow(s.session, s.rt.registry, case)
        task = next(t for t in ws.all_tasks(workflow) if str(t.id) == task_row["id"])
        service.require_service(s.session, case, task, task_row["title"])

    with pytest.raises(Conflict, match="pas worden afgerond als er een beschikking tijdelijk huisverbod is gemaakt"):
        check()
    beschikking = make(s, "beschikking", "hulpofficier")
    with pytest.raises(
        Conflict,
        match=r"de uitreiking van de beschikking tijdelijk huisverbod \(versie 1\) aan de "
        r"uithuisgeplaatste is vastgelegd",
    ):
        check()
    hooked = "require_service" in inspect.getsource(cases.complete_task)
    if hooked:  # once the lead wired the hook into engine.cases.operations.complete_task
        with pytest.raises(Conflict):
            s.do("Task_uitreiken", {"sleutels_ingenomen": True})
        assert "beschikking_uitgereikt" not in s.milestones()
    serve(s, beschikking, method="mondeling_aangezegd")
    with pytest.raises(Conflict):
        check()
    serve(s, beschikking, "burgemeester", method="nederlegging")
    check()
    if hooked:
        s.do("Task_uitreiken", {"sleutels_ingenomen": False})
        assert "beschikking_uitgereikt" in s.milestones()
    assert check_requires_service("beschikking,kennisgeving_achterblijver") is None
    assert "onbekende documentsoort(en): brief" in check_requires_service("beschikking, brief")


def test_bad_service_input_is_refused_in_dutch_and_nothing_changes(imposed, session, clock):
    s = imposed
    doc = make(s, "beschikking", "hulpofficier")
    clock.advance(timedelta(minutes=5))

    def record(role: str = "politie", **changes):
        arguments = {
            "document_id": doc.id,
            "recipient_role": "uithuisgeplaatste",
            "method": "in_persoon_getekend",
            "served_at": clock.now(),
            "user": s.users[role],
            **changes,
        }
        return service.record_service(session, clock, **arguments)

    # Each refusal names (``field``) the argument it is about, so a form can show it next to that field.
    refusals = [
        (InvalidInput, "onbekende wijze van uitreiken 'fax'", {"method": "fax"}, "method"),
        (InvalidInput, "gaat niet naar 'verzoeker'", {"recipient_role": "verzoeker"}, "recipient_role"),
        (Forbidden, "leggen alleen vast: burgemeester", {"method": "nederlegging"}, None),
        (
            InvalidInput,
            "kan niet bij de hulpverlening",
            {"method": "nederlegging", "recipient_role": "hulpverlening"},
            "method",
        ),
        (InvalidInput, "ligt in de toekomst", {"served_at": clock.now() + timedelta(minutes=1)}, "served_at"),
        (InvalidInput, "vóór het maken van dit document", {"served_at": "2026-02-02T21:00:00+01:00"}, "served_at"),
        (InvalidInput, "geef een datum en tijd", {"served_at": "gisteren"}, "served_at"),
        (
            InvalidInput,
            "de uithuisgeplaatste in deze zaak is P. de Vries, niet J. Jansen",
            {"recipient_name": "J. Jansen"},
            "recipient_name",
        ),
        (
            InvalidInput,
            "geen achterblijver in deze zaak",
            {"recipient_role": "achterblijver", "recipient_name": "X"},
            "recipient_name",
        ),
        (InvalidInput, "omstandigheden in de toelichting", {"method": "in_persoon_geweigerd"}, "note"),
        (InvalidInput, "toelichting is te lang", {"note": "x" * 2001}, "note"),
    ]
    for error, message, changes, field in refusals:
        with pytest.raises(error, match=message) as refused:
            record(**changes)
        assert getattr(refused.value, "field", None) == field, message
    with pytest.raises(Forbidden):
        record("hulpverlening")
    with pytest.raises(NotFound):
        record(document_id=doc.id + 1000)
    assert session.scalar(select(func.count()).select_from(ServiceRecord)) == 0
    assert events(s, "uitgereikt") == []
    assert record(recipient_name="  p. de  vries ").recipient_name == "p. de vries"  # the same name, written loosely


def test_the_dossier_holds_beschikkingen_service_rihg_and_timeline(imposed):
    s = imposed
    beschikking = make(s, "beschikking", "hulpofficier")
    serve(s, beschikking)
    serve(s, make(s, "bewijs_sleutels", "politie", inputs=KEYS), after=timedelta(0))
    extend(s, 18, DAY_8)
    extension = make(s, "verlengingsbeschikking", "burgemeester")
    serve(s, extension, "burgemeester", method="per_post")
    make_extension_known(s, extension)

    # The OM has no task in this case (no violation): need-to-know asks a reason first.
    break_the_glass(s.session, s.case_id, s.users["om"], "vervolging voorbereiden", s.clock.now())
    dossier = export_dossier(s.session, s.rt.registry, s.clock, s.case_id, s.users["om"])
    text = pdf_text(dossier.pdf)
    for part in (
        "Dossier tijdelijk huisverbod",
        "Het huisverbod is aantoonbaar bekendgemaakt aan de uithuisgeplaatste",
        "In persoon uitgereikt, voor ontvangst getekend",
        "Per post verzonden",
        "P. de Vries (Uithuisgeplaatste)",
        "Bewijs van inname sleutels, versie 1",
        "2c. Lichamelijk geweld",
        "2c.4 verwurging",
        "2a.2 dreigen met fysiek geweld",
        "tussenoordeel: hoog",
        "advies: huisverbod",
        "Huisverbod opgelegd",
        "RiHG afgenomen",
        "Huisverbod verlengd",
        # the attachments: the stored beschikking and verlengingsbeschikking themselves
        "Feiten en omstandigheden",
        "verlengd met 18 dagen",
        "eindigt nu op 2 maart 2026 om 21:15",
    ):
        assert part in text, part
    assert beschikking.sha256 in compact(text) and extension.sha256 in compact(text) and dossier.sha256 in compact(text)
    assert dossier.attachments == (beschikking.id, extension.id)
    assert dossier.filename == f"zaak-{s.case_id}-dossier-1.pdf"
    [event] = events(s, "dossier_geexporteerd")
    assert event.actor == "om.basis" and json.loads(event.detail)["pdf_sha256"] == dossier.pdf_sha256

    for role in ("hulpverlening", "veilig_thuis"):
        with pytest.raises(
            Forbidden, match="dossier is alleen voor: burgemeester, hulpofficier, om, politie|geen taak"
        ):
            export_dossier(s.session, s.rt.registry, s.clock, s.case_id, s.users[role])
    assert len(events(s, "dossier_geexporteerd")) == 1


def test_a_service_in_the_minute_the_document_was_made_counts_from_when_it_was_made(imposed, session, clock):
    s = imposed
    clock.advance(timedelta(seconds=37))  # the document is made at 21:15:37; a form gives the minute
    doc = make(s, "beschikking", "hulpofficier")
    made = doc.generated_at
    minute = made.replace(second=0, microsecond=0)
    clock.advance(timedelta(minutes=3))

    def record(served_at: datetime):
        return service.record_service(
            session,
            clock,
            document_id=doc.id,
            recipient_role="uithuisgeplaatste",
            method="in_persoon_getekend",
            served_at=served_at,
            user=s.users["politie"],
        )

    with pytest.raises(InvalidInput, match="vóór het maken van dit document"):
        record(minute - timedelta(minutes=1))  # the minute before it was made
    with pytest.raises(InvalidInput, match="vóór het maken van dit document"):
        record(minute - timedelta(seconds=1))
    assert session.scalar(select(func.count()).select_from(ServiceRecord)) == 0
    served = record(minute)  # "21:15": the same minute
    assert served.served_at == made
    later = record(minute + timedelta(minutes=1))
    assert later.served_at == minute + timedelta(minutes=1)

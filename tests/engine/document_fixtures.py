"""Fixtures and helpers of the document and service tests.

The documents are filled from real case data: the baseline model (processes/wth-basis)
driven through the engine by the scenario driver of the process tests, with the real
forms. ``rt`` here overrides the top-level one (which reads the small test forms) for
the modules that import it, like tests/processes/conftest.py does for its folder.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.documents import generation as documents
from engine.documents import service
from engine.modeling.forms import FORMS_DIR
from engine.runtime import Runtime
from engine.storage.document_tables import Document
from engine.storage.tables import CaseEvent
from tests.conftest import runtime_for
from tests.processes.scenario import Scenario
from tests.processes.steps import BESCHIKKING, MELDING, RIHG_HOOG, assess, decide

DAY_8 = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)  # 10 February 10:00, after the reminder of the first term
KEYS = {"sleutels_omschrijving": "Twee voordeursleutels en een sleutel van de berging"}


@pytest.fixture
def rt(db_url: str, clock) -> Iterator[Runtime]:
    yield from runtime_for(db_url, clock, FORMS_DIR)


@pytest.fixture
def s(rt, session) -> Scenario:
    """A baseline case, started by the politie at 2 February 2026 21:15 Amsterdam, not yet decided."""
    scenario = Scenario(rt, session, "wth-basis")
    scenario.start("politie", MELDING)
    return scenario


@pytest.fixture
def imposed(s: Scenario) -> Scenario:
    """The case after the hulpofficier imposed the ban and drew up the beschikking."""
    impose_with(s, BESCHIKKING)
    return s


def impose_with(s: Scenario, beschikking: dict[str, Any]) -> None:
    assess(s, RIHG_HOOG, afnemer="hulpofficier")
    decide(s, "hulpofficier")
    s.do("Task_beschikking", {**beschikking, "opgelegd_op": s.clock.now().isoformat()})  # imposed now


def make(s: Scenario, kind: str, role: str, **kwargs: Any) -> Document:
    return documents.generate_document(s.session, s.rt.registry, s.clock, s.case_id, kind, s.users[role], **kwargs)


def serve(
    s: Scenario,
    document: Document,
    role: str = "politie",
    *,
    to: str = "uithuisgeplaatste",
    method: str = "in_persoon_getekend",
    after: timedelta = timedelta(minutes=10),
    **kwargs: Any,
):
    """Record service ``after`` the clock's now (the clock moves there first)."""
    s.clock.advance(after)
    return service.record_service(
        s.session,
        s.clock,
        document_id=document.id,
        recipient_role=to,
        method=method,
        served_at=s.clock.now(),
        user=s.users[role],
        **kwargs,
    )


def extend(s: Scenario, days: int, at: datetime, facts: str = "De dreiging houdt aan; geen afspraken.") -> None:
    """The burgemeester decides to extend at ``at`` (after the reminder, three days before the end).

    The extension takes effect only once its beschikking is served: see :func:`make_extension_known`.
    """
    s.advance_to(at)
    s.do("Task_verlenging", {"verlengen": True, "verlenging_dagen": days, "verlenging_feiten": facts})
    s.do("Task_verlengingsbeschikking", {})  # the step that asks for the document; service is checked later


def make_extension_known(s: Scenario, extension: Document) -> None:
    """The politie completes 'Verlengingsbeschikking uitreiken' once ``extension`` is served."""
    s.do("Task_verlenging_uitreiken", {})


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF with runs of whitespace made single spaces."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def stored_documents(s: Scenario) -> list[Document]:
    s.session.expire_all()
    return list(s.session.scalars(select(Document).where(Document.case_id == s.case_id).order_by(Document.id)))


def events(s: Scenario, action: str) -> list[CaseEvent]:
    return list(
        s.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == s.case_id, CaseEvent.action == action).order_by(CaseEvent.id)
        )
    )

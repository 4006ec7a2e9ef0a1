"""The werkprocesbeschrijving as a Word document (python-docx): policy writers continue in Word.

The same sentences as the Markdown and the PDF (engine.design.werkproces_text); headings use Word's own styles
(Kop 1-3 in a Dutch Word), so the document gets a navigable outline and a table of contents can be inserted.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document
from docx.shared import Pt, RGBColor

from engine.design import werkproces_text as text
from engine.design.werkproces_model import Werkproces

_MARK_COLOUR = RGBColor(0x8A, 0x1C, 0x1C)


def _table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, value in zip(table.rows[0].cells, header):
        cell.text = ""
        cell.paragraphs[0].add_run(value).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = value
    document.add_paragraph()


def _steps(document: Any, w: Werkproces) -> None:
    for section in w.sections:
        document.add_heading(section.label, level=1)
        for step in section.steps:
            heading = document.add_heading(step.name, level=3)
            for mark in text.markers(step):
                run = heading.add_run(f"  [{mark}]")
                run.font.size = Pt(9)
                run.font.color.rgb = _MARK_COLOUR
            for label, value in text.step_facts(step):
                paragraph = document.add_paragraph(style="List Bullet")
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(value)


def _differences(document: Any, w: Werkproces) -> None:
    document.add_heading("Verschillen met de basis", level=1)
    if w.parameters:
        document.add_heading("Kenmerken van de variant", level=2)
        rows = [[r.label, r.baseline, r.value, r.principle or "-"] for r in w.parameters]
        _table(document, ["Kenmerk", "Basis", "Deze variant", "Leidraad"], rows)
    if w.per_organisation:
        document.add_heading("Taken per organisatie", level=2)
        rows = [
            [row.organisation, *("\n".join(tasks) or "-" for tasks in (row.added, row.removed, row.changed))]
            for row in w.per_organisation
        ]
        _table(document, ["Organisatie", "Erbij", "Vervalt", "Anders"], rows)
    if w.differences:
        document.add_heading("Per stap, met het principe dat het verschil beantwoordt", level=2)
        rows = [
            [d.step, d.organisation or "-", d.phase, text.difference_what(d), text.difference_principles(d)]
            for d in w.differences
        ]
        _table(document, ["Stap", "Organisatie", "Fase", "Verschil", "Leidraad"], rows)
    if not (w.parameters or w.per_organisation or w.differences):
        document.add_paragraph("Geen verschillen met de basis." if w.baseline else "Geen basis om mee te vergelijken.")


def to_docx(w: Werkproces) -> bytes:
    document = Document()
    document.core_properties.title = text.title(w)
    document.core_properties.subject = text.subtitle(w)
    document.add_heading(text.title(w), level=0)
    document.add_paragraph().add_run(text.subtitle(w)).italic = True
    for line in text.intro(w):
        document.add_paragraph(line)
    if w.description:
        document.add_paragraph(w.description)
    document.add_paragraph(f"Organisaties: {', '.join(w.organisations)}")
    _steps(document, w)
    if not w.is_baseline:
        _differences(document, w)
    if w.beyond_wth:
        document.add_heading("Stappen buiten de huidige Wth", level=1)
        rows = [[b.step, b.organisation or "-", b.reason] for b in w.beyond_wth]
        _table(document, ["Stap", "Organisatie", "Waarom, met bron"], rows)
    if w.principles:
        document.add_heading("Knelpunten en principes van de Leidraad", level=1)
        for p in w.principles:
            document.add_heading(f"{p.code}. {p.title} ({p.phase})", level=3)
            for label, value in (("Knelpunt", p.knelpunt), ("Principe", p.principe)):
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(value)
    if w.unreachable:
        document.add_heading("Niet in deze variant", level=1)
        document.add_paragraph("In de gedeelde deelprocessen, maar deze variant bereikt ze niet:")
        for s in w.unreachable:
            document.add_paragraph(text.unreachable_line(s), style="List Bullet")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()

"""The werkprocesbeschrijving as Markdown, HTML (a page of its own, or the body for the designer page) and PDF.

The HTML comes from a Jinja template with autoescaping (engine/design/templates/werkproces.html), so a name or
instruction from a model can never become markup; the PDF is that HTML through WeasyPrint, with no fetching
(engine.documents.templates.pdf_of). Word is engine.design.werkproces_docx.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine.base.errors import InvalidInput
from engine.design import werkproces_text as text
from engine.design.werkproces_model import Werkproces
from engine.documents.templates import pdf_of

FORMATS = ("md", "html", "pdf", "docx")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _md(value: str) -> str:
    """Text from a model, safe inside Markdown: no markup of its own, one line."""
    value = " ".join(value.split())
    for char in "\\`*_[]<>|#":
        value = value.replace(char, "\\" + char)
    return value


def to_markdown(w: Werkproces) -> str:
    out = [f"# {_md(text.title(w))}", "", f"_{_md(text.subtitle(w))}_", ""]
    out += [_md(line) + "\n" for line in text.intro(w)]
    if w.description:
        out += [_md(w.description), ""]
    out += ["Organisaties: " + _md(", ".join(w.organisations)), ""]
    for section in w.sections:
        out += [f"## {_md(section.label)}", ""]
        for step in section.steps:
            marks = "".join(f" **\\[{_md(m)}\\]**" for m in text.markers(step))
            out += [f"### {_md(step.name)}{marks}", ""]
            out += [f"- **{_md(label)}:** {_md(value)}" for label, value in text.step_facts(step)]
            out.append("")
    if not w.is_baseline:
        out += _markdown_differences(w)
    if w.beyond_wth:
        out += ["## Stappen buiten de huidige Wth", ""]
        out += [f"- **{_md(b.step)}** ({_md(b.organisation or '-')}): {_md(b.reason)}" for b in w.beyond_wth]
        out.append("")
    if w.principles:
        out += ["## Knelpunten en principes van de Leidraad", ""]
        for p in w.principles:
            out += [f"### {_md(p.code)}. {_md(p.title)} ({_md(p.phase)})", ""]
            out += [f"- **Knelpunt:** {_md(p.knelpunt)}", f"- **Principe:** {_md(p.principe)}", ""]
    if w.unreachable:
        out += ["## Niet in deze variant", "", "In de gedeelde deelprocessen, maar deze variant bereikt ze niet:", ""]
        out += [f"- {_md(text.unreachable_line(s))}" for s in w.unreachable]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _markdown_differences(w: Werkproces) -> list[str]:
    out = ["## Verschillen met de basis", ""]
    if w.parameters:
        out += [
            "### Kenmerken van de variant",
            "",
            "| Kenmerk | Basis | Deze variant | Leidraad |",
            "|---|---|---|---|",
        ]
        for r in w.parameters:
            out.append(f"| {_md(r.label)} | {_md(r.baseline)} | {_md(r.value)} | {_md(r.principle or '-')} |")
        out.append("")
    if w.per_organisation:
        out += ["### Taken per organisatie", "", "| Organisatie | Erbij | Vervalt | Anders |", "|---|---|---|---|"]
        for row in w.per_organisation:
            cells = ["; ".join(_md(t) for t in tasks) or "-" for tasks in (row.added, row.removed, row.changed)]
            out.append(f"| {_md(row.organisation)} | {' | '.join(cells)} |")
        out.append("")
    if w.differences:
        out += ["### Per stap, met het principe dat het verschil beantwoordt", ""]
        out += ["| Stap | Organisatie | Fase | Verschil | Leidraad |", "|---|---|---|---|---|"]
        for d in w.differences:
            cells = [d.step, d.organisation or "-", d.phase, text.difference_what(d), text.difference_principles(d)]
            out.append("| " + " | ".join(_md(c) for c in cells) + " |")
        out.append("")
    if not (w.parameters or w.per_organisation or w.differences):
        out += ["Geen verschillen met de basis." if w.baseline else "Geen basis om mee te vergelijken.", ""]
    return out


def to_html(w: Werkproces, *, fragment: bool = False) -> str:
    """A full HTML document, or with ``fragment`` only the body for a page that has its own layout."""
    return _ENV.get_template("werkproces.html").render(w=w, t=text, fragment=fragment)


def to_pdf(w: Werkproces) -> bytes:
    return pdf_of(to_html(w))


def render(w: Werkproces, fmt: str) -> bytes:
    """The description in ``fmt`` (one of FORMATS) as bytes."""
    if fmt == "md":
        return to_markdown(w).encode("utf-8")
    if fmt == "html":
        return to_html(w).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(w)
    if fmt == "docx":
        from engine.design.werkproces_docx import to_docx  # python-docx is loaded only for Word

        return to_docx(w)
    raise InvalidInput(f"formaat '{fmt}' bestaat niet; kies uit {', '.join(FORMATS)}")

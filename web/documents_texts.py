"""Screen texts of the documents pages: labels of service methods and recipients, in the page's language.

The engine's own Dutch labels (engine.modeling.document_rules) are the fallback for a code added there later.
The template globals are registered when the documents blueprint is (see web.views.documents).
"""

from __future__ import annotations

from flask.sansio.app import App
from flask_babel import lazy_gettext as _l

from engine.documents.templates import load_spec
from engine.modeling.document_rules import KINDS, METHODS, RECIPIENT_ROLES

METHOD_LABELS = {
    "in_persoon_getekend": _l("In persoon uitgereikt, voor ontvangst getekend"),
    "in_persoon_geweigerd": _l("In persoon uitgereikt, ondertekening geweigerd"),
    "mondeling_aangezegd": _l("Mondeling aangezegd"),
    "per_post": _l("Per post verzonden"),
    "nederlegging": _l("Nedergelegd ter gemeentesecretarie (verblijfplaats onbekend)"),
    "digitaal": _l("Beveiligd digitaal verzonden"),
}
PROOF_LABELS = {
    "in_persoon_getekend": _l("sterk: handtekening van de ontvanger"),
    "in_persoon_geweigerd": _l("verklaring van de uitreikende ambtenaar"),
    "mondeling_aangezegd": _l("mondeling: verklaring van de ambtenaar; de schriftelijke beschikking volgt (Wth 2(7))"),
    "per_post": _l("zwak: verzending, geen bewijs van ontvangst"),
    "nederlegging": _l("bekendmaking zonder kennisname (Wth 2(7))"),
    "digitaal": _l("verzending aan een organisatie"),
}
RECIPIENT_LABELS = {
    "uithuisgeplaatste": _l("Uithuisgeplaatste"),
    "achterblijver": _l("Achterblijver"),
    "hulpverlening": _l("Hulpverlening"),
    "veilig_thuis": _l("Veilig Thuis"),
    "burgemeester": _l("Burgemeester"),
    "verzoeker": _l("Verzoeker"),
}


def method_label(code: str) -> str:
    label = METHOD_LABELS.get(code)
    return str(label) if label else (METHODS[code].label if code in METHODS else code)


def proof_label(code: str) -> str:
    label = PROOF_LABELS.get(code)
    return str(label) if label else (METHODS[code].proof if code in METHODS else "")


def recipient_label(code: str) -> str:
    label = RECIPIENT_LABELS.get(code)
    return str(label) if label else RECIPIENT_ROLES.get(code, code)


def document_title(kind: str | None) -> str:
    """The title of a document kind as its template declares it ('Beschikking tijdelijk huisverbod')."""
    return load_spec(kind).title if kind in KINDS else (kind or "")


def register(app: App) -> None:
    app.jinja_env.globals.update(
        method_label=method_label,
        proof_label=proof_label,
        recipient_label=recipient_label,
        document_title=document_title,
    )

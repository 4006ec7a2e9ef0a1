"""Document templates: the files in documents/templates/, their declarations, rendering and PDF.

Each document kind has two files that editors change without touching code:

* ``<kind>.html`` – a Jinja2 template (sandboxed, autoescaped, undefined names are errors);
* ``<kind>.toml`` – its declaration: title, version, the **required** case data with the
  Dutch name of each legal part (named in a refusal), conditions and fields typed in
  when the document is made. One source of truth per template.

Rendering turns everything into Europe/Amsterdam time in Dutch ("2 februari 2026 om
21:15"). The PDF comes from the same HTML with WeasyPrint; the browser prints the same HTML.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from engine.base.errors import ConfigurationError
from engine.documents.format import dagen, datum, datumtijd, namen, regio_naam, rol_naam, signaal
from engine.modeling.document_rules import KINDS

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "documents" / "templates"
SHARED_FILES = (
    "_basis.html",
    "_onderdelen.html",
    "_stijl.css",
)  # part of every document, so part of every template version
# Stands in for the checksum while the checksum is computed. Autoescaping turns any "<" in case data
# into "&lt;", so this string can only come from the template itself.
CHECKSUM_PLACEHOLDER = "<!--controlegetal-->"
_TOP_KEYS = {"title", "version", "description", "required", "conditions", "inputs"}


@dataclass(frozen=True)
class Condition:
    equals: Any
    message: str


@dataclass(frozen=True)
class InputField:
    title: str
    max_length: int = 500
    required: bool = True


@dataclass(frozen=True)
class TemplateSpec:
    kind: str
    title: str
    version: str  # "<declared version>-<first 12 hex of the sha256 of the template files>"
    description: str
    required: dict[str, str]  # data path -> Dutch name of the part, e.g. "de feiten en omstandigheden (Wth 2(4)(b))"
    conditions: dict[str, Condition] = field(default_factory=dict)
    inputs: dict[str, InputField] = field(default_factory=dict)


def lower_first(text: str) -> str:
    """'Beschikking tijdelijk huisverbod' -> 'beschikking tijdelijk huisverbod', keeping 'Veilig Thuis'."""
    return text[:1].lower() + text[1:]


def _fail(name: str, message: str) -> ConfigurationError:
    return ConfigurationError(f"documentsjabloon {name}: {message}")


def load_spec(kind: str, templates_dir: Path | None = None) -> TemplateSpec:
    """Read and check the declaration of one template; the version covers every file it renders with.

    Cached until one of its files changes (size or modification time), so editors see their edits at once.
    """
    directory = templates_dir or TEMPLATES_DIR
    html_path, toml_path = directory / f"{kind}.html", directory / f"{kind}.toml"
    if not html_path.is_file() or not toml_path.is_file():
        raise _fail(kind, f"{html_path.name} en {toml_path.name} horen allebei in {directory}")
    stamp = tuple(
        (s.st_mtime_ns, s.st_size)
        for s in (p.stat() for p in (html_path, toml_path, *(directory / n for n in SHARED_FILES)) if p.is_file())
    )
    return _load_spec(kind, str(directory), stamp)


@lru_cache(maxsize=64)
def _load_spec(kind: str, directory_name: str, _stamp: tuple[tuple[int, int], ...]) -> TemplateSpec:
    directory = Path(directory_name)
    html_path, toml_path = directory / f"{kind}.html", directory / f"{kind}.toml"
    raw = toml_path.read_bytes()
    try:
        decl = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _fail(toml_path.name, f"geen geldige TOML: {exc}") from None
    unknown = set(decl) - _TOP_KEYS
    if unknown:
        raise _fail(toml_path.name, f"onbekende sleutel(s) {', '.join(sorted(unknown))}")
    if not isinstance(decl.get("title"), str) or not isinstance(decl.get("version"), str):
        raise _fail(toml_path.name, "'title' en 'version' (tekst) zijn verplicht")
    required = decl.get("required", {})
    if not isinstance(required, dict) or not all(isinstance(v, str) and v for v in required.values()):
        raise _fail(toml_path.name, "[required] koppelt elk gegeven aan een omschrijving (tekst)")
    try:
        conditions = {path: Condition(c["equals"], str(c["message"])) for path, c in decl.get("conditions", {}).items()}
        inputs = {
            name: InputField(str(i["title"]), int(i.get("max_length", 500)), bool(i.get("required", True)))
            for name, i in decl.get("inputs", {}).items()
        }
    except (KeyError, TypeError, ValueError, AttributeError):
        raise _fail(toml_path.name, "[conditions.*] vraagt 'equals' en 'message', [inputs.*] vraagt 'title'") from None
    digest = hashlib.sha256()
    for path in (html_path, toml_path, *(directory / name for name in SHARED_FILES)):
        digest.update(path.name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return TemplateSpec(
        kind,
        decl["title"],
        f"{decl['version']}-{digest.hexdigest()[:12]}",
        str(decl.get("description", "")),
        dict(required),
        conditions,
        inputs,
    )


def catalogue_problems(templates_dir: Path | None = None) -> list[str]:
    """Everything wrong with the template folder: missing files, bad declarations, unknown kinds."""
    directory = templates_dir or TEMPLATES_DIR
    problems = []
    present = {p.stem for p in directory.glob("*.toml")} | {
        p.stem for p in directory.glob("*.html") if not p.name.startswith("_")
    }
    for stray in sorted(present - set(KINDS) - {"dossier"}):
        problems.append(f"{stray}: geen bekende documentsoort (kies uit {', '.join(KINDS)})")
    for kind in (*KINDS, "dossier"):
        try:
            load_spec(kind, directory)
        except ConfigurationError as exc:
            problems.append(exc.message)
    for name in SHARED_FILES:
        if not (directory / name).is_file():
            problems.append(f"{name} ontbreekt in {directory}")
    return problems


# --- case data ----------------------------------------------------------------------------------


def value_at(data: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (``huisverbod.einde``); None when any step is missing."""
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict)):
        return not value or all(is_missing(v) for v in value)
    return False


def missing_parts(spec: TemplateSpec, data: dict[str, Any], inputs: dict[str, str]) -> list[tuple[str, str]]:
    """(path, Dutch description) of every required part that is absent or does not hold."""
    missing = [(path, label) for path, label in spec.required.items() if is_missing(value_at(data, path))]
    missing += [(path, c.message) for path, c in spec.conditions.items() if value_at(data, path) != c.equals]
    missing += [
        (f"invoer.{name}", f.title) for name, f in spec.inputs.items() if f.required and is_missing(inputs.get(name))
    ]
    return missing


@lru_cache(maxsize=8)
def _environment(directory: str) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(directory),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters.update(
        datum=datum, datumtijd=datumtijd, namen=namen, rol_naam=rol_naam, regio_naam=regio_naam, signaal=signaal
    )
    env.globals.update(dagen=dagen)
    return env


def render_html(template_name: str, context: dict[str, Any], templates_dir: Path | None = None) -> str:
    """Render a template with the checksum placeholder in place; template faults become a clear error."""
    env = _environment(str(templates_dir or TEMPLATES_DIR))
    try:
        return env.get_template(template_name).render(**context, controlegetal=Markup(CHECKSUM_PLACEHOLDER))
    except TemplateError as exc:
        place = _template_place(exc)
        where = f" {place[0]}" if place and place[0] != template_name else ""
        line = f" (regel {place[1]})" if place else ""
        raise _fail(template_name, f"fout in het sjabloon{where}{line}: {exc.message or exc}") from None


def _template_place(exc: TemplateError) -> tuple[str, int] | None:
    """(file, line) of a template error: syntax errors carry it, runtime errors sit in the traceback."""
    name, lineno = getattr(exc, "name", None), getattr(exc, "lineno", None)  # TemplateSyntaxError only
    if lineno and name:
        return name, lineno
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".css")):
            found = (Path(filename).name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def seal(html: str) -> tuple[str, str]:
    """(html with its checksum printed, checksum): sha256 of the HTML with the placeholder in place."""
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    return html.replace(CHECKSUM_PLACEHOLDER, digest), digest


def checksum_of(sealed_html: str, digest: str) -> str:
    """Recompute the checksum of a sealed document (equal to ``digest`` when it is unchanged)."""
    return hashlib.sha256(sealed_html.replace(digest, CHECKSUM_PLACEHOLDER).encode("utf-8")).hexdigest()


def _no_fetch() -> Any:
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=())  # templates are self-contained: no files, no network


def pdf_of(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch()).write_pdf()
    return pdf


def pdf_of_all(htmls: list[str]) -> bytes:
    """One PDF with the pages of several HTML documents, each laid out on its own."""
    from weasyprint import HTML

    documents = [HTML(string=h, url_fetcher=_no_fetch()).render() for h in htmls]
    pages = [page for doc in documents for page in doc.pages]
    pdf: bytes = documents[0].copy(pages).write_pdf()
    return pdf

"""The forms of a bundle: loaded from the bundle itself or the server's forms folder, checked at deploy.

A form shipped with a model (``forms/<name>.schema.json`` in the bundle) takes the place of the
server's form of the same name; one that no task uses is checked all the same and left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.base.errors import WARNING, Finding
from engine.base.vocabulary import PROPERTY_INSTANT_FIELD
from engine.modeling.forms import FORMS_PREFIX, load_schema_text, read_form_file


def load_form(
    forms: dict[str, dict[str, Any]],
    files: dict[str, bytes],
    form: str,
    forms_in_bundle: dict[str, bytes],
    forms_dir: Path | None,
    where: dict[str, Any],
    findings: list[Finding],
) -> None:
    """Load ``form`` into ``forms`` (name -> schema) and the version's ``files``, or say why not in ``findings``."""
    try:
        if form in forms_in_bundle:
            text = forms_in_bundle[form].decode("utf-8")
        elif forms_dir is not None:
            text = read_form_file(form, forms_dir)
        else:
            raise FileNotFoundError(form)
        forms[form] = load_schema_text(text)
        files[FORMS_PREFIX + form] = text.encode("utf-8")
    except FileNotFoundError:
        findings.append(
            Finding(
                **where,
                message=f"formulier '{form}' staat niet in de bundel en niet in forms/ van de server; "
                f"lever het mee als {FORMS_PREFIX}{form}",
            )
        )
    except (ValueError, UnicodeDecodeError) as exc:
        findings.append(
            Finding(
                FORMS_PREFIX + form,
                None,
                where["element"],
                f"formulier '{form}' (gebruikt door {where['file']}) is ongeldig: {exc}",
            )
        )


def unused_form_finding(name: str, content: bytes) -> Finding:
    try:
        load_schema_text(content.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        return Finding(name, None, None, f"formulier is ongeldig: {exc}")
    return Finding(
        name,
        None,
        None,
        "geen taak gebruikt dit formulier (formJsonSchemaFilename); het wordt niet opgeslagen",
        WARNING,
    )


def instant_field_problem(schema: dict[str, Any] | None, field: str) -> str | None:
    """Why ``instantField`` cannot name the instant of the act, or None."""
    prop = ((schema or {}).get("properties") or {}).get(field)
    if not isinstance(prop, dict) or prop.get("format") != "date-time":
        return (
            f"'{PROPERTY_INSTANT_FIELD}' noemt '{field}', maar het formulier heeft geen veld met die naam "
            "en format date-time"
        )
    return None

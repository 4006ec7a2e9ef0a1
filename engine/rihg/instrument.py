"""The RiHG risk assessment instrument: catalogue model and form generation.

The catalogue (engine/rihg/catalogue.py) is the one source of truth. The task
forms in forms/ are generated from it and never typed by hand, so a form can
not drift from the annex of the Besluit tijdelijk huisverbod:

    python -m engine.rihg.instrument            # write the forms
    python -m engine.rihg.instrument --check    # exit 1 if a committed form differs

Scoring is not done here: the BPMN/DMN models in processes/common/ count the
scores and hold the thresholds, so a process designer can change them without
touching code (see processes/common/RIHG.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.base.paths import FORMS_DIR
from engine.base.vocabulary import VISIBLE_TO
from engine.rihg import catalogue as data

SCORES: tuple[str, ...] = ("laag", "midden", "hoog")
SCORE_COLOURS = {"laag": "geel", "midden": "blauw", "hoog": "rood"}
ADVICES: tuple[str, ...] = ("huisverbod", "geen")
DECISIONS: dict[str, str] = {"opleggen": "Huisverbod opleggen", "niet_opleggen": "Geen huisverbod opleggen"}
TEXT_MAX = 2000

FORM_BASELINE = "rihg.schema.json"
FORM_EXTENDED = "rihg_nieuw_perspectief.schema.json"
FORM_DECISION = {
    "huisverbod": "rihg_besluit_advies_huisverbod.schema.json",
    "geen": "rihg_besluit_advies_geen.schema.json",
}
EXTENSION_GROUP = "nieuw_perspectief"
# Who may see the RiHG (engine/workflow/visibility.py): the facts the burgemeester weighs are shared in the chain,
# politiegegevens (art. 2(3) Besluit) only with those who impose the ban and the criminal justice partners.
RIHG_VISIBLE_TO: tuple[str, ...] = ("keten",)
POLICE_DATA_VISIBLE_TO: tuple[str, ...] = ("oplegging", "strafrecht")
_SCHEMA = "https://json-schema.org/draft/2020-12/schema"
_GENERATED = (
    "Gegenereerd met 'python -m engine.rihg.instrument' uit engine/rihg/catalogue.py; niet met de hand bewerken."
)


@dataclass(frozen=True)
class Signal:
    code: str  # indicator code + 1-based annex position ("2c.4"), or "N1".."N9" for the extension
    label: str
    note: str | None = None


@dataclass(frozen=True)
class Indicator:
    code: str  # "2c": level number + annex letter
    name: str
    signals: tuple[Signal, ...]
    police_data: bool = False  # art. 2(3): politiegegevens, used only as far as needed
    note: str | None = None

    @property
    def title(self) -> str:
        return f"{self.code}. {self.name}" + (" – politiegegevens" if self.police_data else "")


@dataclass(frozen=True)
class Level:
    key: str  # form field and variable name: "persoon", "incident", "leefomstandigheden"
    number: int
    article: str
    short_title: str
    heading: str  # the annex heading, verbatim
    indicators: tuple[Indicator, ...]

    @property
    def title(self) -> str:
        return f"{self.number}. {self.short_title}"

    @property
    def description(self) -> str:
        return f"{self.heading} ({self.article}, Besluit tijdelijk huisverbod)."


@dataclass(frozen=True)
class Catalogue:
    """The annex: the facts the burgemeester weighs, only and all of them (art. 2(1) Besluit)."""

    id: str
    title: str
    source: str
    levels: tuple[Level, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for level in self.levels for i in level.indicators)

    @property
    def signals(self) -> tuple[Signal, ...]:
        return tuple(s for i in self.indicators for s in i.signals)


@dataclass(frozen=True)
class Extension:
    """Extra signals of a pilot: recorded and shown, never part of the annex, weighting undefined."""

    id: str
    version: str
    title: str
    source: str
    note: str
    signals: tuple[Signal, ...]
    in_annex: bool = False
    weighting: str | None = None  # None: the DMN tables do not count these signals

    @property
    def catalogue_id(self) -> str:
        """The value of ``rihg_catalogus`` in a case that uses this extension."""
        return f"{ANNEX.id}+{self.id}-{self.version}"


def _build_annex() -> Catalogue:
    levels = []
    for key, number, article, short_title, heading, indicators in data.ANNEX:
        built = []
        for letter, name, labels in indicators:
            code = f"{number}{letter}"
            police = code == data.POLICE_DATA_INDICATOR
            built.append(
                Indicator(
                    code,
                    name,
                    tuple(Signal(f"{code}.{n}", label) for n, label in enumerate(labels, 1)),
                    police_data=police,
                    note=data.POLICE_DATA_NOTE if police else None,
                )
            )
        levels.append(Level(key, number, article, short_title, heading, tuple(built)))
    return Catalogue(data.ANNEX_ID, data.ANNEX_TITLE, data.ANNEX_SOURCE, tuple(levels))


ANNEX: Catalogue = _build_annex()
NIEUW_PERSPECTIEF: Extension = Extension(
    data.EXTENSION_ID,
    data.EXTENSION_VERSION,
    data.EXTENSION_TITLE,
    data.EXTENSION_SOURCE,
    data.EXTENSION_NOTE,
    tuple(Signal(code, label, note) for code, label, note in data.EXTENSION),
)


def police_data_paths() -> tuple[str, ...]:
    """Dotted paths of the politiegegevens in an assessment ("persoon.1a"), as the forms and the result hold them."""
    return tuple(f"{level.key}.{i.code}" for level in ANNEX.levels for i in level.indicators if i.police_data)


def signal(code: str) -> Signal:
    """Look up an annex or extension signal by code, e.g. to show a stored assessment."""
    for candidate in (*ANNEX.signals, *NIEUW_PERSPECTIEF.signals):
        if candidate.code == code:
            return candidate
    raise KeyError(code)


# --- forms -------------------------------------------------------------------------------------------


def _text(title: str) -> dict[str, Any]:
    return {"type": "string", "title": title, "maxLength": TEXT_MAX}


def _choices(signals: tuple[Signal, ...]) -> dict[str, Any]:
    """A checkbox list: unique codes, each shown with its Dutch label (oneOf const/title)."""
    options = []
    for s in signals:
        option: dict[str, Any] = {"const": s.code, "title": s.label}
        if s.note:
            option["description"] = s.note
        options.append(option)
    return {"type": "array", "title": "Signalen", "uniqueItems": True, "items": {"type": "string", "oneOf": options}}


def _indicator_schema(indicator: Indicator) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "title": indicator.title}
    if indicator.note:
        schema["description"] = indicator.note
    if indicator.police_data:
        schema["x-politiegegevens"] = True
        schema[VISIBLE_TO] = list(POLICE_DATA_VISIBLE_TO)
    schema.update(
        {
            "additionalProperties": False,
            "properties": {
                "signalen": _choices(indicator.signals),
                "score": {
                    "type": "string",
                    "title": "Score",
                    "enum": list(SCORES),
                    "description": ", ".join(f"{s} ({c})" for s, c in SCORE_COLOURS.items()),
                },
                "toelichting": _text("Toelichting"),
            },
            # Ticked signals need a weighed score; an untouched indicator needs nothing.
            "if": {"required": ["signalen"], "properties": {"signalen": {"minItems": 1}}},
            "then": {"required": ["score"]},
        }
    )
    return schema


def _level_schema(level: Level) -> dict[str, Any]:
    properties = {i.code: _indicator_schema(i) for i in level.indicators}
    properties["tussenoordeel_toelichting"] = _text("Toelichting bij het tussenoordeel")
    return {
        "type": "object",
        "title": level.title,
        "description": level.description,
        VISIBLE_TO: list(RIHG_VISIBLE_TO),
        "additionalProperties": False,
        "properties": properties,
    }


def _extension_schema(extension: Extension) -> dict[str, Any]:
    return {
        "type": "object",
        "title": f"{extension.title}, versie {extension.version}",
        "description": f"{extension.note} Bron: {extension.source}.",
        "x-rihg-uitbreiding": {
            "id": extension.id,
            "versie": extension.version,
            "bijlage": extension.in_annex,
            "weging": extension.weighting,
        },
        VISIBLE_TO: list(RIHG_VISIBLE_TO),
        "additionalProperties": False,
        "properties": {"signalen": _choices(extension.signals), "toelichting": _text("Toelichting")},
    }


def assessment_form(extension: Extension | None = None) -> dict[str, Any]:
    """The RiHG form: one group per level, one per indicator, in annex order."""
    properties = {level.key: _level_schema(level) for level in ANNEX.levels}
    title = ANNEX.title
    if extension is not None:
        properties[EXTENSION_GROUP] = _extension_schema(extension)
        title += f" met {extension.title.lower()}"
    return {
        "$schema": _SCHEMA,
        "$comment": _GENERATED,
        "title": title,
        "description": (
            f"{ANNEX.source}. Vink per risico-indicator de signalen aan die zich voordoen en geef "
            "daarna een score. Een indicator met aangevinkte signalen moet een score hebben. Elk "
            "niveau eindigt met een tussenoordeel; het advies volgt daaruit, de beslissing blijft "
            "aan de burgemeester."
        ),
        "type": "object",
        "x-rihg-catalogus": extension.catalogue_id if extension else ANNEX.id,
        "additionalProperties": False,
        "properties": properties,
    }


def decision_form(advice: str) -> dict[str, Any]:
    """The decision after the advice; a decision that departs from ``advice`` needs a reason."""
    deviating = "niet_opleggen" if advice == "huisverbod" else "opleggen"
    shown = "huisverbod" if advice == "huisverbod" else "geen huisverbod"
    return {
        "$schema": _SCHEMA,
        "$comment": _GENERATED,
        "title": "Besluit vastleggen",
        "description": (
            f"Advies uit het RiHG: {shown}. Het advies beslist niet; de burgemeester (of de "
            "hulpofficier van justitie in mandaat) beslist. Wijkt het besluit af van het advies, "
            "geef dan de reden."
        ),
        "type": "object",
        "x-rihg-advies": advice,
        "additionalProperties": False,
        "required": ["besluit"],
        "properties": {
            "besluit": {
                "type": "string",
                "title": "Besluit",
                "oneOf": [{"const": k, "title": v} for k, v in DECISIONS.items()],
                VISIBLE_TO: list(RIHG_VISIBLE_TO),
            },
            "afwijking_reden": {**_text("Reden van afwijking van het advies"), VISIBLE_TO: list(RIHG_VISIBLE_TO)},
            "toelichting": {**_text("Toelichting"), VISIBLE_TO: list(RIHG_VISIBLE_TO)},
        },
        "if": {"required": ["besluit"], "properties": {"besluit": {"const": deviating}}},
        "then": {
            "required": ["afwijking_reden"],
            "properties": {"afwijking_reden": {"minLength": 1, "pattern": r"\S"}},
        },
    }


def generated_forms() -> dict[str, dict[str, Any]]:
    """Every RiHG form by file name."""
    forms = {FORM_BASELINE: assessment_form(), FORM_EXTENDED: assessment_form(NIEUW_PERSPECTIEF)}
    forms.update({name: decision_form(advice) for advice, name in FORM_DECISION.items()})
    return forms


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def stale_forms(forms_dir: Path = FORMS_DIR) -> list[str]:
    """Names of forms whose file is missing or differs from the generated text."""
    stale = []
    for name, schema in generated_forms().items():
        path = forms_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != render(schema):
            stale.append(name)
    return stale


def write_forms(forms_dir: Path = FORMS_DIR) -> list[str]:
    """Write the forms that changed; returns their names."""
    changed = stale_forms(forms_dir)
    forms = generated_forms()
    for name in changed:
        (forms_dir / name).write_text(render(forms[name]), encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engine.rihg.instrument", description="Genereer de RiHG-formulieren."
    )
    parser.add_argument("--check", action="store_true", help="niets schrijven; exit 1 als een formulier afwijkt")
    parser.add_argument("--forms-dir", type=Path, default=FORMS_DIR)
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_forms(args.forms_dir)
        for name in stale:
            print(f"verouderd: {args.forms_dir / name} (draai: python -m engine.rihg.instrument)", file=sys.stderr)
        return 1 if stale else 0
    for name in write_forms(args.forms_dir):
        print(f"geschreven: {args.forms_dir / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

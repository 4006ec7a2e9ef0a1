"""The werkprocesbeschrijving as typed read models (engine.design.werkproces builds them; the renderers and the
web page only show them). Texts are Dutch and plain: no Python, no element ids except as a reference."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.design.decision_text import DecisionTable

NEW, CHANGED, REMOVED = "nieuw", "gewijzigd", "vervallen"


@dataclass(frozen=True)
class FieldLine:
    """A form field: what is asked, in the form's own words."""

    label: str
    kind: str  # "ja/nee", "keuze uit: …", "tekst", "datum en tijd", …
    required: bool


@dataclass(frozen=True)
class DocumentLine:
    kind: str
    title: str
    made_by: tuple[str, ...]  # organisations that may make it
    served_to: str  # whom this step must have served it to
    may_go_to: tuple[str, ...]  # everyone it may be served to


@dataclass(frozen=True)
class Branch:
    name: str  # the flow's label ("ja", "nee") or empty
    condition: str  # plain Dutch; "anders" for the default flow
    target: str  # the name of where it leads


@dataclass(frozen=True)
class TimerLine:
    term: str  # plain Dutch ("24 uur", "14 dagen na …")
    basis: str | None  # the legal basis or "ASSUMPTION: …"; None: not recorded
    on_task: str | None  # a boundary timer: the task it watches
    interrupting: bool


@dataclass(frozen=True)
class StepChange:
    change: str  # NEW, CHANGED, REMOVED
    what: tuple[str, ...] = ()  # the changed properties, in Dutch
    note: str = ""  # "in de basis niet bereikt", …


@dataclass
class Step:
    key: tuple[str, str]  # (process id, element id)
    element_id: str
    element_kind: str  # the BPMN tag
    kind: str  # Dutch: Taak, Termijn, Gebeurtenis, Beslissing, Start, Beslistabel
    name: str
    process: str  # the name of the (sub)process it is in
    phase: str | None
    organisation: str | None
    instructions: str | None = None
    documentation: str | None = None
    fields: list[FieldLine] = field(default_factory=list)
    documents: list[DocumentLine] = field(default_factory=list)
    timer: TimerLine | None = None
    branches: list[Branch] = field(default_factory=list)
    message: str | None = None
    senders: tuple[str, ...] = ()
    starters: tuple[str, ...] = ()
    decision: str | None = None
    decision_table: DecisionTable | None = None  # the called decision's rules in Dutch
    handling_term: str | None = None
    principles: tuple[str, ...] = ()
    beyond_wth: str | None = None
    reachable: bool = True
    change: StepChange | None = None


@dataclass(frozen=True)
class PhaseSection:
    code: str | None
    label: str
    steps: list[Step]


@dataclass(frozen=True)
class ParameterRow:
    key: str
    label: str
    baseline: str
    value: str
    principle: str | None


@dataclass(frozen=True)
class PrincipleRef:
    code: str
    title: str
    derived: bool  # from the variant's principles for this phase, not named on the element


@dataclass(frozen=True)
class Difference:
    change: str
    step: str
    kind: str
    organisation: str | None
    phase: str
    what: tuple[str, ...]
    note: str
    principles: tuple[PrincipleRef, ...]


@dataclass(frozen=True)
class OrganisationChanges:
    organisation: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


@dataclass(frozen=True)
class BeyondWth:
    step: str
    organisation: str | None
    reason: str


@dataclass(frozen=True)
class PrincipleText:
    code: str
    title: str
    phase: str
    knelpunt: str
    principe: str


@dataclass(frozen=True)
class VersionLabel:
    model_version_id: int
    region: str
    region_name: str
    variant: str
    version: int
    title: str  # the main process's name


@dataclass
class Werkproces:
    version: VersionLabel
    description: str | None
    baseline: VersionLabel | None
    is_baseline: bool
    organisations: list[str]
    sections: list[PhaseSection]
    unreachable: list[Step]
    parameters: list[ParameterRow]
    differences: list[Difference]
    per_organisation: list[OrganisationChanges]
    beyond_wth: list[BeyondWth]
    principles: list[PrincipleText]
    steps_without_phase: int = 0

    def all_steps(self) -> list[Step]:
        return [s for section in self.sections for s in section.steps]

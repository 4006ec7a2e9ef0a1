"""What engine.design hands the designer pages, the dashboard and the CLI: diffs, migrations, figures, versions.

The shapes that go out as JSON unchanged (``thv diff``, ``thv migrate``, ``thv dashboard`` with
``--json``; the dashboard's CSV columns) are TypedDicts: they are the JSON. The shapes only the
designer pages read are frozen dataclasses. Keys are English identifiers; Dutch stays in the
values (property labels, reasons, process and variant names). The version rows, the live history
and the case counts per version are in ``engine.modeling.versions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypedDict

from engine.base.errors import Finding
from engine.modeling.versions import LiveHistoryEntry
from engine.workflow.parking import ParkedCase

# --- the model diff (``thv diff --json``) ---------------------------------------------------


class PropertyChange(TypedDict):
    """A property of an element that differs between side A and side B (None: the side lacks it).

    ``label`` is the Dutch name of the property (``naam``, ``voorwaarde``, ``invoercel x``).
    """

    property: str
    label: str
    a: str | None
    b: str | None


class ElementChange(TypedDict):
    """An element, lane, process or decision that was ``added`` (only in B), ``removed`` (only in A) or ``changed``.

    ``kind`` is the BPMN/DMN kind (``userTask``, ``process``, ...); ``name`` the element's name on the
    side that has it (B first); ``properties`` the changed properties (also listed for a whole side).
    """

    change: str
    kind: str
    process_a: str | None
    process_b: str | None
    element_a: str | None
    element_b: str | None
    file_a: str | None
    file_b: str | None
    name: str
    properties: list[PropertyChange]


class ProcessPair(TypedDict):
    """A process or decision of side A paired with one of side B, and its overall change (``same`` if none).

    ``key`` is ``main`` for the two main processes (each variant names its own), else the shared id.
    """

    key: str
    kind: str
    process_a: str | None
    process_b: str | None
    file_a: str | None
    file_b: str | None
    change: str


class FormChange(TypedDict):
    """A task form (``forms/<name>``) that only one side has, or whose content differs."""

    form: str
    change: str


class DiffSummary(TypedDict):
    """How many element changes of each sort the diff found."""

    added: int
    removed: int
    changed: int


# Per file of one side: change (``changed``, and ``removed`` on side A or ``added`` on side B) -> element ids,
# the elements to colour on that side's diagram.
FileMarkers = dict[str, list[str]]
SideMarkers = dict[str, FileMarkers]


class DiffMarkers(TypedDict):
    """The elements to colour on the two diagrams: per side, per file."""

    a: SideMarkers
    b: SideMarkers


class BundleDiff(TypedDict):
    """The element-by-element difference of two model bundles; ``main_a``/``main_b`` are their main processes."""

    main_a: str | None
    main_b: str | None
    summary: DiffSummary
    processes: list[ProcessPair]
    changes: list[ElementChange]
    forms: list[FormChange]
    markers: DiffMarkers


class VersionRef(TypedDict):
    """A deployed version named by its id and by region, variant and number, with its main process."""

    model_version_id: int
    region: str
    variant: str
    version: int
    main_process: str


class VersionDiff(BundleDiff):
    """Two deployed versions compared (``thv diff --json``): which versions, then their bundles' difference."""

    a: VersionRef
    b: VersionRef


# --- case migration (``thv migrate --json``) ------------------------------------------------


class MigrationResult(TypedDict):
    """What happened to one case asked to move to a newer version of its variant.

    ``status`` is ``migrated``, ``safe`` (a dry run found it could move) or ``refused``, with ``reason``
    in Dutch; ``from_version`` is None when the case's version was not reached (not found, not active).
    """

    case_id: int
    to_version: int
    from_version: int | None
    status: str
    reason: str | None


# --- the comparison dashboard (``thv dashboard --json``, the CSV downloads) -----------------
# Each figure row's keys, in order, are the figure's CSV columns (engine.design.dashboard.COLUMNS).


class CountsRow(TypedDict):
    """Per region and variant: cases started (acute or early route) and milestones reached in the period."""

    region: str
    variant: str
    started: int
    started_acute: int
    started_early: int
    weegteam_accepted: int
    weegteam_rejected: int
    imposed: int
    not_imposed: int
    extended: int
    withdrawn: int
    suspended: int
    ended_by_court: int
    annulled_by_court: int
    expired: int
    violations: int


class DurationsRow(TypedDict):
    """Per region, variant and interval (``request_to_decision``, ``imposition_to_end``): the spread in hours.

    The hours are None when no case ended the interval in the period (``n`` is 0).
    """

    region: str
    variant: str
    interval: str
    n: int
    min_hours: float | None
    p25_hours: float | None
    median_hours: float | None
    p75_hours: float | None
    max_hours: float | None


class DeadlinesRow(TypedDict):
    """Per region, variant and role: tasks completed in the period, those with a deadline, and those done late.

    ``late_share`` is late / with_deadline (three decimals), None without a task with a deadline.
    """

    region: str
    variant: str
    role: str
    completed: int
    with_deadline: int
    late: int
    late_share: float | None


class WorkloadRow(TypedDict):
    """Per region, variant and role: tasks completed in the period, and open (and overdue) at its end."""

    region: str
    variant: str
    role: str
    completed: int
    open: int
    open_overdue: int


FigureRow = CountsRow | DurationsRow | DeadlinesRow | WorkloadRow
FigureName = Literal["counts", "durations", "deadlines", "workload"]


class Spread(TypedDict):
    """n, minimum, quartiles, median and maximum of a list of numbers (None when it is empty)."""

    n: int
    min: float | None
    p25: float | None
    median: float | None
    p75: float | None
    max: float | None


class Figures(TypedDict):
    """The four figures of the dashboard, each a list of rows."""

    counts: list[CountsRow]
    durations: list[DurationsRow]
    deadlines: list[DeadlinesRow]
    workload: list[WorkloadRow]


# "from" is a Python keyword, so the period's keys are declared in the functional form.
_Period = TypedDict("_Period", {"from": str | None, "to": str | None})


class Dashboard(_Period):
    """The dashboard for a period [from, to) (ISO 8601, None: open-ended) of one region (None: all).

    ``open_at`` is the instant the open tasks are counted at (the period's end, or now).
    """

    region: str | None
    open_at: str
    figures: Figures


# --- the designer pages ------------------------------------------------------------


@dataclass(frozen=True)
class VersionWithCases:
    """A deployed version on the designer pages: who deployed it when, whether it is live, and the cases on it.

    ``by_status`` counts the cases per status; ``active_case_ids`` are the active ones, by number.
    """

    id: int
    region: str
    variant: str
    version: int
    sha256: str
    main_process: str
    created_at: str
    created_by: str
    live: bool
    region_default: bool
    files: tuple[str, ...]
    by_status: dict[str, int]
    total: int
    active_case_ids: tuple[int, ...]


@dataclass(frozen=True)
class VariantVersions:
    """A variant of a region: its versions (newest first), the live one's number, whether it is the region's default."""

    variant: str
    versions: tuple[VersionWithCases, ...]
    live: int | None
    default: bool


@dataclass(frozen=True)
class RegionVersions:
    """A region on the designer's overview: its variants, whether the user may change them, the recent live history."""

    region: str
    may_change: bool
    variants: tuple[VariantVersions, ...]
    history: tuple[LiveHistoryEntry, ...]


@dataclass(frozen=True)
class VersionFile:
    """A file of a version's bundle: ``kind`` is ``bpmn``, ``dmn``, ``form`` or ``other``; ``main``: main process."""

    path: str
    kind: str
    size: int
    main: bool


@dataclass(frozen=True)
class VersionDetail:
    """A version's page: its files (the main file first), its variant's versions (siblings, newest first),
    the open cases on older versions (those a migration could move here), the variant's live history and
    the cases parked on this version (where its model stopped them).
    """

    version: VersionWithCases
    main_file: str | None
    may_change: bool
    files: tuple[VersionFile, ...]
    siblings: tuple[VersionWithCases, ...]
    older_active: tuple[int, ...]
    history: tuple[LiveHistoryEntry, ...]
    parked: tuple[ParkedCase, ...] = ()


@dataclass(frozen=True)
class ComparedVersion:
    """One side of the comparison page: the version, the file with its main process, its files and markers."""

    model_version_id: int
    region: str
    variant: str
    version: int
    main_process: str
    main_file: str | None
    files: dict[str, bytes]
    markers: SideMarkers


@dataclass(frozen=True)
class Comparison:
    """Two versions compared on the designer page: ``engine.design.model_diff``'s differences and both sides."""

    a: ComparedVersion
    b: ComparedVersion
    summary: DiffSummary
    processes: list[ProcessPair]
    changes: list[ElementChange]
    forms: list[FormChange]

    def side(self, name: str) -> ComparedVersion:
        """Side ``a`` or ``b``."""
        return {"a": self.a, "b": self.b}[name]


@dataclass(frozen=True)
class DeployedEdit:
    """The outcome of deploying an edited bundle: the version it is now (``created`` False: nothing changed)."""

    id: int
    version: int
    created: bool
    region: str
    variant: str
    warnings: list[Finding] = field(default_factory=list)  # said at deploy, not refused: what is ignored

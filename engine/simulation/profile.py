"""A scenario profile: the TOML file that says how synthetic cases behave (simulation/profiles/*.toml).

It gives the share of each decision (a form field of a task, the start form or an event's form),
the events that arrive (violations, appeals, re-escalation) and when, the working time and the
delay of each task, the capacity and hours of each organisation, the region's yearly volume, and
the phase of each task. Every entry carries its source (``bron``), or says ASSUMPTION there.

Everything is checked when the file is read; a refusal names the line (engine.simulation.toml_lines).
Whether the tasks, fields and messages exist in the models is checked against the models to be
simulated (engine.simulation.model_facts.check_profile).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path as FilePath
from typing import Any

from engine.base.clock import parse_instant
from engine.base.errors import InvalidInput
from engine.base.paths import PROJECT_ROOT
from engine.base.vocabulary import PHASE_CODES, REGION_CODES, ROLES
from engine.simulation.durations import ZERO, Duration, parse_duration
from engine.simulation.toml_lines import KeyLines, Path

PROFILES_DIR = PROJECT_ROOT / "simulation" / "profiles"
DEFAULT_PROFILE = "landelijk"
START_TASK = "start"  # a decision on the start form
DEFAULT = "standaard"  # the task or organisation entry that applies where none is named
PHASES = PHASE_CODES  # the Leidraad's phases, in order (engine.base.vocabulary)
CASE_ROLES = frozenset(r.code for r in ROLES if r.works_cases)
WEEKDAYS = {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "za": 5, "zo": 6}


class ProfileError(InvalidInput):
    """A profile that cannot be used: every problem with the line it is on."""

    def __init__(self, name: str, problems: list[tuple[int | None, str]]):
        self.problems = sorted(problems, key=lambda p: (p[0] or 0, p[1]))
        lines = [f"profiel {name}" + (f", regel {line}" if line else "") + f": {text}" for line, text in self.problems]
        super().__init__("; ".join(lines))


@dataclass(frozen=True)
class Outcome:
    name: str
    share: float
    value: Any


@dataclass(frozen=True)
class Decision:
    name: str
    tasks: tuple[str, ...]  # user task elements, or START_TASK
    message: str | None  # or the form of this message
    field: str
    outcomes: tuple[Outcome, ...]
    line: int | None


@dataclass(frozen=True)
class TaskProfile:
    work: Duration  # hands-on time of the organisation (workload)
    delay: Duration  # time until someone takes it up, before queueing for capacity
    data: dict[str, Any]
    retries: tuple[dict[str, Any], ...]  # data tried in turn when the model refuses (bij_weigering)
    never: float  # share of cases in which nobody does it (unreachable, forgotten)
    phase: str | None
    line: int | None


@dataclass(frozen=True)
class Organisation:
    capacity: int  # tasks worked on at once; 0: no limit
    days: frozenset[int]  # weekdays (0 = Monday) it works; all seven when not given
    start_minute: int  # working hours, minutes after midnight Amsterdam time
    end_minute: int
    line: int | None


@dataclass(frozen=True)
class Event:
    name: str
    message: str
    sender: str
    share: float  # of the cases that wait for the message
    delay: Duration  # after the case begins to wait for it
    repeat: float  # chance it happens again after each time
    data: dict[str, Any]
    line: int | None


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    region: str
    volume: float  # cases (requests and crisis reports) per year in the region
    fte_hours: float  # productive hours of one FTE in a year
    start: datetime
    horizon_minutes: float  # how long a case is followed at most
    starters: dict[str, float]
    decisions: tuple[Decision, ...]
    tasks: dict[str, TaskProfile]
    organisations: dict[str, Organisation]
    events: tuple[Event, ...]
    lines: KeyLines = field(repr=False, compare=False)

    def task(self, element: str) -> TaskProfile:
        return self.tasks.get(element) or self.tasks[DEFAULT]

    def organisation(self, role: str) -> Organisation:
        return self.organisations.get(role) or self.organisations[DEFAULT]

    def phase(self, element: str, model_phase: str | None = None) -> str:
        """The model's own phase of the step; the profile's ``fase`` only for a model without phases."""
        if model_phase in PHASES:
            return model_phase
        own = self.tasks.get(element)
        return (own.phase if own and own.phase else None) or self.tasks[DEFAULT].phase or PHASES[0]


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def profile_path(name: str) -> FilePath:
    """A shipped profile by name; refused (Dutch) when there is none of that name."""
    if name not in profile_names():
        raise InvalidInput(f"profiel '{name}' bestaat niet; kies uit {', '.join(profile_names())}")
    return PROFILES_DIR / f"{name}.toml"


def read_profile(path: FilePath, region: str) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"profiel {path.name} kan niet gelezen worden ({exc.__class__.__name__})") from None
    return parse_profile(text, path.stem, region)


def parse_profile(text: str, name: str, region: str) -> Profile:
    """A profile from its TOML text, with the overrides of ``region``; ProfileError names every bad line."""
    if region not in REGION_CODES:
        raise InvalidInput(f"regio '{region}' bestaat niet; kies uit {', '.join(sorted(REGION_CODES))}")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the position only in the message: "... (at line 3, column 18)".
        found = re.search(r"\(at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        reason = str(exc).split(" (at ")[0]
        raise ProfileError(name, [(line, f"geen geldige TOML ({reason})")]) from None
    reader = _Reader(KeyLines(text))
    profile = reader.profile(raw, name, region)
    if reader.problems:
        raise ProfileError(name, reader.problems)
    assert profile is not None
    return profile


class _Reader:
    def __init__(self, lines: KeyLines):
        self.lines = lines
        self.problems: list[tuple[int | None, str]] = []

    def fail(self, path: Path, text: str) -> None:
        self.problems.append((self.lines.line(path), text))

    def table(self, raw: Any, path: Path) -> dict[str, Any]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.fail(path, f"'{'.'.join(map(str, path))}' moet een tabel zijn")
            return {}
        return raw

    def share(self, value: Any, path: Path) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            self.fail(path, f"'{path[-1]}' is een aandeel en moet tussen 0 en 1 liggen (nu: {value!r})")
            return 0.0
        return float(value)

    def duration(self, value: Any, path: Path) -> Duration:
        if value is None:
            return ZERO
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(path, f"'{path[-1]}': {exc}")
            return ZERO

    def sourced(self, entry: dict[str, Any], path: Path) -> None:
        if not isinstance(entry.get("bron"), str) or not entry["bron"].strip():
            self.fail(path, "elke aanname noemt haar bron ('bron = ...', of 'bron = \"ASSUMPTION: ...\"')")

    def profile(self, raw: dict[str, Any], name: str, region: str) -> Profile | None:
        base = self.table(raw.get("regio"), ("regio",))
        own = self.table(self.table(raw.get("regios"), ("regios",)).get(region), ("regios", region))
        here = {**base, **{k: v for k, v in own.items() if k != "organisaties"}}
        where = ("regios", region) if "zaken_per_jaar" in own else ("regio",)
        self.sourced(here, where)
        volume = here.get("zaken_per_jaar")
        if isinstance(volume, bool) or not isinstance(volume, int | float) or volume <= 0:
            self.fail((*where, "zaken_per_jaar"), "'zaken_per_jaar' moet een positief getal zijn")
            volume = 1
        fte = here.get("uren_per_fte", 1400)
        if isinstance(fte, bool) or not isinstance(fte, int | float) or fte <= 0:
            self.fail(("regio", "uren_per_fte"), "'uren_per_fte' moet een positief getal zijn")
            fte = 1400
        try:
            start = parse_instant(str(here.get("start", "2026-01-05T08:00:00+01:00")))
        except ValueError:
            self.fail(("regio", "start"), "'start' moet een datum en tijd zijn (ISO 8601)")
            start = parse_instant("2026-01-05T08:00:00+01:00")
        horizon = self.duration(here.get("volgen", "P3Y"), ("regio", "volgen"))
        starters = self.starters(self.table(raw.get("starters"), ("starters",)))
        decisions = tuple(self.decision(d, ("beslissing", i)) for i, d in enumerate(self.items(raw, "beslissing")))
        tasks = {
            element: self.task(self.table(entry, ("taken", element)), ("taken", element))
            for element, entry in self.table(raw.get("taken"), ("taken",)).items()
        }
        if DEFAULT not in tasks:
            self.fail(("taken",), f"[taken.{DEFAULT}] ontbreekt: de werktijd van taken die het profiel niet noemt")
        organisations = self.organisations(raw, own, region)
        events = tuple(self.event(e, ("gebeurtenis", i)) for i, e in enumerate(self.items(raw, "gebeurtenis")))
        if self.problems:
            return None
        return Profile(
            name=name,
            title=str(raw.get("naam", name)),
            region=region,
            volume=float(volume),
            fte_hours=float(fte),
            start=start,
            horizon_minutes=horizon.mean,
            starters=starters,
            decisions=decisions,
            tasks=tasks,
            organisations=organisations,
            events=events,
            lines=self.lines,
        )

    def items(self, raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list):
            self.fail((key,), f"'{key}' schrijf je als [[{key}]]-tabellen")
            return []
        return [self.table(v, (key, i)) for i, v in enumerate(value)]

    def starters(self, raw: dict[str, Any]) -> dict[str, float]:
        shares = {}
        for role, value in raw.items():
            if role == "bron":
                continue
            if role not in CASE_ROLES:
                self.fail(("starters", role), f"onbekende organisatie '{role}'")
            shares[role] = self.share(value, ("starters", role))
        if raw:
            self.sourced(raw, ("starters",))
        return shares

    def outcomes(self, entry: dict[str, Any], path: Path) -> tuple[Outcome, ...]:
        if "aandeel" in entry:
            share = self.share(entry["aandeel"], (*path, "aandeel"))
            return (Outcome("ja", share, True), Outcome("nee", 1 - share, False))
        raw = self.table(entry.get("uitkomsten"), (*path, "uitkomsten"))
        values = self.table(entry.get("waarden"), (*path, "waarden"))
        if not raw:
            self.fail(path, "een beslissing heeft 'aandeel' (ja/nee) of 'uitkomsten' (een aandeel per waarde)")
            return ()
        outcomes = tuple(
            Outcome(key, self.share(share, (*path, "uitkomsten", key)), values.get(key, key))
            for key, share in raw.items()
        )
        for key in values:
            if key not in raw:
                self.fail((*path, "waarden", key), f"waarde '{key}' hoort bij geen uitkomst")
        total = sum(o.share for o in outcomes)
        if abs(total - 1) > 1e-6:
            self.fail((*path, "uitkomsten"), f"de aandelen van de uitkomsten tellen op tot {total:g}, niet tot 1")
        return outcomes

    def decision(self, entry: dict[str, Any], path: Path) -> Decision:
        self.sourced(entry, path)
        tasks = entry.get("taak", [])
        tasks = [tasks] if isinstance(tasks, str) else tasks
        message = entry.get("bericht")
        if not (isinstance(tasks, list) and all(isinstance(t, str) for t in tasks)) or bool(tasks) == bool(message):
            self.fail(path, "een beslissing noemt 'taak' (een of meer taken, of \"start\") of 'bericht'")
            tasks = []
        if not isinstance(entry.get("veld"), str):
            self.fail(path, "een beslissing noemt het formulierveld ('veld') dat zij invult")
        return Decision(
            name=str(entry.get("naam", path[-1])),
            tasks=tuple(tasks),
            message=message if isinstance(message, str) else None,
            field=str(entry.get("veld", "")),
            outcomes=self.outcomes(entry, path),
            line=self.lines.line(path),
        )

    def task(self, entry: dict[str, Any], path: Path) -> TaskProfile:
        self.sourced(entry, path)
        phase = entry.get("fase")
        if phase is not None and phase not in PHASES:
            self.fail((*path, "fase"), f"onbekende fase '{phase}'; kies uit {', '.join(PHASES)}")
        data = self.table(entry.get("gegevens"), (*path, "gegevens"))
        retries = entry.get("bij_weigering", [])
        if not isinstance(retries, list) or not all(isinstance(r, dict) for r in retries):
            self.fail((*path, "bij_weigering"), "'bij_weigering' is een lijst van tabellen met gegevens")
            retries = []
        return TaskProfile(
            work=self.duration(entry.get("werktijd"), (*path, "werktijd")),
            delay=self.duration(entry.get("vertraging"), (*path, "vertraging")),
            data=data,
            retries=tuple(retries),
            never=self.share(entry.get("niet_gedaan", 0), (*path, "niet_gedaan")),
            phase=phase,
            line=self.lines.line(path),
        )

    def organisations(self, raw: dict[str, Any], own: dict[str, Any], region: str) -> dict[str, Organisation]:
        merged: dict[str, Organisation] = {}
        for base, table in ((("organisaties",), raw.get("organisaties")), (("regios", region, "organisaties"), None)):
            entries = self.table(table if table is not None else own.get("organisaties"), base)
            for role, entry in entries.items():
                if role != DEFAULT and role not in CASE_ROLES:
                    self.fail((*base, role), f"onbekende organisatie '{role}'")
                merged[role] = self.organisation(self.table(entry, (*base, role)), (*base, role))
        if DEFAULT not in merged:
            self.fail(
                ("organisaties",), f"[organisaties.{DEFAULT}] ontbreekt: de capaciteit van de overige organisaties"
            )
        return merged

    def organisation(self, entry: dict[str, Any], path: Path) -> Organisation:
        self.sourced(entry, path)
        capacity = entry.get("capaciteit", 0)
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
            self.fail(
                (*path, "capaciteit"), f"'capaciteit' moet een geheel getal van 0 of meer zijn (nu: {capacity!r})"
            )
            capacity = 0
        days = entry.get("dagen", list(WEEKDAYS))
        if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
            self.fail((*path, "dagen"), f"'dagen' is een lijst van {', '.join(WEEKDAYS)}")
            days = list(WEEKDAYS)
        minutes = [
            self.clock_time(entry.get(k, default), (*path, k)) for k, default in (("van", "00:00"), ("tot", "24:00"))
        ]
        if minutes[0] >= minutes[1]:
            self.fail((*path, "tot"), "'tot' moet na 'van' liggen")
        return Organisation(
            capacity, frozenset(WEEKDAYS[d] for d in days), minutes[0], minutes[1], self.lines.line(path)
        )

    def clock_time(self, value: Any, path: Path) -> int:
        try:
            hours, minutes = (int(p) for p in str(value).split(":"))
            if not (0 <= hours <= 24 and 0 <= minutes < 60 and hours * 60 + minutes <= 1440):
                raise ValueError
        except ValueError:
            self.fail(path, f"'{path[-1]}' is een tijd als \"09:00\" (nu: {value!r})")
            return 0
        return hours * 60 + minutes

    def event(self, entry: dict[str, Any], path: Path) -> Event:
        self.sourced(entry, path)
        for key in ("bericht", "afzender"):
            if not isinstance(entry.get(key), str):
                self.fail(path, f"een gebeurtenis noemt '{key}'")
        if isinstance(entry.get("afzender"), str) and entry["afzender"] not in CASE_ROLES:
            self.fail((*path, "afzender"), f"onbekende organisatie '{entry['afzender']}'")
        return Event(
            name=str(entry.get("naam", path[-1])),
            message=str(entry.get("bericht", "")),
            sender=str(entry.get("afzender", "")),
            share=self.share(entry.get("aandeel", 0), (*path, "aandeel")),
            delay=self.duration(entry.get("vertraging"), (*path, "vertraging")),
            repeat=self.share(entry.get("herhaling", 0), (*path, "herhaling")),
            data=self.table(entry.get("gegevens"), (*path, "gegevens")),
            line=self.lines.line(path),
        )

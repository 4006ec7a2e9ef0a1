"""Durations of a profile (working time, delay) as distributions, sampled in minutes.

A profile writes a duration as an ISO 8601 duration (``"PT30M"``: always that long) or a table:
``{ mediaan = "PT30M", p90 = "PT2H" }`` (lognormal, through its median and 90th percentile, the
two numbers a team leader can estimate), ``{ min = "PT10M", modus = "PT20M", max = "PT1H" }``
(triangular) or ``{ gemiddeld = "P2D" }`` (exponential: the waiting time of a random event).
Days are 24 hours here: these are working and waiting times, not legal terms.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

_Z90 = 1.2815515655446004  # the standard normal's 90th percentile
_UNIT_MINUTES = {"years": 365 * 1440, "months": 30 * 1440, "weeks": 7 * 1440, "days": 1440, "hours": 60}


def iso_minutes(text: Any) -> float:
    """An ISO 8601 duration in minutes; ValueError (Dutch) when it is none."""
    if not isinstance(text, str) or not text.strip().startswith("P"):
        raise ValueError(f'\'{text}\' is geen ISO 8601-duur (bijvoorbeeld "PT30M" of "P2D")')
    try:
        parts = TimerEventDefinition.parse_iso_duration(text.strip())
    except Exception:  # noqa: BLE001 - the library's parser raises a bare Exception
        raise ValueError(f'\'{text}\' is geen ISO 8601-duur (bijvoorbeeld "PT30M" of "P2D")') from None
    minutes = sum(parts.get(unit, 0) * factor for unit, factor in _UNIT_MINUTES.items())
    return float(minutes + parts.get("minutes", 0) + parts.get("seconds", 0) / 60)


@dataclass(frozen=True)
class Duration:
    kind: str  # "vast", "lognormaal", "driehoek", "exponentieel"
    a: float = 0.0
    b: float = 0.0
    c: float = 0.0

    def sample(self, rng: random.Random) -> float:
        if self.kind == "lognormaal":
            return rng.lognormvariate(self.a, self.b)
        if self.kind == "driehoek":
            return rng.triangular(self.a, self.b, self.c)
        if self.kind == "exponentieel":
            return rng.expovariate(1 / self.a) if self.a > 0 else 0.0
        return self.a

    @property
    def mean(self) -> float:
        """The expected value in minutes (for hand checks and the capacity estimate)."""
        if self.kind == "lognormaal":
            return math.exp(self.a + self.b**2 / 2)
        if self.kind == "driehoek":
            return (self.a + self.b + self.c) / 3
        return self.a


ZERO = Duration("vast", 0.0)


def parse_duration(value: Any) -> Duration:
    """A profile's duration; ValueError with a Dutch reason."""
    if isinstance(value, str):
        return Duration("vast", iso_minutes(value))
    if not isinstance(value, dict):
        raise ValueError("een duur is een ISO 8601-duur of een tabel met mediaan en p90, min/modus/max of gemiddeld")
    keys = set(value)
    if keys == {"mediaan", "p90"}:
        median, p90 = iso_minutes(value["mediaan"]), iso_minutes(value["p90"])
        if median <= 0 or p90 < median:
            raise ValueError("mediaan moet groter dan nul zijn en p90 minstens de mediaan")
        return Duration("lognormaal", math.log(median), math.log(p90 / median) / _Z90)
    if keys == {"min", "modus", "max"}:
        low, mode, high = (iso_minutes(value[k]) for k in ("min", "modus", "max"))
        if not low <= mode <= high:
            raise ValueError("min, modus en max moeten oplopen")
        return Duration("driehoek", low, high, mode)
    if keys == {"gemiddeld"}:
        return Duration("exponentieel", iso_minutes(value["gemiddeld"]))
    raise ValueError(
        f"onbekende verdeling met {', '.join(sorted(keys)) or 'geen sleutels'}; "
        "gebruik {mediaan, p90}, {min, modus, max} of {gemiddeld}"
    )

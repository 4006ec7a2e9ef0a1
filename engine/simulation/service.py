"""``simulate``: the variants side by side with the baseline, for one region, profile, size and seed.

Runs in memory and reads the database only to find the region's deployed models and the observed
figures of its real cases; it writes nothing. With ``workers`` > 1 the variants run in separate
processes (each variant's cases are independent; the figures are the same as in one process).
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from engine.base.errors import InvalidInput
from engine.base.vocabulary import REGION_CODES
from engine.modeling.registry import ModelRegistry, parse_bundle
from engine.simulation.compare import FitRow, fit_rows
from engine.simulation.model_facts import BASELINE, VariantModel, check_profile, facts_of, load_variant
from engine.simulation.profile import DEFAULT_PROFILE, parse_profile, profile_path
from engine.simulation.results import VariantResult, summarise
from engine.simulation.run import Simulation, TooLong

MAX_CASES = 10_000  # per variant; the web allows fewer (web/views/simulation.py)


@dataclass
class SimulationResult:
    region: str
    profile: str
    profile_title: str
    seed: int
    cases: int  # per variant
    volume: float  # cases per year in the region (the profile's)
    variants: list[VariantResult]
    seconds: float
    fit: list[FitRow] = field(default_factory=list)

    @property
    def cases_per_second(self) -> float:
        return self.cases * len(self.variants) / self.seconds if self.seconds else 0.0


def check_request(region: str, variants: list[str], cases: int, seed: int, max_seconds: float | None) -> list[str]:
    """The variants to run (the baseline first), or a Dutch refusal of the request."""
    if region not in REGION_CODES:
        raise InvalidInput(f"regio '{region}' bestaat niet; kies uit {', '.join(sorted(REGION_CODES))}")
    if isinstance(cases, bool) or not isinstance(cases, int) or not 1 <= cases <= MAX_CASES:
        raise InvalidInput(f"het aantal zaken moet tussen 1 en {MAX_CASES:,} liggen".replace(",", "."))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput("het zaadgetal (seed) moet een geheel getal van 0 of meer zijn")
    if max_seconds is not None and max_seconds <= 0:
        raise InvalidInput("de tijdgrens moet meer dan 0 seconden zijn")
    ordered = [BASELINE] + [v for v in dict.fromkeys(variants) if v != BASELINE]
    return ordered


def simulate(
    *,
    region: str,
    variants: list[str],
    cases: int,
    seed: int,
    profile_file: Path | None = None,
    profile_name: str = DEFAULT_PROFILE,
    session: Session | None = None,
    registry: ModelRegistry | None = None,
    max_seconds: float | None = None,
    workers: int = 1,
) -> SimulationResult:
    ordered = check_request(region, variants, cases, seed, max_seconds)
    path = profile_file if profile_file is not None else profile_path(profile_name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"profiel {path.name} kan niet gelezen worden ({exc.__class__.__name__})") from None
    profile = parse_profile(text, path.stem, region)
    models = [load_variant(session, registry, region, v) for v in ordered]
    check_profile(profile, models)
    started = time.perf_counter()
    deadline = started + max_seconds if max_seconds is not None else None
    if workers > 1 and len(models) > 1:
        jobs = [(m.variant, m.source, m.model.files, text, path.stem, region, cases, seed, max_seconds) for m in models]
        with ProcessPoolExecutor(max_workers=min(workers, len(models))) as pool:
            results = list(pool.map(_run_in_worker, jobs))
    else:
        results = [
            summarise(m.variant, m.source, Simulation(profile, m, cases, seed, deadline).run(), profile) for m in models
        ]
    result = SimulationResult(
        region=region,
        profile=path.stem,
        profile_title=profile.title,
        seed=seed,
        cases=cases,
        volume=profile.volume,
        variants=results,
        seconds=time.perf_counter() - started,
    )
    if session is not None:
        result.fit = fit_rows(session, region, results[0])
    return result


def _run_in_worker(job: tuple[str, str, dict[str, bytes], str, str, str, int, int, float | None]) -> VariantResult:
    variant, source, files, text, name, region, cases, seed, max_seconds = job
    profile = parse_profile(text, name, region)
    model: VariantModel = facts_of(variant, source, parse_bundle(files, forms_dir=None))
    deadline = time.perf_counter() + max_seconds if max_seconds is not None else None
    try:
        return summarise(variant, source, Simulation(profile, model, cases, seed, deadline).run(), profile)
    except TooLong as exc:
        raise InvalidInput(exc.message) from None

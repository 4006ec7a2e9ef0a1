"""Demo data for ``make run``: the bundled models in every region and one user per role per region.

Refused in production mode, because demo accounts share a published password.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import select

from engine.accounts.users import Profile, add_user
from engine.base.errors import ConfigurationError
from engine.base.vocabulary import REGIONS, ROLES
from engine.demo.demo_cases import seed_demo_cases
from engine.modeling.bundle import COMMON_FOLDER, collect_bundle
from engine.modeling.registry import deploy_bundle
from engine.runtime import Runtime
from engine.storage.tables import User

DEMO_PASSWORD = "demo-huisverbod"
BASELINE_VARIANT = "wth-basis"
# Which variant each pilot region runs beside the baseline (deployed last, so it is the region default).
PILOT_VARIANTS = {
    "pilot1": "v1-brede-toegang",
    "pilot2": "v2-weegteam",
    "pilot3": "v3-termijnflex",
    "pilot4": "v4-integraal",
}


def _variant_folders(processes: Path) -> dict[str, Path]:
    folders: dict[str, Path] = {}
    for bpmn in sorted(processes.rglob("*.bpmn")):
        folder = bpmn.parent
        if folder.name != COMMON_FOLDER:
            folders.setdefault(folder.name, folder)
    return folders


def demo_user_name(role: str, region: str) -> str:
    return f"{role}.{region}"


def seed_demo(rt: Runtime, processes: Path) -> Iterator[str]:
    if rt.mode == "production":
        raise ConfigurationError("demodata alleen buiten productie (zet THV_MODE=development of training)")
    folders = _variant_folders(processes)
    if BASELINE_VARIANT not in folders:
        raise ConfigurationError(f"geen map '{BASELINE_VARIANT}' gevonden onder {processes}")
    with rt.sessions() as session:
        for region in REGIONS:
            for variant in [BASELINE_VARIANT, PILOT_VARIANTS.get(region.code)]:
                if variant is None or variant not in folders:
                    continue
                result = deploy_bundle(
                    session,
                    rt.registry,
                    collect_bundle(folders[variant]),
                    region=region.code,
                    variant=variant,
                    actor="demo",
                    now=rt.clock.now(),
                )
                state = "nieuw" if result.created else "ongewijzigd"
                yield f"{region.code}: {variant} v{result.version.version} ({state})"
        existing = set(session.scalars(select(User.name)))
        created = 0
        for region in REGIONS:
            for role in ROLES:
                name = demo_user_name(role.code, region.code)
                if name not in existing:
                    add_user(
                        session,
                        name,
                        [role.code],
                        [region.code],
                        password=DEMO_PASSWORD,
                        now=rt.clock.now(),
                        # A person behind each demo login, so documents and histories show names, not logins.
                        profile=Profile(f"Demo {role.label}", role.label.lower(), f"Demo-organisatie {region.name}"),
                    )
                    created += 1
        if "beheerder" not in existing:
            add_user(
                session,
                "beheerder",
                ["beheerder"],
                [r.code for r in REGIONS],
                password=DEMO_PASSWORD,
                now=rt.clock.now(),
            )
            created += 1
        yield f"{created} demogebruiker(s) aangemaakt; wachtwoord: {DEMO_PASSWORD}"
    yield from seed_demo_cases(rt)

"""A few demo cases at different steps, so a fresh ``make run`` shows real worklists.

Every step goes through the engine as a caseworker would take it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select

from engine.accounts.users import get_user
from engine.base.errors import ProcessError
from engine.cases import operations as cases
from engine.runtime import Runtime
from engine.storage.tables import Case
from engine.workflow import worklist


def household(address: str, letters: str) -> dict[str, Any]:
    """The melding of one (fictitious) household: each demo case is about its own home and people, so the
    worklist's case titles tell them apart."""
    uithuisgeplaatste, partner, child = (f"Demo Persoon {letter}" for letter in letters)
    return {
        "adres": address,
        "omschrijving": "Ruzie liep uit de hand; partner heeft letsel aan de arm.",
        "uithuisgeplaatste_naam": uithuisgeplaatste,
        "achterblijvers": [{"naam": partner, "relatie": "partner"}],
        "kinderen": [{"voornaam": child, "leeftijd": 9}],
        "aanhouding": True,
        "vermoeden_kindermishandeling": False,
    }


MELDING = household("Lindelaan 12, Utrecht", "ABC")


def verzoek(address: str, letters: str) -> dict[str, Any]:
    """A request (structural route) about one household."""
    return {
        "route": "structureel",
        "onderbouwing": "Herhaalde meldingen van buren; patroon van dreiging.",
        **household(address, letters),
        "aanhouding": False,
    }


VERZOEK = verzoek("Lindelaan 12, Utrecht", "ABC")
RIHG = {
    "incident": {"2a": {"signalen": ["2a.2", "2a.4"], "score": "hoog"}, "2c": {"signalen": ["2c.1"], "score": "hoog"}}
}
BESCHIKKING = {
    "beschikking_plaats": "Lindelaan 12, Utrecht",
    "feiten_en_omstandigheden": "Mishandeling met letsel en bedreiging met de dood.",
    "contactverbod_namen": ["Demo Persoon B", "Demo C"],
    "mondeling_aangezegd": False,
}

# (region, variant, starter, start data, steps: element -> data, completed in order)
DEMO_CASES: list[tuple[str, str, str, dict[str, Any], list[tuple[str, dict[str, Any]]]]] = [
    ("basis", "wth-basis", "politie", household("Kastanjeplein 3, Utrecht", "DEF"), []),
    (
        "basis",
        "wth-basis",
        "politie",
        MELDING,
        [
            ("Task_toets", {"meerderjarig": True, "woonsituatie": "woont"}),
            ("Task_rihg_hulpofficier", RIHG),
            # A child in the household: Veilig Thuis is consulted before the decision (Wth 2(3)).
            ("Task_vt_raadplegen", {"bekend_bij_veilig_thuis": False, "advies_veilig_thuis": "Huisverbod aangewezen."}),
            ("Task_besluit_hovj_huisverbod", {"besluit": "opleggen"}),
            ("Task_beschikking", BESCHIKKING),
        ],
    ),
    ("pilot2", "v2-weegteam", "wijkteam", verzoek("Molenweg 8, Amersfoort", "GHI"), []),
    (
        "pilot3",
        "v3-termijnflex",
        "veilig_thuis",
        {**verzoek("Havenkade 21, Zwolle", "JKL"), "route": "acuut"},
        [
            ("Task_toets", {"meerderjarig": True, "woonsituatie": "anders_dan_incidenteel"}),
        ],
    ),
]


def seed_demo_cases(rt: Runtime) -> Iterator[str]:
    """Start the demo cases once; does nothing when the database already has cases."""
    with rt.sessions() as session:
        if session.scalar(select(func.count(Case.id))):
            yield "demozaken: er zijn al zaken, niets toegevoegd"
            return
        for region, variant, starter, data, steps in DEMO_CASES:
            user = get_user(session, f"{starter}.{region}")
            case_id = cases.start_case(
                session, rt.registry, rt.clock, region=region, variant=variant, data=data, user=user
            )
            for element, step_data in steps:
                if element == "Task_beschikking":  # imposed now: every term counts from this minute
                    step_data = {**step_data, "opgelegd_op": rt.clock.now().isoformat()}
                ready = [t for t in worklist.list_tasks(session, case_id=case_id) if t["element"] == element]
                if not ready:
                    raise ProcessError(
                        f"demozaak {case_id}: de stap '{element}' staat niet klaar; "
                        "pas engine/demo/demo_cases.py aan het model aan"
                    )
                task = ready[0]
                cases.complete_task(
                    session,
                    rt.registry,
                    rt.clock,
                    task_id=task["id"],
                    data=step_data,
                    user=get_user(session, f"{task['role']}.{region}"),
                )
            open_steps = ", ".join(t["title"] for t in worklist.list_tasks(session, case_id=case_id))
            yield f"demozaak {case_id} ({region}, {variant}): open: {open_steps}"

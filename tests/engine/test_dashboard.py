"""Dashboard figures equal a hand count: real cases driven through wth-basis and v2-weegteam, and
bulk-inserted rows with exactly known timestamps.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from engine.base.errors import InvalidInput
from engine.design.dashboard import COLUMNS, dashboard, figure_csv, figure_rows, parse_bound, rows_csv, spread
from engine.modeling.forms import FORMS_DIR
from engine.storage.tables import Case, CaseEvent, HumanTask, ModelVersion
from engine.workflow import worklist
from tests.conftest import START
from tests.processes.scenario import Scenario
from tests.processes.steps import MELDING, RIHG_LAAG, assess, decide, impose, issue, record, verzoek

H = timedelta(hours=1)
ZERO_COUNTS = {
    "started": 0,
    "started_acute": 0,
    "started_early": 0,
    "weegteam_accepted": 0,
    "weegteam_rejected": 0,
    "imposed": 0,
    "not_imposed": 0,
    "extended": 0,
    "withdrawn": 0,
    "suspended": 0,
    "ended_by_court": 0,
    "annulled_by_court": 0,
    "expired": 0,
    "violations": 0,
}


def seed_real_cases(rt, session) -> dict[str, int]:
    """Two regions, five cases; every step through the engine. Returns the case ids."""
    rt.registry.forms_dir = FORMS_DIR
    basis = Scenario(rt, session, "wth-basis", region="basis")
    pilot = Scenario(rt, session, "v2-weegteam", region="pilot2")
    ids = {"b1": basis.start("politie", MELDING)}  # 20:15
    rt.clock.advance(1.5 * H)
    impose(basis, afnemer="hulpofficier", decider="hulpofficier")  # imposed 21:45: 1.5 hours
    ids["b2"] = basis.start("politie", MELDING)
    rt.clock.advance(0.5 * H)
    assess(basis, RIHG_LAAG, afnemer="hulpofficier")
    decide(basis, "hulpofficier", besluit="niet_opleggen", advies="geen")
    basis.do("Task_melding_vt", {"melding_verstuurd_op": "2026-02-02T23:45:00+01:00"})  # not imposed: 0.5 hours

    ids["p1"] = pilot.start("wijkteam", verzoek(route="structureel", onderbouwing="Structurele zorgen."))
    pilot.do(
        "Task_wegen",
        {
            "weegteam_besluit": "afwijzen",
            "weegteam_afweging": "Onvoldoende.",
            "weegteam_advies": "Vrijwillige hulp via het wijkteam.",
        },
    )
    record(
        pilot,
        issue(pilot, "afwijzing_weegteam", "weegteam"),
        to="verzoeker",
        method="digitaal",
        by="weegteam",
        name="Wijkteam Utrecht-Noord",
    )
    pilot.do("Task_afwijzing", {"afwijzing_verzonden_op": "2026-02-03T10:00:00+01:00"})
    ids["p2"] = pilot.start("veilig_thuis", verzoek(route="structureel"))
    pilot.do("Task_wegen", {"weegteam_besluit": "toewijzen", "weegteam_afweging": "Patroon van geweld."})
    rt.clock.advance(H)
    impose(pilot, afnemer="veilig_thuis", decider="burgemeester")  # imposed after 1 hour
    ids["p3"] = pilot.start("politie", verzoek())  # acute, still open

    basis.case_id = ids["b1"]
    basis.advance(H)  # the mededeling was due two hours after the imposition: done half an hour late
    record(
        basis,
        issue(basis, "mededeling_burgemeester", "hulpofficier"),
        to="burgemeester",
        method="digitaal",
        by="hulpofficier",
        name="Burgemeester van Utrecht",
    )
    basis.do("Task_mededeling", {})
    basis.send(
        "overtreding_gemeld",
        "politie",
        {"overtreding_tijdstip": "2026-02-03T12:00:00+01:00", "overtreding_omschrijving": "Betrad de woning."},
    )
    basis.advance_to(START + 1.5 * H + timedelta(days=10))  # b1 expires after exactly 240 hours
    assert basis.milestones()[-1] == "huisverbod_verlopen"
    return ids


def hand_count_tasks(session, region: str) -> tuple[dict, dict]:
    """Deadlines and workload per role, counted in Python from the worklist API."""
    late: dict[str, list[int]] = {}
    load: dict[str, list[int]] = {}
    for state in ("ready", "completed", "cancelled"):
        for task in worklist.list_tasks(session, region=region, state=state, limit=10_000):
            if state == "completed":
                row = late.setdefault(task["role"], [0, 0, 0])
                row[0] += 1
                row[1] += task["due_at"] is not None
                row[2] += task["due_at"] is not None and task["completed_at"] > task["due_at"]
            row = load.setdefault(task["role"], [0, 0])
            row[0] += state == "completed"
            row[1] += state == "ready"
    return late, load


def test_figures_of_real_cases_equal_a_hand_count(rt, session):
    seed_real_cases(rt, session)
    now = rt.clock.now()
    data = dashboard(session, now=now)
    counts = {
        (r["region"], r["variant"]): {k: v for k, v in r.items() if k not in ("region", "variant")}
        for r in data["figures"]["counts"]
    }
    assert counts == {
        ("basis", "wth-basis"): {
            **ZERO_COUNTS,
            "started": 2,
            "started_acute": 2,
            "imposed": 1,
            "not_imposed": 1,
            "violations": 1,
            "expired": 1,
        },
        ("pilot2", "v2-weegteam"): {
            **ZERO_COUNTS,
            "started": 3,
            "started_acute": 1,
            "started_early": 2,
            "weegteam_accepted": 1,
            "weegteam_rejected": 1,
            "imposed": 1,
        },
    }
    durations = {(r["region"], r["interval"]): r for r in data["figures"]["durations"]}
    assert durations[("basis", "request_to_decision")] == {
        "region": "basis",
        "variant": "wth-basis",
        "interval": "request_to_decision",
        "n": 2,
        "min_hours": 0.5,
        "p25_hours": 0.75,
        "median_hours": 1.0,
        "p75_hours": 1.25,
        "max_hours": 1.5,
    }
    assert (
        durations[("basis", "imposition_to_end")]["n"],
        durations[("basis", "imposition_to_end")]["median_hours"],
    ) == (1, 240.0)
    assert (
        durations[("pilot2", "request_to_decision")]["n"],
        durations[("pilot2", "request_to_decision")]["median_hours"],
    ) == (1, 1.0)
    assert durations[("pilot2", "imposition_to_end")]["n"] == 0
    assert durations[("pilot2", "imposition_to_end")]["median_hours"] is None

    for region in ("basis", "pilot2"):
        late, load = hand_count_tasks(session, region)
        deadlines = {
            r["role"]: [r["completed"], r["with_deadline"], r["late"]]
            for r in data["figures"]["deadlines"]
            if r["region"] == region
        }
        assert deadlines == late and deadlines
        workload = {
            r["role"]: [r["completed"], r["open"]] for r in data["figures"]["workload"] if r["region"] == region
        }
        assert workload == {role: v for role, v in load.items() if any(v)}
    # Besides the one before, the first case's toets: done 1.5 hours after the melding, its behandeltermijn is PT1H.
    assert [(r["region"], r["role"], r["late"]) for r in data["figures"]["deadlines"] if r["late"]] == [
        ("basis", "hulpofficier", 2)
    ]

    # A later period: only what happened in it.
    later = dashboard(session, now=now, start=START + timedelta(days=1), end=now + H)
    later_counts = {r["region"]: r for r in later["figures"]["counts"]}
    assert later_counts["basis"]["started"] == 0 and later_counts["basis"]["expired"] == 1
    assert later_counts["basis"]["imposed"] == 0 and later_counts["pilot2"]["imposed"] == 0
    later_durations = {(r["region"], r["interval"]): r["n"] for r in later["figures"]["durations"]}
    assert later_durations == {
        ("basis", "request_to_decision"): 0,
        ("basis", "imposition_to_end"): 1,
        ("pilot2", "request_to_decision"): 0,
        ("pilot2", "imposition_to_end"): 0,
    }
    only_pilot = figure_rows(session, "counts", now=now, region="pilot2")
    assert [r["region"] for r in only_pilot] == ["pilot2"]


def _bulk_seed(session) -> None:
    """Region pilot4, variant 'synthetisch': rows with exactly known instants."""
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    version = ModelVersion(
        region="pilot4",
        variant="synthetisch",
        version=1,
        sha256="0" * 64,
        main_process="x",
        created_at=t0,
        created_by="test",
    )
    session.add(version)
    session.flush()
    routes = ["structureel", "acuut", "structureel", "acuut", None]
    decisions = [1, 2, 3, 4, 10]  # hours from request to decision
    for n, (route, hours) in enumerate(zip(routes, decisions)):
        start = t0 + n * H
        case = Case(
            region="pilot4",
            variant="synthetisch",
            model_version_id=version.id,
            status="active",
            workflow_json="{}",
            serializer_version="synthetisch",
            started_at=start,
            started_by="test",
            updated_at=start,
        )
        session.add(case)
        session.flush()
        detail = json.dumps({"model_version": 1, "rol": "politie", **({"route": route} if route else {})})
        decided = "huisverbod_opgelegd" if n % 2 == 0 else "huisverbod_niet_opgelegd"
        session.add_all(
            [
                CaseEvent(case_id=case.id, region="pilot4", actor="a", action="zaak_gestart", at=start, detail=detail),
                CaseEvent(
                    case_id=case.id,
                    region="pilot4",
                    actor="a",
                    action="mijlpaal",
                    milestone="verzoek_ontvangen",
                    at=start,
                ),
                CaseEvent(
                    case_id=case.id,
                    region="pilot4",
                    actor="a",
                    action="mijlpaal",
                    milestone=decided,
                    at=start + hours * H,
                ),
            ]
        )
        tasks = [  # (role, state, created, due, completed)
            ("politie", "completed", start, start + 2 * H, start + H),  # in time
            ("politie", "completed", start, start + 2 * H, start + 3 * H),  # late
            ("burgemeester", "completed", start, None, start + 5 * H),  # no deadline
            ("burgemeester", "ready", start, start + 50 * H, None),  # open, overdue after 50 hours
            ("veilig_thuis", "cancelled", start, None, start + H),  # dropped: neither done nor open
        ]
        for m, (role, state, created, due, completed) in enumerate(tasks):
            session.add(
                HumanTask(
                    id=f"t-{case.id}-{m}",
                    case_id=case.id,
                    region="pilot4",
                    role=role,
                    element="E",
                    title="T",
                    state=state,
                    created_at=created,
                    due_at=due,
                    completed_at=completed,
                )
            )
    session.commit()


def test_bulk_rows_give_exact_figures_and_csv(session):
    _bulk_seed(session)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    now = t0 + 100 * H
    [counts] = figure_rows(session, "counts", now=now, region="pilot4")
    assert counts == {
        "region": "pilot4",
        "variant": "synthetisch",
        **ZERO_COUNTS,
        "started": 5,
        "started_acute": 3,
        "started_early": 2,
        "imposed": 3,
        "not_imposed": 2,
    }
    [request, imposition] = figure_rows(session, "durations", now=now, region="pilot4")
    assert request == {
        "region": "pilot4",
        "variant": "synthetisch",
        "interval": "request_to_decision",
        "n": 5,
        "min_hours": 1.0,
        "p25_hours": 2.0,
        "median_hours": 3.0,
        "p75_hours": 4.0,
        "max_hours": 10.0,
    }
    assert imposition["n"] == 0
    assert figure_rows(session, "deadlines", now=now, region="pilot4") == [
        {
            "region": "pilot4",
            "variant": "synthetisch",
            "role": "burgemeester",
            "completed": 5,
            "with_deadline": 0,
            "late": 0,
            "late_share": None,
        },
        {
            "region": "pilot4",
            "variant": "synthetisch",
            "role": "politie",
            "completed": 10,
            "with_deadline": 10,
            "late": 5,
            "late_share": 0.5,
        },
    ]
    # At t0 + 52h the first three cases' open tasks are overdue (due at +50h, +51h, +52h exclusive).
    workload = figure_rows(session, "workload", now=now, region="pilot4", end=t0 + 52 * H)
    assert workload == [
        {
            "region": "pilot4",
            "variant": "synthetisch",
            "role": "burgemeester",
            "completed": 5,
            "open": 5,
            "open_overdue": 2,
        },
        {
            "region": "pilot4",
            "variant": "synthetisch",
            "role": "politie",
            "completed": 10,
            "open": 0,
            "open_overdue": 0,
        },
    ]
    # Tasks completed after the end of the period still count as open then.
    early = figure_rows(session, "workload", now=now, region="pilot4", end=t0 + 1.5 * H)
    assert [(r["role"], r["completed"], r["open"]) for r in early] == [
        ("burgemeester", 0, 4),
        ("politie", 1, 3),
        ("veilig_thuis", 0, 1),
    ]

    assert figure_csv(session, "deadlines", now=now, region="pilot4") == (
        "region,variant,role,completed,with_deadline,late,late_share\r\n"
        "pilot4,synthetisch,burgemeester,5,0,0,\r\n"
        "pilot4,synthetisch,politie,10,10,5,0.5\r\n"
    )
    in_march = figure_rows(
        session,
        "counts",
        now=now,
        region="pilot4",
        start=parse_bound("2026-03-02"),
        end=parse_bound("2026-03-02T10:30:00+01:00"),
    )
    assert (in_march[0]["started"], in_march[0]["imposed"]) == (2, 1)  # 08:00 and 09:00 UTC; 09:00 + 1h decided


def test_spread_and_csv_details():
    assert spread([]) == {"n": 0, "min": None, "p25": None, "median": None, "p75": None, "max": None}
    assert spread([7.0]) == {"n": 1, "min": 7.0, "p25": 7.0, "median": 7.0, "p75": 7.0, "max": 7.0}
    assert spread([4, 1, 3, 2]) == {"n": 4, "min": 1, "p25": 1.75, "median": 2.5, "p75": 3.25, "max": 4}
    text = rows_csv(
        "workload",
        [{"region": "basis", "variant": "=HYPERLINK(1)", "role": "om", "completed": 1, "open": 0, "open_overdue": 0}],
    )
    assert text.splitlines()[1] == "basis,'=HYPERLINK(1),om,1,0,0"
    assert parse_bound("2026-07-01") == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # midnight in Amsterdam (CEST)
    assert parse_bound(None) is None


def test_csv_columns_are_a_fixed_file_format():
    """The CSV headers are the keys of the row types (engine.design.read_models), in order: pinned here, so
    reordering or renaming a key of a row type shows up as a change of the download's format."""
    assert COLUMNS == {
        "counts": ("region", "variant", *ZERO_COUNTS),
        "durations": (
            "region",
            "variant",
            "interval",
            "n",
            "min_hours",
            "p25_hours",
            "median_hours",
            "p75_hours",
            "max_hours",
        ),
        "deadlines": ("region", "variant", "role", "completed", "with_deadline", "late", "late_share"),
        "workload": ("region", "variant", "role", "completed", "open", "open_overdue"),
    }


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"figure": "bestaat_niet"}, "figuur"),
        ({"region": "atlantis"}, "regio"),
        ({"start": datetime(2026, 2, 2, tzinfo=UTC), "end": datetime(2026, 2, 1, tzinfo=UTC)}, "vóór"),
    ],
)
def test_bad_requests_are_refused(session, kwargs, fragment):
    kwargs = dict(kwargs)
    figure = kwargs.pop("figure", "counts")
    with pytest.raises(InvalidInput, match=fragment):
        figure_rows(session, figure, now=START, **kwargs)
    with pytest.raises(InvalidInput, match="datum"):
        parse_bound("gisteren")

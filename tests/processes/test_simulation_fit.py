"""The simulated baseline beside the observed figures of the region's real cases (issue 18, item 2): a region
sees how well the profile fits what its own cases did."""

from __future__ import annotations

from engine.simulation.service import simulate
from tests.processes.scenario import Scenario
from tests.processes.steps import MELDING, RIHG_LAAG, assess, decide, impose


def test_the_fit_puts_the_real_cases_figures_beside_the_simulated_ones(rt, session):
    s = Scenario(rt, session, "wth-basis")
    s.start("politie", MELDING)  # the first case: imposed
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    s.start("politie", MELDING)  # the second: low risk, no ban
    assess(s, RIHG_LAAG, afnemer="hulpofficier")
    decide(s, "hulpofficier", besluit="niet_opleggen", advies="geen")

    result = simulate(region="basis", variants=[], cases=20, seed=3, session=session, registry=rt.registry)
    fit = {row["figure"]: row for row in result.fit}
    # Two real baseline cases started, one imposed: observed 0.5 on 2 cases; the simulated share is the model's.
    assert (fit["share_imposed"]["observed"], fit["share_imposed"]["observed_cases"]) == (0.5, 2)
    assert fit["share_extended"]["observed_cases"] == 1 and fit["share_extended"]["observed"] == 0.0
    simulated = {r["figure"]: r["share"] for r in result.variants[0].per_year}["imposed"]
    assert fit["share_imposed"]["simulated"] == round(simulated, 3) and 0 < simulated <= 1

"""run_engine_steps does what SpiffWorkflow's do_engine_steps does, on the real baseline chain.

At every act of a long case (toets to the eighth violation, with the timers that fire on the
way), the stored state is loaded twice, the same task is completed in both with the same data
at the same instant, and one copy runs SpiffWorkflow's loop, the other ours: the resulting task
trees (spec, state and data of every task, in SpiffWorkflow's own walk order) are the same.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.base.clock import engine_time
from engine.modeling.engine_steps import run_engine_steps
from engine.modeling.serialization import load_workflow
from engine.storage.tables import Case
from tests.processes import steps
from tests.processes.scenario import Scenario


def _shape(workflow: BpmnWorkflow) -> list[tuple[str, int, Any]]:
    return [(t.task_spec.name, t.state, t.data) for t in workflow.get_tasks()]


class Compared(Scenario):
    """A scenario that, before each completion, runs it both ways on the stored state and compares."""

    compared = 0

    def _both(self, act) -> None:
        case = self.session.get(Case, self.case_id)
        self.session.refresh(case)
        model = self.rt.registry.model(self.session, case.model_version_id)
        theirs, ours = load_workflow(case.workflow_json, model), load_workflow(case.workflow_json, model)
        with engine_time(self.clock):
            act(theirs)
            theirs.do_engine_steps()
            act(ours)
            run_engine_steps(ours)
        assert _shape(ours) == _shape(theirs)
        Compared.compared += 1

    def do(self, element: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        task_id = UUID(self.task(element)["id"])

        def complete(workflow: BpmnWorkflow) -> None:
            task = workflow.get_task_from_id(task_id)
            task.data.update(data or {})
            task.run()

        self._both(complete)
        return super().do(element, data)

    def advance(self, delta: timedelta) -> int:
        self.clock.set(self.clock.now() + delta)
        self._both(lambda workflow: workflow.refresh_timers())
        self.clock.set(self.clock.now() - delta)
        return super().advance(delta)


@pytest.fixture
def s(rt, session) -> Compared:
    return Compared(rt, session, "wth-basis")


def test_our_engine_steps_leave_the_same_tree_as_spiffworkflows(s):
    s.start("politie", steps.MELDING)
    steps.impose(s, afnemer="hulpofficier", decider="hulpofficier")
    steps.serve_and_notify(s)
    steps.help_without_children(s)
    s.advance(timedelta(days=7, hours=12))  # the reminder to decide on an extension fires
    steps.extend(s, 18)
    for number in range(1, 9):
        s.advance(timedelta(hours=6))
        melding = {"overtreding_tijdstip": s.clock.now().isoformat(), "overtreding_omschrijving": "Weer in de woning."}
        s.send("overtreding_gemeld", "politie", melding)
        pv = {"aangehouden": True, "pv_nummer": f"PL0900-2026-{number}", "kennis_van_huisverbod": "uitreiking_getekend"}
        s.do("Task_pv", pv)
        zsm = {"zsm_afdoening": "voorgeleiden", "gedragsaanwijzing_overwogen": True, "gedragsaanwijzing_soort": "geen"}
        s.do("Task_zsm_afdoening", zsm)
    s.advance(timedelta(days=30))  # the extended ban ends
    assert Compared.compared > 30

"""A driver for scenario tests: deploy a real variant, act as each organisation, fast-forward the clock.

Every step goes through the engine exactly as the web and CLI do; the driver
only finds the right task and the user with the right role.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from engine.accounts.users import add_user
from engine.base.clock import FixedClock
from engine.base.vocabulary import ROLES
from engine.cases import operations as cases
from engine.modeling.bundle import collect_bundle
from engine.modeling.registry import deploy_bundle
from engine.runtime import Runtime
from engine.storage.tables import Case
from engine.workflow import timers, worklist

PROCESSES = Path(__file__).resolve().parents[2] / "processes"


class Scenario:
    def __init__(self, rt: Runtime, session: Session, variant: str, region: str = "basis"):
        self.rt, self.session, self.variant, self.region = rt, session, variant, region
        assert isinstance(rt.clock, FixedClock)
        self.clock: FixedClock = rt.clock
        deploy_bundle(
            session,
            rt.registry,
            collect_bundle(PROCESSES / variant),
            region=region,
            variant=variant,
            actor="test",
            now=self.clock.now(),
        )
        self.users = {}
        for role in ROLES:
            if role.works_cases:
                self.users[role.code], _ = add_user(
                    session,
                    f"{role.code}.{region}",
                    [role.code],
                    [region],
                    password="scenario-wachtwoord",
                    now=self.clock.now(),
                )
        self.case_id: int | None = None

    # --- acting -------------------------------------------------------------
    def start(self, role: str, data: dict[str, Any]) -> int:
        self.case_id = cases.start_case(
            self.session,
            self.rt.registry,
            self.clock,
            region=self.region,
            variant=self.variant,
            data=data,
            user=self.users[role],
        )
        return self.case_id

    def tasks(self) -> list[dict[str, Any]]:
        return worklist.list_tasks(self.session, case_id=self.case_id)

    def task(self, element: str) -> dict[str, Any]:
        matches = [t for t in self.tasks() if t["element"] == element]
        assert len(matches) == 1, f"{element} not ready; ready: {[t['element'] for t in self.tasks()]}"
        return matches[0]

    def has_task(self, element: str) -> bool:
        return any(t["element"] == element for t in self.tasks())

    def do(self, element: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Complete the ready task ``element`` as a user of its role; returns the task row."""
        task = self.task(element)
        cases.complete_task(
            self.session,
            self.rt.registry,
            self.clock,
            task_id=task["id"],
            data=data or {},
            user=self.users[task["role"]],
        )
        return task

    def send(self, message: str, role: str, data: dict[str, Any] | None = None) -> None:
        cases.send_message(
            self.session,
            self.rt.registry,
            self.clock,
            case_id=self.case_id,
            message=message,
            data=data or {},
            user=self.users[role],
        )

    def advance(self, delta: timedelta) -> int:
        """Move the clock and fire what is due; returns the number of timers fired."""
        return self.advance_to(self.clock.now() + delta)

    def advance_to(self, instant: datetime) -> int:
        """Move the clock to ``instant`` the way a running server would live through it.

        Each due timer fires at its own instant, in order, as the sweep does every few seconds;
        jumping over several at once would fire them together.
        """
        fired = 0
        while True:
            due = self.next_timer() if self.case_id else None
            if due is None or due > instant:
                break
            self.clock.set(max(due, self.clock.now()))
            step = timers.fire_due_timers(self.session, self.rt.registry, self.clock)
            fired += step
            if step == 0:
                break
        self.clock.set(instant)
        return fired + timers.fire_due_timers(self.session, self.rt.registry, self.clock)

    def next_timer(self) -> datetime | None:
        case = self.session.get(Case, self.case_id)
        self.session.refresh(case)
        return case.next_timer_at

    # --- observing ----------------------------------------------------------
    def case(self) -> dict[str, Any]:
        return cases.case_details(self.session, self.rt.registry, self.case_id)

    def milestones(self) -> list[str]:
        return [m["name"] for m in self.case()["milestones"]]

    def var(self, name: str) -> Any:
        return self.case()["variables"].get(name)

    def completed_by_role(self) -> dict[str, list[str]]:
        """Which organisation completed which steps, from the worklist."""
        done: dict[str, list[str]] = {}
        for task in worklist.list_tasks(self.session, case_id=self.case_id, state="completed"):
            done.setdefault(task["role"], []).append(task["element"])
        return done

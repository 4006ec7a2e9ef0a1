"""The regiehouder (Leidraad principle 10): one organisation stays responsible after the ban, chosen per case, and
does the check-ins of the monitoring (the lane "Regiehouder" of common/monitoring.bpmn)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine.base.errors import Forbidden
from engine.cases import operations as cases
from engine.storage.tables import HumanTask
from engine.workflow import state as ws
from tests.processes.scenario import Scenario
from tests.processes.steps import to_monitoring

CHECKIN = {"checkin_notitie": "Rustig.", "veiligheid_in_geding": False}


def _until_first_checkin(rt, session, regiehouder: str) -> Scenario:
    s = to_monitoring(rt, session, regiehouder)
    while not s.has_task("Task_checkin"):
        s.advance_to(s.next_timer())
    return s


@pytest.mark.parametrize("regiehouder", ["wijkteam", "jeugdbescherming"])
def test_the_checkin_goes_to_the_organisation_named_regiehouder(rt, session, regiehouder):
    s = _until_first_checkin(rt, session, regiehouder)
    task = s.task("Task_checkin")
    assert task["role"] == regiehouder
    row = session.get(HumanTask, task["id"])
    assert (row.role, row.region) == (regiehouder, "basis")  # its worklist, and its mails
    with pytest.raises(Forbidden):  # hulpverlening did the check-ins before; not of this case
        cases.complete_task(
            session, rt.registry, s.clock, task_id=task["id"], data=CHECKIN, user=s.users["hulpverlening"]
        )
    s.do("Task_checkin", CHECKIN)  # as a user of the regiehouder's role
    assert not s.has_task("Task_checkin")


def _task(lane: str, data: dict) -> SimpleNamespace:
    return SimpleNamespace(task_spec=SimpleNamespace(lane=lane), data=data)


@pytest.mark.parametrize(
    ("lane", "data", "role"),
    [
        ("Regiehouder", {"regiehouder": "wijkteam"}, "wijkteam"),
        ("regiehouder", {"regiehouder": "veilig_thuis"}, "veilig_thuis"),
        # No role named (yet), or text from before it was a choice, or a role that works no cases: the
        # burgemeester, who names the regiehouder, has the task instead of nobody.
        ("Regiehouder", {}, "burgemeester"),
        ("Regiehouder", {"regiehouder": "Wijkteam Noord"}, "burgemeester"),
        ("Regiehouder", {"regiehouder": "beheerder"}, "burgemeester"),
        ("Regiehouder", {"regiehouder": ["wijkteam"]}, "burgemeester"),
        ("Hulpverlening", {"regiehouder": "wijkteam"}, "hulpverlening"),  # a lane of a fixed role stays its own
        ("Onbekend", {}, ""),
    ],
)
def test_the_role_of_a_task_in_a_party_lane(lane, data, role):
    assert ws.task_role(_task(lane, data)) == role


def test_every_role_that_may_check_in_is_known_to_the_visibility_rules():
    """Who may fill in a form of a party lane: the roles its variable's form offers, and the fallback."""
    import json

    from engine.base.paths import FORMS_DIR

    forms = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in FORMS_DIR.glob("*.schema.json")}
    assert ws.lane_roles(forms, "Regiehouder") == {
        "veilig_thuis", "wijkteam", "hulpverlening", "jeugdbescherming", "vrouwenopvang", "burgemeester",
    }  # fmt: skip
    assert ws.lane_roles(forms, "Veilig Thuis") == {"veilig_thuis"} and ws.lane_roles(forms, "Onbekend") == set()

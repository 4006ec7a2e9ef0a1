"""The visibility rules of engine/workflow/visibility.py, enforced on the web pages and in the API (the rules
themselves: tests/processes/test_visibility_rules.py)."""

from __future__ import annotations

import pytest

from tests.web.conftest import bearer, login

POLICE_FACT = "HKS-registratie geweld 2024"  # in RIHG indicator 1a (politiegegevens)
CARE_NOTE = "Zorgnotitie: partner wil hulp"


@pytest.fixture
def imposed_case(api) -> int:
    case_id = api.start()
    api.to_imposed(case_id)
    outreach = api.task("hv", case_id, "Task_outreach")
    api.complete(
        "hv",
        outreach["id"],
        {"contact_uithuisgeplaatste": True, "contact_achterblijvers": True, "outreach_notitie": CARE_NOTE},
    )
    return case_id


def glass(app, user: str, case_id: int) -> None:
    """Break the glass as ``user`` (need-to-know: engine.workflow.need_to_know)."""
    from engine.accounts.users import get_user
    from engine.workflow.need_to_know import break_the_glass
    from web.extensions import db

    with app.app_context():
        break_the_glass(
            db.session(),
            case_id,
            get_user(db.session(), user),
            "test: inzage voor de test",
            app.extensions["thv"].clock.now(),
        )


def _api_variables(client, tokens, user, case_id):
    return client.get(f"/api/v1/cases/{case_id}", headers=bearer(tokens[user])).json["variables"]


def test_api_case_is_filtered_per_role(app, client, tokens, imposed_case):
    # The OM has no task, party role or document in this case before ZSM: need-to-know refuses it.
    assert client.get(f"/api/v1/cases/{imposed_case}", headers=bearer(tokens["ovj"])).status_code == 403
    glass(app, "ovj", imposed_case)
    full = _api_variables(client, tokens, "hovj", imposed_case)
    assert full["rihg_resultaat"]["uitkomst"]["persoon"]["1a"]["toelichting"] == POLICE_FACT
    for user in ("vt", "hv"):
        seen = _api_variables(client, tokens, user, imposed_case)
        assert "1a" not in seen["rihg_resultaat"]["uitkomst"].get("persoon", {}), user
        assert seen["outreach_notitie"] == CARE_NOTE and seen["huisverbod"]["status"] == "opgelegd"
    om = _api_variables(client, tokens, "ovj", imposed_case)
    assert om["rihg_resultaat"]["uitkomst"]["persoon"]["1a"] and "outreach_notitie" not in om
    assert _api_variables(client, tokens, "ontwerper", imposed_case) == {}
    assert _api_variables(client, tokens, "pol_vt", imposed_case) == full


def test_api_task_detail_is_filtered(client, api, tokens, imposed_case):
    task = api.tasks("hv", imposed_case)[0]
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=bearer(tokens["hv"])).json
    assert POLICE_FACT not in str(detail) and detail["case"]["variables"]["outreach_notitie"] == CARE_NOTE


@pytest.mark.parametrize(
    "user, sees_police_data, sees_care_note",
    [
        ("hovj", True, True),
        ("bm", True, True),
        ("pol", True, True),
        ("vt", False, True),
        ("hv", False, True),
        ("ovj", True, False),
        ("ontwerper", False, False),
    ],
)
def test_case_page_is_filtered_per_role(app, client, imposed_case, user, sees_police_data, sees_care_note):
    if user == "ovj":
        glass(app, user, imposed_case)
    login(client, user)
    page = client.get(f"/zaken/{imposed_case}").get_data(as_text=True)
    assert (POLICE_FACT in page) is sees_police_data
    assert (CARE_NOTE in page) is sees_care_note


def test_task_page_is_filtered(client, api, imposed_case):
    tasks = api.tasks("hv", imposed_case)
    assert tasks, "hulpverlening has a task after the outreach"
    login(client, "hv")
    page = client.get(f"/taken/{tasks[0]['id']}").get_data(as_text=True)
    assert POLICE_FACT not in page and CARE_NOTE in page

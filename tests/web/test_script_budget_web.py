"""A designer's hostile expression in "Controleren" is stopped at its budget and holds nobody else up."""

from __future__ import annotations

import threading
import time

from tests.web.conftest import csrf_token, login
from tests.web.designer_helpers import BASIS, MAIN, ORIGINAL, designers  # noqa: F401 - the designers fixture

EXPRESSION = 'termijn_einde(huisverbod["laatste_beschikking_op"], "P5Y")'


def test_a_hostile_timer_expression_is_stopped_while_others_are_served(app, client):
    assert EXPRESSION in ORIGINAL
    hostile = ORIGINAL.replace(EXPRESSION, "str(sum(range(10**11)))", 1)
    login(client, "ontwerper_beide")
    token = csrf_token(client, f"/ontwerp/versies/{BASIS}/modeller")
    caseworker = app.test_client()
    login(caseworker, "pol")
    answers: list = []

    def check() -> None:
        answers.append(
            client.post(
                f"/ontwerp/versies/{BASIS}/controleren",
                json={"file": MAIN, "xml": hostile},
                headers={"X-CSRFToken": token},
            )
        )

    began = time.monotonic()
    checking = threading.Thread(target=check)
    checking.start()
    time.sleep(0.2)  # the check is inside its runner now
    served = time.monotonic()
    assert caseworker.get("/").status_code == 200
    assert time.monotonic() - served < 1
    checking.join(timeout=15)
    assert time.monotonic() - began < 10
    [response] = answers
    findings = response.get_json()["findings"]
    assert response.status_code == 200 and any("is gestopt" in f["message"] for f in findings), findings


def test_the_version_page_lists_parked_cases_with_their_element(app, client, case_id):
    from engine.storage.tables import Case
    from engine.workflow.parking import park_case
    from web.extensions import db

    with app.app_context():
        case = db.session.get(Case, case_id)
        version_id = case.model_version_id
        assert park_case(
            db.session(),
            case_id,
            case.lock_version,
            "het script gebruikte te veel rekentijd",
            case.updated_at,
            "Script_x",
            budget=True,
        )
    login(client, "ontwerper_beide")
    page = client.get(f"/ontwerp/versies/{version_id}").get_data(as_text=True)
    parked = page.split('data-testid="parked"', 1)[1].split("</section>", 1)[0]
    assert str(case_id) in parked and "Script_x" in parked and "te veel rekentijd" in parked


def test_a_parked_case_with_a_model_error_shows_the_designer_no_case_data(app, client, case_id):
    from engine.storage.tables import Case
    from engine.workflow.parking import UNSPECIFIED, park_case
    from web.extensions import db

    with app.app_context():
        case = db.session.get(Case, case_id)
        version_id = case.model_version_id
        message = "de timer liep vast: invalid literal for int(): 'Jan Jansen'"  # model code quoting case data
        assert park_case(db.session(), case_id, case.lock_version, message, case.updated_at, "Timer_x")
    login(client, "ontwerper_beide")
    parked = client.get(f"/ontwerp/versies/{version_id}").get_data(as_text=True).split('data-testid="parked"', 1)[1]
    parked = parked.split("</section>", 1)[0]
    assert "Timer_x" in parked and UNSPECIFIED.split(";")[0] in parked and "Jan Jansen" not in parked

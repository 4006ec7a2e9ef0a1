"""A busy database is a conflict, not a crash: a claim on a locked SQLite file is a 409 in the API
and on the web, and nothing is stored. The lock is real (a second sqlite3 connection holds
the write lock); the app's connections wait only briefly for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import short_busy_timeout, sqlite_write_lock
from tests.web.conftest import bearer, login, post_form


@pytest.fixture
def db_file(app) -> Path:
    from web.extensions import db

    with app.app_context():
        short_busy_timeout(db.engine)
        return Path(db.engine.url.database)


@pytest.fixture
def task(api, case_id) -> dict:
    return api.task("hovj", case_id, "Task_toets")  # also the token's first use, which writes


def test_a_claim_through_the_api_on_a_locked_database_is_409(client, api, tokens, db_file, task):
    with sqlite_write_lock(db_file):
        response = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(tokens["hovj"]))
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.json["error"] == "conflict" and "in gebruik" in response.json["detail"]
    assert api.task("hovj", task["case_id"])["claimed_by"] is None
    # Once the lock is gone, the same request goes through.
    response = client.post(f"/api/v1/tasks/{task['id']}/claim", headers=bearer(tokens["hovj"]))
    assert response.status_code == 200 and response.json["claimed_by"] == "hovj"


def test_a_claim_on_the_web_on_a_locked_database_is_409(client, api, db_file, task):
    login(client, "hovj")
    with sqlite_write_lock(db_file):
        response = post_form(client, f"/taken/{task['id']}/claimen", page="/")
    assert response.status_code == 409
    assert "in gebruik" in response.get_data(as_text=True)
    assert api.task("hovj", task["case_id"])["claimed_by"] is None

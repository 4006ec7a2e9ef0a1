"""A database outage (issue 13, bad input): 503s in Dutch while it lasts, nothing half-written, and recovery by itself.

A PostgreSQL server of its own (the shared test server must stay up for the other tests) is
stopped as a crash would stop it, and started again; the app is not restarted in between.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from engine.base.clock import FixedClock
from engine.storage.db import make_engine, stamp_schema
from engine.storage.tables import Base
from tests import pg_server
from tests.web.conftest import START, csrf_token
from web import create_app


@pytest.fixture
def own_postgres() -> Iterator[pg_server.PostgresServer]:
    if not pg_server.available():
        if os.environ.get("THV_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL binaries are missing (make postgres)")
        pytest.skip("PostgreSQL binaries are missing")
    server = pg_server.PostgresServer()
    admin = create_engine(server.start(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE thv_outage"))
    admin.dispose()
    try:
        yield server
    finally:
        server.stop()


def test_while_the_database_is_away_pages_and_api_answer_503_and_afterwards_all_works_again(own_postgres, web_template):
    url = own_postgres.url("thv_outage")
    schema = make_engine(url)
    Base.metadata.create_all(schema)
    stamp_schema(schema)
    schema.dispose()
    app = create_app(
        {
            "TESTING": True,
            "THV_MODE": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "THV_REGISTRY": web_template["registry"],
            "THV_CLOCK_OBJECT": FixedClock(START),
            "SECRET_KEY": "test",
        }
    )
    client = app.test_client()
    assert client.get("/health/ready").status_code == 200
    assert client.get("/inloggen").status_code == 200

    form = {"name": "pol", "password": "x", "csrf_token": csrf_token(client)}
    own_postgres.pause()
    login = client.post("/inloggen", data=form)  # looks the user up: a page on the database
    api = client.get("/api/v1/tasks", headers={"Authorization": "Bearer thv_onbekend"})
    ready = client.get("/health/ready")
    assert client.get("/health/live").status_code == 200  # the process itself lives on
    own_postgres.resume()

    assert ready.status_code == 503 and ready.json["database"] == "onbereikbaar"
    for response in (login, api):
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert "De database is even niet bereikbaar; er is niets gewijzigd." in login.get_data(as_text=True)
    assert api.json["error"] == "niet_beschikbaar" and "niets gewijzigd" in api.json["detail"]
    # Back, without restarting the app: the pool throws away the dead connections by itself.
    assert client.get("/health/ready").status_code == 200
    answered = client.post("/inloggen", data=form)
    assert answered.status_code == 401  # a wrong password, said in Dutch: the database answered
    with app.app_context():
        from web.extensions import db

        db.engine.dispose()

"""A Flask app on in-memory SQLite with the sample model deployed and users per role."""
from __future__ import annotations

import base64

import pytest

from engine.clock import FixedClock
from engine.registry import ModelRegistry, deploy_bundle
from engine.users import add_user
from tests.conftest import PASSWORD, START, TEST_FORMS
from web import create_app
from web.extensions import db

USERS = {"pol": ("politie", "basis"), "bm": ("burgemeester", "basis"), "hovj": ("hulpofficier", "basis"),
         "ovj": ("om", "basis"), "pol_elders": ("politie", "pilot1")}


@pytest.fixture
def app(sample_files):
    clock = FixedClock(START)
    app = create_app({"TESTING": True, "THV_MODE": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "THV_REGISTRY": ModelRegistry(TEST_FORMS), "THV_CLOCK_OBJECT": clock,
                      "SECRET_KEY": "test"})
    with app.app_context():
        db.create_all()
        registry = app.extensions["thv"].registry
        deploy_bundle(db.session, registry, sample_files, region="basis", variant="sample", actor="test",
                      now=clock.now())
        for name, (role, region) in USERS.items():
            add_user(db.session, name, [role], [region], password=PASSWORD, now=clock.now())
        db.session.remove()
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


def basic(name: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}

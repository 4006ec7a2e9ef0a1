"""The engine functions behind the pages (claims, worklist filters, read models, API tokens), on SQLite
and PostgreSQL, with the small sample model.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.accounts import api_tokens
from engine.accounts.users import add_user
from engine.base.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.cases import case_view
from engine.cases import operations as cases
from engine.storage.tables import ApiToken, CaseEvent
from engine.workflow import worklist
from tests.conftest import PASSWORD


@pytest.fixture
def started(session, rt, deployed, people) -> int:
    return cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])


@pytest.fixture
def colleague(session, clock):
    return add_user(session, "pol2", ["politie"], ["basis"], password=PASSWORD, now=clock.now())[0]


def test_claims(session, rt, started, people, colleague):
    [task] = worklist.list_tasks(session, case_id=started)
    claimed = worklist.claim_task(session, task["id"], user=people["pol"], now=rt.clock.now())
    assert claimed["claimed_by"] == "pol"
    assert worklist.claim_task(session, task["id"], user=people["pol"], now=rt.clock.now())["claimed_by"] == "pol"
    with pytest.raises(Conflict):
        worklist.claim_task(session, task["id"], user=colleague, now=rt.clock.now())
    with pytest.raises(Conflict):
        cases.complete_task(
            session,
            rt.registry,
            rt.clock,
            task_id=task["id"],
            data={"naam": "A", "ernst": 1},
            user=colleague,
            respect_claims=True,
        )
    with pytest.raises(Forbidden):
        worklist.release_task(session, task["id"], user=people["bm"], now=rt.clock.now())
    with pytest.raises(NotFound):
        worklist.claim_task(session, task["id"], user=people["pol_elders"], now=rt.clock.now())
    released = worklist.release_task(session, task["id"], user=colleague, now=rt.clock.now())
    assert released["claimed_by"] is None
    actions = session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == started).order_by(CaseEvent.id)).all()
    assert actions[-2:] == ["taak_geclaimd", "taak_vrijgegeven"]
    cases.complete_task(
        session,
        rt.registry,
        rt.clock,
        task_id=task["id"],
        data={"naam": "A", "ernst": 4},
        user=colleague,
        respect_claims=True,
    )
    with pytest.raises(Conflict):
        worklist.claim_task(session, task["id"], user=colleague, now=rt.clock.now())


def test_worklist_filters(session, rt, started, people):
    [task] = worklist.list_tasks(session, case_id=started)
    cases.complete_task(
        session, rt.registry, rt.clock, task_id=task["id"], data={"naam": "A", "ernst": 4}, user=people["pol"]
    )
    now = rt.clock.now()
    bm = people["bm"]
    assert [t["element"] for t in worklist.list_tasks(session, user=bm, due="week", now=now)] == ["Task_besluit"]
    assert worklist.list_tasks(session, user=bm, due="vandaag", now=now) == []  # due tomorrow 21:15
    assert worklist.list_tasks(session, user=bm, due="te_laat", now=now) == []
    assert worklist.list_tasks(session, user=bm, due="te_laat", now=now + timedelta(hours=25)) != []
    assert worklist.list_tasks(session, user=bm, element="Task_verzoek") == []
    assert worklist.list_tasks(session, user=bm, claimed="vrij") != []
    assert worklist.list_tasks(session, user=bm, claimed="mijn") == []
    assert worklist.task_steps(session, bm) == [{"element": "Task_besluit", "title": "Besluit burgemeester"}]
    for bad in (dict(due="ooit", now=now), dict(due="week"), dict(claimed="alle")):
        with pytest.raises(InvalidInput):
            worklist.list_tasks(session, user=bm, **bad)


def test_read_models(session, rt, started, people):
    page = case_view.case_page(session, rt.registry, started, people["pol"], rt.clock.now())
    assert page.diagram["active"] == ["Task_verzoek"] and "StartEvent_1" in page.diagram["completed"]
    assert 'id="sample_main"' in page.diagram["xml"]
    assert page.history[0]["action"] == "zaak_gestart" and page.events == []
    with pytest.raises(NotFound):
        case_view.case_page(session, rt.registry, started, people["pol_elders"], rt.clock.now())
    [task] = worklist.list_tasks(session, case_id=started)
    detail = case_view.task_page(session, rt.registry, task["id"], people["pol"], rt.clock.now())
    assert detail.schema["title"] == "Verzoek" and detail.case["id"] == started
    with pytest.raises(Forbidden):
        case_view.task_page(session, rt.registry, task["id"], people["bm"], rt.clock.now())
    options = case_view.startable_variants(session, rt.registry, people["pol"])
    assert [(o["variant"], o["default"]) for o in options] == [("sample", True)]
    assert case_view.start_option(session, rt.registry, people["pol"], "basis", None)["variant"] == "sample"


def test_api_tokens(session, rt, people):
    now = rt.clock.now()
    described, secret = api_tokens.create_token(
        session, people["pol"], name="koppeling", now=now, expires_at=now + timedelta(days=1)
    )
    assert described["state"] == "actief" and secret.startswith("thv_")
    assert session.scalars(select(ApiToken.token_hash)).one() != secret
    assert api_tokens.authenticate_token(session, secret, now).name == "pol"
    assert api_tokens.authenticate_token(session, secret, now + timedelta(days=2)) is None
    assert api_tokens.authenticate_token(session, secret + "x", now) is None
    with pytest.raises(NotFound):
        api_tokens.revoke_token(session, people["bm"], described["id"], now)
    api_tokens.revoke_token(session, people["pol"], described["id"], now)
    assert api_tokens.authenticate_token(session, secret, now) is None
    assert api_tokens.list_tokens(session, people["pol"], now)[0]["state"] == "ingetrokken"
    for name in ("", "x" * 81, "a\nb"):
        with pytest.raises(InvalidInput):
            api_tokens.create_token(session, people["pol"], name=name, now=now)

"""A task that waits for service (``requiresService``) says what is missing before it is sent, and the
read model behind that note agrees with the engine's refusal (engine.documents.service.require_service).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from engine.accounts.users import get_user
from engine.base.errors import Conflict
from engine.documents import service, service_view
from engine.storage.tables import Case
from engine.workflow.case_store import open_workflow
from engine.workflow.timers import fire_due_timers
from engine.workflow.worklist import get_task
from tests.web.conftest import login, post_form
from tests.web.document_steps import make_via_api, section, serve_via_api
from tests.web.test_visibility import glass
from web.extensions import db, thv


def _check_both(app, task_id: str, user_name: str) -> tuple[list[dict], bool]:
    """(the note's entries, whether the engine refuses completing) for one task, as ``user_name``."""
    with app.app_context():
        user = get_user(db.session, user_name)
        missing = service_view.missing_service_for_task(db.session, thv.ctx.registry, task_id, user)
        row = get_task(db.session, task_id, user)
        case = db.session.get(Case, row["case_id"])
        _, workflow = open_workflow(db.session, thv.ctx.registry, case)
        try:
            service.require_service(db.session, case, workflow.get_task_from_id(UUID(task_id)), row["title"])
        except Conflict:
            return missing, True
        return missing, False


def test_the_task_page_says_what_service_is_missing(client, api, case_id):
    api.to_imposed(case_id)
    task = api.task("pol", case_id, "Task_uitreiken")
    login(client, "pol")
    page = client.get(f"/taken/{task['id']}").get_data(as_text=True)
    note = section(page, "missing-service")
    assert "Er is nog geen beschikking tijdelijk huisverbod gemaakt." in note
    assert "Te maken door:" in note and "Hulpofficier van justitie" in note
    assert f'href="/zaken/{case_id}#documenten"' in note
    document = make_via_api(api, "hovj", case_id, "beschikking")
    login(client, "pol")
    note = section(client.get(f"/taken/{task['id']}").get_data(as_text=True), "missing-service")
    assert "De uitreiking van de beschikking tijdelijk huisverbod (versie 1) aan de uithuisgeplaatste is niet" in note
    # The link records the service and comes back to this task (its input kept by the browser).
    assert f'href="/documenten/{document["id"]}/uitreiking?terug=/taken/{task["id"]}"' in note.replace("%2F", "/")

    refused = post_form(
        client, f"/taken/{task['id']}", {"sleutels_ingenomen": "true", "uitreiking_opmerking": "Sleutels <b>twee</b>"}
    )
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert "De taak is niet afgerond: eerst uitreiken" in body and "Sleutels &lt;b&gt;twee&lt;/b&gt;" in body
    assert serve_via_api(api, "pol", document["id"]).status_code == 201
    login(client, "pol")
    assert 'data-testid="missing-service"' not in client.get(f"/taken/{task['id']}").get_data(as_text=True)
    done = post_form(client, f"/taken/{task['id']}", {"sleutels_ingenomen": "true"})
    assert done.status_code == 302
    case = api.case("hovj", case_id)
    assert "beschikking_uitgereikt" in [m["name"] for m in case["milestones"]]


def test_a_task_without_required_service_has_no_note(client, api, case_id):
    task = api.task("hovj", case_id, "Task_toets")
    login(client, "hovj")
    assert 'data-testid="missing-service"' not in client.get(f"/taken/{task['id']}").get_data(as_text=True)


def test_an_oral_notice_does_not_end_the_note_and_the_engine_agrees(app, client, api, case_id):
    api.to_imposed(case_id)
    task = api.task("pol", case_id, "Task_uitreiken")
    assert _check_both(app, task["id"], "pol")[1] is True
    document = make_via_api(api, "hovj", case_id, "beschikking")
    missing, refused = _check_both(app, task["id"], "pol")
    assert refused and [m.reason for m in missing] == ["niet_uitgereikt"] and missing[0].may_serve
    assert serve_via_api(api, "pol", document["id"], method="mondeling_aangezegd").status_code == 201
    missing, refused = _check_both(app, task["id"], "pol")
    assert refused and missing and not missing[0].may_make
    assert (
        serve_via_api(
            api, "pol", document["id"], recipient_role="achterblijver", recipient_name="Els Jansen"
        ).status_code
        == 201
    )
    assert _check_both(app, task["id"], "pol")[1] is True
    make_via_api(api, "hovj", case_id, "beschikking")  # version 2 without service: the note is back
    assert serve_via_api(api, "pol", document["id"], method="in_persoon_getekend").status_code == 201
    missing, refused = _check_both(app, task["id"], "pol")
    assert refused and missing[0].version == 2
    latest = api.client.get(
        f"/api/v1/cases/{case_id}/documents", headers={"Authorization": f"Bearer {api.tokens['pol']}"}
    ).json[-1]
    assert serve_via_api(api, "pol", latest["id"]).status_code == 201
    assert _check_both(app, task["id"], "pol") == ([], False)


def test_kennisgeving_needs_both_notices_served(app, client, api, case_id):
    api.to_imposed(case_id)
    task = api.task("bm", case_id, "Task_kennisgeving")
    missing, refused = _check_both(app, task["id"], "bm")
    assert refused and [m.kind for m in missing] == ["kennisgeving_achterblijver", "kennisgeving_hulpverlening"]
    notice = make_via_api(api, "bm", case_id, "kennisgeving_achterblijver")
    help_notice = make_via_api(api, "bm", case_id, "kennisgeving_hulpverlening")
    assert serve_via_api(api, "bm", notice["id"], recipient_role="achterblijver", method="per_post").status_code == 400
    assert (
        serve_via_api(
            api, "bm", notice["id"], recipient_role="achterblijver", method="per_post", recipient_name="Els Jansen"
        ).status_code
        == 201
    )
    missing, refused = _check_both(app, task["id"], "bm")
    assert refused and [m.kind for m in missing] == ["kennisgeving_hulpverlening"]
    assert (
        serve_via_api(
            api,
            "bm",
            help_notice["id"],
            recipient_role="hulpverlening",
            method="digitaal",
            recipient_name="Ambulant team",
        ).status_code
        == 201
    )
    assert _check_both(app, task["id"], "bm") == ([], False)


def test_the_extension_step_waits_for_a_served_verlengingsbeschikking(app, client, api, case_id, clock, monkeypatch):
    api.to_imposed(case_id)
    clock.advance(datetime(2026, 2, 10, 9, tzinfo=UTC) - clock.now())  # after the reminder: day 8
    with app.app_context():
        assert fire_due_timers(db.session, thv.ctx.registry, clock) >= 1  # the reminder and the earlier deadlines
    api.complete(
        "bm",
        api.task("bm", case_id, "Task_verlenging")["id"],
        {"verlengen": True, "verlenging_dagen": 10, "verlenging_feiten": "De dreiging houdt aan."},
    )
    api.complete("bm", api.task("bm", case_id, "Task_verlengingsbeschikking")["id"], {})
    task = api.task("pol", case_id, "Task_verlenging_uitreiken")
    login(client, "pol")
    note = section(client.get(f"/taken/{task['id']}").get_data(as_text=True), "missing-service")
    assert "Er is nog geen verlengingsbeschikking tijdelijk huisverbod gemaakt." in note
    assert "Te maken door:" in note and "Burgemeester" in note
    document = make_via_api(api, "bm", case_id, "verlengingsbeschikking")
    login(client, "bm")
    banner = section(client.get(f"/zaken/{case_id}").get_data(as_text=True), "service-banner")
    assert "de uitreiking van de verlengingsbeschikking (versie 1) aan de uithuisgeplaatste" in banner
    missing, refused = _check_both(app, task["id"], "pol")
    assert refused and [m.reason for m in missing] == ["niet_uitgereikt"]
    with monkeypatch.context() as patch:  # a task extending to another end than the document names
        patch.setattr(service_view, "_task_data", lambda *a: {"nieuw_einde": "2026-03-02T20:15:00+00:00"})
        assert _check_both(app, task["id"], "pol")[0][0].reason == "ander_einde"
    assert serve_via_api(api, "pol", document["id"], served_at="2026-02-10T10:00:00+01:00").status_code == 201
    assert _check_both(app, task["id"], "pol") == ([], False)
    api.complete("pol", task["id"], {})
    glass(app, "ovj", case_id)  # the OM has no task in this case: need-to-know
    login(client, "ovj")
    banner = section(client.get(f"/zaken/{case_id}").get_data(as_text=True), "service-banner")
    assert "Niet betekend" in banner and "er is nog geen beschikking gemaakt" in banner  # never made in this case
    assert "handtekening van de ontvanger" in section(banner, "proof-verlengingsbeschikking")

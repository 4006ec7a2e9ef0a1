"""E-mail notifications in the web app: each user sets their own address and choice on the account page; a task
that arrives reaches them through the app's own sender (as its timer thread runs it); a mail server that is down
never shows as an error to the caseworker.
"""

from __future__ import annotations

import html
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from engine.base.mail_settings import MailSettings
from engine.base.settings import Settings
from engine.storage.tables import User
from tests.web.conftest import MELDING, TOETS, Api, _dispose, _test_app, login, post_form
from tests.web.test_observability import _metric
from web.extensions import db, db_session


def _stored(app, name: str) -> tuple[str | None, str]:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.name == name)).one()
        values = (user.email, user.notify)
        db.session.remove()
    return values


def _save(client, email: str, notify: str = "all"):
    return post_form(client, "/account/meldingen", {"email": email, "notify": notify}, page="/account")


def test_a_user_sets_their_own_address_and_choice(client, app):
    login(client, "hovj")
    page = client.get("/account").get_data(as_text=True)
    assert "E-mailmeldingen" in page and 'data-testid="mail-off"' in page  # no SMTP server in this app
    assert 'id="notify-all" checked' in page  # opt-out: every new task, until one says otherwise

    saved = _save(client, "  HOVJ@Politie.example ", "digest")

    assert saved.status_code == 302
    assert _stored(app, "hovj") == ("HOVJ@politie.example", "digest")
    page = client.get("/account").get_data(as_text=True)
    assert "Je instellingen voor e-mailmeldingen zijn opgeslagen." in page
    assert 'value="HOVJ@politie.example"' in page and 'id="notify-digest" checked' in page
    assert _save(client, "", "none").status_code == 302
    assert _stored(app, "hovj") == (None, "none")


@pytest.mark.parametrize(
    ("email", "notify", "message", "field"),
    [
        ("hovj at politie", "digest", "'hovj at politie' is geen geldig e-mailadres", "email"),
        ("hovj@politie.example\r\nBcc: iedereen@elders.example", "all", "geen geldig e-mailadres", "email"),
        ("a" * 250 + "@politie.example", "all", "geen geldig e-mailadres", "email"),
        ("hovj@politie.example", "soms", "Kies welke e-mail je wilt ontvangen.", "notify"),
    ],
)
def test_a_refused_input_changes_nothing_and_keeps_what_was_typed(client, app, email, notify, message, field):
    login(client, "hovj")
    assert _save(client, "hovj@politie.example", "all").status_code == 302

    refused = _save(client, email, notify)

    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert message in page and 'role="alert"' in page
    if field == "email":
        assert f'value="{email}" aria-invalid="true" aria-describedby="notify-error"' in page
        assert f'id="notify-{notify}" checked' in page  # the choice is kept too
    assert _stored(app, "hovj") == ("hovj@politie.example", "all")


def test_the_form_needs_its_csrf_token(client, app):
    login(client, "hovj")
    assert client.post("/account/meldingen", data={"email": "x@politie.example", "notify": "all"}).status_code == 400
    assert _stored(app, "hovj") == (None, "all")


@pytest.fixture
def mail_app(web_template, tmp_path, clock, smtp_server):
    settings = Settings(
        mode="test",
        mail=MailSettings(
            host=smtp_server.host, port=smtp_server.port, security="none", user=None, password=None,
            sender="noreply@thv.example.nl", base_url="https://thv.example.nl", digest_at=time(7, 0),
        ),
    )  # fmt: skip
    app = _test_app(web_template, tmp_path, clock, settings)
    yield app
    _dispose(app)


def _timer_thread_round(app):
    """What web.timer_worker does after each sweep."""
    with app.app_context():
        try:
            return app.extensions["thv"].mailer.run(db_session())
        finally:
            db.session.remove()


def test_a_task_for_the_hulpofficier_reaches_the_address_set_on_the_account_page(mail_app, smtp_server, tokens):
    client = mail_app.test_client()
    login(client, "hovj")
    assert 'data-testid="mail-off"' not in client.get("/account").get_data(as_text=True)
    assert _save(client, "hovj@politie.example").status_code == 302
    api = Api(client, tokens)
    case_id = api.start()

    assert _timer_thread_round(mail_app).sent == 1

    [mail] = smtp_server.received
    task = api.task("hovj", case_id, "Task_toets")
    assert mail.recipients == ["hovj@politie.example"]
    assert f"https://thv.example.nl/taken/{task['id']}" in mail.text
    assert not [word for word in ("Dorpsstraat", "Jansen", "Kim", "Ruzie") if word in mail.whole]
    login(client, "hovj")
    assert client.get(f"/taken/{task['id']}").status_code == 200  # the link leads to the task after logging in


def test_a_mail_server_that_is_down_is_no_error_for_the_caseworker(mail_app, smtp_server, clock, tokens):
    smtp_server.stop()
    client = mail_app.test_client()
    login(client, "hovj")
    _save(client, "hovj@politie.example")
    api = Api(client, tokens)
    case_id = api.start()  # politie's melding: accepted although no mail can go out

    assert _timer_thread_round(mail_app).retried == 1  # logged and kept, not raised

    login(client, "hovj")
    toets = api.task("hovj", case_id, "Task_toets")
    for url in ("/", f"/taken/{toets['id']}"):
        page = client.get(url)
        assert page.status_code == 200 and "error-box" not in page.get_data(as_text=True)
    smtp_server.start()
    clock.advance(timedelta(minutes=1))
    assert _timer_thread_round(mail_app).sent == 1  # the retry, a minute later
    assert post_form(client, f"/taken/{toets['id']}", TOETS).status_code == 302
    assert [m.recipients for m in smtp_server.received] == [["hovj@politie.example"]]
    assert MELDING["adres"] not in smtp_server.received[0].whole


def test_metrics_show_the_mails_and_the_backlog(mail_app, smtp_server, clock, tokens):
    client = mail_app.test_client()
    login(client, "hovj")
    _save(client, "hovj@politie.example")
    sent, retried = (
        _metric(client, "thv_mails_total", outcome="sent"),
        _metric(client, "thv_mails_total", outcome="retry"),
    )
    smtp_server.stop()
    Api(client, tokens).start()
    assert _metric(client, "thv_mail_backlog") == 1 and _metric(client, "thv_mail_retrying") == 0

    _timer_thread_round(mail_app)
    assert _metric(client, "thv_mails_total", outcome="retry") == retried + 1
    assert _metric(client, "thv_mail_retrying") == 1
    smtp_server.start()
    clock.advance(timedelta(minutes=1))
    assert _metric(client, "thv_mail_oldest_pending_age_seconds") == 60
    _timer_thread_round(mail_app)
    assert _metric(client, "thv_mails_total", outcome="sent") == sent + 1
    assert _metric(client, "thv_mail_backlog") == 0 and _metric(client, "thv_mail_failed_last_day") == 0


def _ask_test_mail(client):
    return post_form(client, "/account/meldingen/test", {}, page="/account")


def _test_mail_state(client) -> str:
    page = html.unescape(client.get("/account").get_data(as_text=True))
    start = page.find('data-testid="test-mail-state">')
    return page[start:].split(">", 1)[1].split("</p>", 1)[0] if start >= 0 else ""


def test_a_user_asks_for_a_test_mail_and_sees_how_it_went(mail_app, smtp_server, clock):
    client = mail_app.test_client()
    login(client, "hovj")
    assert 'data-testid="test-mail"' not in client.get("/account").get_data(as_text=True)  # no address saved yet
    _save(client, "hovj@politie.example", "none")  # the choice does not matter: the user asked for it
    assert 'data-testid="test-mail"' in client.get("/account").get_data(as_text=True)

    asked = _ask_test_mail(client)
    assert asked.status_code == 302 and asked.headers["Location"].endswith("/account#meldingen")
    assert "wacht op verzending" in _test_mail_state(client)
    assert _ask_test_mail(client).status_code == 302  # asked again within the minute: still one mail

    assert _timer_thread_round(mail_app).sent == 1
    [mail] = smtp_server.received
    assert mail.recipients == ["hovj@politie.example"]
    assert mail.message["Subject"] == "Testbericht: je e-mailmeldingen komen aan"
    assert "https://thv.example.nl/account" in mail.text
    assert "door de mailserver aangenomen op" in _test_mail_state(client)


def test_a_test_mail_the_server_does_not_take_says_so_on_the_account_page(mail_app, smtp_server, clock):
    client = mail_app.test_client()
    login(client, "hovj")
    _save(client, "hovj@politie.example")
    smtp_server.stop()
    _ask_test_mail(client)
    assert _timer_thread_round(mail_app).retried == 1
    assert "nog niet verstuurd" in _test_mail_state(client)
    smtp_server.start()
    smtp_server.mode("refuse_recipient")
    clock.advance(timedelta(minutes=1))
    assert _timer_thread_round(mail_app).failed == 1
    assert "de mailserver weigert je adres" in _test_mail_state(client)
    assert smtp_server.received == []


def test_a_test_mail_is_refused_without_an_address_a_server_or_a_token(client, app, mail_app):
    login(client, "hovj")
    _save(client, "hovj@politie.example")
    no_server = _ask_test_mail(client)  # this app sends no mail
    assert no_server.status_code == 409 and "een testbericht kan nog niet" in no_server.get_data(as_text=True)
    mailing = mail_app.test_client()
    login(mailing, "hovj")
    _save(mailing, "", "all")
    refused = _ask_test_mail(mailing)
    assert refused.status_code == 400 and "Sla eerst een e-mailadres op" in refused.get_data(as_text=True)
    assert mailing.post("/account/meldingen/test").status_code == 400  # no CSRF token
    anonymous = post_form(mail_app.test_client(), "/account/meldingen/test", {}, page="/inloggen")
    assert anonymous.status_code == 302 and "/inloggen" in anonymous.headers["Location"]  # a valid token, no login
    assert _timer_thread_round(mail_app).sent == 0

"""``thv user-notify``, ``thv mail send|status`` and the timer sweep's mail round, against a real SMTP server."""

from __future__ import annotations

import pytest

from tests.cli.test_cli import _refused
from tests.conftest import BUNDLES

PASSWORD = "geheim-wachtwoord\n"


@pytest.fixture
def mail_env(thv, smtp_server, monkeypatch):
    monkeypatch.setenv("THV_SMTP_URL", smtp_server.url)
    monkeypatch.setenv("THV_BASE_URL", "https://thv.example.nl/")
    monkeypatch.setenv("THV_MAIL_FROM", "THV Basisregio <noreply@thv.example.nl>")
    for name, extra in (("pol", ()), ("pol2", ("--email", "pol2@politie.example"))):
        added = thv("user-add", name, "--roles", "politie", "--regions", "basis", "--password-stdin", *extra,
                    stdin=PASSWORD)  # fmt: skip
        assert added.code == 0, added.err
    assert thv("deploy", str(BUNDLES / "sample"), "--region", "basis").code == 0
    return smtp_server


def test_user_notify_sets_and_keeps_what_is_not_given(thv):
    assert thv("user-add", "hovj", "--roles", "hulpofficier", "--regions", "basis", "--email", "hovj@om.example",
               "--password-stdin", stdin=PASSWORD).code == 0  # fmt: skip
    assert thv("user-notify", "hovj", "--meldingen", "digest").out.strip() == "hovj: hovj@om.example; meldingen: digest"
    assert thv("user-notify", "hovj", "--email", "Nieuw@OM.example").out.strip() == (
        "hovj: Nieuw@om.example; meldingen: digest"  # the domain in lower case, as it is stored
    )
    assert thv("user-notify", "hovj", "--email", "").out.strip() == "hovj: geen e-mailadres; meldingen: digest"
    [user] = thv("users", "--json").json()
    assert (user["email"], user["notify"]) == (None, "digest")


def test_user_notify_refusals_change_nothing(thv):
    assert thv("user-add", "hovj", "--roles", "hulpofficier", "--regions", "basis", "--email", "hovj@om.example",
               "--password-stdin", stdin=PASSWORD).code == 0  # fmt: skip
    _refused(thv("user-notify", "hovj", "--email", "hovj at om"), "'hovj at om' is geen geldig e-mailadres")
    _refused(thv("user-notify", "hovj", "--email", "a@b\nBcc: x@y.nl"), "geen geldig e-mailadres")
    _refused(thv("user-notify", "niemand", "--email", "n@om.example"), "gebruiker 'niemand' bestaat niet")
    _refused(thv("user-add", "x1", "--roles", "om", "--regions", "basis", "--email", "x1@"), "e-mailadres")
    assert thv("user-notify", "hovj", "--meldingen", "soms").code == 2  # a usage error, named by click
    assert [(u["name"], u["email"], u["notify"]) for u in thv("users", "--json").json()] == [
        ("hovj", "hovj@om.example", "all")
    ]


def test_mail_send_without_a_server_says_so(thv):
    _refused(thv("mail", "send"), "geen mailserver ingesteld (THV_SMTP_URL)")


def test_mail_send_delivers_what_an_act_queued(thv, mail_env):
    case_id = thv("start", "--region", "basis", "--as", "pol").out.strip()

    sent = thv("mail", "send", "--json")

    assert sent.code == 0 and sent.json()["sent"] == 1
    [mail] = mail_env.received
    assert mail.recipients == ["pol2@politie.example"] and mail.sender == "noreply@thv.example.nl"
    assert mail.message["From"] == "THV Basisregio <noreply@thv.example.nl>"
    task_id = thv("tasks", "--case", case_id, "--json").json()[0]["id"]
    assert f"https://thv.example.nl/taken/{task_id}\n" in mail.text  # THV_BASE_URL without its trailing slash
    assert thv("mail", "status", "--json").json()["pending"] == 0


def test_the_timer_sweep_sends_the_mails_and_a_failing_server_is_retried(thv, mail_env, monkeypatch):
    mail_env.stop()
    assert thv("start", "--region", "basis", "--as", "pol").code == 0

    swept = thv("timers")  # one sweep: no timer due, the mail round fails quietly

    assert swept.code == 0 and swept.out.strip() == "0" and swept.err == ""
    status = thv("mail", "status", "--json").json()
    assert (status["pending"], status["retrying"]) == (1, 1)
    assert "wachtend: 1 (waarvan 1 na een mislukte poging)" in thv("mail", "status").out
    mail_env.start()
    assert "verstuurd: 0" in thv("mail", "send").out  # its next try is a minute later
    monkeypatch.setenv("THV_CLOCK", "2026-02-02T21:16:00+01:00")
    assert thv("timers").code == 0
    assert [m.recipients for m in mail_env.received] == [["pol2@politie.example"]]
    assert thv("mail", "status", "--json").json()["pending"] == 0


def test_mail_test_sends_one_message_at_once_and_says_where(thv, mail_env):
    sent = thv("mail", "test", " Beheer@Gemeente.Example ")
    assert sent.code == 0, sent.err
    assert sent.out.strip() == (
        f"testbericht verstuurd naar Beheer@gemeente.example via {mail_env.host}:{mail_env.port} (onversleuteld)"
    )
    [mail] = mail_env.received
    assert mail.recipients == ["Beheer@gemeente.example"]
    assert mail.message["Subject"] == "Testbericht van het zaaksysteem tijdelijk huisverbod"
    assert mail.message["From"] == "THV Basisregio <noreply@thv.example.nl>"
    assert "https://thv.example.nl/" in mail.text and "geen gegevens uit zaken" in mail.text
    assert thv("mail", "status", "--json").json()["pending"] == 0  # not through the outbox
    as_json = thv("mail", "test", "beheer@gemeente.example", "--json").json()
    assert as_json == {"sent_to": "beheer@gemeente.example", "server": f"{mail_env.host}:{mail_env.port}",
                       "security": "none"}  # fmt: skip


def test_mail_test_refusals_say_what_to_fix_and_send_nothing(thv, mail_env):
    _refused(thv("mail", "test", "beheer at gemeente"), "'beheer at gemeente' is geen geldig e-mailadres")
    _refused(thv("mail", "test", "a@b.nl\nBcc: x@y.nl"), "geen geldig e-mailadres")
    assert mail_env.received == []
    mail_env.stop()
    _refused(thv("mail", "test", "beheer@gemeente.example"),
             "het testbericht is niet verstuurd: de mailserver is niet bereikbaar")  # fmt: skip
    mail_env.start()
    mail_env.mode("refuse_recipient")
    _refused(thv("mail", "test", "beheer@gemeente.example"), "de mailserver weigert dit adres als ontvanger")
    assert mail_env.received == []


def test_mail_test_without_a_server_says_so(thv):
    _refused(thv("mail", "test", "beheer@gemeente.example"), "geen mailserver ingesteld (THV_SMTP_URL)")

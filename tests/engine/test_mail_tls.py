"""The mail server over TLS, end to end: STARTTLS and TLS from the first byte, against real aiosmtpd servers with
certificates of a test CA (tests/tls_certs.py).

The server's certificate is checked by name and by CA, the system's or the one THV_SMTP_CA_FILE names; a server
that cannot be trusted gets no mail and no password, and the mail waits in the outbox for a retry.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from engine.notify.sender import Mailer, new_message
from engine.notify.smtp import SendFailed, SmtpTransport
from tests.engine.test_notifications import rows, settings_for, start
from tests.mail_server import SmtpServer

LOGIN = ("thv-relay", "relay-geheim")


@pytest.fixture(params=["starttls", "tls"])
def tls_server(request, tls_ca) -> Iterator[SmtpServer]:
    server = SmtpServer(tls=request.param, cert=tls_ca.server, login=LOGIN).start()
    yield server
    server.stop()


def _send(settings, to: str = "pol2@org.example") -> None:
    transport = SmtpTransport(settings, timeout=5)
    try:
        transport.send(new_message(settings, "Onderwerp", "Tekst", to, _NOW), to)
    finally:
        transport.close()


_NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_a_server_signed_by_the_configured_ca_gets_the_mail_encrypted_and_the_login(tls_server, tls_ca):
    settings = settings_for(
        tls_server, security=tls_server.tls, ca_file=str(tls_ca.ca_file), user=LOGIN[0], password=LOGIN[1]
    )
    _send(settings)
    [received] = tls_server.received
    assert received.encrypted and received.recipients == ["pol2@org.example"]
    assert tls_server.logins == ["thv-relay"]


def test_a_server_the_system_does_not_trust_gets_nothing(tls_server):
    settings = settings_for(tls_server, security=tls_server.tls, user=LOGIN[0], password=LOGIN[1])
    with pytest.raises(SendFailed) as refused:
        _send(settings)
    assert (refused.value.code, refused.value.server) == ("tls", True)
    assert tls_server.received == [] and tls_server.logins == []


def test_a_certificate_for_another_name_is_refused(tls_ca):
    server = SmtpServer(tls="starttls", cert=tls_ca.wrong_name, login=LOGIN).start()
    try:
        settings = settings_for(server, security="starttls", ca_file=str(tls_ca.ca_file), user=LOGIN[0],
                                password=LOGIN[1])  # fmt: skip
        with pytest.raises(SendFailed) as refused:
            _send(settings)
        assert refused.value.code == "tls"
        assert server.received == [] and server.logins == []
    finally:
        server.stop()


def test_starttls_asked_of_a_server_without_it_sends_nothing(smtp_server):
    with pytest.raises(SendFailed) as refused:
        _send(settings_for(smtp_server, security="starttls"))
    assert refused.value.code == "geen_starttls"
    assert smtp_server.received == []


def test_tls_from_the_first_byte_to_a_plain_server_fails_cleanly(smtp_server, tls_ca):
    with pytest.raises(SendFailed) as refused:
        _send(settings_for(smtp_server, security="tls", ca_file=str(tls_ca.ca_file)))
    assert refused.value.code in ("tls", "verbinding")
    assert smtp_server.received == []


def test_an_untrusted_server_leaves_the_notification_in_the_outbox_until_the_ca_is_configured(
    session, rt, deployed, people, staff, clock, tls_ca
):
    server = SmtpServer(tls="starttls", cert=tls_ca.server).start()
    try:
        start(session, rt, people)
        assert Mailer(settings_for(server, security="starttls"), clock).run(session).retried == 1
        [row] = rows(session)
        assert (row.state, row.last_error) == ("pending", "tls")
        clock.advance(timedelta(minutes=1))
        trusted = settings_for(server, security="starttls", ca_file=str(tls_ca.ca_file))
        assert Mailer(trusted, clock).run(session).sent == 1
        assert [m.encrypted for m in server.received] == [True]
    finally:
        server.stop()


def test_a_login_asked_of_a_server_that_offers_none_says_so(smtp_server):
    with pytest.raises(SendFailed) as refused:
        _send(settings_for(smtp_server, user="thv-relay", password="relay-geheim"))
    assert refused.value.code == "geen_aanmelding"
    assert smtp_server.received == []
    _send(settings_for(smtp_server))
    assert [m.encrypted for m in smtp_server.received] == [False]  # plain SMTP is seen as such

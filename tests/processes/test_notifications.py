"""The hulpofficier at 2 a.m. (issue 16, item 9): a melding on the acute route reaches the hulpofficier by e-mail,
with the step, its due time and a link, and nothing of the melding; an overdue task is in the next morning's digest,
once, at 07:00 Amsterdam time. Real wth-basis model, real SMTP server (aiosmtpd), fake clock.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from engine.accounts.users import add_user, set_notifications
from engine.base.clock import AMSTERDAM
from engine.base.mail_settings import MailSettings
from engine.notify.sender import Mailer
from engine.storage.mail_tables import MailDigestDay
from tests.processes.scenario import Scenario
from tests.processes.steps import MELDING

NIGHT = datetime(2026, 2, 3, 1, 40, tzinfo=AMSTERDAM)
CASE_CONTENT = ("Dorpsstraat", "Utrecht", "de Vries", "Mishandeling", "letsel", "partner")


@pytest.fixture
def mailer(smtp_server, clock) -> Mailer:
    settings = MailSettings(
        host=smtp_server.host, port=smtp_server.port, security="none", user=None, password=None,
        sender="noreply@thv.example.nl", base_url="https://thv.example.nl", digest_at=time(7, 0),
    )  # fmt: skip
    return Mailer(settings, clock)


@pytest.fixture
def night_case(rt, session, clock):
    clock.set(NIGHT)
    s = Scenario(rt, session, "wth-basis")
    set_notifications(session, "hulpofficier.basis", "hovj@politie.example", "all")
    add_user(session, "hovj.overzicht", ["hulpofficier"], ["basis"], password="wachtwoord-1", now=clock.now())
    set_notifications(session, "hovj.overzicht", "hovj.overzicht@politie.example", "digest")
    add_user(session, "hovj.stil", ["hulpofficier"], ["basis"], password="wachtwoord-1", now=clock.now())
    set_notifications(session, "hovj.stil", "hovj.stil@politie.example", "none")
    s.start("politie", MELDING)  # the melding at 01:40
    return s


def _assert_no_case_content(text: str) -> None:
    assert [word for word in CASE_CONTENT if word in text] == []


def test_the_hulpofficier_is_mailed_the_toets_with_its_due_time_and_nothing_of_the_melding(
    session, clock, night_case, mailer, smtp_server
):
    s = night_case
    toets = s.task("Task_toets")

    mailer.run(session)

    [mail] = smtp_server.received  # not hovj.overzicht (the digest only), nor hovj.stil (no mail)
    assert mail.recipients == ["hovj@politie.example"]
    assert mail.message["Subject"] == f"Spoed: nieuwe taak: Meerderjarigheid en woonsituatie toetsen (zaak {s.case_id})"
    assert "uiterlijk 3 februari 2026 om 02:40 (Nederlandse tijd)" in mail.text  # its behandeltermijn of one hour
    assert "(acute route)" in mail.text
    assert f"https://thv.example.nl/taken/{toets['id']}" in mail.text
    _assert_no_case_content(mail.whole)


def test_the_overdue_toets_is_in_the_digest_from_7_oclock_once_a_day(
    rt, session, clock, night_case, mailer, smtp_server
):
    s = night_case
    clock.set(datetime(2026, 2, 3, 6, 59, tzinfo=AMSTERDAM))
    mailer.run(session)
    assert _digests(smtp_server) == []

    clock.set(datetime(2026, 2, 3, 7, 0, tzinfo=AMSTERDAM))
    assert mailer.run(session).digests == 2
    digests = _digests(smtp_server)
    assert sorted(m.recipients[0] for m in digests) == ["hovj.overzicht@politie.example", "hovj@politie.example"]
    text = digests[0].text
    assert digests[0].message["Subject"] == "Overzicht: 1 taak over de termijn"
    assert f"zaak {s.case_id}: Meerderjarigheid en woonsituatie toetsen (Hulpofficier van justitie" in text
    assert "termijn verstreken op 3 februari 2026 om 02:40" in text and "https://thv.example.nl/\n" in text
    _assert_no_case_content(digests[0].whole)

    clock.advance(timedelta(minutes=1))
    with rt.sessions() as second_worker:  # a second timer worker, the same day
        assert Mailer(mailer.settings, clock).run(second_worker).digests == 0
    assert mailer.run(session).digests == 0
    assert len(_digests(smtp_server)) == 2

    clock.set(datetime(2026, 2, 4, 6, 59, tzinfo=AMSTERDAM))
    assert mailer.run(session).digests == 0
    clock.set(datetime(2026, 2, 4, 7, 0, tzinfo=AMSTERDAM))
    assert mailer.run(session).digests == 2  # still overdue the next morning
    days = session.scalars(select(MailDigestDay.day).order_by(MailDigestDay.day)).all()
    assert [d.isoformat() for d in days] == ["2026-02-03", "2026-02-04"]


def test_no_digest_for_who_has_nothing_overdue(rt, session, clock, night_case, mailer, smtp_server):
    set_notifications(session, "politie.basis", "politie@politie.example", "all")
    clock.set(datetime(2026, 2, 3, 7, 0, tzinfo=AMSTERDAM))
    assert not [t for t in night_case.tasks() if t["role"] == "politie"]  # politie has nothing open

    mailer.run(session)

    assert sorted(m.recipients[0] for m in _digests(smtp_server)) == [
        "hovj.overzicht@politie.example",
        "hovj@politie.example",
    ]


def _digests(server) -> list:
    return [m for m in server.received if m.message["Subject"].startswith("Overzicht")]

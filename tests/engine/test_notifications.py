"""E-mail notifications (issue 16, item 9): a new task mails its role in its region, through a real SMTP server.

The outbox is written in the engine operation's transaction; the Mailer (as the timer worker runs it) sends it.
A server that is down, defers or refuses is retried at 1, 5, 15 and 60 minutes, never fails the act, and a mail
not sent within a day is given up. No mail carries case content.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, func, select

from engine.accounts.users import add_user, get_user, set_notifications
from engine.base.mail_settings import MailSettings
from engine.cases import operations as cases
from engine.notify import outbox
from engine.notify.sender import Mailer, _claim
from engine.storage.mail_tables import MailOutbox
from engine.storage.tables import Case, HumanTask, User
from engine.workflow import case_store, worklist
from tests.conftest import PASSWORD
from tests.engine.conftest import only_task

BASE_URL = "https://thv.example.nl"
NAME = "Jansen-Pietersma"  # what the politie enters in the case: never in a mail


def settings_for(server, **changes) -> MailSettings:
    values = dict(
        host=server.host,
        port=server.port,
        security="none",
        user=None,
        password=None,
        sender="THV <noreply@thv.example.nl>",
        base_url=BASE_URL,
        digest_at=time(7, 0),
    )
    return MailSettings(**(values | changes))


@pytest.fixture
def mailer(smtp_server, clock) -> Mailer:
    return Mailer(settings_for(smtp_server), clock)


def start(session, rt, people) -> int:
    return cases.start_case(session, rt.registry, rt.clock, region="basis", user=people["pol"])


def rows(session) -> list[MailOutbox]:
    found = list(session.scalars(select(MailOutbox).order_by(MailOutbox.id)))
    session.rollback()
    return found


def test_a_new_task_mails_its_role_in_its_region_only(session, rt, deployed, people, staff, mailer, smtp_server):
    case_id = start(session, rt, people)
    task = only_task(session, case_id)

    round_ = mailer.run(session)

    assert round_.sent == 1 and round_.retried == 0
    [mail] = smtp_server.received
    # Not the starter (at the screen), nor another region or role, nor who opted out, is disabled or has no address.
    assert mail.recipients == ["pol2@org.example"]
    assert mail.message["Subject"] == f"Spoed: nieuwe taak: Verzoek registreren (zaak {case_id})"
    assert mail.message["From"] == "THV <noreply@thv.example.nl>"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    assert f"{BASE_URL}/taken/{task['id']}\n" in mail.text
    assert f"{BASE_URL}/account" in mail.text and "Politie in Basisregio" in mail.text
    assert "{base}" not in mail.text
    assert [r.state for r in rows(session)] == ["sent"]
    assert mailer.run(session).sent == 0  # once


def test_a_mail_carries_the_step_and_its_due_time_but_nothing_from_the_case(
    session, rt, deployed, people, staff, mailer, smtp_server
):
    case_id = start(session, rt, people)
    cases.complete_task(
        session, rt.registry, rt.clock, task_id=only_task(session, case_id)["id"],
        data={"naam": NAME, "ernst": 4}, user=get_user(session, "pol2"),
    )  # fmt: skip
    besluit = only_task(session, case_id)

    mailer.run(session)

    to_bm = [m for m in smtp_server.received if m.recipients == ["bm@org.example"]]
    assert len(to_bm) == 1  # not bm_pilot, who is burgemeester elsewhere
    text = to_bm[0].whole
    assert "Besluit burgemeester" in text and f"zaak {case_id}" in text.lower()
    assert "uiterlijk 3 februari 2026 om 21:15" in text  # the 24-hour term, Amsterdam time
    assert f"/taken/{besluit['id']}" in text
    assert NAME not in text and "Jansen" not in text and "ernst" not in text.lower()


def test_an_operation_that_rolls_back_writes_no_mail(session, rt, deployed, people, staff, monkeypatch):
    real = case_store.queue_task_mails

    def queue_then_fail(*args, **kwargs):
        assert real(*args, **kwargs) == 1  # the row for pol2 was written in the transaction...
        raise RuntimeError("de schijf is vol")

    monkeypatch.setattr(case_store, "queue_task_mails", queue_then_fail)
    with pytest.raises(RuntimeError):
        start(session, rt, people)

    assert rows(session) == []  # ...and went with the rollback, as did the case
    assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_stopped_server_leaves_the_mail_for_a_retry_and_the_act_stands(
    session, rt, deployed, people, staff, mailer, smtp_server, clock, caplog
):
    smtp_server.stop()
    caplog.set_level(logging.INFO)
    case_id = start(session, rt, people)
    assert only_task(session, case_id)["title"] == "Verzoek registreren"

    round_ = mailer.run(session)  # raises nothing

    assert (round_.sent, round_.retried) == (0, 1)
    [row] = rows(session)
    assert (row.state, row.attempts, row.last_error) == ("pending", 1, "verbinding")
    assert row.next_attempt_at == clock.now() + timedelta(minutes=1)
    smtp_server.start()
    clock.advance(timedelta(seconds=59))
    assert mailer.run(session).sent == 0 and smtp_server.received == []
    clock.advance(timedelta(seconds=1))
    assert mailer.run(session).sent == 1
    assert [m.recipients for m in smtp_server.received] == [["pol2@org.example"]]
    assert rows(session)[0].state == "sent"
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("engine"))
    assert "mail 1 niet verzonden (verbinding)" in ours and "mail 1 verzonden" in ours
    assert "@" not in ours and "org.example" not in ours  # the log names mails by id only


def test_a_deferring_server_is_retried_after_1_5_15_and_60_minutes(
    session, rt, deployed, people, staff, mailer, smtp_server, clock
):
    smtp_server.mode("defer")
    start(session, rt, people)
    started = clock.now()
    waits = []
    for _ in range(5):
        mailer.run(session)
        row = rows(session)[0]
        waits.append(row.next_attempt_at - clock.now())
        clock.set(row.next_attempt_at - timedelta(seconds=1))
        mailer.run(session)
        assert rows(session)[0].attempts == row.attempts  # a second early: not tried
        clock.set(row.next_attempt_at)
    assert [w.total_seconds() / 60 for w in waits] == [1, 5, 15, 60, 60]
    assert rows(session)[0].last_error == "tijdelijk_geweigerd"
    smtp_server.mode("accept")
    assert mailer.run(session).sent == 1
    assert rows(session)[0].state == "sent" and clock.now() - started == timedelta(minutes=141)


def test_a_permanent_refusal_is_given_up_at_once(session, rt, deployed, people, staff, mailer, smtp_server, clock):
    smtp_server.mode("refuse_recipient")
    start(session, rt, people)

    assert mailer.run(session).failed == 1

    [row] = rows(session)
    assert (row.state, row.last_error, row.done_at) == ("failed", "ontvanger_geweigerd", clock.now())


def test_a_mail_that_cannot_go_out_within_a_day_is_given_up(session, rt, deployed, people, staff, mailer, clock):
    mailer.settings = settings_for(SimpleNamespace(host="127.0.0.1", port=_closed_port()))
    start(session, rt, people)
    created = clock.now()
    while rows(session)[0].state == "pending":
        mailer.run(session)
        clock.set(max(rows(session)[0].next_attempt_at, mailer.paused_until or created))
    row = rows(session)[0]
    assert (row.state, row.last_error) == ("failed", "verbinding")
    assert row.done_at - created <= timedelta(hours=24) < row.done_at - created + timedelta(hours=1)
    assert row.attempts == 4 + 23  # 1 + 5 + 15 minutes, then hourly until the day is over


def _closed_port() -> int:
    from tests.local_servers import free_port

    return free_port()  # nothing listens there


def test_a_task_done_or_taken_up_before_its_mail_went_out_is_not_announced(
    session, rt, deployed, people, staff, mailer, smtp_server, clock
):
    set_notifications(session, "pol_overzicht", "pol_overzicht@org.example", "all")
    first = start(session, rt, people)
    cases.complete_task(
        session, rt.registry, rt.clock, task_id=only_task(session, first)["id"], data={"naam": "A", "ernst": 1},
        user=people["pol"],
    )  # fmt: skip
    second = start(session, rt, people)
    worklist.claim_task(session, only_task(session, second)["id"], user=get_user(session, "pol2"), now=clock.now())

    mailer.run(session)

    # First case: its task is done. Second: pol2 took it up, so only pol2 (who has it) is still told.
    assert [m.recipients for m in smtp_server.received if f"zaak {second}" in m.message["Subject"]] == [
        ["pol2@org.example"]
    ]
    assert not [m for m in smtp_server.received if f"zaak {first})" in m.message["Subject"]]
    dropped = {(r.case_id, r.last_error) for r in rows(session) if r.state == "dropped"}
    assert dropped == {(first, "taak_afgehandeld"), (second, "opgepakt")}


def test_the_present_choice_and_address_count_when_the_mail_is_sent(
    session, rt, deployed, people, staff, mailer, smtp_server
):
    add_user(session, "pol3", ["politie"], ["basis"], password=PASSWORD, now=rt.clock.now())
    set_notifications(session, "pol3", "pol3@org.example", "all")
    start(session, rt, people)
    set_notifications(session, "pol2", "nieuw.adres@org.example", "all")
    set_notifications(session, "pol3", "pol3@org.example", "none")

    mailer.run(session)

    assert [m.recipients for m in smtp_server.received] == [["nieuw.adres@org.example"]]
    assert {r.last_error for r in rows(session) if r.state == "dropped"} == {"afgemeld"}


def test_one_mail_per_user_per_task_however_often_it_becomes_ready(session, rt, deployed, people, staff):
    case_id = start(session, rt, people)
    row = session.get(HumanTask, only_task(session, case_id)["id"])

    again = outbox.queue_task_mails(session, [row], actor="pol", now=rt.clock.now())
    session.commit()

    assert again == 0 and len(rows(session)) == 1


def test_a_mail_is_claimed_by_one_worker_only(session, rt, deployed, people, staff, clock):
    start(session, rt, people)
    [row] = rows(session)
    with rt.sessions() as other:
        assert _claim(session, row.id, 0, clock.now()) is True
        session.commit()
        assert _claim(other, row.id, 0, clock.now()) is False  # the attempt count moved on
        other.commit()
    assert rows(session)[0].attempts == 1


def test_two_workers_send_each_mail_once(session, rt, deployed, people, staff, smtp_server, clock):
    start(session, rt, people)
    start(session, rt, people)
    first, second = Mailer(settings_for(smtp_server), clock), Mailer(settings_for(smtp_server), clock)
    with rt.sessions() as other:
        sent = first.run(session).sent + second.run(other).sent
    assert sent == 2 and len(smtp_server.received) == 2


def test_the_server_login_is_used(session, rt, deployed, people, staff, clock):
    from tests.mail_server import SmtpServer

    server = SmtpServer(login=("thv-relay", "relay-geheim")).start()
    try:
        start(session, rt, people)
        wrong = Mailer(settings_for(server, user="thv-relay", password="fout"), clock)
        assert wrong.run(session).retried == 1 and rows(session)[0].last_error == "aanmelding"
        clock.advance(timedelta(minutes=1))
        right = Mailer(settings_for(server, user="thv-relay", password="relay-geheim"), clock)
        assert right.run(session).sent == 1
    finally:
        server.stop()
    assert server.logins == ["thv-relay"] and len(server.received) == 1


@pytest.mark.parametrize(("waited", "sent"), [(timedelta(hours=24), True), (timedelta(hours=24, minutes=1), False)])
def test_a_mail_that_waited_over_a_day_is_no_news_and_is_not_sent(
    session, rt, deployed, people, staff, mailer, smtp_server, clock, waited, sent
):
    start(session, rt, people)  # no worker sent it (no server configured, a long outage)
    clock.advance(waited)

    round_ = mailer.run(session)

    assert (round_.sent, round_.failed) == ((1, 0) if sent else (0, 1))
    assert len(smtp_server.received) == (1 if sent else 0)
    assert (rows(session)[0].state, rows(session)[0].last_error) == (("sent", None) if sent else ("failed", "te_oud"))


def test_the_digest_comes_at_7_on_the_dutch_clock_also_on_the_day_summer_time_starts():
    from engine.notify.digest import digest_day

    spring = datetime(2026, 3, 29, 4, 59, tzinfo=UTC)  # 06:59 CEST: the clocks went forward at 02:00
    assert digest_day(spring, time(7, 0)) is None
    assert digest_day(spring + timedelta(minutes=1), time(7, 0)) == date(2026, 3, 29)
    winter = datetime(2026, 10, 25, 5, 59, tzinfo=UTC)  # 06:59 CET: the clocks went back at 03:00
    assert digest_day(winter, time(7, 0)) is None
    assert digest_day(winter + timedelta(minutes=1), time(7, 0)) == date(2026, 10, 25)


def test_an_act_reads_only_the_users_of_its_tasks_role_and_region(session, rt, deployed, people, staff, clock):
    """The recipients are picked in SQL by role and region, so an act never loads every user of the installation."""
    for number in range(40):
        add_user(session, f"vt{number}", ["veilig_thuis"], ["basis"], password=PASSWORD, now=clock.now())
        set_notifications(session, f"vt{number}", f"vt{number}@org.example", "all")
    add_user(session, "lookalike", ["politie"], ["pilot1"], password=PASSWORD, now=clock.now())
    set_notifications(session, "lookalike", "lookalike@org.example", "all")
    loaded: list[str] = []

    def listener(target, context) -> None:
        loaded.append(target.name)

    event.listen(User, "load", listener)
    try:
        session.expunge_all()
        start(session, rt, people)
    finally:
        event.remove(User, "load", listener)
    assert sorted(r.user_id for r in rows(session)) == [get_user(session, "pol2").id]
    assert not [name for name in loaded if name.startswith("vt") or name in ("lookalike", "pol_pilot", "bm_pilot")]

"""engine.accounts.login without the web: the lockout's edges, sessions that end, a beheerder's reset."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.accounts import login
from engine.accounts.users import add_user
from engine.storage.tables import LoginFailure
from tests.conftest import PASSWORD


@pytest.fixture
def pol(session, clock):
    return add_user(session, "pol", ["politie"], ["basis"], password=PASSWORD, now=clock.now())[0]


def _fail(session, clock, times: int, name: str = "pol") -> None:
    for _ in range(times):
        with pytest.raises(login.LoginRefused):
            login.check_password(session, name, "fout-wachtwoord", clock.now())


def test_the_fifth_failure_locks_and_the_lock_ends_at_its_instant(session, clock, pol):
    _fail(session, clock, login.MAX_FAILURES)
    with pytest.raises(login.LoginLocked) as locked:
        login.check_password(session, "pol", PASSWORD, clock.now())
    assert locked.value.until == clock.now() + login.LOCKOUT
    clock.set(locked.value.until - timedelta(minutes=1))
    with pytest.raises(login.LoginLocked):
        login.check_password(session, "pol", PASSWORD, clock.now())
    clock.set(locked.value.until)
    assert login.check_password(session, "pol", PASSWORD, clock.now()).user.name == "pol"
    assert session.get(LoginFailure, login.name_key("pol")) is None  # the count is cleared


def test_four_failures_do_not_lock(session, clock, pol):
    _fail(session, clock, login.MAX_FAILURES - 1)
    assert login.check_password(session, "pol", PASSWORD, clock.now()).needs_code is False


def test_the_failure_table_holds_no_names(session, clock):
    _fail(session, clock, 1, name="jan.jansen")
    [row] = session.query(LoginFailure).all()
    assert "jan" not in row.name_key and len(row.name_key) == 64


def test_logout_and_reset_end_every_session(session, clock, pol):
    stored = login.session_id(pol)
    assert login.user_of_session(session, stored) is not None
    login.end_sessions(session, "pol")
    assert login.user_of_session(session, stored) is None
    assert login.user_of_session(session, "pol") is None  # a cookie from before generations
    fresh = login.session_id(login.user_after_change(session, "pol"))
    _fail(session, clock, login.MAX_FAILURES)
    login.reset_password(session, "pol", "nieuw-wachtwoord")
    assert login.user_of_session(session, fresh) is None
    assert login.check_password(session, "pol", "nieuw-wachtwoord", clock.now()).user.name == "pol"  # lock lifted


def test_a_profile_names_the_person_and_refuses_what_cannot_be_shown(session, clock):
    from engine.accounts.users import Profile, set_profile
    from engine.base.errors import InvalidInput, NotFound

    user, _ = add_user(
        session,
        "anna",
        ["hulpofficier"],
        ["basis"],
        password=PASSWORD,
        now=clock.now(),
        profile=Profile("  Anna  de Vries "),
    )
    assert (user.display_name, user.person_label) == ("Anna de Vries", "Anna de Vries")
    set_profile(session, "anna", Profile("Anna de Vries", "hulpofficier van justitie", ""))
    assert user.person_label == "Anna de Vries (hulpofficier van justitie)" and user.organisation is None
    for bad, field in ((Profile("x" * 201), "display_name"), (Profile(job_title="a\x07b"), "job_title")):
        with pytest.raises(InvalidInput) as refused:
            set_profile(session, "anna", bad)
        assert refused.value.field == field
    assert user.job_title == "hulpofficier van justitie"  # a refusal changes nothing
    with pytest.raises(NotFound):
        set_profile(session, "niemand", Profile("X"))

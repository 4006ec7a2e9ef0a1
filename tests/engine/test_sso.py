"""engine.accounts.sso without the web: the configuration file's checks, and claims becoming a user."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from engine.accounts import login, sso
from engine.accounts.users import add_user
from engine.base.errors import ConfigurationError
from engine.storage.tables import User
from tests.conftest import PASSWORD

ISSUER = "https://login.gemeente.example/realms/thv"
CONFIG = f"""issuer = "{ISSUER}"
client_id = "thv"
label = "Gemeente Test"
role_claim = "groups"
region_claim = "regio"
[roles]
"thv-politie" = "politie"
"thv-hovj" = ["hulpofficier", "politie"]
[regions]
"basis" = "basis"
"""


def _config(tmp_path, text: str = CONFIG, secret: str | None = "geheim") -> sso.SsoConfig:
    path = tmp_path / "sso.toml"
    path.write_text(text, encoding="utf-8")
    return sso.load_sso_config(path, secret)


def test_the_configuration_file_is_read_with_its_defaults(tmp_path):
    config = _config(tmp_path)
    assert config.scopes == ("openid", "profile") and config.name_claim == "preferred_username"
    assert config.roles == {"thv-politie": ("politie",), "thv-hovj": ("hulpofficier", "politie")}
    assert config.metadata_url == f"{ISSUER}/.well-known/openid-configuration"
    assert config.client_secret == "geheim" and "geheim" not in repr(config)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t + "[[", "is geen geldig TOML"),
        (lambda t: t.replace(f'issuer = "{ISSUER}"', ""), "'issuer' ontbreekt"),
        (lambda t: t.replace("https://", "http://"), "'issuer' moet een https-adres zijn"),
        (lambda t: t.replace('client_id = "thv"', "client_id = 3"), "'client_id' ontbreekt of is geen tekst"),
        (lambda t: 'scopes = ["profile"]\n' + t, "met 'openid' erin"),
        (lambda t: t.replace('"thv-politie" = "politie"', '"thv-politie" = "agent"'), "onbekende code agent"),
        (lambda t: t.replace('"basis" = "basis"', '"basis" = []'), "moet een code of een lijst met codes zijn"),
        (lambda t: t.split("[regions]")[0], "de tabel [regions] ontbreekt of is leeg"),
    ],
)
def test_a_mistake_in_the_configuration_is_refused_in_one_dutch_line(tmp_path, change, message):
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[").replace("]", r"\]")) as refused:
        _config(tmp_path, change(CONFIG))
    assert "\n" not in str(refused.value).strip()


def test_the_client_secret_is_required(tmp_path):
    with pytest.raises(ConfigurationError, match="THV_OIDC_CLIENT_SECRET ontbreekt"):
        _config(tmp_path, secret=None)


def _claims(**extra):
    return {"sub": "abc-123", "preferred_username": "Anna.deVries", "groups": ["thv-hovj"], "regio": "basis", **extra}


def _count(session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


def test_claims_become_a_user_bound_to_issuer_and_subject(session, clock, tmp_path):
    config = _config(tmp_path)
    user = sso.sign_in(session, config, _claims(), clock.now())
    assert (user.name, user.roles, user.regions) == ("anna.devries", {"hulpofficier", "politie"}, {"basis"})
    assert user.sso_subject == f"{ISSUER}#abc-123" and user.password_hash == sso.NO_PASSWORD
    again = sso.sign_in(session, config, _claims(groups="thv-politie", preferred_username="anders"), clock.now())
    assert again.id == user.id and again.name == "anna.devries"  # bound to the subject, not to the name
    assert again.roles == {"politie"}  # the provider's word of today
    assert _count(session) == 1


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"sub": None}, "noemt geen persoon"),
        ({"groups": []}, "geeft geen rol"),
        ({"groups": ["thv-hovj", "iets-anders"]}, "Onbekende waarde in claim 'groups': iets-anders"),
        ({"groups": [3]}, "Onbekende waarde in claim 'groups': 3"),
        ({"groups": ["thv-politie"] * (sso.MAX_CLAIM_VALUES + 1)}, "geeft geen rol"),
        ({"regio": None}, "geeft geen regio"),
        ({"regio": "pilot9"}, "Onbekende waarde in claim 'regio': pilot9"),
        ({"preferred_username": "Anna de Vries"}, "geen bruikbare gebruikersnaam"),
        ({"preferred_username": None}, "geen bruikbare gebruikersnaam"),
    ],
)
def test_claims_that_do_not_fit_are_refused_and_change_nothing(session, clock, tmp_path, caplog, claims, message):
    config = _config(tmp_path)
    with caplog.at_level(logging.WARNING), pytest.raises(sso.SsoRefused, match=message):
        sso.sign_in(session, config, _claims(**claims), clock.now())
    assert _count(session) == 0
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sso geweigerd")]
    assert len(logged) == 1 and "abc-123" not in logged[0] and "anna" not in logged[0].lower()


def test_a_provider_cannot_take_over_a_local_account_by_its_name(session, clock, tmp_path):
    add_user(session, "pol", ["burgemeester"], ["basis"], password=PASSWORD, now=clock.now())
    with pytest.raises(sso.SsoRefused, match="hoort al bij een ander account"):
        sso.sign_in(session, _config(tmp_path), _claims(preferred_username="pol"), clock.now())
    pol = session.scalars(select(User).where(User.name == "pol")).one()
    assert pol.sso_subject is None and pol.roles == {"burgemeester"}
    assert login.check_password(session, "pol", PASSWORD, clock.now()).user.id == pol.id


def test_an_sso_account_cannot_log_in_locally_or_get_a_local_password(session, clock, tmp_path):
    sso.sign_in(session, _config(tmp_path), _claims(), clock.now())
    for password in ("", sso.NO_PASSWORD, PASSWORD):
        with pytest.raises(login.LoginRefused):
            login.check_password(session, "anna.devries", password, clock.now())
    with pytest.raises(Exception, match="eenmalige aanmelding"):
        login.reset_password(session, "anna.devries", "een-nieuw-wachtwoord")
    with pytest.raises(Exception, match="eenmalige aanmelding"):
        login.change_password(session, "anna.devries", "", "een-nieuw-wachtwoord", "een-nieuw-wachtwoord")


def test_a_deactivated_sso_account_stays_out(session, clock, tmp_path):
    config = _config(tmp_path)
    user = sso.sign_in(session, config, _claims(), clock.now())
    user.active = False
    session.commit()
    with pytest.raises(sso.SsoRefused, match="uitgeschakeld"):
        sso.sign_in(session, config, _claims(), clock.now())
    assert session.get(User, user.id).active is False


def test_the_person_comes_from_the_claims_and_the_configured_organisation(session, clock, tmp_path):
    config = _config(
        tmp_path,
        CONFIG.replace(
            'label = "Gemeente Test"',
            'label = "Gemeente Test"\njob_title_claim = "title"\norganisation = "Gemeente Test"',
        ),
    )
    user = sso.sign_in(session, config, _claims(name="Anna de Vries", title="jurist"), clock.now())
    assert user.person_label == "Anna de Vries (jurist, Gemeente Test)"
    odd = sso.sign_in(session, config, _claims(name="Anna\x00", title=["geen tekst"]), clock.now())
    assert (odd.display_name, odd.job_title, odd.organisation) == (None, None, "Gemeente Test")  # left out, not refused
    with pytest.raises(ConfigurationError, match="'organisation' moet een regel tekst"):
        _config(tmp_path, 'organisation = "' + "x" * 201 + '"\n' + CONFIG)

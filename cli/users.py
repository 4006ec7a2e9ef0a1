"""``thv`` commands for accounts: list, add, profile, password, two-step verification, disable and enable.

Same contract as the other commands (see cli.main). Registered by ``cli.main`` (``COMMANDS``); e-mail
settings are in cli.mail (``thv user-notify``).
"""

from __future__ import annotations

import secrets
import sys

import click

from cli.context import State, emit, pass_state
from engine.accounts import login, users


@click.command("users")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def list_users(state: State, as_json: bool) -> None:
    """Toon de gebruikers met hun rollen en regio's."""
    with state.rt.sessions() as session:
        data = users.list_users(session)
    emit(
        data,
        as_json,
        "\n".join(f"{u['name']}\t{','.join(u['roles'])}\t{','.join(u['regions'])}\t{u['login']}" for u in data),
    )


@click.command("user-add")
@click.argument("name")
@click.option("--roles", required=True, help="rolcodes, met komma's")
@click.option("--regions", "regions_", required=True, help="regiocodes, met komma's")
@click.option("--password-stdin", is_flag=True, help="lees het wachtwoord van standaardinvoer")
@click.option("--display-name", help="naam van de persoon (op documenten en in de geschiedenis)")
@click.option("--function", "job_title", help="functie, bijvoorbeeld 'hulpofficier van justitie'")
@click.option("--organisation", help="organisatie, bijvoorbeeld 'Politie Midden-Nederland'")
@click.option("--email", help="e-mailadres voor meldingen van nieuwe taken (wijzigen: thv user-notify)")
@pass_state
def user_add(
    state: State,
    name: str,
    roles: str,
    regions_: str,
    password_stdin: bool,
    display_name: str | None,
    job_title: str | None,
    organisation: str | None,
    email: str | None,
) -> None:
    """Maak een gebruiker aan. Zonder --password-stdin wordt een wachtwoord gegenereerd en getoond."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with state.rt.sessions() as session:
        user, generated = users.add_user(
            session,
            name,
            roles.split(","),
            regions_.split(","),
            password=password,
            now=state.rt.clock.now(),
            profile=users.Profile(display_name, job_title, organisation),
            email=email,
        )
    click.echo(f"gebruiker {user.name} aangemaakt")
    if not password_stdin:
        click.echo(f"wachtwoord: {generated}")


@click.command("user-profile")
@click.argument("name")
@click.option("--display-name", help="naam van de persoon (leeg: de gebruikersnaam)")
@click.option("--function", "job_title", help="functie")
@click.option("--organisation", help="organisatie")
@pass_state
def user_profile(
    state: State, name: str, display_name: str | None, job_title: str | None, organisation: str | None
) -> None:
    """Zet naam, functie en organisatie van een gebruiker (wat niet wordt gegeven, blijft staan)."""
    with state.rt.sessions() as session:
        current = users.get_user(session, name)
        given = users.Profile(
            current.display_name if display_name is None else display_name,
            current.job_title if job_title is None else job_title,
            current.organisation if organisation is None else organisation,
        )
        user = users.set_profile(session, name, given)
    click.echo(f"{user.name}: {user.person_label}")


@click.command("user-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="lees het nieuwe wachtwoord van standaardinvoer")
@pass_state
def user_password(state: State, name: str, password_stdin: bool) -> None:
    """Zet een nieuw wachtwoord; alle sessies van de gebruiker eindigen en een blokkade vervalt.

    Zonder --password-stdin wordt een wachtwoord gegenereerd en getoond.
    """
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else secrets.token_urlsafe(12)
    with state.rt.sessions() as session:
        login.reset_password(session, name, password)
    click.echo(f"wachtwoord van {name} gewijzigd; zijn of haar sessies zijn beëindigd")
    if not password_stdin:
        click.echo(f"wachtwoord: {password}")


@click.command("user-totp-reset")
@click.argument("name")
@pass_state
def user_totp_reset(state: State, name: str) -> None:
    """Zet de tweestapsverificatie van een gebruiker uit (telefoon kwijt); alle sessies eindigen."""
    with state.rt.sessions() as session:
        login.disable_totp(session, name, None)
    click.echo(f"tweestapsverificatie van {name} staat uit; de gebruiker kan haar opnieuw instellen")


@click.command("user-disable")
@click.argument("name")
@pass_state
def user_disable(state: State, name: str) -> None:
    """Schakel een account uit (ook een SSO-account); zijn sessies eindigen direct."""
    with state.rt.sessions() as session:
        users.set_active(session, name, False)
    click.echo(f"account {name} is uitgeschakeld; inloggen (ook via SSO) wordt geweigerd")


@click.command("user-enable")
@click.argument("name")
@pass_state
def user_enable(state: State, name: str) -> None:
    """Schakel een uitgeschakeld account weer in."""
    with state.rt.sessions() as session:
        users.set_active(session, name, True)
    click.echo(f"account {name} is weer ingeschakeld")


COMMANDS: tuple[click.Command, ...] = (
    list_users,
    user_add,
    user_profile,
    user_password,
    user_totp_reset,
    user_disable,
    user_enable,
)

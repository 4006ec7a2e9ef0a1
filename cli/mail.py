"""``thv`` commands for the e-mail notifications: a user's address and choice, one round of sending, the backlog,
a test mail.

Mails are sent by the timer worker (``thv timers --loop``, or the development server's own timer thread) after
each sweep; ``thv mail send`` does one such round by hand (after fixing the mail server, or from cron without a
timer worker). Same contract as the other commands (see cli.main). Registered by ``cli.main`` (``COMMANDS``).
"""

from __future__ import annotations

import click

from cli.context import State, emit
from engine.accounts import users
from engine.base.errors import ConfigurationError
from engine.base.vocabulary import NOTIFY_CHOICES
from engine.notify.outbox import mail_backlog


def _state(ctx: click.Context) -> State:
    return ctx.ensure_object(State)


@click.command("user-notify")
@click.argument("name")
@click.option("--email", help="e-mailadres voor meldingen (leeg: geen e-mail)")
@click.option(
    "--meldingen",
    "choice",
    type=click.Choice(list(NOTIFY_CHOICES)),
    help="all: elke nieuwe taak en het dagelijkse overzicht; digest: alleen het overzicht; none: niets",
)
@click.pass_context
def user_notify(ctx: click.Context, name: str, email: str | None, choice: str | None) -> None:
    """Zet het e-mailadres en de meldingen van een gebruiker (wat niet wordt gegeven, blijft staan)."""
    with _state(ctx).rt.sessions() as session:
        current = users.get_user(session, name)
        user = users.set_notifications(
            session, name, current.email if email is None else email, current.notify if choice is None else choice
        )
    click.echo(f"{user.name}: {user.email or 'geen e-mailadres'}; meldingen: {user.notify}")


@click.group("mail")
def mail() -> None:
    """E-mailmeldingen: versturen, de wachtrij bekijken, een testbericht sturen."""


@mail.command("send")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def send(ctx: click.Context, as_json: bool) -> None:
    """Verstuur nu wat klaarstaat (en het overzicht van vandaag als het tijd is); zoals de timerworker na elke sweep."""
    from engine.notify.sender import Mailer

    state = _state(ctx)
    if state.settings.mail is None:
        raise ConfigurationError("er is geen mailserver ingesteld (THV_SMTP_URL); er wordt niets verstuurd")
    rt = state.rt
    with rt.sessions() as session:
        result = Mailer(state.settings.mail, rt.clock).run(session)
    data = vars(result)
    text = (
        f"verstuurd: {result.sent}, later opnieuw: {result.retried}, opgegeven: {result.failed}, "
        f"vervallen: {result.dropped}, overzichten gemaakt: {result.digests}"
    )
    emit(data, as_json, text)


@mail.command("test")
@click.argument("address")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def send_test(ctx: click.Context, address: str, as_json: bool) -> None:
    """Stuur nu een testbericht naar ADDRESS, rechtstreeks naar de mailserver; zegt wat er misgaat als het niet lukt."""
    from engine.notify.probe import send_probe

    state = _state(ctx)
    if state.settings.mail is None:
        raise ConfigurationError("er is geen mailserver ingesteld (THV_SMTP_URL); er wordt niets verstuurd")
    settings = state.settings.mail
    to = send_probe(settings, address, state.rt.clock.now())
    server = f"{settings.host}:{settings.port}"
    emit({"sent_to": to, "server": server, "security": settings.security}, as_json,
          f"testbericht verstuurd naar {to} via {server} ({_SECURITY[settings.security]})")  # fmt: skip


_SECURITY = {"none": "onversleuteld", "starttls": "STARTTLS", "tls": "TLS"}


@mail.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Toon de wachtrij: hoeveel mails wachten, hoeveel al eens mislukten, en wat het afgelopen etmaal is opgegeven."""
    rt = _state(ctx).rt
    with rt.sessions() as session:
        backlog = mail_backlog(session, rt.clock.now())
    oldest = backlog.oldest_pending.isoformat() if backlog.oldest_pending else "-"
    text = (
        f"wachtend: {backlog.pending} (waarvan {backlog.retrying} na een mislukte poging), oudste: {oldest}; "
        f"opgegeven afgelopen 24 uur: {backlog.failed_last_day}"
    )
    emit(vars(backlog), as_json, text)


COMMANDS: tuple[click.Command, ...] = (user_notify, mail)

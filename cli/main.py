"""``thv``: every command exits non-zero with a one-line reason on failure, never a traceback.

Exit codes: 0 success, 1 refused (bad input, not allowed, conflict), 2 usage
error, 3 internal error. ``--json`` prints JSON on stdout.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import click

from cli.context import CLI_ACTOR, State, emit, parse_data, pass_state
from engine.accounts import users
from engine.base.errors import DeployRefused, Forbidden, InvalidInput, ThvError, Unavailable
from engine.base.log_context import configure_logging
from engine.base.vocabulary import REGIONS
from engine.cases import operations as cases
from engine.modeling import registry as model_registry
from engine.modeling.bundle import collect_bundle
from engine.storage.db import upgrade_schema
from engine.workflow import heartbeats, worklist


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Zaaksysteem tijdelijk huisverbod: beheer, processen en zaken."""


@cli.command("init-db")
@pass_state
def init_db(state: State) -> None:
    """Maak de database aan of werk het schema bij (veilig om te herhalen)."""
    upgrade_schema(state.rt.engine)
    click.echo("database is bijgewerkt")


@cli.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@pass_state
def backup(state: State, destination: Path, as_json: bool) -> None:
    """Schrijf een gecontroleerde kopie van de SQLite-database naar DESTINATION (terwijl de toepassing draait)."""
    from engine.storage.backup import backup_sqlite

    made = backup_sqlite(state.rt.engine, destination)
    data = {"path": str(made.path), "bytes": made.size, "cases": made.cases, "schema": made.schema}
    emit(data, as_json, f"back-up geschreven naar {made.path}: {made.cases} zaken, {made.size / 1e6:.1f} MB, "
                         f"schema {made.schema or '-'}")  # fmt: skip


@cli.command("status")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def status(state: State, as_json: bool) -> None:
    """Toon of de installatie nu haar werk kan doen: database, schema, timerworkers, e-mail (zoals /health/ready)."""
    from engine.notify.outbox import mail_backlog
    from engine.workflow.readiness import readiness

    rt, now = state.rt, state.rt.clock.now()
    with rt.sessions() as session:
        found = readiness(session, now, timers_elsewhere=state.settings.mode == "production")
        backlog = mail_backlog(session, now) if found.database and state.settings.mail is not None else None
    timers = found.timers
    data: dict[str, Any] = {
        "ready": found.ready,
        "reasons": found.reasons(),
        "database": "ok" if found.database else "onbereikbaar",
        "timer_workers": timers.workers if timers else None,
        "timers_due": timers.due if timers else None,
        "last_timer_sweep": timers.latest_sweep.isoformat() if timers and timers.latest_sweep else None,
        "mail": dataclasses.asdict(backlog) if backlog else None,
    }
    lines = [f"database: {data['database']}"]
    if timers is not None:
        age = f"{int((now - timers.latest_sweep).total_seconds())} s geleden" if timers.latest_sweep else "nooit"
        lines.append(f"timers: {timers.workers} actieve worker(s), laatste sweep {age}, {timers.due} verlopen wachtend")
    if state.settings.mail is None:
        lines.append("e-mail: geen mailserver ingesteld")
    elif backlog is not None:
        lines.append(f"e-mail: {backlog.pending} wachtend, {backlog.failed_last_day} opgegeven in het afgelopen etmaal")
    verdict = "klaar" if found.ready else "niet klaar: " + "; ".join(found.reasons())
    emit(data, as_json, "\n".join([*lines, verdict]))
    if not found.ready:  # for scripts and monitoring: the exit code (1) and stderr say it too
        raise Unavailable(verdict)


@cli.command("regions")
@click.option("--json", "as_json", is_flag=True)
def regions(as_json: bool) -> None:
    """Toon de regio's."""
    data = [{"code": r.code, "name": r.name} for r in REGIONS]
    emit(data, as_json, "\n".join(f"{r.code}\t{r.name}" for r in REGIONS))


@cli.command("deploy")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--region", required=True)
@click.option("--variant", help="standaard: de naam van de map")
@click.option("--as", "as_user", help="procesontwerper die uitrolt (standaard: beheer-cli)")
@click.option("--json", "as_json", is_flag=True, help="resultaat of alle bevindingen als JSON")
@pass_state
def deploy(state: State, path: Path, region: str, variant: str | None, as_user: str | None, as_json: bool) -> None:
    """Controleer een bundel en rol haar uit als nieuwe versie; toont het versienummer."""
    rt = state.rt
    try:
        with rt.sessions() as session:
            actor = CLI_ACTOR
            if as_user:
                user = users.get_user(session, as_user)
                if "designer" not in user.roles or region not in user.regions:
                    raise Forbidden(f"{as_user} is geen procesontwerper in regio '{region}'")
                actor = user.name
            result = model_registry.deploy_bundle(
                session,
                rt.registry,
                collect_bundle(path),
                region=region,
                variant=variant or path.resolve().name,
                actor=actor,
                now=rt.clock.now(),
            )
            stored = sorted(f.path for f in result.version.files)
    except DeployRefused as exc:
        emit({"deployed": False, "findings": [vars(f) for f in exc.findings]}, as_json)
        if not as_json and len(exc.findings) > 1:
            for finding in exc.findings:  # every finding at once, by file and line; then the one-line summary
                click.echo(str(finding), err=True)
        raise
    if not result.created:
        click.echo("ongewijzigd: deze bestanden zijn al de live versie", err=True)
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    emit(
        {
            "deployed": True,
            "created": result.created,
            "version": result.version.version,
            "sha256": result.version.sha256,
            "files": stored,
            "warnings": [vars(w) for w in result.warnings],
        },
        as_json,
        str(result.version.version),
    )


@cli.command("versions")
@click.option("--region")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def versions(state: State, region: str | None, as_json: bool) -> None:
    """Toon de uitgerolde modelversies."""
    with state.rt.sessions() as session:
        data = model_registry.list_versions(session, region)
    lines = [
        "\t".join([v["region"], v["variant"], f"v{v['version']}", "live" if v["live"] else "", v["sha256"][:12]])
        for v in data
    ]
    emit(data, as_json, "\n".join(lines))


@cli.command("start")
@click.option("--region", required=True)
@click.option("--variant")
@click.option("--data", "raw_data")
@click.option("--as", "as_user")
@click.option("--role", help="de rol waarin je start, als je er meer hebt")
@pass_state
def start(
    state: State, region: str, variant: str | None, raw_data: str | None, as_user: str | None, role: str | None
) -> None:
    """Start een zaak; toont alleen het zaaknummer."""
    rt = state.rt
    data = parse_data(raw_data)
    with rt.sessions() as session:
        user = users.get_user(session, as_user) if as_user else None
        case_id = cases.start_case(
            session, rt.registry, rt.clock, region=region, variant=variant, data=data, user=user, role=role
        )
    click.echo(str(case_id))


@cli.command("tasks")
@click.option("--case", "case_id", type=int)
@click.option("--role")
@click.option("--region")
@click.option("--state", "task_state", default="ready", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def tasks(
    state: State, case_id: int | None, role: str | None, region: str | None, task_state: str, as_json: bool
) -> None:
    """Toon taken, op deadline gesorteerd."""
    with state.rt.sessions() as session:
        data = worklist.list_tasks(session, case_id=case_id, role=role, region=region, state=task_state)
    keys = ("id", "case_id", "region", "element", "title", "role", "form", "state", "due_at", "created_at")
    rows = [{k: t.get(k) for k in keys} for t in data]
    emit(
        rows,
        as_json,
        "\n".join(f"{t['id']}\tzaak {t['case_id']}\t{t['role']}\t{t['title']}\t{t['due_at'] or '-'}" for t in data),
    )


@cli.command("complete")
@click.argument("task_id")
@click.option("--data", "raw_data", required=True)
@click.option("--as", "as_user", required=True)
@click.option("--case-version", type=int, help="weiger als de zaak intussen is gewijzigd")
@pass_state
def complete(state: State, task_id: str, raw_data: str, as_user: str, case_version: int | None) -> None:
    """Rond een taak af met formuliergegevens."""
    rt = state.rt
    data = parse_data(raw_data)
    with rt.sessions() as session:
        user = users.get_user(session, as_user)
        cases.complete_task(
            session, rt.registry, rt.clock, task_id=task_id, data=data, user=user, expected_version=case_version
        )
    click.echo("taak afgerond")


@cli.command("send")
@click.argument("case_id", type=int)
@click.argument("message")
@click.option("--data", "raw_data")
@click.option("--as", "as_user", required=True)
@pass_state
def send(state: State, case_id: int, message: str, raw_data: str | None, as_user: str) -> None:
    """Meld een gebeurtenis (BPMN-bericht) bij een zaak."""
    rt = state.rt
    data = parse_data(raw_data)
    with rt.sessions() as session:
        user = users.get_user(session, as_user)
        cases.send_message(session, rt.registry, rt.clock, case_id=case_id, message=message, data=data, user=user)
    click.echo("bericht afgeleverd")


@cli.command("timers")
@click.option("--loop", is_flag=True, help="blijf timers afvuren (een aparte worker)")
@click.option("--interval", type=click.FloatRange(0.5, 3600), default=5.0, show_default=True)
@click.option(
    "--max-pause",
    type=click.FloatRange(1, 3600),
    default=60.0,
    show_default=True,
    help="langste wachttijd na databasefouten op rij (de wachttijd verdubbelt per fout)",
)
@click.option(
    "--heartbeat",
    type=click.Path(dir_okay=False, path_type=Path),
    help="bestand dat na elke geslaagde sweep het tijdstip ervan krijgt (voor een liveness-check)",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    help="poort op 127.0.0.1 waarop deze worker zijn Prometheus-metrics geeft (timervertraging, sweepduur)",
)
@pass_state
def fire_timers(
    state: State, loop: bool, interval: float, max_pause: float, heartbeat: Path | None, metrics_port: int | None
) -> None:
    """Vuur de timers af die nu verlopen zijn; toont hoeveel. Met THV_SMTP_URL gaan daarna de e-mailmeldingen uit."""
    from cli.timer_loop import TimerLoop

    if heartbeat is not None and not heartbeat.parent.is_dir():
        raise InvalidInput(f"--heartbeat: de map {heartbeat.parent} bestaat niet")
    rt = state.rt
    worker = heartbeats.worker_name()
    mailer = None
    if state.settings.mail is not None:  # each sweep then also sends the due notification mails
        from engine.notify.sender import Mailer

        mailer = Mailer(state.settings.mail, rt.clock)
    if loop:
        from engine.storage.schema_state import require_current_schema

        require_current_schema(rt.engine)  # a worker on a schema it was not written for fails on every sweep
        configure_logging(state.settings.effective_log_format)
        if metrics_port is not None:
            from cli.serving import serve_worker_metrics

            serve_worker_metrics(metrics_port)

    def sweep() -> int:
        with rt.sessions() as session:
            return heartbeats.sweep(session, rt.registry, rt.clock, worker, mailer=mailer)

    if not loop:
        click.echo(str(sweep()))
        if heartbeat is not None:
            TimerLoop(sweep=lambda: 0, interval=interval, max_pause=max_pause, heartbeat=heartbeat).beat()
        return
    TimerLoop(
        sweep=sweep,
        interval=interval,
        max_pause=max_pause,
        heartbeat=heartbeat,
        report=lambda line: click.echo(line),
        warn=lambda line: click.echo(line, err=True),
    ).run()
    click.echo("timerworker gestopt")  # by SIGTERM or SIGINT, after the sweep under way


@cli.command("case")
@click.argument("case_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def case(state: State, case_id: int, as_json: bool) -> None:
    """Toon waar een zaak staat."""
    with state.rt.sessions() as session:
        data = cases.case_details(session, state.rt.registry, case_id)
    text = "\n".join(
        [
            f"zaak {data['id']} ({data['region']}, {data['variant']} v{data['model_version']}): {data['status']}",
            *(f"  mijlpaal {m['name']} op {m['at']}" for m in data["milestones"]),
            *(f"  open: {t['title']} ({t['role']}, deadline {t['due_at'] or '-'})" for t in data["open_tasks"]),
        ]
    )
    emit(data, as_json, text)


@cli.command("seed-demo")
@click.option("--processes", type=click.Path(path_type=Path), default=Path("processes"), show_default=True)
@pass_state
def seed_demo(state: State, processes: Path) -> None:
    """Rol de meegeleverde modellen uit in de demoregio's en maak demogebruikers (veilig om te herhalen)."""
    from engine.demo.demo import seed_demo as run_seed

    for line in run_seed(state.rt, processes):
        click.echo(line)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="webworkers (productie): standaard één per processorkern op PostgreSQL, één op SQLite",
)
@click.option(
    "--timeout",
    type=click.IntRange(1, 3600),
    default=30,
    show_default=True,
    help="seconden per verzoek voordat gunicorn de worker herstart (productie)",
)
@click.option(
    "--timers/--no-timers",
    "run_timers",
    default=None,
    help="vuur timers af in dit proces (standaard aan, behalve in productie: daar 'thv timers --loop')",
)
@pass_state
def serve(state: State, host: str, port: int, workers: int | None, timeout: int, run_timers: bool | None) -> None:
    """Start de webserver: gunicorn in productie, anders Flask's ontwikkelserver."""
    from cli import serving

    configure_logging(state.settings.effective_log_format)
    serving.serve(state.settings, host=host, port=port, workers=workers, timeout=timeout, timers=run_timers)


def _register_area_commands() -> None:
    # Commands of other areas live in their own modules; importing them touches no database.
    from cli.analysis import COMMANDS as ANALYSIS_COMMANDS
    from cli.documents import COMMANDS as DOCUMENT_COMMANDS
    from cli.mail import COMMANDS as MAIL_COMMANDS
    from cli.privacy import COMMANDS as PRIVACY_COMMANDS
    from cli.simulation import COMMANDS as SIMULATION_COMMANDS
    from cli.users import COMMANDS as USER_COMMANDS

    area_commands = (
        ANALYSIS_COMMANDS,
        DOCUMENT_COMMANDS,
        MAIL_COMMANDS,
        PRIVACY_COMMANDS,
        SIMULATION_COMMANDS,
        USER_COMMANDS,
    )
    for command in (c for commands in area_commands for c in commands):
        cli.add_command(command)


_register_area_commands()


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="thv", standalone_mode=False)
        return 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("afgebroken", err=True)
        return 1
    except click.ClickException as exc:
        click.echo(f"fout: {exc.format_message()}", err=True)
        return 2
    except ThvError as exc:
        click.echo(f"fout: {_one_line(exc.message)}", err=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - the contract is: never a traceback
        click.echo(f"interne fout: {type(exc).__name__}: {_one_line(str(exc))}", err=True)
        return 3


def _one_line(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())

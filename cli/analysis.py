"""``thv`` commands of the process designer and the pilot dashboard.

Registered by ``cli.main`` (see ``COMMANDS``). Same contract as the other
commands: a one-line reason on failure (exit 1 refused, 2 usage, 3 internal),
``--json`` for JSON on stdout.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.context import State, emit
from engine.accounts import users
from engine.base.errors import Conflict, InvalidInput
from engine.design import case_migration, event_log, model_diff, werkproces, werkproces_render
from engine.design import dashboard as figures
from engine.modeling import versions

if TYPE_CHECKING:
    from engine.runtime import Runtime

FIGURE_CHOICE = click.Choice(figures.FIGURES)


def _runtime(ctx: click.Context) -> Runtime:
    return ctx.ensure_object(State).rt


@click.command("versions-rollback")
@click.argument("region")
@click.argument("variant")
@click.argument("version", type=int)
@click.option("--as", "as_user", required=True, help="procesontwerper van de regio (of beheerder)")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def versions_rollback(ctx: click.Context, region: str, variant: str, version: int, as_user: str, as_json: bool) -> None:
    """Maak een eerdere versie van een variant weer live; lopende zaken blijven op hun versie."""
    rt = _runtime(ctx)
    with rt.sessions() as session:
        user = users.get_user(session, as_user)
        result = versions.rollback_live_version(
            session, user=user, region=region, variant=variant, version=version, now=rt.clock.now()
        )
    emit(
        result,
        as_json,
        f"{region} {variant}: versie {result['version']} is live "
        f"(was {result['previous_version']}; {result['action']})",
    )


@click.command("versions-history")
@click.argument("region")
@click.option("--variant")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def versions_history(ctx: click.Context, region: str, variant: str | None, as_json: bool) -> None:
    """Toon wie wanneer welke versie live zette (uitrol, terugdraaien)."""
    with _runtime(ctx).sessions() as session:
        data = versions.live_history(session, region, variant)
    emit(
        data,
        as_json,
        "\n".join(f"{h['at']}\t{h['variant']}\tv{h['version']}\t{h['action']}\t{h['actor']}" for h in data),
    )


@click.command("cases-per-version")
@click.option("--region")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def cases_per_version(ctx: click.Context, region: str | None, as_json: bool) -> None:
    """Toon per modelversie hoeveel zaken erop lopen, en welke nog actief zijn."""
    with _runtime(ctx).sessions() as session:
        data = versions.cases_per_version(session, region)
    lines = [
        f"{v['region']}\t{v['variant']}\tv{v['version']}{' live' if v['live'] else ''}\t"
        f"{v['total']} zaken, {v['by_status']['active']} actief"
        + (f": {', '.join(map(str, v['active_case_ids']))}" if v["active_case_ids"] else "")
        for v in data
    ]
    emit(data, as_json, "\n".join(lines))


@click.command("migrate")
@click.argument("case_ids", nargs=-1, type=int, required=True)
@click.option("--to-version", type=click.IntRange(1), required=True, help="versienummer van de eigen variant")
@click.option("--as", "as_user", required=True, help="procesontwerper van de regio (of beheerder)")
@click.option("--dry-run", is_flag=True, help="alleen nagaan of het veilig kan; niets wijzigen")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def migrate(
    ctx: click.Context, case_ids: tuple[int, ...], to_version: int, as_user: str, dry_run: bool, as_json: bool
) -> None:
    """Zet lopende zaken over naar een nieuwere versie, alleen waar dat veilig is (per zaak)."""
    rt = _runtime(ctx)
    with rt.sessions() as session:
        user = users.get_user(session, as_user)
        results = case_migration.migrate_cases(
            session, rt.registry, rt.clock, case_ids=case_ids, to_version=to_version, user=user, dry_run=dry_run
        )
    words = {
        case_migration.MIGRATED: "gemigreerd",
        case_migration.SAFE: "kan veilig",
        case_migration.REFUSED: "geweigerd",
    }
    emit(
        results,
        as_json,
        "\n".join(
            f"zaak {r['case_id']}: {words[r['status']]}" + (f" ({r['reason']})" if r["reason"] else "") for r in results
        ),
    )
    refused = sum(1 for r in results if r["status"] == case_migration.REFUSED)
    if refused:
        raise Conflict(f"{refused} van {len(results)} zaken niet {'migreerbaar' if dry_run else 'gemigreerd'}")


@click.command("diff")
@click.argument("version_a", type=int)
@click.argument("version_b", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def diff(ctx: click.Context, version_a: int, version_b: int, as_json: bool) -> None:
    """Vergelijk twee modelversies (ids uit `thv versions --json`) element voor element."""
    with _runtime(ctx).sessions() as session:
        result = model_diff.diff_versions(session, version_a, version_b)
    a, b = result["a"], result["b"]
    header = (
        f"{a['region']} {a['variant']} v{a['version']} -> {b['region']} {b['variant']} v{b['version']}: "
        f"{result['summary']['added']} toegevoegd, {result['summary']['removed']} verwijderd, "
        f"{result['summary']['changed']} gewijzigd"
    )
    emit(result, as_json, "\n".join([header, *model_diff.format_diff(result)]))


@click.command("werkproces")
@click.argument("version_id", type=int)
@click.option("--format", "fmt", type=click.Choice(werkproces_render.FORMATS), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="bestand; zonder: standaarduitvoer")
@click.pass_context
def werkproces_command(ctx: click.Context, version_id: int, fmt: str, out: Path | None) -> None:
    """De werkprocesbeschrijving van een modelversie (id uit `thv versions --json`), uit de modellen gemaakt."""
    if out is None and fmt in ("pdf", "docx"):
        raise InvalidInput(f"een {fmt}-bestand gaat niet naar het scherm; geef --out BESTAND.{fmt}")
    if out is not None and not out.parent.is_dir():
        raise InvalidInput(f"map {out.parent} bestaat niet; er is niets geschreven")
    with _runtime(ctx).sessions() as session:
        description = werkproces.werkproces_for_version(session, version_id)
    content = werkproces_render.render(description, fmt)  # made in full before anything is written
    if out is None:
        click.echo(content.decode("utf-8"), nl=False)
        return
    partial = out.with_name(f".{out.name}.deel")
    try:
        partial.write_bytes(content)
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InvalidInput(
            f"kan {out} niet schrijven ({exc.strerror or exc.__class__.__name__}); er is niets geschreven"
        ) from None
    click.echo(f"werkprocesbeschrijving ({fmt}) geschreven naar {out}", err=True)


@click.command("dashboard")
@click.option("--region")
@click.option("--from", "start", help="begin van de periode: JJJJ-MM-DD of ISO-tijdstip (inclusief)")
@click.option("--to", "end", help="einde van de periode: JJJJ-MM-DD of ISO-tijdstip (exclusief)")
@click.option("--json", "as_json", is_flag=True, help="alle figuren als JSON")
@click.option("--csv", "csv_figure", type=FIGURE_CHOICE, help="één figuur als CSV")
@click.pass_context
def dashboard(
    ctx: click.Context, region: str | None, start: str | None, end: str | None, as_json: bool, csv_figure: str | None
) -> None:
    """Vergelijkingscijfers per regio en variant over een periode."""
    if as_json and csv_figure:
        raise click.UsageError("kies --json of --csv, niet allebei")
    rt = _runtime(ctx)
    begin, until = figures.parse_bound(start), figures.parse_bound(end)
    with rt.sessions() as session:
        if csv_figure:
            click.echo(
                figures.figure_csv(session, csv_figure, now=rt.clock.now(), region=region, start=begin, end=until),
                nl=False,
            )
            return
        data = figures.dashboard(session, now=rt.clock.now(), region=region, start=begin, end=until)
    lines = []
    for name in figures.FIGURES:
        columns = figures.COLUMNS[name]
        lines.append(f"# {figures.FIGURE_TITLES[name]}")
        lines.append("\t".join(columns))
        lines.extend(
            "\t".join("-" if row.get(c) is None else str(row.get(c)) for c in columns) for row in data["figures"][name]
        )
    emit(data, as_json, "\n".join(lines))


def _open(path: Path, mode: str):
    try:
        return path.open(mode, encoding=None if "b" in mode else "utf-8", newline=None if "b" in mode else "")
    except OSError as exc:
        raise InvalidInput(f"kan {path} niet schrijven ({exc.strerror or exc.__class__.__name__})") from None


@click.command("export-log")
@click.option("--format", "fmt", type=click.Choice(event_log.FORMATS), required=True)
@click.option("--region")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="bestand (standaard: stdout)")
@click.option(
    "--pseudonym",
    type=click.Choice(event_log.PSEUDONYMS),
    default="hash",
    show_default=True,
    help="gebruikers als sleutel-hash (per export) of als hun rol",
)
@click.pass_context
def export_log(ctx: click.Context, fmt: str, region: str | None, out: Path | None, pseudonym: str) -> None:
    """Exporteer het gepseudonimiseerde gebeurtenissenlog (XES of CSV) voor process mining."""
    rt = _runtime(ctx)
    names = event_log.Pseudonyms(pseudonym)
    versions.check_region(region)
    with rt.sessions() as session:
        if fmt == "xes":
            sys.stdout.flush()
            target = _open(out, "wb") if out else sys.stdout.buffer
            try:
                counted = event_log.write_xes(session, target, region=region, pseudonyms=names)
            finally:
                if out:
                    target.close()
                else:
                    target.flush()
        else:
            target = _open(out, "w") if out else sys.stdout
            try:
                counted = event_log.write_csv(session, target, region=region, pseudonyms=names)
            finally:
                if out:
                    target.close()
    if out:
        click.echo(f"{counted[0]} zaken, {counted[1]} gebeurtenissen geschreven naar {out}", err=True)


COMMANDS: tuple[click.Command, ...] = (
    versions_rollback,
    versions_history,
    cases_per_version,
    migrate,
    diff,
    werkproces_command,
    dashboard,
    export_log,
)

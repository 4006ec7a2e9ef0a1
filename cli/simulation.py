"""``thv simulate``: the variants side by side with the baseline, on synthetic cases (issue 18).

Same contract as the other commands: a one-line Dutch reason on failure, ``--json`` for JSON and
``--csv FIGURE`` for one figure as CSV on stdout. Nothing is stored: the database is only read for
the region's deployed models and the observed figures of its real cases.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from cli.context import State
from engine.simulation import export
from engine.simulation.profile import DEFAULT_PROFILE
from engine.simulation.service import simulate as run_simulation


@click.command("simulate")
@click.option("--region", required=True, help="regiocode (volume en capaciteit uit het profiel, eigen modellen)")
@click.option(
    "--variant",
    "variants",
    multiple=True,
    required=True,
    help="variant (herhaal voor meer); de basis komt er altijd bij",
)
@click.option("--cases", type=int, default=100, show_default=True, help="zaken per variant")
@click.option("--seed", type=int, default=1, show_default=True, help="zaadgetal: dezelfde seed geeft dezelfde cijfers")
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False, path_type=Path), help="eigen profiel (TOML)")
@click.option(
    "--profile-name", default=DEFAULT_PROFILE, show_default=True, help="meegeleverd profiel (simulation/profiles)"
)
@click.option("--max-seconds", type=float, help="stop met een melding als de simulatie langer duurt")
@click.option("--workers", type=int, default=1, show_default=True, help="processen tegelijk (één variant per proces)")
@click.option("--json", "as_json", is_flag=True, help="alle figuren als JSON")
@click.option("--csv", "csv_figure", type=click.Choice(list(export.FIGURES)), help="één figuur als CSV")
@click.pass_context
def simulate(
    ctx: click.Context,
    region: str,
    variants: tuple[str, ...],
    cases: int,
    seed: int,
    profile_file: Path | None,
    profile_name: str,
    max_seconds: float | None,
    workers: int,
    as_json: bool,
    csv_figure: str | None,
) -> None:
    """Simuleer zaken per variant naast de basis: werklast, doorlooptijden, termijnen en capaciteit."""
    if as_json and csv_figure:
        raise click.UsageError("kies --json of --csv, niet allebei")
    if workers < 1:
        raise click.UsageError("--workers moet 1 of meer zijn")
    rt = ctx.ensure_object(State).rt
    with rt.sessions() as session:
        result = run_simulation(
            region=region,
            variants=list(variants),
            cases=cases,
            seed=seed,
            profile_file=profile_file,
            profile_name=profile_name,
            session=session,
            registry=rt.registry,
            max_seconds=max_seconds,
            workers=workers,
        )
    if csv_figure:
        click.echo(export.figure_csv(result, csv_figure), nl=False)
    elif as_json:
        click.echo(json.dumps(export.as_dict(result), ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(export.figure_text(result))


COMMANDS = (simulate,)

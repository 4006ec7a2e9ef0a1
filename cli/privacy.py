"""``thv`` commands for what the law and the AVG ask of the data: retention and destruction (Wth 10), a
subject access request (AVG art. 15), and seeing a case without a task in it (break the glass).

Same contract as the other commands (see cli.main). Registered by ``cli.main`` (``COMMANDS``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import click

from cli.context import CLI_ACTOR, State, emit, pass_state
from engine.accounts import users


@click.command("retention")
@click.option("--region", help="alleen deze regio")
@click.option("--destroy", is_flag=True, help="vernietig wat aan de beurt is (zonder: alleen tonen)")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def retention(state: State, region: str | None, destroy: bool, as_json: bool) -> None:
    """Bewaartermijnen (Wth 10): toon welke afgeronde zaken vernietigd moeten worden; --destroy doet het."""
    from engine.cases.retention import destroy_due, retention_plan

    rt = state.rt
    with rt.sessions() as session:
        if destroy:
            reports = destroy_due(session, rt.registry, rt.clock.now(), CLI_ACTOR, region)
            data: Any = [
                {"case_id": r.case_id, "rule": r.rule, "destroyed_at": r.destroyed_at, "counts": json.loads(r.counts)}
                for r in reports
            ]
            text = "\n".join(f"zaak {r.case_id} vernietigd ({r.rule})" for r in reports) or "niets te vernietigen"
        else:
            items = retention_plan(session, rt.registry, rt.clock.now(), region)
            data = [
                {"case_id": i.case_id, "region": i.region, "variant": i.variant, "rule": i.rule, "due": i.due,
                 "is_due": i.is_due}
                for i in items
            ]  # fmt: skip
            due = [i for i in items if i.is_due]
            text = "\n".join(
                [f"zaak {i.case_id} ({i.region}): {'nu te vernietigen' if i.is_due else 'bewaren'}; {i.rule}"
                 + (f"; tot {i.due.isoformat()}" if i.due and not i.is_due else "") for i in items]
                + [f"{len(due)} van {len(items)} afgeronde zaken zijn aan de beurt; vernietig ze met --destroy"]
            )  # fmt: skip
    emit(data, as_json, text)


@click.command("subject-access")
@click.option("--name", required=True, help="de naam van de betrokkene, zoals in de zaak")
@click.option("--as", "as_user", required=True, help="de functionaris gegevensbescherming")
@pass_state
def subject_access(state: State, name: str, as_user: str) -> None:
    """Inzageverzoek (AVG art. 15): alles over één persoon in de zaken van de regio's, als JSON."""
    from engine.cases.persons import subject_access as export

    with state.rt.sessions() as session:
        cases_about = export(session, users.get_user(session, as_user), name, state.rt.clock.now())
    emit([dataclasses.asdict(c) for c in cases_about], True)


@click.command("break-glass")
@click.argument("case_id", type=int)
@click.option("--as", "as_user", required=True, help="wie de zaak zonder taak wil inzien")
@click.option("--reason", required=True, help="waarom (minstens 10 tekens); het kabinet van de burgemeester ziet het")
@pass_state
def break_glass(state: State, case_id: int, as_user: str, reason: str) -> None:
    """Zien zonder taak in de zaak (need-to-know): de reden wordt vastgelegd; geldig voor 8 uur."""
    from engine.workflow.need_to_know import break_the_glass

    with state.rt.sessions() as session:
        until = break_the_glass(session, case_id, users.get_user(session, as_user), reason, state.rt.clock.now())
    click.echo(f"reden vastgelegd; {as_user} kan zaak {case_id} inzien tot {until.isoformat()}")


COMMANDS: tuple[click.Command, ...] = (retention, subject_access, break_glass)

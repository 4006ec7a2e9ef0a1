"""What the person who completed a task is told next: the tasks it made ready, for whom, by when."""

from __future__ import annotations

from flask_babel import gettext as _

from engine.cases.read_models import Completion, NextTask, Started
from web.i18n import moment
from web.presentation import role_label


def _step(task: NextTask) -> str:
    if task["due_at"]:
        return _(
            "%(title)s (%(role)s, uiterlijk %(moment)s)",
            title=task["title"],
            role=role_label(task["role"]),
            moment=moment(task["due_at"]),
        )
    return _("%(title)s (%(role)s)", title=task["title"], role=role_label(task["role"]))


def next_steps_message(completion: Completion | Started) -> str:
    """One sentence after a completion or a start: the next steps soonest first, or that the case ended or waits."""
    steps = completion["next_tasks"]
    if len(steps) == 1:
        return _("Volgende stap: %(step)s.", step=_step(steps[0]))
    if steps:
        return _("Volgende stappen: %(steps)s.", steps="; ".join(_step(s) for s in steps))
    if completion["case_status"] != "active":
        return _("De zaak is hiermee afgerond.")
    return _("Er staan geen nieuwe taken klaar: de zaak wacht op een termijn, een melding of een andere organisatie.")

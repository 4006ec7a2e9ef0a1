"""What engine.cases hands the web pages, the API and the CLI: a case, its page, a task page, what can start.

The shapes that go out as JSON unchanged (``thv case --json``, the API's case, task, event and
variant objects) are TypedDicts: they are the JSON, and web/openapi.json describes them. The
shapes only a page reads are frozen dataclasses. Keys are English; Dutch stays in the values
(titles, labels, the case variables, which are the model's own names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from engine.workflow.case_title import CaseTitle
from engine.workflow.need_to_know import CaseAccess
from engine.workflow.worklist import TaskRow


class NextTask(TypedDict):
    """A task an act made ready: what happens next, for whom, by when (ISO 8601 or None)."""

    id: str
    title: str
    role: str
    due_at: str | None
    acute: bool


class Completion(TypedDict):
    """What a completed task led to: the case's status and the tasks it made ready (the API's answer)."""

    status: str  # "afgerond"
    case_id: int
    case_status: str
    next_tasks: list[NextTask]


class Started(TypedDict):
    """A case just started: its id, its status and the tasks the start made ready (the API's answer)."""

    id: int
    case_status: str
    next_tasks: list[NextTask]


class Milestone(TypedDict):
    """A milestone the case reached (``huisverbod_opgelegd``, ...) and when (ISO 8601)."""

    name: str
    at: str


class CaseDetails(TypedDict):
    """Where a case stands: ``thv case --json`` and the API's case.

    ``lock_version`` is the version a caller may pass to complete a task only if nothing changed;
    ``waiting_for`` the BPMN messages the case waits for; ``variables`` the case data (for a user:
    filtered by engine.workflow.visibility).
    """

    id: int
    region: str
    variant: str
    model_version: int
    status: str
    lock_version: int
    milestones: list[Milestone]
    open_tasks: list[TaskRow]
    waiting_for: list[str]
    next_timer_at: str | None
    variables: dict[str, Any]


class Diagram(TypedDict):
    """The main process diagram of a case: its BPMN XML and the element ids done and active now."""

    xml: str
    completed: list[str]
    active: list[str]


class WaitingEvent(TypedDict):
    """An event (BPMN message) the case waits for: who may report it, with which form, whether this user may."""

    message: str
    title: str
    senders: list[str]
    form: str | None
    schema: dict[str, Any] | None
    allowed: bool


class HistoryEntry(TypedDict):
    """One line of a case's history: an audit event, or a task that closed without being done.

    ``action`` is the audit code (``taak_afgerond``, ``uitgereikt``, ...); ``element_title`` the Dutch
    name of the step; ``revoked`` is True for an act that was later revoked.
    """

    at: datetime
    actor: str
    action: str
    element: str | None
    element_title: str | None
    milestone: str | None
    detail: dict[str, Any]
    revoked: bool


class TaskCase(TypedDict):
    """The case of a task as its task page shows it, with the variables the user may see."""

    id: int
    region: str
    variant: str
    status: str
    lock_version: int
    variables: dict[str, Any]


class StartOption(TypedDict):
    """A live variant of a region the user may see, with the roles in which the user may start a case of it."""

    region: str
    region_name: str
    variant: str
    version: int
    default: bool
    title: str
    starters: list[str]
    roles: list[str]
    form: str | None
    schema: dict[str, Any] | None


@dataclass(frozen=True)
class FieldTexts:
    """The Dutch titles of a model's form fields, and of the choices a field offers, by property name.

    A choice is stored as its code (``in_persoon``, ``veilig_thuis``); people read its title.
    """

    titles: dict[str, str]
    choices: dict[str, dict[str, str]]

    def title(self, name: str) -> str | None:
        return self.titles.get(name)

    def choice(self, name: str | None, value: Any) -> str | None:
        """The title of ``value`` as a choice of field ``name``; None when it is no choice of it."""
        if name is None or not isinstance(value, str):
            return None
        return self.choices.get(name, {}).get(value)


@dataclass(frozen=True)
class CasePage:
    """Everything the case page shows of one case to one user, from one load of the workflow.

    ``sees_data`` is False for roles that see no case data at all (designer, beheerder: the history
    then names no people and shows no details); ``ban`` is the huisverbod
    variable when there is one; ``labels`` are the Dutch titles of the form fields and their choices.
    """

    case: CaseDetails
    sees_data: bool
    access: CaseAccess  # the roles with which the user reads this case, and why (need-to-know)
    started_at: datetime
    started_by: str
    ended_at: datetime | None
    error: str | None
    ban: dict[str, Any] | None
    diagram: Diagram
    events: list[WaitingEvent]
    history: list[HistoryEntry]
    labels: FieldTexts
    title: CaseTitle  # empty for a role that sees no case data


@dataclass(frozen=True)
class TaskPage:
    """A task with its form schema, its instructions (rendered) and the case data the user may see."""

    task: TaskRow
    schema: dict[str, Any] | None
    instructions: str | None
    documentation: str | None
    case: TaskCase
    labels: FieldTexts
    prefill: dict[str, Any]  # starting values of the empty form, from case data the user may see (x-prefill)
    title: CaseTitle  # the case's title as far as the user may see it


@dataclass(frozen=True)
class TaskForm:
    """A task and its form schema, for handling a form post without loading the workflow."""

    task: TaskRow
    schema: dict[str, Any] | None

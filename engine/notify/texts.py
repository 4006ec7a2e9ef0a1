"""What a notification mail says: Dutch, and nothing from the case.

A mail leaves the application for mail servers and phones outside its control. It therefore says
only what a caseworker needs to decide whether to act now, and nothing a case's parties entered:
the case number, the name of the step from the process model (the same for every case), the role
and region it is for, whether the case is on the acute route, and the due time; then a link to the
task page behind the login. No names, no address, no RIHG data, no form contents, no case title.
``{base}`` in a body stands for the application's address (THV_BASE_URL), filled in when it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.base.clock import dutch_instant
from engine.base.vocabulary import REGIONS, ROLES

BASE = "{base}"
DIGEST_LINES = 25  # more overdue tasks than this are counted, not listed
_ROLE = {r.code: r.label for r in ROLES}
_REGION = {r.code: r.name for r in REGIONS}
_FOOTER = (
    "Deze e-mail bevat met opzet geen gegevens uit de zaak; die staan alleen in het zaaksysteem.\n"
    f"Meldingen wijzigen of uitzetten: {BASE}/account\n"
)


@dataclass(frozen=True)
class TaskNotice:
    """A task that became ready, as far as a mail may tell of it."""

    task_id: str
    case_id: int
    title: str  # the step's name in the process model
    role: str
    region: str
    due_at: datetime | None
    acute: bool


def one_line(text: str, limit: int = 200) -> str:
    """Model text as a single line (a header may not break), shortened."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def role_label(code: str) -> str:
    return _ROLE.get(code, code)


def region_label(code: str) -> str:
    return _REGION.get(code, code)


def task_subject(notice: TaskNotice) -> str:
    urgent = "Spoed: n" if notice.acute else "N"
    return f"{urgent}ieuwe taak: {one_line(notice.title, 120)} (zaak {notice.case_id})"


def task_body(notice: TaskNotice) -> str:
    due = f"uiterlijk {dutch_instant(notice.due_at)} (Nederlandse tijd)" if notice.due_at else "geen termijn"
    route = " (acute route)" if notice.acute else ""
    return (
        f"Er staat een nieuwe taak klaar voor {role_label(notice.role)} in {region_label(notice.region)}.\n\n"
        f"Taak:    {one_line(notice.title)}\n"
        f"Zaak:    {notice.case_id}{route}\n"
        f"Termijn: {due}\n\n"
        f"Open de taak (na inloggen):\n{BASE}/taken/{notice.task_id}\n\n"
        f"Je krijgt deze e-mail omdat je de rol {role_label(notice.role)} hebt in {region_label(notice.region)}.\n"
        + _FOOTER
    )


@dataclass(frozen=True)
class OverdueTask:
    case_id: int
    title: str
    role: str
    region: str
    due_at: datetime


def digest_subject(count: int) -> str:
    return "Overzicht: 1 taak over de termijn" if count == 1 else f"Overzicht: {count} taken over de termijn"


def digest_body(tasks: list[OverdueTask], now: datetime) -> str:
    listed = sorted(tasks, key=lambda t: (t.due_at, t.case_id))[:DIGEST_LINES]
    lines = [
        f"- zaak {t.case_id}: {one_line(t.title)} ({role_label(t.role)}, {region_label(t.region)}); "
        f"termijn verstreken op {dutch_instant(t.due_at)}"
        for t in listed
    ]
    if len(tasks) > len(listed):
        lines.append(f"- en nog {len(tasks) - len(listed)} andere")
    count = "staat 1 taak" if len(tasks) == 1 else f"staan {len(tasks)} taken"
    return (
        f"Op {dutch_instant(now)} {count} voor jouw rollen en regio's over de termijn:\n\n"
        + "\n".join(lines)
        + f"\n\nNaar de werkvoorraad (na inloggen):\n{BASE}/\n\n"
        + _FOOTER
    )


TRIAL_SUBJECT = "Testbericht: je e-mailmeldingen komen aan"


def trial_body() -> str:
    return (
        "Je hebt op je accountpagina in het zaaksysteem tijdelijk huisverbod om een testbericht gevraagd.\n\n"
        "Dit bericht is aangekomen, dus de meldingen van nieuwe taken en het dagelijkse overzicht komen op dit "
        "adres ook aan (voor zover je die wilt ontvangen).\n\n" + _FOOTER
    )

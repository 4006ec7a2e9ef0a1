"""Event-log export for process mining: XES (IEEE 1849-2016) and a flat CSV.

One trace per case. Events come only from the audit trail (``case_event``: case
started, milestones, messages, migrations) and the worklist (``human_task``: a
task offered = ``start``, done = ``complete``, dropped = ``ate_abort``); no case
data or variables are read. The log is pseudonymised: user names are replaced
by a keyed hash that is stable within one export (a fresh random key per
export unless one is given) or by the role; names and addresses of the people
involved never appear, because they live only in case data.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO, TextIO

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base.errors import InvalidInput
from engine.base.vocabulary import Action
from engine.modeling.versions import check_region
from engine.storage.tables import Case, CaseEvent, HumanTask, ModelVersion
from engine.workflow.case_store import SYSTEM_ACTOR

XES_VERSION = "1849-2016"
EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)
CSV_COLUMNS = (
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "org:resource",
    "org:group",
    "lifecycle:transition",
    "case:region",
    "case:variant",
    "case:model_version",
)
FORMATS = ("xes", "csv")
PSEUDONYMS = ("hash", "role")
# Activity names in the exported log (process-mining names, not the case page's labels).
CASE_ACTIONS = {Action.CASE_STARTED: "Zaak gestart", Action.MESSAGE: "Bericht", Action.MIGRATED: "Zaak gemigreerd"}
CHUNK = 500
_EPOCH = "1970-01-01T00:00:00.000+00:00"


@dataclass(frozen=True)
class LogEvent:
    at: datetime
    rank: int  # at one instant: case started, tasks done, milestones, tasks offered
    sequence: int
    name: str
    transition: str
    resource: str | None
    group: str | None


@dataclass(frozen=True)
class LogTrace:
    case_id: int
    region: str
    variant: str
    model_version: int
    events: list[LogEvent]


def timestamp(at: datetime) -> str:
    """xs:dateTime with milliseconds and an explicit offset (UTC)."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


class Pseudonyms:
    """Stable pseudonyms within one export: a keyed hash of the user name, or the role."""

    def __init__(self, mode: str = "hash", key: bytes | None = None):
        if mode not in PSEUDONYMS:
            raise InvalidInput(f"pseudonimisering '{mode}' bestaat niet; kies uit {', '.join(PSEUDONYMS)}")
        self.mode = mode
        self.key = key if key is not None else secrets.token_bytes(32)

    def resource(self, actor: str | None, role: str | None) -> str | None:
        if actor is None:
            return None
        if actor == SYSTEM_ACTOR:
            return SYSTEM_ACTOR
        if self.mode == "role":
            return role or "medewerker"
        return "p-" + hmac.new(self.key, actor.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def _start_role(detail: str | None) -> str | None:
    try:
        role = json.loads(detail).get("rol") if detail else None
    except (ValueError, AttributeError):
        return None
    return role if isinstance(role, str) else None


def _case_events(session: Session, ids: list[int], names: Pseudonyms) -> dict[int, list[LogEvent]]:
    found: dict[int, list[LogEvent]] = {}
    rows = session.execute(
        select(
            CaseEvent.case_id,
            CaseEvent.id,
            CaseEvent.action,
            CaseEvent.element,
            CaseEvent.milestone,
            CaseEvent.at,
            CaseEvent.actor,
            CaseEvent.detail,
        ).where(
            CaseEvent.case_id.in_(ids),
            CaseEvent.action.in_([Action.MILESTONE, *CASE_ACTIONS]),
            CaseEvent.revoked_by.is_(None),
        )
    )
    for case_id, event_id, action, element, milestone, at, actor, detail in rows:
        if action == Action.MILESTONE:
            name = milestone or element or "mijlpaal"
        elif action == Action.MESSAGE:
            name = f"Bericht {element}" if element else CASE_ACTIONS[Action(action)]
        else:
            name = CASE_ACTIONS[Action(action)]
        group = _start_role(detail) if action == Action.CASE_STARTED else None
        found.setdefault(case_id, []).append(
            LogEvent(
                at,
                0 if action == Action.CASE_STARTED else 2,
                event_id,
                name,
                "complete",
                names.resource(actor, group),
                group,
            )
        )
    return found


def _task_events(session: Session, ids: list[int], names: Pseudonyms) -> dict[int, list[LogEvent]]:
    found: dict[int, list[LogEvent]] = {}
    rows = session.execute(
        select(
            HumanTask.case_id,
            HumanTask.title,
            HumanTask.role,
            HumanTask.state,
            HumanTask.created_at,
            HumanTask.completed_at,
            HumanTask.completed_by,
        )
        .where(HumanTask.case_id.in_(ids))
        .order_by(HumanTask.created_at, HumanTask.id)
    )
    for number, (case_id, title, role, state, created, completed, by) in enumerate(rows):
        events = found.setdefault(case_id, [])
        events.append(LogEvent(created, 3, number, title, "start", None, role))
        end_rank = 4 if completed == created else 1  # a task offered and done at one instant: start first
        if state == "completed" and completed is not None:
            events.append(LogEvent(completed, end_rank, number, title, "complete", names.resource(by, role), role))
        elif state == "cancelled" and completed is not None:
            events.append(LogEvent(completed, end_rank, number, title, "ate_abort", None, role))
    return found


def traces(session: Session, *, region: str | None = None, pseudonyms: Pseudonyms | None = None) -> Iterator[LogTrace]:
    """The traces of all cases (of a region), in case order, read in chunks."""
    check_region(region)
    names = pseudonyms or Pseudonyms()
    query = (
        select(Case.id, Case.region, Case.variant, ModelVersion.version)
        .join(ModelVersion, ModelVersion.id == Case.model_version_id)
        .order_by(Case.id)
    )
    if region is not None:
        query = query.where(Case.region == region)
    cases = session.execute(query).all()
    for offset in range(0, len(cases), CHUNK):
        chunk = cases[offset : offset + CHUNK]
        ids = [row[0] for row in chunk]
        from_events, from_tasks = _case_events(session, ids, names), _task_events(session, ids, names)
        for case_id, case_region, variant, version in chunk:
            events = sorted(
                from_events.get(case_id, []) + from_tasks.get(case_id, []), key=lambda e: (e.at, e.rank, e.sequence)
            )
            yield LogTrace(case_id, case_region, variant, version, events)


def _attribute(parent: etree._Element, kind: str, key: str, value: Any) -> None:
    etree.SubElement(parent, kind, key=key, value=str(value))


def write_xes(
    session: Session, out: BinaryIO, *, region: str | None = None, pseudonyms: Pseudonyms | None = None
) -> tuple[int, int]:
    """Write the log as XES; returns (traces, events)."""
    check_region(region)
    count_traces = count_events = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("log", {"xes.version": XES_VERSION, "xes.features": "nested-attributes"}):
            for name, prefix, uri in EXTENSIONS:
                xf.write(etree.Element("extension", name=name, prefix=prefix, uri=uri))
            trace_globals = etree.Element("global", scope="trace")
            _attribute(trace_globals, "string", "concept:name", "onbekend")
            event_globals = etree.Element("global", scope="event")
            _attribute(event_globals, "string", "concept:name", "onbekend")
            _attribute(event_globals, "date", "time:timestamp", _EPOCH)
            _attribute(event_globals, "string", "lifecycle:transition", "complete")
            xf.write(trace_globals)
            xf.write(event_globals)
            xf.write(etree.Element("classifier", name="Activiteit", keys="concept:name lifecycle:transition"))
            for kind, key, value in (
                ("string", "concept:name", "Zaken tijdelijk huisverbod"),
                ("string", "lifecycle:model", "standard"),
            ):
                xf.write(etree.Element(kind, key=key, value=value))
            for trace in traces(session, region=region, pseudonyms=pseudonyms):
                element = etree.Element("trace")
                _attribute(element, "string", "concept:name", trace.case_id)
                _attribute(element, "string", "case:region", trace.region)
                _attribute(element, "string", "case:variant", trace.variant)
                _attribute(element, "int", "case:model_version", trace.model_version)
                for event in trace.events:
                    node = etree.SubElement(element, "event")
                    _attribute(node, "string", "concept:name", event.name)
                    _attribute(node, "date", "time:timestamp", timestamp(event.at))
                    _attribute(node, "string", "lifecycle:transition", event.transition)
                    if event.resource is not None:
                        _attribute(node, "string", "org:resource", event.resource)
                    if event.group is not None:
                        _attribute(node, "string", "org:group", event.group)
                xf.write(element)
                count_traces += 1
                count_events += len(trace.events)
    return count_traces, count_events


def _text_cell(value: str | None) -> str:
    if value is None:
        return ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_csv(
    session: Session, out: TextIO, *, region: str | None = None, pseudonyms: Pseudonyms | None = None
) -> tuple[int, int]:
    """Write the log as one CSV row per event (columns ``CSV_COLUMNS``); returns (traces, events)."""
    check_region(region)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count_traces = count_events = 0
    for trace in traces(session, region=region, pseudonyms=pseudonyms):
        for event in trace.events:
            writer.writerow(
                [
                    trace.case_id,
                    _text_cell(event.name),
                    timestamp(event.at),
                    _text_cell(event.resource),
                    _text_cell(event.group),
                    event.transition,
                    trace.region,
                    _text_cell(trace.variant),
                    trace.model_version,
                ]
            )
        count_traces += 1
        count_events += len(trace.events)
    return count_traces, count_events


def export_log(
    session: Session, fmt: str, *, region: str | None = None, pseudonym: str = "hash", key: bytes | None = None
) -> bytes:
    """The whole log in memory (for a download): XES or CSV, UTF-8."""
    if fmt not in FORMATS:
        raise InvalidInput(f"formaat '{fmt}' bestaat niet; kies uit {', '.join(FORMATS)}")
    names = Pseudonyms(pseudonym, key)
    if fmt == "xes":
        buffer = io.BytesIO()
        write_xes(session, buffer, region=region, pseudonyms=names)
        return buffer.getvalue()
    text = io.StringIO()
    write_csv(session, text, region=region, pseudonyms=names)
    return text.getvalue().encode("utf-8")

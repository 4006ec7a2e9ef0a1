"""The comparison dashboard and event-log export, limited to the regions a person may see.

There is no separate coordinator role: a pilot coordinator is a ``beheerder``
(every region) or a ``designer`` of the regions they coordinate (see
``engine.design.designer.viewable_regions``). "All regions" means all regions the
person may see; figures and logs of several regions are the per-region results
put together (one pseudonym key per export, so a person has one pseudonym in
the whole file).
"""

from __future__ import annotations

import io
import secrets
from datetime import datetime

from lxml import etree
from sqlalchemy.orm import Session

from engine.base.errors import Forbidden, InvalidInput
from engine.base.vocabulary import REGION_CODES
from engine.design import dashboard as figures
from engine.design import event_log
from engine.design.designer import require_area
from engine.design.read_models import Dashboard, FigureRow
from engine.storage.tables import User


def regions_for(user: User, region: str | None) -> list[str | None]:
    """The region arguments for the engine's figure functions: ``[None]`` means every region."""
    viewable = require_area(user)
    if region:
        if region not in REGION_CODES:
            raise InvalidInput(f"regio '{region[:40]}' bestaat niet; kies uit {', '.join(sorted(REGION_CODES))}")
        if region not in viewable:
            raise Forbidden(f"je hebt geen toegang tot de cijfers van regio '{region}'")
        return [region]
    return [None] if set(viewable) == REGION_CODES else list(viewable)


def comparison(
    session: Session,
    user: User,
    *,
    now: datetime,
    region: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Dashboard:
    """``engine.design.dashboard.dashboard`` for the regions the user may see: the regions' rows one after another."""
    parts = [figures.dashboard(session, now=now, region=r, start=start, end=end) for r in regions_for(user, region)]
    return {
        **parts[0],
        "region": region,
        "figures": {
            "counts": [row for part in parts for row in part["figures"]["counts"]],
            "durations": [row for part in parts for row in part["figures"]["durations"]],
            "deadlines": [row for part in parts for row in part["figures"]["deadlines"]],
            "workload": [row for part in parts for row in part["figures"]["workload"]],
        },
    }


def figure_csv(
    session: Session,
    user: User,
    figure: str,
    *,
    now: datetime,
    region: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> str:
    rows: list[FigureRow] = [
        row
        for r in regions_for(user, region)
        for row in figures.figure_rows(session, figure, now=now, region=r, start=start, end=end)
    ]
    return figures.rows_csv(figure, rows)


def export_log(session: Session, user: User, fmt: str, *, region: str | None = None, pseudonym: str = "hash") -> bytes:
    """The pseudonymised event log (XES or CSV) of one region or of all regions the user may see."""
    if fmt not in event_log.FORMATS:
        raise InvalidInput(f"formaat '{fmt[:20]}' bestaat niet; kies uit {', '.join(event_log.FORMATS)}")
    key = secrets.token_bytes(32)
    parts = [
        event_log.export_log(session, fmt, region=r, pseudonym=pseudonym, key=key) for r in regions_for(user, region)
    ]
    if len(parts) == 1:
        return parts[0]
    if fmt == "csv":
        header, _, _ = parts[0].partition(b"\r\n")
        bodies = [part.partition(b"\r\n")[2] for part in parts]
        return header + b"\r\n" + b"".join(bodies)
    return _merge_xes(parts)


def _merge_xes(parts: list[bytes]) -> bytes:
    """One XES log with the traces of several (our own, trusted) XES exports, in order."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(parts[0], parser)
    for part in parts[1:]:
        for trace in etree.fromstring(part, parser).iterchildren("trace"):
            root.append(trace)
    out = io.BytesIO()
    etree.ElementTree(root).write(out, xml_declaration=True, encoding="UTF-8")
    return out.getvalue()

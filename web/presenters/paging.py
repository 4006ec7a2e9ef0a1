"""Paging links of a list page (the worklist): previous, next and a window of page numbers around the current one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _

from engine.base.paging import PagePosition

WINDOW = 2  # page numbers shown on each side of the current page (first and last are always shown)


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str | None  # None: a gap ("…") or the current page
    current: bool = False


@dataclass(frozen=True)
class Paging:
    summary: str  # "1–50 van 1.002"
    previous_url: str | None
    next_url: str | None
    links: list[PageLink]


def parse_page(raw: str | None) -> int:
    """The page asked for; anything that is not a page number (text, 0, negative, absurdly long) is page 1."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 6 and int(raw) > 0 else 1


def paging(page: PagePosition, url_for_page: Callable[[int], str]) -> Paging | None:
    """What the pager shows; None when everything fits on one page."""
    if page.pages <= 1:
        return None
    numbers = sorted(
        {1, page.pages} | {n for n in range(page.page - WINDOW, page.page + WINDOW + 1) if 1 <= n <= page.pages}
    )
    links: list[PageLink] = []
    for previous, number in zip([0, *numbers], numbers):
        if number - previous > 1:
            links.append(PageLink("…", None))
        current = number == page.page
        links.append(PageLink(str(number), None if current else url_for_page(number), current))
    return Paging(
        summary=_(
            "%(first)s–%(last)s van %(total)s",
            first=_number(page.first),
            last=_number(page.last),
            total=_number(page.total),
        ),
        previous_url=url_for_page(page.page - 1) if page.has_previous else None,
        next_url=url_for_page(page.page + 1) if page.has_next else None,
        links=links,
    )


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")

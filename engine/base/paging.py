"""Where one page of a list lies in the whole: shared by the worklist and the case search (pages count from 1)."""

from __future__ import annotations


class PagePosition:
    """Mixed into a frozen dataclass with ``total``, ``page`` and ``per_page``; ``on_page`` counts its own rows."""

    total: int  # matches on all pages
    page: int
    per_page: int

    @property
    def on_page(self) -> int:
        raise NotImplementedError

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The number of the first row on this page (1-based), 0 when there is none."""
        return (self.page - 1) * self.per_page + 1 if self.on_page else 0

    @property
    def last(self) -> int:
        return self.first + self.on_page - 1 if self.on_page else 0

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

"""A case's title (issue 16, item 5): the address of the home and the name of the uithuisgeplaatste, so two
cases of one step can be told apart on a worklist, a case page or a task page.

Every form that asks either shows it to the whole chain (tests/engine/test_case_titles.py), so any role
with a task in the case may see the title. Pages build it from the case data the user may see; worklist
rows read it with their own query (the address column and the person row), never from the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, select

from engine.storage.tables import Case, Person

ADDRESS_FIELD = "adres"
NAME_FIELD = "uithuisgeplaatste_naam"
NAMED_ROLE = "uithuisgeplaatste"  # the person role of engine.cases.persons whose name is in the title


@dataclass(frozen=True)
class CaseTitle:
    address: str | None
    name: str | None

    @property
    def text(self) -> str:
        """ "Dorpsstraat 1, Ergens · Jan Jansen", or as much of it as is known ("" for nothing)."""
        return " · ".join(part for part in (self.address, self.name) if part)

    @classmethod
    def of_variables(cls, variables: dict[str, Any]) -> CaseTitle:
        """The title from the case data a user may see: what they may not see is not in it."""

        def text(field: str) -> str | None:
            value = variables.get(field)
            return " ".join(value.split())[:200] if isinstance(value, str) and value.strip() else None

        return cls(text(ADDRESS_FIELD), text(NAME_FIELD))


def title_name() -> ScalarSelect[str | None]:
    """The uithuisgeplaatste's name for a query that selects from ``thv_case`` (the first recorded)."""
    first = select(Person.name).where(Person.case_id == Case.id, Person.role == NAMED_ROLE).order_by(Person.id)
    return first.limit(1).correlate(Case).scalar_subquery()

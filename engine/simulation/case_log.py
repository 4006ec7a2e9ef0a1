"""What happened in one synthetic case, as the driver records it (minutes since the simulation's start)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TaskLog:
    element: str
    role: str
    phase: str
    ready: float
    due: float | None  # its deadline (boundary timer) or, on the acute route, its handling term
    done: float | None = None
    work: float = 0.0  # hands-on minutes spent
    wait: float = 0.0  # minutes queued for the organisation's capacity and hours
    closed: bool = False  # a timer or another path closed it before it was done

    @property
    def missed(self) -> bool:
        """Done after its deadline, or not done by the time the deadline passed."""
        if self.due is None:
            return False
        return self.done is None or self.done > self.due


@dataclass
class CaseLog:
    index: int
    arrived: float
    starter: str = ""
    milestones: dict[str, list[float]] = field(default_factory=dict)
    tasks: list[TaskLog] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    services: int = 0
    messages: dict[str, int] = field(default_factory=dict)
    status: str = "active"  # active (still running at the horizon), completed, terminated, error
    error: str | None = None
    ended: float | None = None

    def first(self, *names: str) -> float | None:
        found = [at for name in names for at in self.milestones.get(name, [])]
        return min(found) if found else None

    def reached(self, name: str) -> bool:
        return name in self.milestones

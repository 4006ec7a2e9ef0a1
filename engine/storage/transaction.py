"""One transaction per engine operation: run the work, commit once, roll back on any error.

Database and SpiffWorkflow failures are translated into the engine's domain errors here,
in one place, so every operation reports them the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.base.errors import Conflict, ModelRefusal, ProcessError, RuleRefused, ThvError

T = TypeVar("T")


def in_transaction(session: Session, work: Callable[[], T]) -> T:
    """Run ``work`` and commit once; on any error roll back, so nothing of it is stored."""
    try:
        result = work()
        session.commit()
        return result
    except ThvError:
        session.rollback()
        raise
    except StaleDataError:
        session.rollback()
        raise Conflict("de zaak is intussen door iemand anders gewijzigd; laad haar opnieuw") from None
    except IntegrityError:
        session.rollback()
        raise Conflict("iemand anders legde tegelijk iets vast bij deze zaak; probeer het opnieuw") from None
    except OperationalError as exc:
        session.rollback()
        if "locked" in str(exc).lower():
            raise Conflict("de zaak is op dit moment in gebruik; probeer het opnieuw") from None
        raise
    except SpiffWorkflowException as exc:
        session.rollback()
        refusal = _model_refusal(exc)
        if refusal is not None:
            raise RuleRefused(str(refusal)) from None
        raise ProcessError(f"het proces liep vast: {_spiff_message(exc)}") from None
    except BaseException:
        session.rollback()
        raise


def _model_refusal(exc: BaseException) -> ModelRefusal | None:
    """The ``weiger(...)`` of a model's script behind a SpiffWorkflow error, if that is what it was."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ModelRefusal):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _spiff_message(exc: SpiffWorkflowException) -> str:
    task_spec = getattr(getattr(exc, "task", None), "task_spec", None)
    where = f" (element '{task_spec.bpmn_id}')" if task_spec is not None and task_spec.bpmn_id else ""
    return f"{exc}{where}"

"""One transaction per engine operation: run the work, commit once, roll back on any error.

Every engine write goes through :func:`in_transaction`; nothing else in the engine, the web
app or the CLI commits (tests/engine/test_transactions.py checks that). Database and
SpiffWorkflow failures are translated into the engine's domain errors here, in one place,
so every operation reports them the same way: a locked database is a conflict (409), not a
crash.
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


def in_transaction(session: Session, work: Callable[[], T], *, dry_run: bool = False) -> T:
    """Run ``work`` and commit once; on any error roll back, so nothing of it is stored.

    With ``dry_run`` the work runs in full and is then rolled back: what it would do,
    with every check of the real thing, and nothing stored.
    """
    try:
        result = work()
        if dry_run:
            session.rollback()
        else:
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
        raise Conflict("iemand anders legde tegelijk hetzelfde vast; probeer het opnieuw") from None
    except OperationalError as exc:
        session.rollback()
        if "locked" in str(exc).lower():
            raise Conflict("de gegevens zijn op dit moment in gebruik; probeer het opnieuw") from None
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


def discard(session: Session) -> None:
    """End the session's transaction and store nothing of it.

    For a transaction that only read (releasing the row locks it took), and for the
    leftovers of a request that failed outside an engine operation (the web app's
    error handlers).
    """
    session.rollback()


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

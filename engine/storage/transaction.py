"""One transaction per engine operation: run the work, commit once, roll back on any error.

Every engine write goes through :func:`in_transaction`; nothing else in the engine, the web
app or the CLI commits (tests/engine/test_transactions.py checks that). Database and
SpiffWorkflow failures are translated into the engine's domain errors here, in one place,
so every operation reports them the same way: a locked database is a conflict (409), not a
crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.base.errors import (
    Conflict,
    ModelRefusal,
    ProcessError,
    RuleRefused,
    ScriptBudgetExceeded,
    ScriptStopped,
    ThvError,
)

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)
log = logging.getLogger(__name__)
_SCOPE = "thv.transaction"


def in_transaction(session: Session, work: Callable[[], T], *, dry_run: bool = False) -> T:
    """Run ``work`` and commit once; on any error roll back, so nothing of it is stored.

    With ``dry_run`` the work runs in full and is then rolled back: what it would do,
    with every check of the real thing, and nothing stored.
    """
    try:
        result = work()
        if dry_run:
            _rollback(session)
        else:
            session.commit()
            _run_after_commit(session)
        return result
    except ThvError:
        _rollback(session)
        raise
    except StaleDataError:
        _rollback(session)
        raise Conflict("de zaak is intussen door iemand anders gewijzigd; laad haar opnieuw") from None
    except IntegrityError:
        _rollback(session)
        raise Conflict("iemand anders legde tegelijk hetzelfde vast; probeer het opnieuw") from None
    except OperationalError as exc:
        _rollback(session)
        if "locked" in str(exc).lower():
            raise Conflict("de gegevens zijn op dit moment in gebruik; probeer het opnieuw") from None
        raise
    except SpiffWorkflowException as exc:
        _rollback(session)
        refusal = _cause(exc, ModelRefusal)
        if refusal is not None:
            raise RuleRefused(str(refusal)) from None
        stopped = _cause(exc, ScriptBudgetExceeded)
        if stopped is not None:
            element = _element_of(exc)
            where = f" (element '{element}')" if element else ""
            raise ScriptStopped(f"{stopped}{where}", element) from None
        raise ProcessError(f"het proces liep vast: {_spiff_message(exc)}") from None
    except ScriptBudgetExceeded as exc:  # model code SpiffWorkflow ran without wrapping its errors
        _rollback(session)
        raise ScriptStopped(str(exc), None) from None
    except BaseException:
        _rollback(session)
        raise


def transaction_state(session: Session) -> dict[str, Any]:
    """Scratch space of the running transaction, emptied when it commits or rolls back."""
    state: dict[str, Any] = session.info.setdefault(_SCOPE, {})
    return state


def after_commit(session: Session, key: str, action: Callable[[], None]) -> None:
    """Run ``action`` once the running transaction has committed (never after a rollback).

    For what may only follow stored facts, such as keeping a saved workflow in memory. One
    action per key; an action that fails is logged, the commit stands.
    """
    transaction_state(session).setdefault("after_commit", {})[key] = action


def _run_after_commit(session: Session) -> None:
    state = session.info.pop(_SCOPE, None) or {}
    for action in state.get("after_commit", {}).values():
        try:
            action()
        except Exception:
            log.exception("actie na commit mislukt")


def _rollback(session: Session) -> None:
    session.info.pop(_SCOPE, None)
    session.rollback()


def discard(session: Session) -> None:
    """End the session's transaction and store nothing of it.

    For a transaction that only read (releasing the row locks it took), and for the
    leftovers of a request that failed outside an engine operation (the web app's
    error handlers).
    """
    session.rollback()


def _cause(exc: BaseException, kind: type[E]) -> E | None:
    """The error of ``kind`` behind a SpiffWorkflow error (``weiger`` of a script, a budget stop), if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _element_of(exc: SpiffWorkflowException) -> str | None:
    task_spec = getattr(getattr(exc, "task", None), "task_spec", None)
    return task_spec.bpmn_id if task_spec is not None and task_spec.bpmn_id else None


def _spiff_message(exc: SpiffWorkflowException) -> str:
    element = _element_of(exc)
    return f"{exc} (element '{element}')" if element else str(exc)

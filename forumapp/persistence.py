"""One transaction per service call: the only place that commits or rolls back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol, TypeAlias

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

log = logging.getLogger(__name__)

#: A SQLAlchemy session, or Flask-SQLAlchemy's request-scoped proxy to one.
DbSession: TypeAlias = Session | scoped_session[Any]


class Transaction(Protocol):
    """What a service needs to end its unit of work (a SQLAlchemy session fits)."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class PersistenceError(Exception):
    """A write was refused by the database, typically a unique constraint lost to a race."""


#: How many :func:`atomic` blocks the current context is inside.
_open_units: ContextVar[int] = ContextVar("forumapp_open_units", default=0)


def in_unit_of_work() -> bool:
    """Whether the caller runs inside an :func:`atomic` block, whose commit (or rollback)
    decides the fate of what it writes now (a job it enqueues, for one)."""
    return _open_units.get() > 0


@contextmanager
def atomic(transaction: Transaction) -> Iterator[None]:
    """Commit when the block succeeds; roll back and re-raise when it does not."""
    token = _open_units.set(_open_units.get() + 1)
    try:
        try:
            yield
        finally:
            _open_units.reset(token)
        # A commit can fail too (the database went away, a lock wait ran out): the unit of
        # work is then rolled back like any other failed one, never left half-open.
        transaction.commit()
    except IntegrityError as exc:
        _roll_back(transaction)
        raise PersistenceError(str(exc.orig)) from exc
    except BaseException:
        _roll_back(transaction)
        raise


def _roll_back(transaction: Transaction) -> None:
    try:
        transaction.rollback()
    except SQLAlchemyError:
        # The connection is gone with its transaction: the database has discarded the
        # writes already, and the error being raised is the one worth reporting.
        log.warning("Rollback failed after a failed unit of work", exc_info=True)


#: The longest a write of the current context waits for another writer's lock, in
#: milliseconds, while :func:`best_effort` limits it (the engine's events apply it).
lock_wait_limit: ContextVar[int | None] = ContextVar("forumapp_lock_wait_limit", default=None)


@contextmanager
def best_effort(session: DbSession, wait_ms: int, what: str) -> Iterator[None]:
    """Run writes a page can do without (a reading position, view counts): they wait at
    most ``wait_ms`` for another writer's lock, and a failure is logged, not raised.

    The block ends its own unit of work (with :func:`atomic`).
    """
    token = lock_wait_limit.set(wait_ms)
    try:
        yield
    except OperationalError:
        # A busy, read-only or unreachable database: the page is served without the write.
        _roll_back(session)
        log.info("Skipped %s: the database is busy or unavailable", what, exc_info=True)
    finally:
        lock_wait_limit.reset(token)


def upsert(
    session: DbSession,
    model: type[Any],
    values: Mapping[str, Any],
    *,
    conflict: Sequence[str],
    update: Callable[[Any], Mapping[str, Any]],
) -> None:
    """Insert a row, or update it when ``conflict`` columns match an existing one.

    ``update`` receives the proposed row (``excluded``) and returns the new values. One
    statement, so concurrent writers cannot both try to insert.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(model).values(**values)
    elif dialect == "sqlite":
        statement = sqlite.insert(model).values(**values)
    else:
        raise PersistenceError(f"forumapp supports SQLite and PostgreSQL, not {dialect}")
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(conflict), set_=dict(update(statement.excluded))
        )
    )

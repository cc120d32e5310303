"""One transaction per service call: the only place that commits or rolls back."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeAlias

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session

#: A SQLAlchemy session, or Flask-SQLAlchemy's request-scoped proxy to one.
DbSession: TypeAlias = Session | scoped_session[Any]


class Transaction(Protocol):
    """What a service needs to end its unit of work (a SQLAlchemy session fits)."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class PersistenceError(Exception):
    """A write was refused by the database, typically a unique constraint lost to a race."""


@contextmanager
def atomic(transaction: Transaction) -> Iterator[None]:
    """Commit when the block succeeds; roll back and re-raise when it does not."""
    try:
        yield
    except IntegrityError as exc:
        transaction.rollback()
        raise PersistenceError(str(exc.orig)) from exc
    except BaseException:
        transaction.rollback()
        raise
    try:
        transaction.commit()
    except IntegrityError as exc:
        transaction.rollback()
        raise PersistenceError(str(exc.orig)) from exc


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

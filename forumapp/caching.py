"""Per-worker snapshots of data that many pages show and that rarely changes.

Every guest has the same permissions and sees the same forums, and the index shows the
same member figures to everyone: reading them on each request cost more than the rest of
a page's queries. Each worker process keeps one copy of such a value:

* a write committed (or rolled back) through this process's ``db.session`` to a table a
  snapshot is read from drops that snapshot at once, so the worker that made a change,
  e.g. in the admin panel, shows it on its next request;
* other workers cannot see that write, so a snapshot is also read again once it is
  ``SETTINGS_CHECK_SECONDS`` old: the same bound within which settings saved in the
  panel reach every worker (0 reads it on every request).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, object_mapper

from forumapp.extensions import db

T = TypeVar("T")

#: ``app.extensions`` key of the app's :class:`SnapshotStore`.
STORE_KEY = "forumapp.snapshots"
#: ``Session.info`` key of the tables the session's transaction wrote to.
_WRITTEN = "forumapp.written_tables"


@dataclass(frozen=True, eq=False)
class Snapshot(Generic[T]):
    """A value read from ``tables``, kept by each worker (see the module docstring).

    Declare one per kind of value, at module level; ``get`` returns the worker's copy,
    calling ``load`` when there is none or it is too old.
    """

    name: str
    tables: frozenset[str]

    def get(self, load: Callable[[], T]) -> T:
        """The current app's copy of the value, loaded now if needed."""
        return snapshot_store().get(self, load, current_app.config["SETTINGS_CHECK_SECONDS"])


class SnapshotStore:
    """One app's snapshots in this process, with the moment each was loaded."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[Snapshot[Any], tuple[float, Any]] = {}
        # Bumped by every forget(): a value loaded while a write was committed (another
        # thread of a threaded server) may predate that write and is not kept.
        self._generation = 0
        self._lock = threading.Lock()

    def get(self, snapshot: Snapshot[T], load: Callable[[], T], max_age: float) -> T:
        """The kept value of ``snapshot``, or a new one from ``load``."""
        now = self._clock()
        entry = self._entries.get(snapshot)
        if entry is not None and now - entry[0] < max_age:
            return cast(T, entry[1])
        generation = self._generation
        value = load()
        with self._lock:
            if generation == self._generation:
                self._entries[snapshot] = (now, value)
        return value

    def forget(self, tables: Collection[str]) -> None:
        """Drop the snapshots read from any of ``tables``."""
        with self._lock:
            self._generation += 1
            for snapshot in [s for s in self._entries if not s.tables.isdisjoint(tables)]:
                del self._entries[snapshot]


def snapshot_store() -> SnapshotStore:
    """The current app's store (one per app and process)."""
    store = current_app.extensions.get(STORE_KEY)
    if store is None:
        store = current_app.extensions.setdefault(STORE_KEY, SnapshotStore())
    assert isinstance(store, SnapshotStore)
    return store


def _written(session: Session) -> set[str]:
    tables: set[str] = session.info.setdefault(_WRITTEN, set())
    return tables


@event.listens_for(db.session, "after_flush")
def _note_flushed_tables(session: Session, _context: UOWTransaction) -> None:
    # Inside after_flush the new/dirty/deleted collections still hold what was flushed.
    changed = [*session.new, *session.dirty, *session.deleted]
    _written(session).update(table.name for obj in changed for table in object_mapper(obj).tables)


@event.listens_for(db.session, "do_orm_execute")
def _note_statement_tables(state: ORMExecuteState) -> None:
    # Bulk INSERT/UPDATE/DELETE statements (session.execute(update(...))) skip the flush.
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if isinstance(name, str):
            _written(state.session).add(name)


@event.listens_for(db.session, "after_commit")
@event.listens_for(db.session, "after_rollback")
def _forget_written_tables(session: Session) -> None:
    # A rollback too: a snapshot loaded inside the transaction may have seen its writes.
    tables = session.info.pop(_WRITTEN, None)
    if tables and has_app_context():
        snapshot_store().forget(tables)

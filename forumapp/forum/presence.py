"""Who's online, without a database write per request.

:class:`Presence` keeps, in the worker's memory, when members were last seen (written to
``users.last_seen`` in one ``UPDATE`` now and then, by :meth:`Presence.flush`) and a
count of recent guests (a guest is a client address) kept by a
:class:`~forumapp.forum.guests.GuestCounter`: in the worker's memory by default, or in
Redis, shared by every worker (:mod:`forumapp.forum.guests_redis`). :class:`WhoIsOnline`
reads the index's box: the members seen within the window, from the database (one query,
read again at most once per flush interval) and from this worker's pending times.

A member unseen for longer than the window starts a new visit: the flush then keeps the
end of the previous one in ``users.last_visit_at``, which ``/new`` lists topics since.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Case, Update, case, literal, or_, select, update

from forumapp.forum.guests import GUEST_CAPACITY, GuestCounter, MemoryGuestCounter
from forumapp.persistence import DbSession, atomic
from forumapp.sqltypes import UTCDateTime
from forumapp.users.models import User

Clock = Callable[[], datetime]
#: Members the index names at most; more are summed up as "and more".
LISTED_MEMBERS = 100


@dataclass(frozen=True)
class OnlineMember:
    """A member as the "who's online" box shows them."""

    user_id: int
    username: str
    avatar_key: str | None = None


@dataclass(frozen=True)
class OnlineNow:
    """The "who's online" box."""

    #: By name, at most :data:`LISTED_MEMBERS`.
    members: list[OnlineMember]
    #: Whether more members were online than listed.
    more: bool
    #: Guests seen within the window (by every worker when they share a counter).
    guests: int


class Presence:
    """One worker's record of who was seen lately (thread-safe)."""

    def __init__(
        self,
        clock: Clock,
        window: timedelta,
        flush_every: timedelta,
        guest_capacity: int = GUEST_CAPACITY,
        guests: GuestCounter | None = None,
    ) -> None:
        self._clock = clock
        self._window = window
        self._flush_every = flush_every
        self._guests = guests or MemoryGuestCounter(clock, window, guest_capacity)
        self._lock = threading.Lock()
        self._members: dict[int, tuple[OnlineMember, datetime]] = {}
        self._last_flush = clock()
        #: Members read from the database lately, and when (see :meth:`remembered`).
        self._read: tuple[list[OnlineMember], datetime] | None = None

    @property
    def window(self) -> timedelta:
        """How long after their last request someone counts as online."""
        return self._window

    def member_seen(self, member: OnlineMember, address: str = "") -> None:
        """Note a request of ``member`` from ``address`` (written to the database at the
        next flush)."""
        with self._lock:
            self._members[member.user_id] = (member, self._clock())
        # Who just logged in from there is no longer a guest (until their next request,
        # another guest behind the same address is not counted).
        self._guests.forget(address)

    def guest_seen(self, address: str) -> None:
        """Note a request of a guest from ``address``."""
        self._guests.seen(address)

    def guests_online(self) -> int:
        """Guests seen within the window."""
        return self._guests.count()

    def pending_members(self) -> dict[int, OnlineMember]:
        """Members seen within the window whose time is not written yet, by id."""
        since = self._clock() - self._window
        with self._lock:
            return {uid: member for uid, (member, at) in self._members.items() if at > since}

    def remembered(self, load: Callable[[], list[OnlineMember]]) -> list[OnlineMember]:
        """The members online as ``load`` reads them from the database, read again at most
        once per flush interval, and after this worker's own flush: the rows change only
        when a worker flushes, and every request of the hottest page need not ask."""
        now = self._clock()
        with self._lock:
            read = self._read
        if read is not None and now - read[1] < self._flush_every:
            return read[0]
        members = load()
        with self._lock:
            self._read = (members, now)
        return members

    def due(self) -> bool:
        """Whether the pending times are old enough to be written."""
        with self._lock:
            return bool(self._members) and self._clock() - self._last_flush >= self._flush_every

    def flush(self, session: DbSession) -> None:
        """Write the pending times in one statement; they only move forward, and a member
        back after more than the window gets the end of their previous visit kept. When
        the write fails, the times stay pending for the next flush."""
        with self._lock:
            pending, self._members = self._members, {}
            self._last_flush = self._clock()
            self._read = None  # the database now has what was pending
        if not pending:
            return
        try:
            with atomic(session):
                session.execute(self._statement({uid: at for uid, (_, at) in pending.items()}))
        except BaseException:
            with self._lock:
                for uid, entry in pending.items():
                    self._members.setdefault(uid, entry)
            raise

    def _statement(self, seen: dict[int, datetime]) -> Update:
        def per_member(moments: dict[int, datetime]) -> Case[datetime]:
            return case(
                *((User.id == uid, literal(at, UTCDateTime())) for uid, at in moments.items())
            )

        now = per_member(seen)
        visit_began = per_member({uid: at - self._window for uid, at in seen.items()})
        # Both right-hand sides read the row as it was before the statement.
        return (
            update(User)
            .where(User.id.in_(seen))
            .values(
                last_visit_at=case(
                    (User.last_seen < visit_began, User.last_seen), else_=User.last_visit_at
                ),
                last_seen=case(
                    (or_(User.last_seen.is_(None), User.last_seen < now), now),
                    else_=User.last_seen,
                ),
            )
            .execution_options(synchronize_session=False)
        )


class WhoIsOnline:
    """Reads the "who's online" box: this worker's memory, and one query now and then."""

    def __init__(self, session: DbSession, presence: Presence, clock: Clock) -> None:
        self._session = session
        self._presence = presence
        self._clock = clock

    def now(self, viewer: OnlineMember | None = None) -> OnlineNow:
        """Members seen within the window (``viewer``, who is asking, among them) and the
        guest count."""
        online = {m.user_id: m for m in self._presence.remembered(self._read_members)}
        online.update(self._presence.pending_members())
        if viewer is not None:  # as read above when there, with their avatar
            online.setdefault(viewer.user_id, viewer)
        members = sorted(online.values(), key=lambda member: member.username.casefold())
        return OnlineNow(
            members[:LISTED_MEMBERS],
            more=len(members) > LISTED_MEMBERS,
            guests=self._presence.guests_online(),
        )

    def _read_members(self) -> list[OnlineMember]:
        since = self._clock() - self._presence.window
        rows = self._session.execute(
            select(User.id, User.username, User.avatar_key)
            .where(User.last_seen > since, User.activated.is_(True))
            .order_by(User.last_seen.desc())
            .limit(LISTED_MEMBERS)
        ).all()
        return [OnlineMember(uid, name, key) for uid, name, key in rows]

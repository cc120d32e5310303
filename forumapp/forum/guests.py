"""Counting the guests online: a :class:`GuestCounter` port and the worker's own counter.

A guest is a client address seen within the window. :class:`MemoryGuestCounter` keeps
them in the worker's memory (the embedded default: one process, or a count per worker);
:class:`forumapp.forum.guests_redis.RedisGuestCounter` shares them between workers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

Clock = Callable[[], datetime]
#: Guests one worker remembers at most; the oldest are forgotten first.
GUEST_CAPACITY = 10_000
#: Storage URI schemes that name one Redis server, and how redis-py spells them: with
#: one of them as ``RATELIMIT_STORAGE_URI``, guests are counted there.
REDIS_URI_SCHEMES = {"redis://": "redis://", "rediss://": "rediss://", "redis+unix://": "unix://"}


class GuestCounter(Protocol):
    """Where the guests seen lately are counted (thread-safe, never raises)."""

    def seen(self, address: str) -> None:
        """Note a request of a guest from ``address``."""

    def forget(self, address: str) -> None:
        """``address`` is a member's now: stop counting a guest there."""

    def count(self) -> int:
        """Guests seen within the window."""


class MemoryGuestCounter:
    """The guests one worker saw, by address, least recently seen first (bounded)."""

    def __init__(self, clock: Clock, window: timedelta, capacity: int = GUEST_CAPACITY) -> None:
        self._clock = clock
        self._window = window
        self._capacity = capacity
        self._lock = threading.Lock()
        self._guests: OrderedDict[str, datetime] = OrderedDict()

    def seen(self, address: str) -> None:
        """Note a request of a guest from ``address``."""
        with self._lock:
            self._guests[address] = self._clock()
            self._guests.move_to_end(address)
            while len(self._guests) > self._capacity:
                self._guests.popitem(last=False)

    def forget(self, address: str) -> None:
        """Stop counting a guest at ``address``."""
        with self._lock:
            self._guests.pop(address, None)

    def count(self) -> int:
        """Guests seen within the window; older ones are forgotten on the way."""
        since = self._clock() - self._window
        with self._lock:
            while self._guests and next(iter(self._guests.values())) <= since:
                self._guests.popitem(last=False)
            return len(self._guests)

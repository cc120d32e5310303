"""Guests counted across workers, in Redis (the production profile).

Each worker keeps what it saw since it last asked Redis: every ``sync_every`` (the
presence flush interval) it writes that batch and reads the shared count in one round
trip, so a page never waits for Redis. The shared sorted set holds, per guest, a keyed
hash of the address (never the address itself) scored with when it was last seen; what
is older than the window is dropped on the way.

Between syncs the count is the larger of the shared one and the worker's own (kept all
along): never fewer than the guests this worker served. When Redis fails it is the
worker's own, with a warning in the log; the batch is kept for the next attempt, one
flush interval later.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from datetime import datetime, timedelta

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from forumapp.forum.guests import GUEST_CAPACITY, REDIS_URI_SCHEMES, Clock, MemoryGuestCounter

#: The shared sorted set (one per Redis database).
GUESTS_KEY = "forumapp:online-guests"

logger = logging.getLogger(__name__)


def redis_client(uri: str, timeout: float) -> Redis:
    """A client of the Redis ``uri`` names that gives up after ``timeout`` seconds,
    without retrying (a frozen Redis costs one timeout per flush interval, no more)."""
    for scheme, spelled in REDIS_URI_SCHEMES.items():
        if uri.startswith(scheme):
            uri = spelled + uri.removeprefix(scheme)
            break
    return Redis.from_url(
        uri,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


def address_key(secret: str | bytes) -> bytes:
    """The key of the hashes of guests' addresses, derived from the app's secret key:
    the same in every worker, useless for anything else."""
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(raw, b"forumapp.online-guests", hashlib.sha256).digest()


class RedisGuestCounter:
    """The guests of every worker sharing one Redis (thread-safe, never raises)."""

    def __init__(
        self,
        client: Redis,
        key: bytes,
        clock: Clock,
        window: timedelta,
        sync_every: timedelta,
        capacity: int = GUEST_CAPACITY,
    ) -> None:
        self._client = client
        self._key = key
        self._clock = clock
        self._window = window
        self._sync_every = sync_every
        self._capacity = capacity
        #: This worker's own guests: the count while Redis does not answer.
        self._own = MemoryGuestCounter(clock, window, capacity)
        self._lock = threading.Lock()
        #: Hashed addresses to write, with when they were seen (``None``: to remove).
        self._pending: dict[str, float | None] = {}
        #: The count Redis gave at the last sync; ``None`` when it failed.
        self._shared: int | None = None
        self._synced_at: datetime | None = None
        self._syncing = False

    def seen(self, address: str) -> None:
        """Note a guest at ``address``; the batch goes to Redis once a flush interval."""
        self._own.seen(address)
        self._note(self._member(address), self._clock().timestamp())
        self._sync_if_due()

    def forget(self, address: str) -> None:
        """Stop counting a guest at ``address`` (everywhere, from the next sync)."""
        self._own.forget(address)
        self._note(self._member(address), None)

    def count(self) -> int:
        """Guests of every worker as Redis counted them at the last sync (at most a flush
        interval ago), or this worker's own if they are more: those seen since are not
        written yet, and while Redis does not answer they are all there is."""
        self._sync_if_due()
        with self._lock:
            shared = self._shared or 0
        return max(shared, self._own.count())

    def _member(self, address: str) -> str:
        return hmac.new(self._key, address.encode(), hashlib.sha256).hexdigest()[:32]

    def _note(self, member: str, seen_at: float | None) -> None:
        with self._lock:
            self._pending.pop(member, None)  # newest last, for the bound below
            self._pending[member] = seen_at
            while len(self._pending) > self._capacity:
                del self._pending[next(iter(self._pending))]

    def _sync_if_due(self) -> None:
        now = self._clock()
        with self._lock:
            if self._syncing:  # another thread is asking Redis: use what is known
                return
            if self._synced_at is not None and now - self._synced_at < self._sync_every:
                return
            self._syncing, self._synced_at = True, now
            batch, self._pending = self._pending, {}
        shared: int | None = None
        try:
            shared = self._write_and_count(batch, now)
        except RedisError as error:
            logger.warning(
                "Guests online: Redis did not answer (%s); counting this worker's own", error
            )
            with self._lock:
                for member, seen_at in batch.items():
                    self._pending.setdefault(member, seen_at)
        finally:
            with self._lock:
                self._shared, self._syncing = shared, False

    def _write_and_count(self, batch: dict[str, float | None], now: datetime) -> int:
        window = self._window.total_seconds()
        seen = {member: at for member, at in batch.items() if at is not None}
        gone = [member for member, at in batch.items() if at is None]
        pipe = self._client.pipeline()
        if seen:
            # GT: a worker's older sighting never moves another's newer one back.
            pipe.zadd(GUESTS_KEY, seen, gt=True)
        if gone:
            pipe.zrem(GUESTS_KEY, *gone)
        pipe.zremrangebyscore(GUESTS_KEY, "-inf", now.timestamp() - window)
        pipe.zcard(GUESTS_KEY)
        # A site that stops leaves nothing behind for long.
        pipe.expire(GUESTS_KEY, int(window) + 1)
        return int(pipe.execute()[-2])

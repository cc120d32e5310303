"""What the job services need, apart from how it is done: a store of job rows, a broker."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class JobRecord:
    """A job row as the services see it."""

    id: int
    kind: str
    payload: str
    state: str
    attempts: int
    created_at: datetime
    ran_at: datetime | None
    error: str | None


class JobStore(Protocol):
    """The outbox table. Every method works in the caller's unit of work."""

    def add(self, kind: str, payload: str, now: datetime) -> int:
        """Write a pending job; its id."""
        ...

    def pending(self, limit: int) -> Sequence[int]:
        """The oldest jobs not handed to the broker yet."""
        ...

    def mark_queued(self, job_id: int) -> None:
        """The broker has the job (unless it already ran: a fast worker wins)."""
        ...

    def claim(self, job_id: int, now: datetime) -> JobRecord | None:
        """Mark the job running and count the attempt, if it may run; else ``None``."""
        ...

    def finish(self, job_id: int, now: datetime) -> None:
        """The job ran to its end."""
        ...

    def give_back(self, job_id: int, error: str, now: datetime, *, final: bool) -> None:
        """The attempt failed with ``error``: queued for the next one, or failed when
        ``final``."""
        ...

    def failed(self, limit: int) -> Sequence[JobRecord]:
        """Jobs whose every attempt failed, oldest first."""
        ...

    def count_failed(self) -> int:
        """How many jobs wait for an admin."""
        ...

    def reopen(self, job_id: int) -> bool:
        """Make a failed job pending again; whether there was one."""
        ...

    def discard(self, job_id: int) -> bool:
        """Give up on a failed job; whether there was one."""
        ...


class Broker(Protocol):
    """Hands a job to the workers (Huey). Raises when it cannot (Redis is down)."""

    def send(self, job_id: int) -> None: ...


class JobQueue(Protocol):
    """The port services and adapters enqueue with: the job runs after the caller's unit
    of work commits, never when it rolls back."""

    def enqueue(self, kind: str, payload: Mapping[str, Any]) -> None: ...


@dataclass(frozen=True)
class JobKind:
    """What a kind of job does with its payload, and what happens when it never could.

    ``run`` raises to fail the attempt (it is retried with backoff); ``given_up`` is told
    the last error once no attempt is left.
    """

    run: Callable[[Mapping[str, Any]], None]
    given_up: Callable[[Mapping[str, Any], str], None] | None = None

"""The job outbox: each background job is a row, written in the unit of work that causes it.

The row is the job's record from start to end: its payload (the broker carries only the
id), how often it ran, the last error, and its state. A change that rolls back takes its
rows with it, so no job runs for it; a row whose broker was down stays ``pending`` and is
relayed later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from forumapp.extensions import db
from forumapp.sqltypes import UTCDateTime

KIND_MAX_LENGTH = 100
ERROR_MAX_LENGTH = 500

#: Written, not yet handed to the broker (or the broker was down).
PENDING = "pending"
#: Handed to the broker; waiting for a worker, or for its next attempt (or lost by the
#: broker: a restarted Redis without persistence, a deleted queue file).
QUEUED = "queued"
#: A worker has claimed it and is running it, for as long as its lease lasts.
RUNNING = "running"
#: Ran to the end: never run again, whoever hands it over twice.
DONE = "done"
#: Every attempt failed: waits for an admin to retry or discard it.
FAILED = "failed"
#: An admin gave up on it.
DISCARDED = "discarded"
#: The states a worker may claim a job in.
RUNNABLE = (PENDING, QUEUED)


class Job(db.Model):  # type: ignore[name-defined,misc]
    """One background job and what became of it."""

    __tablename__ = "jobs"
    # The running jobs, whose leases the periodic relay checks, are read through this
    # index too: there are about as many as worker threads.
    __table_args__ = (Index("ix_jobs_state_id", "state", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(KIND_MAX_LENGTH))
    #: JSON: what the job's handler receives.
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When it last ran, successfully or not.
    ran_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(String(ERROR_MAX_LENGTH), nullable=True)
    #: Claims ever made on the row, never reset: the claim a worker holds is the number
    #: its claim set, and what it records counts only while the row still carries it.
    claims: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: While running: when the worker's claim lapses unless it renews it (see
    #: :class:`forumapp.jobs.services.LeaseKeeper`).
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: When a worker's lease on it last lapsed and the job was taken back from it.
    lease_lost_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    #: When it was last handed to the broker (or given back to it for a retry): a job
    #: queued long ago that no worker claimed was lost by the broker and is handed over
    #: again (see :meth:`forumapp.jobs.services.Relay.relay_unclaimed`).
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

"""Backup jobs, their runs, and each device's result in a run."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, Editable, JSONType, UTCDateTime, UUIDPrimaryKey, utcnow
from ._types import NAME, choice


class RunStatus(StrEnum):
    """A run's status; equal to the string stored (the column's CHECK lists the values)."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


class ResultStatus(StrEnum):
    """One device's result in a run."""

    PENDING = "pending"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


JOB_RUN_STATUSES = tuple(status.value for status in RunStatus)
RESULT_STATUSES = tuple(status.value for status in ResultStatus)


class Job(UUIDPrimaryKey, Editable, Base):
    """A named backup job: which devices (`target`), when (`schedule`), how (`options`)."""

    __tablename__ = "jobs"

    name: Mapped[str] = mapped_column(NAME)
    description: Mapped[str | None] = mapped_column(Text)
    # {"all": true} | {"tags": [...]} | {"devices": [...]} | {"platforms": [...]}
    target: Mapped[dict[str, Any]] = mapped_column(JSONType, default=lambda: {"all": True})
    schedule: Mapped[str | None] = mapped_column(String(128))  # cron expression
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA; None: the machine's
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (Index("uq_jobs_name_ci", func.lower(name), unique=True),)


class JobRun(UUIDPrimaryKey, Base):
    """One execution of a job (or an ad-hoc run, with no job)."""

    __tablename__ = "job_runs"

    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    trigger: Mapped[str] = mapped_column(String(32), default="manual")
    actor: Mapped[str | None] = mapped_column(String(255))
    # "host:pid" of the process running it, to tell a crashed run from a live one.
    owner: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(choice("job_run_status", JOB_RUN_STATUSES))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    device_count: Mapped[int] = mapped_column(Integer, default=0)
    succeeded: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    # The schedule slot a queued run stands for: two collectors cannot both start it.
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_job_runs_job_id_started_at", "job_id", "started_at"),
        Index("ix_job_runs_started_at", "started_at"),
        Index("uq_job_runs_job_id_scheduled_for", "job_id", "scheduled_for", unique=True),
    )


class JobRunResult(UUIDPrimaryKey, Base):
    """A device's outcome in a run. Keeps the device's name so history outlives the device."""

    __tablename__ = "job_run_results"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job_runs.id", ondelete="CASCADE"))
    device_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL")
    )
    device_name: Mapped[str] = mapped_column(NAME)
    status: Mapped[str] = mapped_column(choice("result_status", RESULT_STATUSES))
    error_class: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    connect_ms: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    snapshot_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("config_snapshots.id", ondelete="SET NULL")
    )

    __table_args__ = (
        Index("ix_job_run_results_run_id", "run_id"),
        Index("ix_job_run_results_device_id", "device_id"),
        Index("ix_job_run_results_snapshot_id", "snapshot_id"),
    )


class WorkItemState(StrEnum):
    """A queued device waits, is held by a collector under a lease, or is done."""

    QUEUED = "queued"
    LEASED = "leased"
    DONE = "done"


WORK_ITEM_STATES = tuple(state.value for state in WorkItemState)


class WorkItem(UUIDPrimaryKey, Base):
    """One device of a queued run: claimed by one collector at a time under a lease.

    A lease not renewed by `lease_until` lapses and another collector may claim the item;
    the result is recorded only by the holder of the lease, in the same transaction that
    marks the item done, so a device is recorded once per run.
    """

    __tablename__ = "work_items"

    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job_runs.id", ondelete="CASCADE"))
    device_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL")
    )
    device_name: Mapped[str] = mapped_column(NAME)
    label: Mapped[str | None] = mapped_column(String(64))  # only collectors with it
    state: Mapped[str] = mapped_column(choice("work_item_state", WORK_ITEM_STATES))
    collector: Mapped[str | None] = mapped_column(String(128))  # holder, then who did it
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("uq_work_items_run_id_device_id", "run_id", "device_id", unique=True),
        Index("ix_work_items_state_lease_until", "state", "lease_until"),
    )


class Collector(UUIDPrimaryKey, Base):
    """A collector process as it reports itself: who, what version, which labels, alive."""

    __tablename__ = "collectors"

    name: Mapped[str] = mapped_column(String(128), unique=True)
    version: Mapped[str] = mapped_column(String(32))
    labels: Mapped[list[str]] = mapped_column(JSONType, default=list)
    host: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when "gone silent" was notified, cleared by the next heartbeat: notify once.
    silent_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

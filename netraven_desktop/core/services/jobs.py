"""Named backup jobs: which devices, on what schedule; and which jobs are due now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..crud import jobs as rows
from ..db.base import utcnow
from ..db.models import Job, JobRun, RunStatus
from ..schedule import Schedule, parse_schedule
from . import audit
from .access import authorize
from .dual import dual
from .runs import Selection


@dataclass(frozen=True)
class JobStatus:
    job: Job
    last_run_at: datetime | None
    next_run_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form of a job (documented in docs/cli.md)."""
        return {
            "id": str(self.job.id),
            "name": self.job.name,
            "description": self.job.description,
            "target": self.job.target,
            "schedule": self.job.schedule,
            "timezone": self.job.timezone,
            "enabled": self.job.enabled,
            "last_run_at": self.last_run_at.isoformat() if self.last_run_at else None,
            "next_run_at": self.next_run_at.isoformat() if self.next_run_at else None,
            "version": self.job.version,
        }


def target_of(selection: Selection) -> dict[str, Any]:
    """A job's stored target: exactly one way of choosing devices."""
    if selection.all:
        return {"all": True}
    if selection.tags:
        return {"tags": list(selection.tags)}
    return {"devices": list(selection.names)}


@dual
def add_job(
    session: Session,
    *,
    name: str,
    selection: Selection,
    schedule: str | None = None,
    description: str | None = None,
    timezone: str | None = None,
) -> Job:
    authorize(session, "edit")
    if schedule:
        parse_schedule(schedule, "--schedule", timezone)
    job = rows.create_job(
        session,
        name=name,
        target=target_of(selection),
        schedule=schedule or None,
        timezone=timezone,
        description=description,
    )
    audit.record(
        session,
        "job.create",
        "job",
        job.id,
        after=audit.state(job, ("name", "target", "schedule", "timezone", "description")),
    )
    return job


JOB_AUDITED = ("name", "target", "schedule", "timezone", "description", "enabled")


@dual
def edit_job(
    session: Session,
    name: str,
    /,
    *,
    expected_version: int | None = None,
    selection: Selection | None = None,
    schedule: str | None = None,
    **changes: Any,
) -> Job:
    """Change a job found by name; `schedule=""` unschedules it. The schedule is checked
    before anything is written, and a concurrent edit is a ConflictError (the version)."""
    authorize(session, "edit")
    job = rows.get_job_by_name(session, name)
    if selection is not None:
        changes["target"] = target_of(selection)
    if schedule is not None:
        if schedule:
            parse_schedule(schedule, timezone=changes.get("timezone", job.timezone))
        changes["schedule"] = schedule.strip() or None
    before = audit.state(job, JOB_AUDITED)
    job = rows.update_job(session, job.id, expected_version, **changes)
    audit.record_changes(
        session, "job.update", "job", job.id, before, audit.state(job, JOB_AUDITED)
    )
    return job


@dual
def remove_job(session: Session, name: str) -> Job:
    authorize(session, "edit")
    job = rows.get_job_by_name(session, name)
    rows.delete_job(session, job.id)
    audit.record(session, "job.delete", "job", job.id, before={"name": job.name})
    return job


@dual
def get_job(session: Session, name: str) -> Job:
    authorize(session, "read")
    return rows.get_job_by_name(session, name)


def schedule_of(job: Job) -> Schedule | None:
    """The job's parsed schedule in its time zone; None when unscheduled or disabled."""
    if not job.schedule or not job.enabled:
        return None
    return parse_schedule(job.schedule, timezone=job.timezone)


@dual
def job_statuses(session: Session) -> list[JobStatus]:
    """Every job with its last run and, when scheduled, its next run."""
    authorize(session, "read")
    last = _last_runs(session)
    statuses = []
    for job in rows.list_jobs(session):
        anchor, last_run, _ = last.get(job.id, (None, None, False))
        schedule = schedule_of(job)
        next_run = schedule.next_after(anchor or job.created_at) if schedule else None
        statuses.append(JobStatus(job, last_run, next_run))
    return statuses


def _last_runs(session: Session) -> dict[uuid.UUID, tuple[datetime, datetime, bool]]:
    """Per job: the newest run's schedule anchor (the slot it stood for, else its start),
    its start, and whether any run of the job is still running."""
    newest = (
        select(
            JobRun.job_id,
            func.max(func.coalesce(JobRun.scheduled_for, JobRun.started_at)).label("anchor"),
            func.max(JobRun.started_at).label("started"),
            func.max(case((JobRun.status == RunStatus.RUNNING, 1), else_=0)).label("running"),
        )
        .where(JobRun.job_id.is_not(None))
        .group_by(JobRun.job_id)
    )
    return {
        job_id: (_aware(anchor), _aware(started), bool(running))
        for job_id, anchor, started, running in session.execute(newest)
    }


def _aware(moment: datetime) -> datetime:
    """max(coalesce(...)) loses the column type: SQLite hands back a naive UTC time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DueRun:
    job: Job
    slot: datetime  # the newest schedule slot not yet run; older missed ones are folded in


@dual
def due_runs(session: Session, now: datetime | None = None) -> list[DueRun]:
    """Enabled scheduled jobs whose time has come, each once however many slots passed
    while nothing ran, and none while a run of it is still running."""
    authorize(session, "read")
    moment = now or utcnow()
    last = _last_runs(session)
    due = []
    for job in rows.list_jobs(session, enabled=True):
        schedule = schedule_of(job)
        if schedule is None:
            continue
        anchor, _, running = last.get(job.id, (job.created_at, None, False))
        slot = None if running else schedule.latest_due(anchor, moment)
        if slot is not None:
            due.append(DueRun(job, slot))
    return due


@dual
def due_jobs(session: Session, now: datetime | None = None) -> list[Job]:
    """Enabled scheduled jobs due now (see `due_runs`)."""
    return [due.job for due in due_runs(session, now)]

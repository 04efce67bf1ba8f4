"""Named backup jobs: which devices, on what schedule; and which jobs are due now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..crud import jobs as rows
from ..db.base import utcnow
from ..db.models import Job, JobRun
from ..schedule import parse_schedule
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
) -> Job:
    authorize(session, "edit")
    if schedule:
        parse_schedule(schedule, "--schedule")
    job = rows.create_job(
        session,
        name=name,
        target=target_of(selection),
        schedule=schedule or None,
        description=description,
    )
    audit.record(
        session,
        "job.create",
        "job",
        job.id,
        after=audit.state(job, ("name", "target", "schedule", "description")),
    )
    return job


JOB_AUDITED = ("name", "target", "schedule", "description", "enabled")


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
            parse_schedule(schedule)
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


@dual
def job_statuses(session: Session) -> list[JobStatus]:
    """Every job with its last run and, when scheduled, its next run."""
    authorize(session, "read")
    last = dict(
        session.execute(
            select(JobRun.job_id, func.max(JobRun.started_at))
            .where(JobRun.job_id.is_not(None))
            .group_by(JobRun.job_id)
        ).all()
    )
    statuses = []
    for job in rows.list_jobs(session):
        last_run = last.get(job.id)
        next_run = None
        if job.schedule and job.enabled:
            next_run = parse_schedule(job.schedule).next_after(last_run or job.created_at)
        statuses.append(JobStatus(job, last_run, next_run))
    return statuses


@dual
def due_jobs(session: Session, now: datetime | None = None) -> list[Job]:
    """Enabled scheduled jobs whose next run is not in the future."""
    authorize(session, "read")
    moment = now or utcnow()
    return [
        s.job
        for s in job_statuses(session)
        if s.next_run_at is not None and s.next_run_at <= moment
    ]

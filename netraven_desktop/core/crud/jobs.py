"""Backup jobs (editable, versioned), their runs and per-device results (engine records)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..db.models import (
    JOB_RUN_STATUSES,
    RESULT_STATUSES,
    Job,
    JobRun,
    JobRunResult,
    ResultStatus,
    RunStatus,
)
from ..errors import InputError
from ..schedule import parse_timezone
from ..validation import optional_text, validate_name
from . import deferred
from .common import (
    NamedRows,
    apply_changes,
    get_or_raise,
    paginate,
)

ENTITY = "job"
EDITABLE = ("name", "description", "target", "schedule", "timezone", "options", "enabled")
TARGET_KEYS = ("all", "tags", "devices", "platforms")
RUN_FIELDS = ("status", "finished_at", "device_count", "succeeded", "failed", "changed")
RESULT_FIELDS = (
    "status",
    "error_class",
    "message",
    "started_at",
    "finished_at",
    "connect_ms",
    "duration_ms",
    "snapshot_id",
)


def clean_job_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = validate_name(cleaned["name"])
    if "description" in cleaned:
        cleaned["description"] = optional_text(cleaned["description"], "description")
    target = cleaned.get("target")
    if target is not None and (
        not isinstance(target, dict) or len(target) != 1 or next(iter(target)) not in TARGET_KEYS
    ):
        raise InputError("target", target, f"must name exactly one of {', '.join(TARGET_KEYS)}")
    if "timezone" in cleaned:
        parse_timezone(cleaned["timezone"], "timezone")
        cleaned["timezone"] = (cleaned["timezone"] or "").strip() or None
    if "options" in cleaned and not isinstance(cleaned["options"], dict):
        raise InputError("options", cleaned["options"], "must be a JSON object")
    return cleaned


_ROWS = NamedRows(Job, ENTITY, clean=clean_job_fields, editable=EDITABLE)


def create_job(session: Session, *, name: str, **fields: Any) -> Job:
    return _ROWS.create(session, name=name, **fields)


def get_job(session: Session, job_id: uuid.UUID) -> Job:
    return _ROWS.get(session, job_id)


def get_job_by_name(session: Session, name: str) -> Job:
    return _ROWS.get_by_name(session, name)


def list_jobs(
    session: Session,
    *,
    enabled: bool | None = None,
    sort: str = "name",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Job]:
    stmt = select(Job)
    if enabled is not None:
        stmt = stmt.where(Job.enabled.is_(enabled))
    stmt = paginate(
        stmt,
        sort=sort,
        sortable={"name": func.lower(Job.name), "created_at": Job.created_at},
        descending=descending,
        limit=limit,
        offset=offset,
        tiebreak=Job.id,
    )
    return list(session.scalars(stmt))


def update_job(
    session: Session, job_id: uuid.UUID, expected_version: int | None, **changes: Any
) -> Job:
    return _ROWS.update(session, job_id, expected_version, changes)


def delete_job(session: Session, job_id: uuid.UUID, expected_version: int | None = None) -> None:
    """Delete a job; its past runs stay in the history without it (ON DELETE SET NULL)."""
    _ROWS.delete(session, job_id, expected_version)


def _check_status(status: str | None, allowed: tuple[str, ...]) -> None:
    if status is not None and status not in allowed:
        raise InputError("status", status, f"must be one of {', '.join(allowed)}")


def create_run(
    session: Session,
    *,
    job_id: uuid.UUID | None = None,
    trigger: str = "manual",
    actor: str | None = None,
    device_count: int = 0,
) -> JobRun:
    run = JobRun(
        job_id=job_id,
        trigger=trigger,
        actor=actor,
        status=RunStatus.RUNNING,
        device_count=device_count,
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: uuid.UUID) -> JobRun:
    return get_or_raise(session, select(JobRun).where(JobRun.id == run_id), "job run", str(run_id))


def list_runs(
    session: Session,
    *,
    job_id: uuid.UUID | None = None,
    status: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[JobRun]:
    """Runs, newest first."""
    stmt = select(JobRun)
    if job_id is not None:
        stmt = stmt.where(JobRun.job_id == job_id)
    if status is not None:
        stmt = stmt.where(JobRun.status == status)
    stmt = paginate(
        stmt,
        sort="started_at",
        sortable={"started_at": JobRun.started_at},
        descending=True,
        limit=limit,
        offset=offset,
        tiebreak=JobRun.id,
    )
    return list(session.scalars(stmt))


def update_run(session: Session, run_id: uuid.UUID, **changes: Any) -> JobRun:
    _check_status(changes.get("status"), JOB_RUN_STATUSES)
    run = get_run(session, run_id)
    return apply_changes(
        session,
        run,
        changes,
        expected_version=None,
        entity="job run",
        key=str(run_id),
        allowed=RUN_FIELDS,
    )


def delete_run(session: Session, run_id: uuid.UUID) -> None:
    """Delete a run with its per-device results (ON DELETE CASCADE)."""
    session.delete(get_run(session, run_id))
    session.flush()


def add_result(
    session: Session,
    *,
    run_id: uuid.UUID,
    device_id: uuid.UUID | None,
    device_name: str,
    status: str = ResultStatus.PENDING,
    **fields: Any,
) -> JobRunResult:
    _check_status(status, RESULT_STATUSES)
    unknown = set(fields) - set(RESULT_FIELDS)
    if unknown:
        raise TypeError(f"not a result field: {', '.join(sorted(unknown))}")
    result = JobRunResult(
        run_id=run_id, device_id=device_id, device_name=device_name, status=status, **fields
    )
    deferred.add(session, result)
    return result


def get_result(session: Session, result_id: uuid.UUID) -> JobRunResult:
    return get_or_raise(
        session,
        select(JobRunResult).where(JobRunResult.id == result_id),
        "job result",
        str(result_id),
    )


def list_results(
    session: Session,
    run_id: uuid.UUID,
    *,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[JobRunResult]:
    stmt = select(JobRunResult).where(JobRunResult.run_id == run_id)
    if status is not None:
        stmt = stmt.where(JobRunResult.status == status)
    stmt = paginate(
        stmt,
        sort="device_name",
        sortable={"device_name": func.lower(JobRunResult.device_name)},
        limit=limit,
        offset=offset,
        tiebreak=JobRunResult.id,
    )
    return list(session.scalars(stmt))


def update_result(session: Session, result_id: uuid.UUID, **changes: Any) -> JobRunResult:
    _check_status(changes.get("status"), RESULT_STATUSES)
    result = get_result(session, result_id)
    return apply_changes(
        session,
        result,
        changes,
        expected_version=None,
        entity="job result",
        key=str(result_id),
        allowed=RESULT_FIELDS,
    )


def delete_result(session: Session, result_id: uuid.UUID) -> None:
    session.delete(get_result(session, result_id))
    session.flush()

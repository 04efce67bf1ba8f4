"""Aggregate reads for the dashboard: counts and per-day series, computed in SQL."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, cast, func, select
from sqlalchemy.orm import Session

from ..db.models import Device, JobRun, JobRunResult, ResultStatus


def live_device_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(Device.deleted_at.is_(None))) or 0


def latest_run(session: Session) -> JobRun | None:
    return session.scalars(
        select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id).limit(1)
    ).first()


def devices_changed_since(session: Session, since: datetime) -> int:
    """Live devices whose configuration changed (or was first captured) since `since`."""
    query = (
        select(func.count(func.distinct(JobRunResult.device_id)))
        .join(Device, Device.id == JobRunResult.device_id)
        .where(
            JobRunResult.status == ResultStatus.CHANGED,
            JobRunResult.finished_at >= since,
            Device.deleted_at.is_(None),
        )
    )
    return session.scalar(query) or 0


def failing_devices(session: Session, limit: int) -> list[tuple[str, str | None, str | None]]:
    """(name, error class, message) of live devices whose last backup failed, by name.

    The error comes from each device's newest failed result.
    """
    newest = (
        select(
            JobRunResult.device_id,
            JobRunResult.error_class,
            JobRunResult.message,
            func.row_number()
            .over(partition_by=JobRunResult.device_id, order_by=JobRunResult.finished_at.desc())
            .label("rank"),
        )
        .where(JobRunResult.status == ResultStatus.FAILED)
        .subquery()
    )
    query = (
        select(Device.name, newest.c.error_class, newest.c.message)
        .outerjoin(newest, (newest.c.device_id == Device.id) & (newest.c.rank == 1))
        .where(Device.last_backup_status == ResultStatus.FAILED, Device.deleted_at.is_(None))
        .order_by(Device.name)
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(query)]


def daily_results(session: Session, since: datetime) -> dict[date, dict[ResultStatus, int]]:
    """Per UTC day since `since`: how many backups finished, by result status."""
    finished = JobRunResult.finished_at
    postgres = session.get_bind().dialect.name == "postgresql"
    day = cast(func.timezone("UTC", finished), Date) if postgres else func.date(finished)
    query = (
        select(day.label("day"), JobRunResult.status, func.count())
        .where(JobRunResult.finished_at >= since)
        .group_by("day", JobRunResult.status)
    )
    series: dict[date, dict[ResultStatus, int]] = {}
    for raw_day, status, count in session.execute(query):
        key = raw_day if isinstance(raw_day, date) else date.fromisoformat(raw_day)
        series.setdefault(key, {})[ResultStatus(status)] = count
    return series

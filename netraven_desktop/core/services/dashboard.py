"""What the dashboard shows: the inventory's health at a glance, in one read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..crud import stats
from ..db.base import utcnow
from ..db.models import JobRun, ResultStatus
from .access import authorize
from .dual import dual


@dataclass(frozen=True)
class DayCount:
    day: date
    backups: int  # successful backups (changed or unchanged)
    changes: int
    failures: int


@dataclass(frozen=True)
class Failing:
    device: str
    error_class: str | None
    message: str | None


@dataclass(frozen=True)
class Overview:
    devices: int
    last_run: JobRun | None
    changed_24h: int
    failing: list[Failing]
    days: list[DayCount]  # oldest first, one entry per day, zeros included


@dual
def overview(session: Session, *, days: int = 30, failing_limit: int = 50) -> Overview:
    authorize(session, "read")
    now = utcnow()
    first_day = now.date() - timedelta(days=days - 1)
    counts = stats.daily_results(
        session, now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days - 1)
    )
    series = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        by_status = counts.get(day, {})
        changes = by_status.get(ResultStatus.CHANGED, 0)
        series.append(
            DayCount(
                day=day,
                backups=changes + by_status.get(ResultStatus.UNCHANGED, 0),
                changes=changes,
                failures=by_status.get(ResultStatus.FAILED, 0),
            )
        )
    return Overview(
        devices=stats.live_device_count(session),
        last_run=stats.latest_run(session),
        changed_24h=stats.devices_changed_since(session, now - timedelta(hours=24)),
        failing=[Failing(*row) for row in stats.failing_devices(session, failing_limit)],
        days=series,
    )

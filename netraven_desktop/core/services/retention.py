"""Retention: keep the last N snapshots and/or N days of history per device.

A snapshot goes only when it is outside every limit that is set, and a device's latest
snapshot never goes. Runs after each job with the settings (whoever may run backups) and
on demand (`backup prune`, admin only: it may override the admin-only settings); audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..crud import configs
from ..db.base import utcnow
from ..db.models import ConfigSnapshot, Device
from . import audit
from .access import authorize
from .dual import dual
from .settings import get_setting


@dataclass
class PruneReport:
    snapshots: int = 0
    blobs: int = 0
    devices: dict[str, int] = field(default_factory=dict)


@dual
def prune(
    session: Session,
    *,
    keep_last: int | None = None,
    keep_days: int | None = None,
    now: datetime | None = None,
) -> PruneReport:
    """Delete snapshots beyond the limits (the settings unless given); 0 means no limit.

    Admin only, like the retention settings: history deleted on demand is gone for good.
    """
    authorize(session, "admin", "prune history")
    return _prune(session, keep_last, keep_days, now)


@dual
def apply_retention(session: Session) -> PruneReport:
    """After a run: delete what the retention settings (chosen by an admin) let go."""
    authorize(session, "backup")
    return _prune(session, None, None, None)


def _prune(
    session: Session, keep_last: int | None, keep_days: int | None, now: datetime | None
) -> PruneReport:
    keep_last = get_setting(session, "retention.keep_last") if keep_last is None else keep_last
    keep_days = get_setting(session, "retention.keep_days") if keep_days is None else keep_days
    report = PruneReport()
    if not keep_last and not keep_days:
        return report
    cutoff = (now or utcnow()) - timedelta(days=keep_days) if keep_days else None
    stmt = (
        select(ConfigSnapshot.id, ConfigSnapshot.captured_at, Device.name)
        .join(Device, Device.id == ConfigSnapshot.device_id)
        .order_by(ConfigSnapshot.device_id, ConfigSnapshot.captured_at.desc(), ConfigSnapshot.id)
    )
    position: dict[str, int] = {}
    doomed = []
    for snapshot_id, captured_at, device_name in session.execute(stmt):
        rank = position.get(device_name, 0)
        position[device_name] = rank + 1
        if rank == 0:
            continue  # the latest snapshot always stays
        kept_by_count = bool(keep_last) and rank < keep_last
        kept_by_age = cutoff is not None and captured_at >= cutoff
        if not (kept_by_count or kept_by_age):
            doomed.append(snapshot_id)
            report.devices[device_name] = report.devices.get(device_name, 0) + 1
    for snapshot_id in doomed:
        configs.delete_snapshot(session, snapshot_id)
    report.snapshots = len(doomed)
    report.blobs = configs.delete_unreferenced_blobs(session)
    if doomed:
        audit.record(
            session,
            "snapshot.prune",
            "snapshot",
            None,
            before={"keep_last": keep_last, "keep_days": keep_days},
            after={"deleted": report.snapshots, "devices": report.devices},
        )
    return report

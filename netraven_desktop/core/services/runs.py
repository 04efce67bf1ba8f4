"""Job runs as records: which devices a run covers, starting and finishing runs, and
recovering runs a crash left "running"."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..crud import jobs
from ..db.base import utcnow
from ..db.models import Device, JobRun, JobRunResult, RunStatus, Tag
from ..errors import InputError, SlotTakenError
from .access import authorize
from .dual import dual

# A run owned by another machine is presumed dead after this long without finishing.
FOREIGN_RUN_EXPIRY = timedelta(hours=24)
# The owner of runs on the collectors' queue: no one process; their leases expire instead.
QUEUE_OWNER = "queue"


def this_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Selection:
    """Which devices to back up: named ones, tagged ones, or all enabled ones."""

    names: Sequence[str] = ()
    tags: Sequence[str] = ()
    all: bool = False
    platforms: Sequence[str] = field(default_factory=tuple)

    @classmethod
    def from_target(cls, target: dict[str, object]) -> Selection:
        """A job's stored target ({"all": true} | {"tags": [...]} | ...)."""
        return cls(
            names=tuple(target.get("devices") or ()),  # type: ignore[arg-type]
            tags=tuple(target.get("tags") or ()),  # type: ignore[arg-type]
            all=bool(target.get("all")),
            platforms=tuple(target.get("platforms") or ()),
        )  # type: ignore[arg-type]

    def is_empty(self) -> bool:
        return not (self.names or self.tags or self.all or self.platforms)


def select_devices(session: Session, selection: Selection) -> list[Device]:
    """Named devices (even disabled: naming one is explicit), plus enabled devices by
    tag, platform or all. Unknown names are an InputError before anything starts."""
    if selection.is_empty():
        raise InputError("devices", "", "name devices, or use --all or --tag")
    base = select(Device).where(Device.deleted_at.is_(None)).options(selectinload(Device.tags))
    chosen: dict[uuid.UUID, Device] = {}
    if selection.names:
        wanted = {n.strip().lower(): n for n in selection.names}
        found = list(session.scalars(base.where(func.lower(Device.name).in_(wanted))))
        missing = set(wanted) - {d.name.lower() for d in found}
        if missing:
            raise InputError("name", wanted[sorted(missing)[0]], "no device by that name")
        chosen.update((d.id, d) for d in found)
    enabled = base.where(Device.enabled.is_(True))
    groups = []
    if selection.all:
        groups.append(enabled)
    if selection.tags:
        lowered = [t.strip().lower() for t in selection.tags]
        groups.append(enabled.where(Device.tags.any(func.lower(Tag.name).in_(lowered))))
    if selection.platforms:
        groups.append(enabled.where(Device.platform.in_(selection.platforms)))
    for stmt in groups:
        chosen.update((d.id, d) for d in session.scalars(stmt))
    return sorted(chosen.values(), key=lambda d: d.name.lower())


@dual
def start_run(
    session: Session,
    *,
    device_count: int,
    job_id: uuid.UUID | None,
    trigger: str,
    actor: str | None,
    scheduled_for: datetime | None = None,
) -> JobRun:
    """A running run; `scheduled_for` is the schedule slot it stands for, unique per job,
    so two apps or collectors that find the same job due run it once (SlotTakenError)."""
    run = jobs.create_run(
        session, job_id=job_id, trigger=trigger, actor=actor, device_count=device_count
    )
    run.owner, run.scheduled_for = this_owner(), scheduled_for
    try:
        session.flush()
    except IntegrityError:
        if scheduled_for is None:
            raise
        raise SlotTakenError(
            f"the run due at {scheduled_for:%Y-%m-%d %H:%M} UTC was started by another "
            "collector or app"
        ) from None
    return run


@dual
def finish_run(
    session: Session,
    run_id: uuid.UUID,
    *,
    succeeded: int,
    failed: int,
    changed: int,
    cancelled: bool,
) -> JobRun:
    if cancelled:
        status = RunStatus.CANCELLED
    elif failed == 0:
        status = RunStatus.SUCCEEDED
    else:
        status = RunStatus.FAILED if succeeded == 0 else RunStatus.PARTIAL
    return jobs.update_run(
        session,
        run_id,
        status=status,
        finished_at=utcnow(),
        succeeded=succeeded,
        failed=failed,
        changed=changed,
    )


@dual
def recover_interrupted_runs(session: Session) -> list[JobRun]:
    """Mark runs a crash left "running" as interrupted.

    A run of this machine is dead when its process is gone; a run of another machine
    when it has not finished within FOREIGN_RUN_EXPIRY. Queued runs are never dead: a
    dead collector's items are taken over when their leases lapse.
    """
    host = socket.gethostname()
    dead = []
    for run in jobs.list_runs(session, status=RunStatus.RUNNING, limit=None):
        if run.owner == QUEUE_OWNER:
            continue
        owner_host, _, pid = (run.owner or ":").rpartition(":")
        if owner_host == host:
            if pid.isdigit() and _alive(int(pid)):
                continue
        elif utcnow() - run.started_at < FOREIGN_RUN_EXPIRY:
            continue
        dead.append(
            jobs.update_run(session, run.id, status=RunStatus.INTERRUPTED, finished_at=utcnow())
        )
    return dead


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dual
def latest_runs(
    session: Session, *, job_id: uuid.UUID | None = None, limit: int = 20
) -> list[JobRun]:
    authorize(session, "read")
    return jobs.list_runs(session, job_id=job_id, limit=limit)


@dual
def run_results(session: Session, run_id: uuid.UUID) -> list[JobRunResult]:
    """Each device's outcome in one run, by device name (the Jobs view's run history)."""
    authorize(session, "read")
    jobs.get_run(session, run_id)  # an unknown run is an error, not an empty list
    return jobs.list_results(session, run_id)


def run_to_dict(run: JobRun) -> dict[str, object]:
    return {
        "id": str(run.id),
        "job_id": str(run.job_id) if run.job_id else None,
        "status": run.status,
        "trigger": run.trigger,
        "actor": run.actor,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "devices": run.device_count,
        "succeeded": run.succeeded,
        "failed": run.failed,
        "changed": run.changed,
    }

"""The shared queue: due runs materialised as per-device work items, claimed under leases.

Every collector finds the same due jobs; the unique (job, schedule slot) index lets one
of them create the run. Items are claimed in small batches with SELECT ... FOR UPDATE
SKIP LOCKED (PostgreSQL; SQLite, with one collector, serialises writers anyway), so two
collectors never claim the same item. A lease lapses unless its holder's heartbeat
extends it; a lapsed item is claimed again by whoever comes next. A result is stored
only in the transaction that marks its item done, and only by the lease's holder: a
device is recorded once per run, whoever backed it up.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..crud import jobs as job_rows
from ..db.base import utcnow
from ..db.models import (
    Device,
    Job,
    JobRun,
    JobRunResult,
    ResultStatus,
    RunStatus,
    WorkItem,
    WorkItemState,
)
from . import runs
from .access import authorize
from .dual import dual


@dataclass(frozen=True)
class Claimed:
    item_id: uuid.UUID
    run_id: uuid.UUID
    device_id: uuid.UUID | None
    device_name: str


def placement_label(device: Device) -> str | None:
    """The device's own label, else the first (by tag name) of its tags' labels."""
    if device.collector_label:
        return device.collector_label
    labelled = sorted((t.name.lower(), t.collector_label) for t in device.tags if t.collector_label)
    return labelled[0][1] if labelled else None


def enqueue_run(session: Session, job: Job, slot: datetime | None, actor: str) -> JobRun:
    """A run of `job` for schedule `slot`, with one queued item per device it covers.

    A slot another collector already enqueued is an IntegrityError at flush (the unique
    index); the caller's transaction then rolls back and nothing is written.
    """
    authorize(session, "backup")
    chosen = runs.select_devices(session, runs.Selection.from_target(job.target))
    run = job_rows.create_run(
        session, job_id=job.id, trigger="schedule", actor=actor, device_count=len(chosen)
    )
    run.owner, run.scheduled_for = runs.QUEUE_OWNER, slot
    session.add_all(
        WorkItem(
            run_id=run.id,
            device_id=device.id,
            device_name=device.name,
            label=placement_label(device),
            state=WorkItemState.QUEUED,
            attempts=0,
        )
        for device in chosen
    )
    session.flush()
    return run


def claim(
    session: Session, collector: str, labels: Sequence[str], limit: int, lease: timedelta
) -> list[Claimed]:
    """Lease up to `limit` items this collector may take: queued ones, or ones whose
    lease lapsed. Unlabelled items go to any collector, labelled ones to a collector
    with that label."""
    now = utcnow()
    placement = WorkItem.label.is_(None)
    if labels:
        placement = or_(placement, WorkItem.label.in_(list(labels)))
    stmt = (
        select(WorkItem)
        .where(
            or_(
                WorkItem.state == WorkItemState.QUEUED,
                and_(WorkItem.state == WorkItemState.LEASED, WorkItem.lease_until < now),
            ),
            placement,
        )
        .order_by(WorkItem.run_id, WorkItem.device_name)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    items = list(session.scalars(stmt))
    for item in items:
        item.state, item.collector = WorkItemState.LEASED, collector
        item.lease_until, item.attempts = now + lease, item.attempts + 1
    session.flush()
    return [Claimed(i.id, i.run_id, i.device_id, i.device_name) for i in items]


def extend_leases(session: Session, collector: str, lease: timedelta) -> int:
    """The heartbeat's half: keep this collector's items leased for another `lease`."""
    result = session.execute(
        update(WorkItem)
        .where(WorkItem.collector == collector, WorkItem.state == WorkItemState.LEASED)
        .values(lease_until=utcnow() + lease)
    )
    return result.rowcount


def settle(session: Session, item_id: uuid.UUID, collector: str, status: str) -> bool:
    """Mark an item done (True: store its result in this transaction) if this collector
    still holds its lease. A cancelled item goes back to the queue (False: no result)."""
    held = and_(
        WorkItem.id == item_id,
        WorkItem.collector == collector,
        WorkItem.state == WorkItemState.LEASED,
    )
    if status == ResultStatus.CANCELLED:
        session.execute(
            update(WorkItem)
            .where(held)
            .values(state=WorkItemState.QUEUED, collector=None, lease_until=None)
        )
        return False
    done = session.execute(
        update(WorkItem)
        .where(held)
        .values(state=WorkItemState.DONE, lease_until=None, finished_at=utcnow())
    )
    return done.rowcount == 1


def release(session: Session, collector: str) -> int:
    """Give back every item this collector holds (a clean stop with work unfinished)."""
    result = session.execute(
        update(WorkItem)
        .where(WorkItem.collector == collector, WorkItem.state == WorkItemState.LEASED)
        .values(state=WorkItemState.QUEUED, collector=None, lease_until=None)
    )
    return result.rowcount


def finish_complete_runs(session: Session) -> list[JobRun]:
    """Close every queued run whose items are all done, counting its stored results.
    Each run is closed by one collector: the others skip its locked row."""
    open_items = select(WorkItem.id).where(
        WorkItem.run_id == JobRun.id, WorkItem.state != WorkItemState.DONE
    )
    complete = (
        select(JobRun)
        .where(
            JobRun.owner == runs.QUEUE_OWNER,
            JobRun.status == RunStatus.RUNNING,
            ~open_items.exists(),
        )
        .with_for_update(skip_locked=True)
    )
    finished = []
    for run in session.scalars(complete):
        counts = dict(
            session.execute(
                select(JobRunResult.status, func.count())
                .where(JobRunResult.run_id == run.id)
                .group_by(JobRunResult.status)
            ).all()
        )
        changed = counts.get(ResultStatus.CHANGED, 0)
        finished.append(
            runs.finish_run(
                session,
                run.id,
                succeeded=changed + counts.get(ResultStatus.UNCHANGED, 0),
                failed=counts.get(ResultStatus.FAILED, 0),
                changed=changed,
                cancelled=False,
            )
        )
    return finished


@dual
def run_collectors(session: Session, run_id: uuid.UUID) -> dict[str, str]:
    """Which collector backed up each device of a queued run (device name -> collector)."""
    authorize(session, "read")
    return dict(
        session.execute(
            select(WorkItem.device_name, WorkItem.collector).where(
                WorkItem.run_id == run_id, WorkItem.state == WorkItemState.DONE
            )
        ).all()
    )


def devices_by_id(session: Session, device_ids: Sequence[uuid.UUID]) -> list[Device]:
    """The claimed devices still in the inventory, with their tags (for planning)."""
    return list(
        session.scalars(
            select(Device)
            .where(Device.id.in_(list(device_ids)), Device.deleted_at.is_(None))
            .options(selectinload(Device.tags))
            .order_by(func.lower(Device.name))
        )
    )

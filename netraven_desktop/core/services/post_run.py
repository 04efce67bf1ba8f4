"""Runs with their after-steps: engine, then each run's notifications, then retention.

Written once for every front end that runs the engine in its own process: the CLI (and
so the window, which starts the CLI as a child process). A collector closes queued runs
itself, notifies them from the stored results and then applies retention
(`services.collector`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..db import Database
from ..db.models import RunStatus
from ..errors import SlotTakenError
from ..secrets import SecretStore
from . import notify, retention, runs
from .engine import BackupEngine, EngineOptions
from .events import DeviceFinished, RunEvent, RunSkipped, RunSummary


@dataclass(frozen=True)
class Work:
    """One run to make: which devices, for which job (if any), started how."""

    selection: runs.Selection
    job_id: uuid.UUID | None = None
    trigger: str = "manual"
    job_name: str | None = None
    slot: datetime | None = None  # the schedule slot a due job's run stands for


async def run_with_after_steps(
    db: Database,
    store: SecretStore,
    options: EngineOptions,
    work: Sequence[Work],
    emit: Callable[[RunEvent], None],
    *,
    actor: str | None = None,
    started: Callable[[BackupEngine], None] | None = None,
) -> list[RunSummary]:
    """Run each piece of work in turn, stopping after a cancelled one; notify each run's
    channels once its results are committed (a slow or broken channel never changes a
    run's outcome); then prune what the retention settings let go. A due job whose slot
    someone else ran meanwhile is skipped (a `RunSkipped` event).

    `started(engine)` lets the caller wire its cancel signals to the engine.
    """
    finished: list[DeviceFinished] = []

    def collect(event: RunEvent) -> None:
        if isinstance(event, DeviceFinished):
            finished.append(event)
        emit(event)

    engine = BackupEngine(db, store, options, collect)
    if started is not None:
        started(engine)
    summaries = []
    for item in work:
        finished.clear()
        try:
            summary = await engine.run(
                item.selection,
                job_id=item.job_id,
                trigger=item.trigger,
                actor=actor,
                scheduled_for=item.slot,
            )
        except SlotTakenError as taken:
            emit(RunSkipped(item.job_name, str(taken)))
            continue
        summaries.append(summary)
        await notify.deliver(
            db, store, notify.notifications_for_run(summary, finished, job=item.job_name)
        )
        if summary.status == RunStatus.CANCELLED:
            break
    async with db.async_session() as session:
        await session.run_sync(retention.apply_retention)
    return summaries

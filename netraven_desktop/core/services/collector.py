"""A collector: a long-running process that runs due jobs from the shared queue.

Each loop it enqueues due jobs (one collector wins each schedule slot), closes runs whose
items are all done, and claims small batches while it has room, each batch backed up by
the one backup engine. A heartbeat task renews its leases and its registry row. A stop
(SIGTERM, SIGINT) claims nothing more and lets the devices in flight finish for up to
`grace` seconds; what is still running then is cancelled and its items go back to the
queue for another collector. A killed collector's leases simply lapse.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ... import __version__
from ..crud import jobs as job_rows
from ..db import Database
from ..secrets import SecretStore
from . import collector_registry, jobs, notify, retention, work_queue
from .engine import BackupEngine, EngineOptions
from .events import (
    CollectorSilent,
    CollectorStarted,
    CollectorStopped,
    DeviceFinished,
    Event,
    RunEnqueued,
    RunSummary,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class CollectorOptions:
    name: str
    labels: tuple[str, ...] = ()
    lease: float = 60.0  # seconds an item stays ours without a heartbeat
    poll: float = 5.0  # seconds between looks for due jobs and free items
    batch: int = 10  # items claimed at once
    grace: float = 30.0  # seconds a stop waits for devices in flight
    silent_after: float = 180.0  # a collector unheard this long is reported


class Collector:
    def __init__(
        self,
        db: Database,
        store: SecretStore,
        options: CollectorOptions,
        engine_options: EngineOptions,
        emit: Callable[[Event], None] | None = None,
    ) -> None:
        self.db = db
        self.store = store
        self.options = options
        self.engine_options = engine_options
        self.emit = emit or (lambda event: None)
        self._lease = timedelta(seconds=options.lease)
        self._stopping = asyncio.Event()
        self._room = asyncio.Event()  # a batch finished: maybe claim again
        self._batches: set[asyncio.Task[None]] = set()
        self._engines: set[BackupEngine] = set()
        self._in_flight = 0

    def stop(self) -> None:
        """First call: finish in-flight devices (up to `grace`), claim nothing more.
        Second call: cancel them now; their items go back to the queue."""
        if self._stopping.is_set():
            self._cancel_engines()
        self._stopping.set()

    async def run(self) -> None:
        name = self.options.name
        await self._unit(
            collector_registry.register,
            name,
            version=__version__,
            labels=self.options.labels,
            host=socket.gethostname(),
            fatal=True,
        )
        self.emit(CollectorStarted(name, self.options.labels))
        heart = asyncio.create_task(self._heartbeat(), name="collector heartbeat")
        try:
            await self._loop()
            await self._drain()
        finally:
            heart.cancel()
            released = await self._unit(work_queue.release, name)
            await self._unit(collector_registry.stopped, name)
            await self._close_runs()
            self.emit(CollectorStopped(name, released))

    async def _loop(self) -> None:
        clock = asyncio.get_running_loop().time
        next_look = clock()
        while not self._stopping.is_set():
            if clock() >= next_look:  # due jobs and finished runs: once a poll
                next_look = clock() + self.options.poll
                await self._enqueue_due()
                await self._close_runs()
            claimed = await self._claim()
            if claimed:
                continue
            self._room.clear()
            waits = [asyncio.ensure_future(e.wait()) for e in (self._stopping, self._room)]
            await asyncio.wait(waits, timeout=self.options.poll, return_when="FIRST_COMPLETED")
            for waiting in waits:
                waiting.cancel()

    async def _claim(self) -> bool:
        room = self.engine_options.concurrency - self._in_flight
        if room < min(self.options.batch, self.engine_options.concurrency):
            return False
        limit = min(self.options.batch, room)
        items = await self._unit(
            work_queue.claim, self.options.name, self.options.labels, limit, self._lease
        )
        if not items:
            return False
        by_run: dict[object, list[work_queue.Claimed]] = {}
        for item in items:
            by_run.setdefault(item.run_id, []).append(item)
        for batch in by_run.values():
            self._in_flight += len(batch)
            task = asyncio.create_task(self._back_up(batch))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)
        return True

    async def _back_up(self, batch: list[work_queue.Claimed]) -> None:
        name = self.options.name
        item_of = {item.device_id: item.item_id for item in batch}
        engine = BackupEngine(self.db, self.store, self.engine_options, self.emit)
        self._engines.add(engine)

        def settle(session: Session, device_id: object, status: str) -> bool:
            return work_queue.settle(session, item_of[device_id], name, status)

        try:
            await engine.run_claimed(batch[0].run_id, list(item_of), settle)  # type: ignore[arg-type]
            for item_id in item_of.values():  # devices removed since they were queued
                await self._unit(work_queue.settle, item_id, name, "gone")
        except Exception:  # one bad batch must not stop the collector; leases lapse
            log.exception("collector %s: a batch failed", name)
        finally:
            self._engines.discard(engine)
            self._in_flight -= len(batch)
            self._room.set()

    async def _drain(self) -> None:
        if not self._batches:
            return
        _, pending = await asyncio.wait(set(self._batches), timeout=self.options.grace)
        if pending:
            self._cancel_engines()
            await asyncio.wait(pending)

    def _cancel_engines(self) -> None:
        for engine in self._engines:
            engine.cancel()

    async def _enqueue_due(self) -> None:
        """Start a run for each due job; a slot another collector took is skipped."""
        actor = f"collector:{self.options.name}"
        for due in await self._unit(jobs.due_runs) or ():
            try:
                async with self.db.async_session() as session:
                    await session.run_sync(work_queue.enqueue_run, due.job, due.slot, actor)
            except IntegrityError:
                continue  # another collector enqueued this slot a moment ago
            except Exception:  # e.g. a job naming a removed device: the others still run
                log.exception("collector %s: job %s not enqueued", self.options.name, due.job.name)
                continue
            self.emit(RunEnqueued(due.job.name, due.slot))

    async def _heartbeat(self) -> None:
        silent_after = timedelta(seconds=self.options.silent_after)
        while True:
            await asyncio.sleep(self.options.lease / 3)
            await self._unit(work_queue.extend_leases, self.options.name, self._lease)
            await self._unit(collector_registry.beat, self.options.name)
            silent = await self._unit(collector_registry.claim_silent, silent_after) or []
            for gone in silent:
                self.emit(CollectorSilent(gone.name))
            notices = [
                notify.collector_silent_notification(c.name, c.host, c.heartbeat_at) for c in silent
            ]
            await notify.deliver(self.db, self.store, notices)

    async def _close_runs(self) -> None:
        """Close runs whose items are all done, notify their channels (after the commit:
        a slow channel never holds a run open), then apply retention, as after a run
        made in one process (`post_run`)."""
        closed = await self._unit(_close_and_describe) or []
        for notifications in closed:
            await notify.deliver(self.db, self.store, notifications)
        if closed:
            await self._unit(retention.apply_retention)

    async def _unit(
        self, work: Callable[..., T], *args: Any, fatal: bool = False, **kwargs: Any
    ) -> T | None:
        """`work(session, ...)` in its own transaction, on the async engine (so waiting on
        a row lock never blocks this loop). A failure is logged and yields None: a
        database blip costs one step, not the collector; `fatal` failures propagate."""
        try:
            async with self.db.async_session() as session:
                return await session.run_sync(work, *args, **kwargs)
        except Exception:
            if fatal:
                raise
            log.exception("collector %s: %s failed", self.options.name, work.__name__)
            return None


def _close_and_describe(session: Session) -> list[list[notify.Notification]]:
    """Close complete queued runs; each one's notifications, as a one-process run's."""
    described = []
    for run in work_queue.finish_complete_runs(session):
        results = job_rows.list_results(session, run.id)
        summary = RunSummary(
            run_id=run.id,
            devices=run.device_count,
            changed=run.changed,
            unchanged=run.succeeded - run.changed,
            failed=run.failed,
            status=run.status,
        )
        job = job_rows.get_job(session, run.job_id).name if run.job_id else None
        finished = [DeviceFinished.of(r) for r in results]
        described.append(notify.notifications_for_run(summary, finished, job=job))
    return described

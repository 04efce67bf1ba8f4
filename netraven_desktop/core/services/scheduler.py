"""Run scheduled jobs while the app is open.

The scheduler only decides *when*; `launch(job)` decides *how* (the window starts the
CLI engine as a child process, tests may run the engine in-process). A job that became
due while the app was closed runs once when it opens. A job still running is never
started again.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable

from ..db import Database
from ..db.models import Job
from . import jobs

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self, db: Database, launch: Callable[[Job], Awaitable[object]], *, poll: float = 30.0
    ) -> None:
        self.db = db
        self.launch = launch
        self.poll = poll  # also picks up jobs added or edited meanwhile
        self._running: dict[uuid.UUID, asyncio.Task[object]] = {}

    @property
    def running(self) -> set[uuid.UUID]:
        return set(self._running)

    async def tick(self) -> list[Job]:
        """Start every due job that is not already running; return those started."""
        async with self.db.async_read_session() as session:
            due = await jobs.due_jobs(session)
        started = []
        for job in due:
            if job.id in self._running:
                continue
            task = asyncio.create_task(self.launch(job), name=f"job {job.name}")
            self._running[job.id] = task
            task.add_done_callback(lambda t, job_id=job.id: self._done(job_id, t))
            started.append(job)
        return started

    def _done(self, job_id: uuid.UUID, task: asyncio.Task[object]) -> None:
        self._running.pop(job_id, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("scheduled job failed to run", exc_info=task.exception())

    async def run_forever(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a broken database must not kill the window's scheduler
                log.exception("scheduler tick failed")
            await asyncio.sleep(self.poll)

    async def wait_idle(self) -> None:
        """Return once every job started so far has finished."""
        if self._running:
            await asyncio.wait(list(self._running.values()))
        await asyncio.sleep(0)  # let the done-callbacks drop them from `running`

    async def stop(self) -> None:
        for task in self._running.values():
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)

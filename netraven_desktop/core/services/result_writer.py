"""One writer for a run's results: no lock contention, few commits.

Hundreds of concurrent devices each opening a write transaction would queue on
SQLite's single write lock (and time out at a few thousand devices). Instead, device
tasks hand their unit of work to this writer, which commits whatever has queued up in
one transaction, typically within milliseconds. If a batch fails, its items are retried
one by one, so one bad result never takes the others with it.

A batch runs in one thread of its own with a sync `Session`: one hop off the event loop
per batch, where the async session would hop (and run the ORM's Python on the loop)
for every statement of every item. Inside a batch, the rows nobody reads back (results,
snapshots, device backup states, host keys) are written at its end, one executemany per
kind (`crud.deferred`), and its audit events are chained with one read and one move of
the chain's head (`audit.batched`): the same transaction, so a batch still commits whole
or not at all.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.orm import Session

from ..crud import deferred
from ..db import Database
from . import audit

Work = Callable[[Session], Any]
Item = tuple[Work, asyncio.Future[Any]]
# Results one commit takes at most: enough to share the commit, few enough that urgent
# work queued behind them waits only a short batch.
BATCH = 16


class ResultWriter:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Urgent work holds a device up (a host key pinned before its capture may start,
        # its concurrency slot held meanwhile): it goes into the next batch, ahead of results.
        self._urgent: deque[Item] = deque()
        self._queued: deque[Item] = deque()
        self._wakeup = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="result-writer")

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="result writer")

    async def submit(self, work: Work, *, urgent: bool = False) -> Any:
        """Commit `work(session)` and return its result (or raise its error).

        `urgent` work (a host key pinned before a device's capture may start) goes into the
        next batch, ahead of queued results.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._queued).append((work, future))
        self._wakeup.set()
        return await future

    async def close(self) -> None:
        """Finish what is queued, then stop."""
        self._closing = True
        self._wakeup.set()
        try:
            if self._task is not None:
                await self._task
        finally:
            self._thread.shutdown(wait=False)

    async def _run(self) -> None:
        while True:
            if not self._urgent and not self._queued:
                if self._closing:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            batch = [self._urgent.popleft() for _ in range(len(self._urgent))]
            while self._queued and len(batch) < BATCH:
                batch.append(self._queued.popleft())
            await self._commit(batch)

    async def _commit(self, batch: list[Item]) -> None:
        works = [work for work, _ in batch]
        try:
            loop = asyncio.get_running_loop()
            results = await loop.run_in_executor(self._thread, self._apply, works)
        except Exception as exc:
            if len(batch) == 1:
                future = batch[0][1]
                if not future.done():  # its submitter was cancelled meanwhile
                    future.set_exception(exc)
                return
            for item in batch:  # find the bad one; keep the rest
                await self._commit([item])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    def _apply(self, works: list[Work]) -> list[Any]:
        with (
            self.db.session() as session,
            deferred.deferring(session),
            audit.batched(session),
        ):
            return [work(session) for work in works]

"""Service calls from the window: computed in a worker thread, delivered on the Qt thread.

A `@dual` service awaited with an `AsyncSession` runs its Python on the window's thread
(`run_sync` only hands the driver's I/O off), so a search, a diff or a chain check
freezes the window for as long as it computes. Every view therefore calls services
through `Ops` (in the spirit of Anki's `QueryOp`): the sync service runs in a worker
thread over its own `Session`, and the awaiting view resumes on the Qt thread with the
result.

- A call with a `kind` is superseded by a newer call of the same kind: the older one's
  result (or error) is dropped and its awaiting task ends as cancelled (search as you
  type, a quickly changed selection: the last one wins).
- Errors propagate to the awaiting view; a view's task started with `AppContext.spawn`
  shows them through `show_error`, the same way everywhere.
- While any call has been running for longer than `BUSY_AFTER_MS`, `busy` is true and
  `BusyIndicator` (in each window's status bar) shows it.
- While any call runs, the cyclic garbage collector waits. A worker reading 100,000 rows
  makes hundreds of thousands of objects; each full collection would walk them all with
  the GIL held, holding the window up for up to seconds. Reference counting still frees
  them as they go; the collector resumes when the last call ends.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import itertools
import sys
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from ..core.db import Database
from ..core.errors import NetRavenError
from .crash import show_crash
from .qt import QObject, QtCore, QtWidgets, Signal

R = TypeVar("R")

BUSY_AFTER_MS = 300  # a quicker answer needs no indicator; a slower one says it is working
DROP_SLICE = 2000  # rows `drop_gradually` frees at once (~1 ms)
SWITCH_INTERVAL_S = 0.001  # how long the Qt thread waits before a worker must yield the GIL


def put_the_window_first() -> None:
    """Tune the interpreter for a window whose workers compute (called once it is loaded).

    - A worker building 100,000 rows triggers full garbage collections; each walks every
      object in the process with the GIL held, freezing the window for hundreds of ms.
      What is alive once the window is loaded (Qt, SQLAlchemy, the views) lives as long
      as it does: frozen, a full collection walks only the newer objects.
    - A worker computing in Python holds the GIL until the Qt thread has waited the
      switch interval (5 ms by default) and the worker notices; 1 ms keeps a timer
      that is due from waiting on the worker for more than a blink.
    """
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def drop_gradually(*lists: list[Any]) -> None:
    """Empty big lists a slice at a time, in a worker, before its call returns.

    Freed in one go (the last reference dropped), 100,000 parsed rows take tens of ms of
    deallocation with the GIL held: the window stalls. Between slices, the window's
    thread gets its turn.
    """
    for rows in lists:
        while rows:
            del rows[-DROP_SLICE:]


class _Collector:
    """Pauses the cyclic garbage collector while any call of any `Ops` runs."""

    def __init__(self) -> None:
        self.calls = 0
        self.was_enabled = True

    def pause(self) -> None:
        if self.calls == 0:
            self.was_enabled = gc.isenabled()
            gc.disable()
        self.calls += 1

    def resume(self) -> None:
        self.calls -= 1
        if self.calls == 0 and self.was_enabled:
            gc.enable()


_collector = _Collector()


class Superseded(asyncio.CancelledError):
    """A newer call of the same kind started: this call's outcome is dropped."""


def show_error(error: BaseException, report: Callable[[str], None]) -> None:
    """How the window shows a failed call: a NetRaven error (bad input, not allowed,
    database unreachable) as its one-line message; anything else is a bug, logged with its
    traceback and shown in the crash dialog."""
    if isinstance(error, NetRavenError):
        report(str(error))
    else:
        show_crash(error)


class Ops(QObject):
    """Runs service calls off the Qt thread for one open database (see module doc)."""

    busy_changed = Signal(bool)

    def __init__(self, db: Database, *, busy_after_ms: int = BUSY_AFTER_MS) -> None:
        super().__init__()
        self.db = db
        self.busy = False
        self._running = 0
        self._tickets = itertools.count()
        self._latest: dict[Hashable, tuple[int, int]] = {}  # kind: (newest ticket, running)
        self._workers: set[asyncio.Future[Any]] = set()
        self._busy_timer = QtCore.QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(busy_after_ms)
        self._busy_timer.timeout.connect(lambda: self._set_busy(True))

    async def read(
        self, fn: Callable[..., R], /, *args: Any, kind: Hashable | None = None, **kwargs: Any
    ) -> R:
        """`fn(session, *args, **kwargs)` over a read-only session, in a worker thread."""
        return await self._call(self._in_session(fn, args, kwargs, write=False), kind, True)

    async def write(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
        """`fn(session, *args, **kwargs)` in one write transaction, in a worker thread.

        Never superseded: a change the user asked for is not dropped.
        """
        return await self._call(self._in_session(fn, args, kwargs, write=True), None, True)

    async def blocking(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
        """`fn(*args, **kwargs)` in a worker thread: a call that opens its own sessions or
        may block on something else (the keyring over D-Bus, password hashing)."""
        return await self._call(lambda: fn(*args, **kwargs), None, False)

    def _in_session(
        self, fn: Callable[..., R], args: tuple[Any, ...], kwargs: dict[str, Any], *, write: bool
    ) -> Callable[[], R]:
        def work() -> R:
            with self.db.session(write=write) as session:
                return fn(session, *args, **kwargs)

        return work

    async def _call(self, work: Callable[[], R], kind: Hashable | None, in_session: bool) -> R:
        ticket = next(self._tickets)
        loop = asyncio.get_running_loop()
        worker = loop.run_in_executor(None, contextvars.copy_context().run, work)
        if in_session:  # `settle` waits for it (not for a keyring call that may hang)
            self._workers.add(worker)
        worker.add_done_callback(self._worker_done)
        self._started(kind, ticket)
        try:
            # Shielded: a cancelled view stops waiting, but the thread still finishes its
            # unit of work, and `settle` can wait for it before the engines are disposed.
            result = await asyncio.shield(worker)
        except Exception:
            if self._superseded(kind, ticket):
                raise Superseded(kind) from None
            raise
        else:
            if self._superseded(kind, ticket):
                raise Superseded(kind)
            return result
        finally:
            self._finished(kind)

    async def settle(self) -> None:
        """Wait for every unit of work still running in a worker (the window is closing:
        its engines are disposed next)."""
        if self._workers:
            await asyncio.wait(set(self._workers))

    def _worker_done(self, worker: asyncio.Future[Any]) -> None:
        self._workers.discard(worker)
        if not worker.cancelled():
            worker.exception()  # its awaiting view may be gone: the error is not a stray

    def _superseded(self, kind: Hashable | None, ticket: int) -> bool:
        return kind is not None and self._latest[kind][0] != ticket

    def _started(self, kind: Hashable | None, ticket: int) -> None:
        if kind is not None:
            self._latest[kind] = (ticket, self._latest.get(kind, (ticket, 0))[1] + 1)
        self._running += 1
        if self._running == 1:
            self._busy_timer.start()
        _collector.pause()

    def _finished(self, kind: Hashable | None) -> None:
        if kind is not None:
            newest, running = self._latest[kind]
            if running == 1:
                del self._latest[kind]  # none of its kind left: forget the kind
            else:
                self._latest[kind] = (newest, running - 1)
        self._running -= 1
        if self._running == 0:
            self._busy_timer.stop()
            self._set_busy(False)
        _collector.resume()

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)


class BusyIndicator(QtWidgets.QProgressBar):
    """A small "working" bar for a status bar, shown while `ops` is busy."""

    def __init__(self, ops: Ops, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(0, 0)  # no known end: a moving bar
        self.setMaximumWidth(120)
        self.setTextVisible(False)
        self.setAccessibleName("Working")
        self.setToolTip("Working…")
        self.setVisible(ops.busy)
        ops.busy_changed.connect(self.setVisible)

"""What every view of the window shares: the database, the keyring, who is signed in.

Views never hold a reference to the main window; they talk through this context and the
`Events` hub, so each view can be built and tested on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from ..core.db import Database
from ..core.secrets import SecretStore
from ..core.services.events import RunSummary
from .ops import Ops, show_error
from .qt import QObject, QSettings, Signal


@dataclass(frozen=True)
class FinishedRun:
    """A run the window started, finished: its summary, and its job (None: devices chosen
    by hand)."""

    summary: RunSummary
    job: str | None = None


class Events(QObject):
    """Cross-view news: a view that changed something says so; the others refresh."""

    inventory_changed = Signal()  # devices, tags or credentials were added/edited/removed
    backup_requested = Signal(list)  # device names the user wants backed up now
    run_finished = Signal(object)  # a `FinishedRun` of a run from the window
    device_opened = Signal(str)  # show this device's history


@dataclass
class AppContext:
    """The shared state of one open window (one database, one signed-in user)."""

    db: Database
    secrets: SecretStore
    prefs: QSettings
    events: Events = field(default_factory=Events)
    user: str | None = None  # None in personal mode: the actor is the OS user
    role: str = "admin"
    report: Callable[[str], None] = print  # a one-line message for the status bar
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    ops: Ops = field(init=False)  # every service call of the window goes through it

    def __post_init__(self) -> None:
        self.ops = Ops(self.db)

    def spawn(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        failed: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run `coro` on the window's loop; its errors reach the user, never a traceback.

        Slots call this instead of awaiting: Qt cannot await. Errors are shown by
        `ops.show_error` unless `failed` shows them in place; a task whose call was
        superseded (`ops.Superseded`) ends quietly as cancelled.
        """
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)

        def done(task: asyncio.Task[Any]) -> None:
            self._tasks.discard(task)
            if task.cancelled() or task.exception() is None:
                return
            error = task.exception()
            assert error is not None
            if failed is not None:
                failed(error)
            else:
                show_error(error, self.report)

        task.add_done_callback(done)
        return task

    async def drain(self) -> None:
        """Cancel and wait for every task still running, then for their workers' units of
        work (the window is closing)."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.ops.settle()

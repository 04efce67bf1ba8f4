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
from ..core.errors import NetRavenError
from ..core.secrets import SecretStore
from .crash import show_crash
from .qt import QObject, QSettings, Signal


class Events(QObject):
    """Cross-view news: a view that changed something says so; the others refresh."""

    inventory_changed = Signal()  # devices, tags or credentials were added/edited/removed
    backup_requested = Signal(list)  # device names the user wants backed up now
    run_finished = Signal(dict)  # the engine's `run_finished` event of a run from the window
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

    def spawn(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        failed: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[Any]:
        """Run `coro` on the window's loop; its errors reach the user, never a traceback.

        Slots call this instead of awaiting: Qt cannot await. A NetRaven error (bad input,
        not allowed, database unreachable) is shown as its one-line message; anything
        else is a bug: logged with its traceback and shown in the crash dialog.
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
            elif isinstance(error, NetRavenError):
                self.report(str(error))
            else:
                show_crash(error)

        task.add_done_callback(done)
        return task

    async def in_worker(
        self, fn: Callable[..., Any], /, *args: Any, write: bool = True, **kwargs: Any
    ) -> Any:
        """Run a CPU-heavy service (argon2 hashing, validating a big import) over a sync
        session in a worker thread.

        Through the async engine the work would run on the window's thread (`run_sync`)
        and freeze it for as long as it takes.
        """

        def work() -> Any:
            with self.db.session(write=write) as session:
                return fn(session, *args, **kwargs)

        return await asyncio.to_thread(work)

    async def drain(self) -> None:
        """Cancel and wait for every task still running (the window is closing)."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

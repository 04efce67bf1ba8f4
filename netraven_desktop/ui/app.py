"""Start the window on a qasync event loop: Qt and asyncio share one thread."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Coroutine
from typing import Any

import qasync

from .. import __version__
from ..core.db import Database, DatabaseURL, resolve_database_url
from ..core.errors import InputError, NetRavenError
from ..core.secrets import SecretStore
from .context import AppContext
from .crash import install_crash_handlers
from .demo import start_demo
from .device_detail import warm_up as warm_up_history
from .icons import icon
from .main_window import MainWindow
from .ops import put_the_window_first
from .prefs import open_prefs
from .qt import QApplication


async def show_window(ctx: AppContext) -> None:
    """Show the main window; return once it is closed and its database released.

    "Open database…", "Sign out" and the offline actions replace the window with one on
    the chosen database (or on the team database's replica, already open).
    """
    notice = ""
    while (following := await _one_window(ctx, notice)) is not None:
        target, notice = following
        db = target if isinstance(target, Database) else Database(target)
        ctx = AppContext(db=db, secrets=ctx.secrets, prefs=ctx.prefs)


async def _one_window(ctx: AppContext, notice: str) -> tuple[DatabaseURL | Database, str] | None:
    """Run one window until it closes (None) or asks for another database: then its URL
    (or open replica) and the window's last word for the next one (`MainWindow.handover`).

    The window's own signals end the round, not Qt's quit: when Qt quits by itself, the
    event loop stops under pending work (the database's connections) and every exit
    prints a traceback.
    """
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[DatabaseURL | Database | None] = loop.create_future()
    window = MainWindow(ctx, notice)
    window.closed.connect(lambda: outcome.done() or outcome.set_result(None))
    window.reopen.connect(lambda target: outcome.done() or outcome.set_result(target))
    _close_on_signals(window)
    window.show()
    await window.load()
    warm_up_history(ctx)
    put_the_window_first()
    target = await outcome
    await window.shutdown()
    await ctx.db.aclose()
    if target is None:
        return None
    window.closed.disconnect()
    window.close()
    window.deleteLater()
    return target, window.handover


def _close_on_signals(window: MainWindow) -> None:
    """Ctrl-C in the terminal or a TERM (logout, `kill`) closes the window cleanly."""
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
            loop.add_signal_handler(number, window.close)


async def _with_crash_dialog(main: Coroutine[Any, Any, None]) -> None:
    """Uncaught exceptions (in slots, loop callbacks) show the crash dialog meanwhile."""
    undo = install_crash_handlers(asyncio.get_running_loop())
    try:
        await main
    finally:
        undo()


def run_gui(db_arg: str | None = None, *, demo: bool = False) -> int:
    """Open the main window on the resolved database (or the demo's); the exit code."""
    try:
        if demo and db_arg:
            raise InputError("--db", db_arg, "--demo opens its own throwaway database")
        started = start_demo() if demo else None
        db = started.db if started else Database(resolve_database_url(db_arg))
    except NetRavenError as exc:
        print(f"netraven-desktop: {exc}", file=sys.stderr)
        return exc.exit_code
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("NetRaven Desktop")
    app.setOrganizationName("NetRaven")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("netraven-desktop"))
    app.setQuitOnLastWindowClosed(False)  # show_window ends the loop when the window closes
    prefs = open_prefs(str(started.folder / "prefs.ini")) if started else open_prefs()
    try:
        store = started.store if started else SecretStore()
        qasync.run(_with_crash_dialog(show_window(AppContext(db=db, secrets=store, prefs=prefs))))
    finally:
        if started is not None:
            started.close()
    return 0

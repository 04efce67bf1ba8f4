"""Start the window on a qasync event loop: Qt and asyncio share one thread."""

from __future__ import annotations

import asyncio
import sys

import qasync

from .. import __version__
from ..core.db import Database, resolve_database_url
from ..core.errors import NetRavenError
from .main_window import MainWindow
from .qt import QApplication


async def _main(db: Database) -> None:
    app = QApplication.instance()
    assert app is not None
    closed = asyncio.get_running_loop().create_future()
    app.aboutToQuit.connect(lambda: closed.done() or closed.set_result(None))
    window = MainWindow(db)
    window.show()
    await window.load()
    await closed
    await db.aclose()


def run_gui(db_arg: str | None = None) -> int:
    """Open the main window on the resolved database; returns the process exit code."""
    try:
        db = Database(resolve_database_url(db_arg))
    except NetRavenError as exc:
        print(f"netraven-desktop: {exc}", file=sys.stderr)
        return exc.exit_code
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("NetRaven Desktop")
    app.setOrganizationName("NetRaven")
    app.setApplicationVersion(__version__)
    qasync.run(_main(db))
    return 0

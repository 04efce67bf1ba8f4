"""Qt test fixtures: one qasync loop for the whole session, never stopped per test.

Stopping a qasync loop quits the QApplication and later tests hang (docs/architecture.md), so
the loop is created once as "already running" and only marked as the running loop while
a GUI test runs. Coroutines are driven by Qt's own event processing (qtbot.waitUntil).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import qasync

# The real SMTP and HTTP servers of the notification tests, for "send test" in the window.
from tests.integration.test_notify import smtp_server, tls_files, webhook_server  # noqa: F401


@pytest.fixture(scope="session")
def _qasync_loop(qapp) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(None)
    # The loop is never closed (see above), so its worker threads (asyncio.to_thread) are
    # stopped here: a QThread still running at exit aborts the interpreter.
    executor = qasync.QThreadExecutor()
    loop.set_default_executor(executor)
    yield loop
    executor.shutdown(wait=True)


@pytest.fixture
def run_async(_qasync_loop, qtbot) -> Iterator[Callable[[Coroutine[Any, Any, Any]], Any]]:
    """Run a coroutine on the window's event loop while Qt keeps processing events."""
    asyncio.events._set_running_loop(_qasync_loop)

    def run(coro: Coroutine[Any, Any, Any], timeout_ms: int = 20_000) -> Any:
        task = _qasync_loop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=timeout_ms)
        return task.result()

    yield run
    asyncio.events._set_running_loop(None)


@pytest.fixture
def app_ctx(db, tmp_path, run_async):
    """A window context over a fresh database (SQLite and PostgreSQL), private preferences.

    Views await the async engine, so it is released on the test's loop afterwards.
    """
    from netraven_desktop.core.secrets import SecretStore
    from netraven_desktop.ui.context import AppContext
    from netraven_desktop.ui.prefs import open_prefs

    ctx = AppContext(db=db, secrets=SecretStore(), prefs=open_prefs(str(tmp_path / "prefs.ini")))
    yield ctx
    run_async(ctx.drain())
    run_async(ctx.db.aclose())  # a team member's own login, after a sign-in
    run_async(db.aclose())


@pytest.fixture
def open_page(qtbot, run_async, app_ctx) -> Callable[[type[Any]], Any]:
    """Build a page over `app_ctx`, show it and wait for its first refresh."""

    def build(page_class: type[Any]) -> Any:
        page = page_class(app_ctx)
        qtbot.addWidget(page)
        page.show()
        run_async(page.refresh())
        return page

    return build

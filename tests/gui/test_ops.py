"""The window's service calls (`ui.ops`): a worker computes, the Qt thread receives.

A worker is held on a `threading.Event` the test controls, so "still running" is a state
the test chooses, never a race against the clock.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy.orm import Session

from netraven_desktop.core.errors import InputError
from netraven_desktop.core.services import devices, settings
from netraven_desktop.ui import crash
from netraven_desktop.ui.ops import DROP_SLICE, BusyIndicator, Superseded, drop_gradually
from netraven_desktop.ui.qt import QMainWindow, QtCore


def held(started: threading.Event, release: threading.Event, value: Any) -> Any:
    """A service call that waits in its worker until the test releases it."""

    def call(session: Session) -> Any:
        started.set()
        assert release.wait(30), "the test never released the worker"
        return value

    return call


def test_the_service_runs_in_a_worker_with_its_own_session_and_returns_on_the_qt_thread(
    app_ctx, run_async
):
    where: dict[str, threading.Thread] = {}

    def call(session: Session) -> list[str]:
        where["call"] = threading.current_thread()
        return [value.key for value in settings.list_settings(session)]

    async def view() -> list[str]:
        keys = await app_ctx.ops.read(call)
        where["result"] = threading.current_thread()
        return keys

    keys = run_async(view())
    assert keys == list(settings.SPECS)  # the real settings, read over a real session
    assert where["call"] is not threading.main_thread()
    assert where["result"] is threading.main_thread()


def test_a_write_commits_in_its_worker_and_a_later_read_sees_it(app_ctx, run_async):
    run_async(
        app_ctx.ops.write(devices.add_device, name="edge-1", host="192.0.2.1", platform="cisco_ios")
    )
    shown = run_async(app_ctx.ops.read(devices.show_device, "edge-1"))
    assert shown.host == "192.0.2.1"


def test_a_newer_call_of_the_same_kind_supersedes_the_older_one(app_ctx, run_async, qtbot):
    started, release = threading.Event(), threading.Event()
    shown: list[str] = []

    async def view(call: Any) -> None:
        shown.append(await app_ctx.ops.read(call, kind="search"))

    older = app_ctx.spawn(view(held(started, release, "older")))
    qtbot.waitUntil(started.is_set)
    newer = app_ctx.spawn(view(lambda session: "newer"))
    qtbot.waitUntil(newer.done)
    assert shown == ["newer"]
    release.set()
    qtbot.waitUntil(older.done)
    assert older.cancelled()  # dropped quietly: no error shown, nothing painted
    assert shown == ["newer"]


def test_calls_of_other_kinds_do_not_supersede_each_other(app_ctx, run_async, qtbot):
    started, release = threading.Event(), threading.Event()
    first = app_ctx.spawn(app_ctx.ops.read(held(started, release, 1), kind="audit"))
    qtbot.waitUntil(started.is_set)
    assert run_async(app_ctx.ops.read(lambda session: 2, kind="search")) == 2
    release.set()
    qtbot.waitUntil(first.done)
    assert first.result() == 1


def test_a_superseded_call_drops_its_error_too(app_ctx, run_async, qtbot):
    started, release = threading.Event(), threading.Event()
    reported: list[str] = []
    app_ctx.report = reported.append

    def failing(session: Session) -> None:
        started.set()
        release.wait(30)
        raise InputError("pattern", "(", "unbalanced parenthesis")

    older = app_ctx.spawn(app_ctx.ops.read(failing, kind="search"))
    qtbot.waitUntil(started.is_set)
    assert run_async(app_ctx.ops.read(lambda session: "ok", kind="search")) == "ok"
    release.set()
    qtbot.waitUntil(older.done)
    with pytest.raises(Superseded):
        older.result()
    assert reported == []


def test_a_refused_call_shows_its_one_line_message(app_ctx, qtbot):
    reported: list[str] = []
    app_ctx.report = reported.append

    async def view() -> None:
        await app_ctx.ops.read(devices.show_device, "no-such-device")

    app_ctx.spawn(view())
    qtbot.waitUntil(lambda: bool(reported))
    assert "no-such-device" in reported[0]
    assert "\n" not in reported[0]


def test_a_bug_in_a_worker_shows_the_crash_dialog(app_ctx, qtbot):
    def broken(session: Session) -> None:
        raise RuntimeError("a bug in the worker")

    if crash._open_dialog is not None:  # left by an earlier test: start from none
        crash._open_dialog.close()
        qtbot.waitUntil(lambda: crash._open_dialog is None)
    app_ctx.spawn(app_ctx.ops.read(broken))
    try:
        qtbot.waitUntil(lambda: crash._open_dialog is not None and crash._open_dialog.isVisible())
        assert "RuntimeError: a bug in the worker" in crash._open_dialog.headline.text()
    finally:
        if crash._open_dialog is not None:
            crash._open_dialog.close()
            qtbot.waitUntil(lambda: crash._open_dialog is None)


def test_the_busy_indicator_shows_only_while_a_slow_call_runs(app_ctx, run_async, qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    indicator = BusyIndicator(app_ctx.ops)
    window.statusBar().addPermanentWidget(indicator)
    window.show()
    started, release = threading.Event(), threading.Event()
    task = app_ctx.spawn(app_ctx.ops.read(held(started, release, "done")))
    # Before Qt has run its timers the call is not yet "slow": nothing shows.
    assert not app_ctx.ops.busy
    assert not indicator.isVisible()
    qtbot.waitUntil(lambda: app_ctx.ops.busy and indicator.isVisible())
    release.set()
    qtbot.waitUntil(task.done)
    assert task.result() == "done"
    qtbot.waitUntil(lambda: not indicator.isVisible())
    assert not app_ctx.ops.busy


def test_the_window_keeps_running_its_timers_while_a_call_blocks(app_ctx, qtbot):
    started, release = threading.Event(), threading.Event()
    beats: list[int] = []
    timer = QtCore.QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: beats.append(1))
    task = app_ctx.spawn(app_ctx.ops.read(held(started, release, "answer")))
    qtbot.waitUntil(started.is_set)
    timer.start()
    try:
        qtbot.waitUntil(lambda: len(beats) >= 20)  # the Qt thread is free while it waits
        assert not task.done()
    finally:
        timer.stop()
        release.set()
    qtbot.waitUntil(task.done)
    assert task.result() == "answer"


def test_blocking_calls_run_off_the_qt_thread(app_ctx, run_async):
    worker = run_async(app_ctx.ops.blocking(threading.current_thread))
    assert worker is not threading.main_thread()


@pytest.mark.parametrize("size", [0, 1, DROP_SLICE, 2 * DROP_SLICE + 1])
def test_big_results_are_freed_a_slice_at_a_time_and_completely(size):
    rows, more = [object() for _ in range(size)], [{"name": "r1"}] * size
    drop_gradually(rows, more)
    assert rows == []
    assert more == []

"""A bug in the window shows the crash dialog (a copyable report, the log folder);
Help → Save diagnostics… writes a bug-report zip with no secret in it.

Two things cannot exist headless and are stubbed: the desktop's file manager ("Open log
folder" hands a URL to QDesktopServices) and the native file chooser.
"""

from __future__ import annotations

import asyncio
import json
import logging
import zipfile

import pytest

from netraven_desktop.core.crud import devices
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.log_masking import remember_secret
from netraven_desktop.core.logs import log_dir, setup_logging
from netraven_desktop.core.services import backups, runs
from netraven_desktop.ui import crash
from netraven_desktop.ui.main_window import MainWindow
from netraven_desktop.ui.qt import QtCore, QtGui, QtWidgets
from tests.snapshots import capture

PLANTED = "Planted-S3cret-991"


@pytest.fixture
def home_log(tmp_path, monkeypatch):
    """The window's log in a private home, set up as `main()` does; undone afterwards."""
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path / "home"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield setup_logging("info")
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture
def crash_dialog(qtbot):
    """The dialog the test opened, looked up once it shows; closed afterwards."""
    yield lambda: crash._open_dialog
    if crash._open_dialog is not None:
        crash._open_dialog.close()
        qtbot.waitUntil(lambda: crash._open_dialog is None)


async def failing_action() -> None:
    await asyncio.sleep(0)
    raise RuntimeError(f"lost the thread; login used password={PLANTED}")


def test_a_bug_in_a_window_action_shows_a_copyable_masked_report(
    qtbot, app_ctx, home_log, crash_dialog, monkeypatch
):
    app_ctx.spawn(failing_action())
    qtbot.waitUntil(lambda: crash_dialog() is not None and crash_dialog().isVisible())
    dialog = crash_dialog()
    assert dialog.headline.text().startswith(
        "Something went wrong in the window: RuntimeError: lost the thread"
    )
    report = dialog.report.toPlainText()
    assert report.startswith("NetRaven Desktop ")
    assert "Where: in the window" in report
    assert "in failing_action" in report  # the traceback
    assert "password=***" in report
    assert PLANTED not in report + dialog.headline.text()

    dialog.copy_button.click()
    assert QtWidgets.QApplication.clipboard().text() == report
    opened: list[QtCore.QUrl] = []
    monkeypatch.setattr(QtGui.QDesktopServices, "openUrl", opened.append)
    dialog.log_button.click()
    assert [url.toLocalFile() for url in opened] == [str(log_dir())]

    logged = home_log.read_text(encoding="utf-8")
    assert "ERROR netraven_desktop.ui.crash: internal error in the window" in logged
    assert "in failing_action" in logged
    assert PLANTED not in logged


@pytest.mark.qt_no_exception_capture
def test_exceptions_in_slots_and_loop_callbacks_reach_the_same_dialog(
    qtbot, run_async, home_log, crash_dialog
):
    loop = asyncio.get_running_loop()  # the window's qasync loop, set by run_async
    undo = crash.install_crash_handlers(loop)
    try:

        def slot() -> None:
            raise ValueError("a slot broke")

        def callback() -> None:
            raise KeyError("a callback broke")

        QtCore.QTimer.singleShot(0, slot)
        qtbot.waitUntil(lambda: crash_dialog() is not None and crash_dialog().errors == 1)
        loop.call_soon(callback)
        qtbot.waitUntil(lambda: crash_dialog().errors == 2)
    finally:
        undo()
    dialog = crash_dialog()
    assert dialog.headline.text() == "2 errors; the first is the one to report."
    report = dialog.report.toPlainText()
    assert report.index("ValueError: a slot broke") < report.index("KeyError: 'a callback broke'")
    assert "Where: in a background task" in report


def test_save_diagnostics_writes_a_zip_for_a_bug_report_without_secrets(
    qtbot, run_async, app_ctx, home_log, tmp_path, monkeypatch
):
    remember_secret(PLANTED)  # as the secret store does when it hands a secret out
    logging.getLogger("netraven_desktop.test").warning(
        "device echoed %s; retrying via ssh://admin:Url-Pa55@10.0.0.9", PLANTED
    )
    with app_ctx.db.session() as s:
        sw1 = devices.create_device(s, name="sw1", host="10.0.0.1", platform="cisco_ios")
        sw2 = devices.create_device(s, name="sw2", host="10.0.0.2", platform="cisco_ios")
        run = runs.start_run(s, device_count=2, job_id=None, trigger="manual", actor="t")
        capture(s, run, sw1, "hostname sw1\n")
        backups.store_failure(
            s,
            run_id=run.id,
            device_id=sw2.id,
            device_name="sw2",
            status="failed",
            error_class="auth",
            message=f"login refused for password {PLANTED}",
            started_at=utcnow(),
        )
        runs.finish_run(s, run.id, succeeded=1, failed=1, changed=1, cancelled=False)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    run_async(window.load())
    target = tmp_path / "report" / "diagnostics.zip"
    target.parent.mkdir()
    monkeypatch.setattr(
        QtWidgets.QFileDialog, "getSaveFileName", lambda *a: (str(target), "Zip archives (*.zip)")
    )
    window.diagnostics_action.trigger()
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == f"Saved diagnostics to {target}",
        timeout=20_000,
    )
    run_async(window.shutdown())

    with zipfile.ZipFile(target) as zf:
        assert sorted(zf.namelist()) == ["about.json", "log-tail.txt", "runs.json", "settings.json"]
        members = {name: zf.read(name).decode() for name in zf.namelist()}
    for name, text in members.items():
        assert PLANTED not in text, name
        assert "Url-Pa55" not in text, name
    about = json.loads(members["about.json"])
    assert about["database"] == app_ctx.db.url.display()
    assert about["packages"]["keyring"][0].isdigit()
    assert about["qt"] == QtCore.qVersion()
    assert about["log_file"] == str(home_log)
    (last,) = json.loads(members["runs.json"])
    assert (last["devices"], last["failed"]) == (2, 1)
    results = {r["device"]: (r["status"], r["error_class"]) for r in last["results"]}
    assert results == {"sw1": ("changed", None), "sw2": ("failed", "auth")}
    settings = {s["key"]: s["value"] for s in json.loads(members["settings.json"])}
    assert settings["backup.concurrency"] == 50
    assert "device echoed ***; retrying via ssh://admin:***@10.0.0.9" in members["log-tail.txt"]

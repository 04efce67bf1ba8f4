"""When the window meets a bug: say so in a dialog, with a report to copy and the log.

Three doors lead here: `sys.excepthook` (an exception in a Qt slot reaches it through
PySide), the qasync loop's exception handler (a callback or a task nobody awaited), and
`AppContext.spawn`'s error path. Each logs the traceback and shows the one dialog; later
errors are added to the open dialog rather than stacking windows. The report is masked
like the log, so it can be pasted into a public bug report.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import sys
import traceback
from collections.abc import Callable
from typing import Any

from .. import __version__
from ..core.log_masking import mask_text
from ..core.logs import log_dir, log_path
from .qt import QtCore, QtGui, QtWidgets

log = logging.getLogger(__name__)


def crash_report(error: BaseException, where: str) -> str:
    """What a bug report needs: versions, where it happened, the traceback (masked)."""
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return mask_text(
        f"NetRaven Desktop {__version__}, Python {platform.python_version()}, "
        f"Qt {QtCore.qVersion()}, {platform.platform()}\n"
        f"Where: {where}\n\n{trace}"
    )


def summary(error: BaseException) -> str:
    return mask_text(f"{type(error).__name__}: {error}".splitlines()[0][:300])


class CrashDialog(QtWidgets.QDialog):
    """What happened in one line, the report to copy, and the way to the log folder."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("NetRaven Desktop — internal error")
        self.errors = 0
        self.headline = QtWidgets.QLabel()
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("What happened")
        explanation = QtWidgets.QLabel(
            "This is a bug in NetRaven Desktop: the action that failed did not finish. "
            f"The report below is also in the log ({log_path()}); secrets are masked in both."
        )
        explanation.setWordWrap(True)
        self.report = QtWidgets.QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setAccessibleName("Error report")
        self.report.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(
            "&Copy report", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole
        )
        self.log_button = buttons.addButton(
            "Open &log folder", QtWidgets.QDialogButtonBox.ButtonRole.ActionRole
        )
        self.copy_button.clicked.connect(self.copy_report)
        self.log_button.clicked.connect(open_log_folder)
        buttons.rejected.connect(self.reject)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(explanation)
        layout.addWidget(self.report, 1)
        layout.addWidget(buttons)
        self.resize(720, 420)

    def add(self, error: BaseException, where: str) -> None:
        self.errors += 1
        if self.errors == 1:
            self.headline.setText(f"Something went wrong {where}: {summary(error)}")
        else:
            self.headline.setText(f"{self.errors} errors; the first is the one to report.")
        text = self.report.toPlainText()
        self.report.setPlainText(
            (text + "\n" + "-" * 60 + "\n" if text else "") + crash_report(error, where)
        )

    def copy_report(self) -> None:
        QtWidgets.QApplication.clipboard().setText(self.report.toPlainText())


def open_log_folder() -> None:
    QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(log_dir())))


_open_dialog: CrashDialog | None = None


def show_crash(error: BaseException, where: str = "in the window") -> CrashDialog:
    """Log `error` with its traceback and show it in the crash dialog (opened if needed)."""
    global _open_dialog
    log.error("internal error %s", where, exc_info=error)
    if _open_dialog is None or not _open_dialog.isVisible():
        _open_dialog = CrashDialog(QtWidgets.QApplication.activeWindow())
        _open_dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        _open_dialog.destroyed.connect(_forget_dialog)
    _open_dialog.add(error, where)
    _open_dialog.show()  # not exec(): the window and its event loop keep running
    _open_dialog.raise_()
    return _open_dialog


def _forget_dialog() -> None:
    global _open_dialog
    _open_dialog = None


def install_crash_handlers(loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
    """Route uncaught exceptions (slots, loop callbacks) to `show_crash`; returns undo."""
    previous_hook = sys.excepthook

    def excepthook(kind: type[BaseException], error: BaseException, tb: Any) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_hook(kind, error, tb)
            return
        show_crash(error.with_traceback(tb), "in the window")

    def loop_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, Exception):
            show_crash(error, "in a background task")
        else:  # a warning from asyncio itself (a slow callback, an unclosed transport)
            log.warning("event loop: %s", context.get("message"))

    sys.excepthook = excepthook
    loop.set_exception_handler(loop_handler)

    def undo() -> None:
        sys.excepthook = previous_hook
        loop.set_exception_handler(None)

    return undo

"""The system tray icon: a backup run that failed or found changes says so there."""

from __future__ import annotations

from .context import AppContext, FinishedRun
from .icons import icon
from .qt import QtWidgets
from .wording import plural


def run_message(run: FinishedRun) -> tuple[str, str, bool] | None:
    """(title, text, is_failure) for a finished run worth a notification, else None."""
    failed, changed = run.summary.failed, run.summary.changed
    what = f"Job {run.job}" if run.job else "Backup run"
    if failed:
        return (
            f"{what}: {plural(failed, 'device')} failed",
            f"{changed} changed, {run.summary.unchanged} unchanged. See the Jobs view.",
            True,
        )
    if changed:
        return (
            f"{what}: {plural(changed, 'configuration')} changed",
            "Open the device's history to see the diff.",
            False,
        )
    return None


class Tray(QtWidgets.QSystemTrayIcon):
    """Shown only where the desktop has a tray; `notices` keeps what was announced."""

    def __init__(self, window: QtWidgets.QMainWindow, ctx: AppContext) -> None:
        super().__init__(icon("netraven-desktop"), window)
        self.ctx = ctx
        self.notices: list[tuple[str, str]] = []
        menu = QtWidgets.QMenu(window)
        menu.addAction("Show NetRaven Desktop", window.showNormal)
        menu.addAction("Quit", window.close)
        self.setContextMenu(menu)
        self.setToolTip("NetRaven Desktop")
        self.activated.connect(lambda _reason: (window.showNormal(), window.raise_()))
        if self.isSystemTrayAvailable():
            self.show()

    def run_finished(self, run: FinishedRun) -> None:
        message = run_message(run)
        if message is None:
            return
        title, text, failure = message
        self.notices.append((title, text))
        kind = self.MessageIcon.Warning if failure else self.MessageIcon.Information
        if self.isVisible():
            self.showMessage(title, text, kind, 10_000)

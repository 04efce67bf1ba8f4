"""The system tray icon: a backup run that failed or found changes says so there."""

from __future__ import annotations

from typing import Any

from .context import AppContext
from .icons import icon
from .qt import QtWidgets
from .wording import plural


def run_message(event: dict[str, Any]) -> tuple[str, str, bool] | None:
    """(title, text, is_failure) for a finished run worth a notification, else None."""
    failed, changed = int(event.get("failed", 0)), int(event.get("changed", 0))
    what = f"Job {event['job']}" if event.get("job") else "Backup run"
    if failed:
        return (
            f"{what}: {plural(failed, 'device')} failed",
            f"{changed} changed, {event.get('unchanged', 0)} unchanged. See the Jobs view.",
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

    def run_finished(self, event: dict[str, Any]) -> None:
        message = run_message(event)
        if message is None:
            return
        title, text, failure = message
        self.notices.append((title, text))
        kind = self.MessageIcon.Warning if failure else self.MessageIcon.Information
        if self.isVisible():
            self.showMessage(title, text, kind, 10_000)

"""Per-user window preferences (QSettings): sizes, splitters, column layouts.

Keys are grouped by the signed-in user so two people sharing a laptop account in team
mode keep their own layouts.
"""

from __future__ import annotations

from .qt import QSettings, QtCore, QtWidgets


def open_prefs(path: str | None = None) -> QSettings:
    """The preferences store: the platform's native one, or an INI file (tests, --demo)."""
    if path is None:
        return QSettings()
    return QSettings(path, QSettings.Format.IniFormat)


def key(user: str | None, name: str) -> str:
    return f"{user or 'personal'}/{name}"


def save_header(prefs: QSettings, user: str | None, name: str, view: QtWidgets.QTableView) -> None:
    prefs.setValue(key(user, f"{name}/header"), view.horizontalHeader().saveState())


def restore_header(
    prefs: QSettings, user: str | None, name: str, view: QtWidgets.QTableView
) -> None:
    state = prefs.value(key(user, f"{name}/header"))
    if isinstance(state, QtCore.QByteArray):
        view.horizontalHeader().restoreState(state)


def save_splitter(
    prefs: QSettings, user: str | None, name: str, splitter: QtWidgets.QSplitter
) -> None:
    prefs.setValue(key(user, f"{name}/splitter"), splitter.saveState())


def restore_splitter(
    prefs: QSettings, user: str | None, name: str, splitter: QtWidgets.QSplitter
) -> None:
    state = prefs.value(key(user, f"{name}/splitter"))
    if isinstance(state, QtCore.QByteArray):
        splitter.restoreState(state)

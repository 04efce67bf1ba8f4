"""One device's window: who it is, its snapshot history, a configuration, a diff.

Selecting one snapshot shows its configuration and what changed since the one before;
selecting two compares them (older to newer). Everything is read on the async engine,
and a later selection wins over a slower earlier one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..core.db.models import Device
from ..core.errors import NetRavenError
from ..core.private_files import write_private_file
from ..core.services import backups
from ..core.services import devices as device_service
from ..core.services.backups import HistoryEntry
from . import prefs
from .config_highlighter import LineSpan, text_spans
from .context import AppContext
from .diff_view import DiffView, PreparedDiff, prepare
from .icons import icon
from .ops import BusyIndicator, show_error
from .qt import QCloseEvent, QMainWindow, Qt, QtCore, QtGui, QtWidgets, Signal
from .table_model import ROW_ROLE, RowsModel
from .text_view import TextView

HISTORY_LIMIT = 500  # snapshots listed; the oldest beyond it stay in the database
SNAPSHOT_ROLE = ROW_ROLE + 10  # the ConfigSnapshot of a history row
PREFS = "device_detail"


def _local(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M:%S}"


def _size(size: int) -> str:
    return f"{size:,} B" if size < 10_240 else f"{size / 1024:,.0f} KB"


def _warning_icon() -> QtGui.QIcon:
    return QtWidgets.QApplication.style().standardIcon(
        QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning
    )


class HistoryModel(RowsModel[HistoryEntry]):
    """A device's snapshots, newest first; one stored with secrets in clear (its device's
    masking was off) has a warning icon by its time and says so in every cell's tooltip."""

    COL_CAPTURED, COL_LINES, COL_SIZE, COL_RUN = range(4)
    COLUMNS = (
        ("Captured", lambda e: _local(e.snapshot.captured_at)),
        ("Lines +/-", lambda e: f"+{e.snapshot.lines_added} -{e.snapshot.lines_removed}"),
        ("Size", lambda e: _size(e.size)),
        ("Run", lambda e: e.run),
    )

    def data(self, index: QtCore.QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        entry = self.row_at(index)
        if role == SNAPSHOT_ROLE and entry is not None:
            return entry.snapshot
        if entry is not None and entry.snapshot.masked is False:
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
                return backups.CLEAR_WARNING
            if role == Qt.ItemDataRole.DecorationRole and index.column() == self.COL_CAPTURED:
                return _warning_icon()
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (
            self.COL_LINES,
            self.COL_SIZE,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().data(index, role)


class DeviceHeader(QtWidgets.QWidget):
    """Name, address and platform, facts from the last backup, and how that backup went."""

    FIELDS = ("Host", "Platform", "Vendor", "Model", "Serial", "OS version", "Last backup")

    def __init__(self) -> None:
        super().__init__()
        self.title = QtWidgets.QLabel()
        self.title.setAccessibleName("Device name")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.values: dict[str, QtWidgets.QLabel] = {}
        grid = QtWidgets.QGridLayout()
        for position, field in enumerate(self.FIELDS):
            value = QtWidgets.QLabel()
            value.setAccessibleName(field)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[field] = value
            row, column = position % 4, position // 4 * 2
            grid.addWidget(QtWidgets.QLabel(f"{field}:"), row, column)
            grid.addWidget(value, row, column + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(grid)

    def show_device(self, device: Device) -> None:
        self.title.setText(device.name)
        last = device.last_backup_status
        if device.last_backup_at is not None:
            last = f"{last} at {_local(device.last_backup_at)}"
        for field, value in zip(
            self.FIELDS,
            (
                f"{device.host}:{device.port}",
                device.platform,
                device.vendor,
                device.model,
                device.serial,
                device.os_version,
                last,
            ),
            strict=True,
        ):
            self.values[field].setText(value or "—")


def warm_up(ctx: AppContext) -> None:
    """Build one history window and drop it unseen, once the main window has loaded.

    The first one a process builds pays ~20 ms of one-time set-up (PySide makes each Qt
    enum type the first time it meets it, and the text views meet dozens); paid here, it
    does not hold up the first device history a user opens.
    """
    DeviceDetail(ctx, "").deleteLater()


class DeviceDetail(QMainWindow):
    """The detail window of one device; `load()` fills it, F5 reloads it."""

    closed = Signal(str)  # the device name, when the window closes

    def __init__(self, ctx: AppContext, name: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.name = name
        self._tasks: set[asyncio.Task[Any]] = set()
        self._selections = 0  # selections shown so far: a newer one stops an older one
        self.config_text = ""  # the shown configuration as stored (the editor folds some spaces)
        self.setWindowTitle(f"{name} — NetRaven Desktop")
        self.setWindowIcon(icon("netraven-desktop"))
        self.resize(1100, 720)

        self.header = DeviceHeader()
        self.header.title.setText(name)
        self.model = HistoryModel(self)
        self.history = QtWidgets.QTableView()
        self.history.setModel(self.model)
        self.history.setAccessibleName("Snapshot history")
        self.history.setToolTip("Select one snapshot, or two (Ctrl+click) to compare them")
        self.history.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.history.verticalHeader().hide()
        self.history.setWordWrap(False)
        metrics = self.history.fontMetrics()
        for column, sample in (
            (HistoryModel.COL_CAPTURED, "2026-12-31 23:59:59"),
            (HistoryModel.COL_LINES, "+9999 -9999"),
            (HistoryModel.COL_SIZE, "999,999 KB"),
        ):  # widths until the user's own are restored; the time has room for a warning icon
            room = 40 if column == HistoryModel.COL_CAPTURED else 16
            self.history.setColumnWidth(column, metrics.horizontalAdvance(sample) + room)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.selectionModel().selectionChanged.connect(self._selection_changed)

        self.viewer = TextView("Configuration")
        self.diff = DiffView()
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setAccessibleName("Configuration and differences")
        self.tabs.addTab(self.viewer, "&Configuration")
        self.tabs.addTab(self.diff, "&Differences")
        for action in (self.diff.next_action, self.diff.previous_action):
            action.triggered.connect(lambda: self.tabs.setCurrentWidget(self.diff))
            self.addAction(action)

        self.splitter = QtWidgets.QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.history)
        self.splitter.addWidget(self.tabs)
        self.splitter.setSizes([360, 740])
        central = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(central)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._build_toolbar()
        self.statusBar().addPermanentWidget(BusyIndicator(ctx.ops))
        self.restore_state()

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Snapshot")
        toolbar.setObjectName("snapshot-toolbar")
        toolbar.setMovable(False)
        self.copy_action = toolbar.addAction("Cop&y")
        self.copy_action.setShortcut(QtGui.QKeySequence("Ctrl+Shift+C"))
        self.copy_action.setToolTip("Copy the configuration or the unified diff (Ctrl+Shift+C)")
        self.copy_action.triggered.connect(self.copy)
        self.save_action = toolbar.addAction("&Save as…")
        self.save_action.setShortcut(QtGui.QKeySequence.StandardKey.Save)
        self.save_action.setToolTip("Save the configuration or the unified diff to a file")
        self.save_action.triggered.connect(self.save_as)
        reload_action = QtGui.QAction("&Reload", self)
        reload_action.setShortcut(QtGui.QKeySequence.StandardKey.Refresh)
        reload_action.triggered.connect(lambda: self.spawn(self.load()))
        close_action = QtGui.QAction("&Close", self)
        close_action.setShortcut(QtGui.QKeySequence.StandardKey.Close)
        close_action.triggered.connect(self.close)
        self.addActions([reload_action, close_action])

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a task of this window; its errors go to this window's status bar. Closing
        the window cancels its tasks (their results would paint deleted widgets)."""
        task = self.ctx.spawn(
            coro, failed=lambda error: show_error(error, self.statusBar().showMessage)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def load(self) -> None:
        """Read the device and its history; select the newest snapshot.

        A later load supersedes a slower earlier one (its result is dropped).
        """
        try:
            device, entries = await self.ctx.ops.read(
                _device_and_history, self.name, kind=(self, "load")
            )
        except NetRavenError as exc:
            self.statusBar().showMessage(str(exc))
            return
        self.header.show_device(device)
        self.model.set_rows(entries)
        if entries:
            self.history.selectRow(0)
            self.statusBar().showMessage(f"{len(entries)} snapshots")
        else:
            await self._show_text("")
            self.diff.set_comparison(None, "No backup of this device yet.")
            self.statusBar().showMessage("No backup of this device yet")

    def selected_entries(self) -> list[HistoryEntry]:
        """The selected snapshots, newest first."""
        rows = sorted(index.row() for index in self.history.selectionModel().selectedRows())
        return [self.model.rows[row] for row in rows]

    def _selection_changed(self) -> None:
        self.spawn(self._show_selection())

    async def _show_selection(self) -> None:
        """Show the current snapshot's text and the diff the selection asks for."""
        chosen = self.selected_entries()
        if not chosen:
            return
        self._selections += 1
        selection = self._selections
        current = self.history.currentIndex().data(SNAPSHOT_ROLE)
        shown = current if current in (e.snapshot for e in chosen) else chosen[0].snapshot
        newer = chosen[0].snapshot
        # Two or more: oldest to newest selected. One: from the snapshot before it (found by
        # the service, as the list may be cut short), unless it is known to be the first.
        older = str(chosen[-1].snapshot.id) if len(chosen) > 1 else None
        first = (
            older is None
            and chosen[0] is self.model.rows[-1]
            and len(self.model.rows) < HISTORY_LIMIT
        )
        # Decompress, diff and align in a worker; a newer selection supersedes this one.
        text, spans, prepared = await self.ctx.ops.read(
            _text_and_diff,
            self.name,
            str(shown.id),
            None if first else (older, str(newer.id)),
            kind=(self, "selection"),
        )
        await self._show_text(text, spans)
        await asyncio.sleep(0)  # let the window breathe between the big documents
        if selection != self._selections:
            return  # a newer selection is on its way: its diff, not this one, is shown
        await self.diff.show(prepared, "The first snapshot: nothing earlier to compare.")

    async def _show_text(self, text: str, spans: list[list[LineSpan]] | None = None) -> None:
        """Replace the configuration a piece per turn of the event loop (see
        `TextView.text_steps`), keeping the scroll position (the same part in view)."""
        position = self.viewer.verticalScrollBar().value()
        self.config_text = text
        for _ in self.viewer.text_steps(text, spans=spans):
            await asyncio.sleep(0)
        self.viewer.verticalScrollBar().setValue(position)

    def shown_text(self) -> tuple[str, str]:
        """What Copy and Save as take: (text, kind) — the configuration or the unified diff."""
        if self.tabs.currentWidget() is self.diff:
            return self.diff.unified_text(), "diff"
        return self.config_text, "configuration"

    def copy(self) -> None:
        text, kind = self.shown_text()
        QtWidgets.QApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied the {kind}" if text else f"No {kind} to copy")

    def save_as(self) -> None:
        text, kind = self.shown_text()
        if not text:
            self.statusBar().showMessage(f"No {kind} to save")
            return
        chosen = self.selected_entries()
        stamp = f"{chosen[0].snapshot.captured_at.astimezone():%Y%m%d-%H%M%S}" if chosen else ""
        suffix, filters = (
            (".diff", "Diff files (*.diff *.patch);;All files (*)")
            if kind == "diff"
            else (".cfg", "Configuration files (*.cfg *.conf *.txt);;All files (*)")
        )
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, f"Save the {kind}", f"{self.name}-{stamp}{suffix}", filters
        )
        if not path:
            return
        try:
            write_private_file(Path(path), text.encode("utf-8"))
        except OSError as exc:
            self.statusBar().showMessage(f"Could not save: {exc.strerror or exc}")
            return
        self.statusBar().showMessage(f"Saved the {kind} to {path}")

    def restore_state(self) -> None:
        prefs.restore_splitter(self.ctx.prefs, self.ctx.user, PREFS, self.splitter)
        prefs.restore_splitter(self.ctx.prefs, self.ctx.user, f"{PREFS}/sides", self.diff.sides)
        prefs.restore_header(self.ctx.prefs, self.ctx.user, f"{PREFS}/history", self.history)
        side_by_side = self.ctx.prefs.value(prefs.key(self.ctx.user, f"{PREFS}/side_by_side"))
        self.diff.set_side_by_side(side_by_side in (None, True, "true"))

    def save_state(self) -> None:
        prefs.save_splitter(self.ctx.prefs, self.ctx.user, PREFS, self.splitter)
        prefs.save_splitter(self.ctx.prefs, self.ctx.user, f"{PREFS}/sides", self.diff.sides)
        prefs.save_header(self.ctx.prefs, self.ctx.user, f"{PREFS}/history", self.history)
        self.ctx.prefs.setValue(
            prefs.key(self.ctx.user, f"{PREFS}/side_by_side"), self.diff.mode.isChecked()
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        for task in list(self._tasks):
            task.cancel()
        self.save_state()
        super().closeEvent(event)
        self.closed.emit(self.name)


def _device_and_history(session: Session, name: str) -> tuple[Device, list[HistoryEntry]]:
    device = device_service.show_device(session, name)
    return device, backups.history_entries(session, name, limit=HISTORY_LIMIT)


def _text_and_diff(
    session: Session, name: str, shown: str, compared: tuple[str | None, str] | None
) -> tuple[str, list[list[LineSpan]] | None, PreparedDiff | None]:
    """The shown snapshot's text and its colours and, when `compared` names (older or
    None, newer), their comparison prepared for the diff view."""
    _, text = backups.snapshot_text(session, name, shown)
    prepared = None if compared is None else prepare(backups.compare(session, name, *compared))
    return text, text_spans(text), prepared

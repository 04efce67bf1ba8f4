"""One device's window: who it is, its snapshot history, a configuration, a diff.

Selecting one snapshot shows its configuration and what changed since the one before;
selecting two compares them (older to newer). Everything is read on the async engine,
and a later selection wins over a slower earlier one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..core.db.models import Device
from ..core.errors import NetRavenError
from ..core.private_files import write_private_file
from ..core.services import backups
from ..core.services import devices as device_service
from ..core.services.backups import Comparison, HistoryEntry
from . import prefs
from .context import AppContext
from .diff_view import DiffView
from .icons import icon
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


class DeviceDetail(QMainWindow):
    """The detail window of one device; `load()` fills it, F5 reloads it."""

    closed = Signal(str)  # the device name, when the window closes

    def __init__(self, ctx: AppContext, name: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.name = name
        self._loads = 0  # a later load wins over a slower earlier one
        self._selections = 0  # the same for selections
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
        reload_action.triggered.connect(lambda: self.ctx.spawn(self.load()))
        close_action = QtGui.QAction("&Close", self)
        close_action.setShortcut(QtGui.QKeySequence.StandardKey.Close)
        close_action.triggered.connect(self.close)
        self.addActions([reload_action, close_action])

    async def load(self) -> None:
        """Read the device and its history; select the newest snapshot."""
        self._loads += 1
        generation = self._loads
        try:
            async with self.ctx.db.async_read_session() as session:
                device = await device_service.show_device(session, self.name)
                entries = await backups.history_entries(session, self.name, limit=HISTORY_LIMIT)
        except NetRavenError as exc:
            self.statusBar().showMessage(str(exc))
            return
        if generation != self._loads:
            return
        self.header.show_device(device)
        self.model.set_rows(entries)
        if entries:
            self.history.selectRow(0)
            self.statusBar().showMessage(f"{len(entries)} snapshots")
        else:
            self._show_text("")
            self.diff.set_comparison(None, "No backup of this device yet.")
            self.statusBar().showMessage("No backup of this device yet")

    def selected_entries(self) -> list[HistoryEntry]:
        """The selected snapshots, newest first."""
        rows = sorted(index.row() for index in self.history.selectionModel().selectedRows())
        return [self.model.rows[row] for row in rows]

    def _selection_changed(self) -> None:
        self._selections += 1
        self.ctx.spawn(self._show_selection(self._selections))

    async def _show_selection(self, generation: int) -> None:
        """Show the current snapshot's text and the diff the selection asks for."""
        chosen = self.selected_entries()
        if not chosen:
            return
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
        comparison: Comparison | None = None
        async with self.ctx.db.async_read_session() as session:
            _, text = await backups.snapshot_text(session, self.name, str(shown.id))
            if not first:
                comparison = await backups.compare(session, self.name, older, str(newer.id))
        if generation != self._selections:
            return
        self._show_text(text)
        self.diff.set_comparison(comparison, "The first snapshot: nothing earlier to compare.")

    def _show_text(self, text: str) -> None:
        """Replace the configuration, keeping the scroll position (the same part in view)."""
        position = self.viewer.verticalScrollBar().value()
        self.config_text = text
        self.viewer.set_text(text)
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
        self.save_state()
        super().closeEvent(event)
        self.closed.emit(self.name)

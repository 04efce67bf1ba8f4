"""A backup run from the window, live: progress, each device's status, a summary, Cancel.

The run itself is the CLI engine in a child process (`BackupProcess`); its JSON events
are read back into typed events, queued as they arrive and applied to the model on a
timer, so a chatty engine (500 devices finishing within a second) costs the window a few
model updates, not thousands.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..core.services import runs
from ..core.services.events import (
    DeviceEvent,
    DeviceFinished,
    DeviceRetry,
    DeviceStarted,
    Event,
    RunFinished,
    RunSkipped,
    RunStarted,
    event_from_json,
)
from . import backup_process
from .backup_process import BackupProcess
from .context import AppContext
from .dialogs.host_key import HostKeyDialog
from .qt import QtCore, QtWidgets
from .table_model import RowsModel
from .table_view import make_table

APPLY_EVERY_MS = 80  # how often queued engine events reach the model and progress bar
log = logging.getLogger(__name__)


def seconds(duration_ms: int | None) -> str:
    return "" if duration_ms is None else f"{duration_ms / 1000:.1f} s"


class ResultsModel(RowsModel[Any]):
    """Devices' outcomes in a run: stored results (`StoredResult`) or live ones."""

    COL_DEVICE, COL_STATUS, COL_ERROR_CLASS, COL_MESSAGE, COL_DURATION, COL_COLLECTOR = range(6)
    COLUMNS = (
        ("Device", lambda r: r.device_name),
        ("Status", lambda r: r.status),
        ("Error class", lambda r: r.error_class),
        ("Message", lambda r: r.message),
        ("Duration", lambda r: seconds(r.duration_ms)),
        ("Collector", lambda r: r.collector),
    )


@dataclass(frozen=True)
class StoredResult:
    """A device's stored outcome, with the collector that backed it up (queued runs; None
    for a run this machine made itself)."""

    device_name: str
    status: str
    error_class: str | None
    message: str | None
    duration_ms: int | None
    collector: str | None = None


@dataclass
class LiveResult:
    """A device's state in the running run, with the attributes of a stored result."""

    device_name: str
    status: str = "running"
    error_class: str | None = None
    message: str | None = None
    duration_ms: int | None = None
    collector: str | None = None  # a live run is this machine's own

    def update(self, event: DeviceEvent) -> None:
        match event:
            case DeviceStarted():
                self.status = "running"
            case DeviceRetry():
                self.status = f"retry {event.attempt}"
                self.error_class = event.error_class
            case DeviceFinished():
                self.status = event.status
                self.error_class = event.error_class
                self.message = event.message
                self.duration_ms = event.duration_ms


class LiveResultsModel(ResultsModel):
    """`ResultsModel` fed by engine events, one batch at a time (see `apply`)."""

    rows: list[Any]  # grows in place (`set_rows` stores a list)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._row_of: dict[str, int] = {}

    def set_rows(self, rows: Any) -> None:
        super().set_rows(rows)
        self._row_of = {row.device_name: i for i, row in enumerate(self.rows)}

    def apply(self, events: list[Event]) -> None:
        """Apply a batch of events (device events count): one insert and one dataChanged
        at most."""
        first_new = len(self.rows)
        new: list[LiveResult] = []
        changed: list[int] = []
        for event in events:
            if not isinstance(event, DeviceEvent):
                continue
            name = event.device
            row_no = self._row_of.get(name)
            if row_no is None:
                row_no = self._row_of[name] = first_new + len(new)
                new.append(LiveResult(name))
            if row_no < first_new:
                changed.append(row_no)
                self.rows[row_no].update(event)
            else:
                new[row_no - first_new].update(event)
        if new:
            self.beginInsertRows(QtCore.QModelIndex(), first_new, first_new + len(new) - 1)
            self.rows.extend(new)
            self.endInsertRows()
        if changed:
            self.dataChanged.emit(
                self.index(min(changed), 0), self.index(max(changed), len(self.COLUMNS) - 1)
            )


def results_table(model: ResultsModel, name: str) -> QtWidgets.QTableView:
    return make_table(
        model,
        name,
        stretch=ResultsModel.COL_MESSAGE,
        widths={ResultsModel.COL_DEVICE: 28, ResultsModel.COL_ERROR_CLASS: 14},
    )


class RunPanel(QtWidgets.QWidget):
    """Shows one run at a time; `run(*args)` starts the engine and awaits its outcome."""

    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.heading = QtWidgets.QLabel("No run yet.")
        self.progress = QtWidgets.QProgressBar()
        self.progress.setAccessibleName("Run progress")
        self.progress.setFormat("%v of %m devices")
        self.progress.setValue(0)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.host_key_button = QtWidgets.QPushButton("Host &key…")
        self.host_key_button.setToolTip("Compare and accept the changed host key of this device")
        self.host_key_button.setEnabled(False)
        self.host_key_button.clicked.connect(self.open_host_key)
        self.model = LiveResultsModel(self)
        self.view = results_table(self.model, "Devices in this run")
        self.view.selectionModel().selectionChanged.connect(self._offer_host_key)
        self.summary = QtWidgets.QLabel()
        self.summary.setAccessibleName("Run summary")
        self.summary.setWordWrap(True)
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.host_key_button)
        bar.addWidget(self.cancel_button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        self._process: BackupProcess | None = None
        self._queue: list[Event] = []
        self._finished: RunFinished | None = None
        self._skipped = ""  # why a due job did not run (someone else ran its slot)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(APPLY_EVERY_MS)
        self._timer.timeout.connect(self._apply)

    @property
    def running(self) -> bool:
        return self._process is not None

    async def run(self, what: str, *args: str) -> RunFinished | None:
        """Back up `what` ("every enabled device") with `netraven-desktop ARGS --json`;
        the `run_finished` event, or None if the engine could not run (its error is
        shown as the summary)."""
        if self._process is not None:
            raise RuntimeError("a run is already going")
        self.heading.setText(f"Backing up {what}…")
        self.summary.clear()
        self.model.set_rows([])
        self.progress.setRange(0, 0)  # busy until the engine says how many devices
        self._queue.clear()
        self._finished = None
        self._skipped = "the job is not due any more"
        self._process = process = BackupProcess(self.ctx, *args, "--json", parent=self)
        process.event.connect(self._receive)
        self.cancel_button.setEnabled(True)
        self._timer.start()
        try:
            code = await process.run()
        finally:
            self._timer.stop()
            self._apply()
            self._process = None
            self.cancel_button.setEnabled(False)
            process.deleteLater()
        self.heading.setText(f"Backing up {what}: ended at {datetime.now():%H:%M}.")
        if self._finished is None and code == 0:  # a due job someone else ran meanwhile
            self.summary.setText(f"Nothing ran: {self._skipped}")
        elif process.killed:  # its run was left "running": mark it interrupted now
            await self.ctx.ops.write(runs.recover_interrupted_runs)
            self.summary.setText(
                "The run did not complete: the backup process ignored Cancel for "
                f"{backup_process.CANCEL_GRACE:g} s and was stopped; the run shows as interrupted."
            )
        elif self._finished is None:
            last = process.stderr.strip().splitlines()[-1:] or [f"exit code {code}"]
            self.summary.setText(f"The run did not complete: {last[0]}")
        else:
            self.summary.setText(self._finished.summary.describe())
        return self._finished

    def cancel(self) -> None:
        """Stop the run: devices not done yet are recorded as cancelled."""
        if self._process is not None:
            self._process.cancel()
            self.cancel_button.setEnabled(False)
            self.heading.setText(self.heading.text() + " Cancelling…")

    def _selected(self) -> LiveResult | None:
        chosen = self.view.selectionModel().selectedRows()
        return self.model.rows[chosen[0].row()] if chosen else None

    def _offer_host_key(self) -> None:
        row = self._selected()
        self.host_key_button.setEnabled(row is not None and row.error_class == "host_key_changed")

    def open_host_key(self) -> HostKeyDialog | None:
        """The selected device's stored and offered host keys (accept: admins only)."""
        row = self._selected()
        if row is None:
            return None
        dialog = HostKeyDialog(self.ctx, row.device_name, self)
        dialog.show()
        self.ctx.spawn(dialog.load(), failed=dialog.failed)
        return dialog

    def _receive(self, line: dict[str, Any]) -> None:
        """Queue the child's event. A line that is no event this window knows is logged
        and skipped: the run goes on, and its summary still comes."""
        try:
            self._queue.append(event_from_json(line))
        except ValueError as exc:
            log.warning("backup child: line skipped: %s", exc)

    def _apply(self) -> None:
        if not self._queue:
            return
        events = self._queue[:]
        self._queue.clear()  # the same list: `_receive` appends to it
        done = self.progress.value()
        for event in events:
            match event:
                case RunStarted():
                    self.progress.setRange(0, max(event.devices, 1))
                    done = 0
                case DeviceFinished():
                    done += 1
                case RunFinished():
                    self._finished = event
                case RunSkipped():
                    self._skipped = event.reason
        self.progress.setValue(done)  # once a batch: a progress bar repaints at once
        self.model.apply(events)
        self._offer_host_key()

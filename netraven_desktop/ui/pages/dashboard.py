"""The dashboard: inventory size, the last run, recent changes, failing devices, 30 days."""

from __future__ import annotations

from ...core.services import dashboard
from ...core.services.dashboard import Failing, Overview
from ..chart import BACKUP_COLOR, CHANGE_COLOR, FAILURE_COLOR, DailyChart
from ..context import AppContext
from ..qt import Qt, QtCore, QtWidgets
from ..table_model import ROW_ROLE, RowsModel
from .base import Page


class FailingModel(RowsModel[Failing]):
    COL_DEVICE, COL_ERROR_CLASS, COL_MESSAGE = range(3)
    COLUMNS = (
        ("Device", lambda f: f.device),
        ("Error class", lambda f: f.error_class or "unknown"),
        ("Message", lambda f: f.message),
    )


class Card(QtWidgets.QFrame):
    """A big number with a caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        layout = QtWidgets.QVBoxLayout(self)
        self.value = QtWidgets.QLabel("…")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setAccessibleName(caption)
        self.detail = QtWidgets.QLabel()
        self.detail.setWordWrap(True)
        layout.addWidget(QtWidgets.QLabel(caption))
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def set(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)


class DashboardPage(Page):
    title = "Dashboard"
    icon = "dashboard"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.devices = Card("Devices")
        self.last_run = Card("Last run")
        self.changed = Card("Changed in the last 24 h")
        self.failing_count = Card("Failing devices")
        cards = QtWidgets.QHBoxLayout()
        for card in (self.devices, self.last_run, self.changed, self.failing_count):
            cards.addWidget(card)
        self.chart = DailyChart()
        legend = QtWidgets.QLabel(
            f"<span style='color:{BACKUP_COLOR.name()}'>■</span> backups  "
            f"<span style='color:{CHANGE_COLOR.name()}'>■</span> changes  "
            f"<span style='color:{FAILURE_COLOR.name()}'>■</span> failures"
        )
        self.failing = FailingModel(self)
        self.failing_view = QtWidgets.QTableView()
        self.failing_view.setModel(self.failing)
        self.failing_view.setAccessibleName("Failing devices")
        self.failing_view.setSelectionBehavior(
            QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows
        )
        self.failing_view.horizontalHeader().setStretchLastSection(True)
        self.failing_view.verticalHeader().hide()
        self.failing_view.doubleClicked.connect(self._open_device)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(cards)
        layout.addWidget(QtWidgets.QLabel("<b>The last 30 days</b>"))
        layout.addWidget(self.chart, 2)
        layout.addWidget(legend, 0, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(QtWidgets.QLabel("<b>Failing devices</b> (double-click for history)"))
        layout.addWidget(self.failing_view, 3)

    async def refresh(self) -> None:
        # A later refresh supersedes this one.
        self.show_overview(await self.ctx.ops.read(dashboard.overview, kind=(self, "refresh")))

    def show_overview(self, overview: Overview) -> None:
        self.devices.set(f"{overview.devices:,}")
        run = overview.last_run
        if run is None:
            self.last_run.set("none", "no backup has run yet")
        else:
            self.last_run.set(
                run.status,
                f"{run.started_at.astimezone():%Y-%m-%d %H:%M}: {run.changed} changed, "
                f"{run.failed} failed of {run.device_count}",
            )
        self.changed.set(f"{overview.changed_24h:,}")
        self.failing_count.set(
            f"{len(overview.failing):,}", "by their last backup" if overview.failing else ""
        )
        self.chart.set_days(overview.days)
        self.failing.set_rows(overview.failing)

    def _open_device(self, index: QtCore.QModelIndex) -> None:
        failing = index.data(ROW_ROLE)
        if failing is not None:
            self.ctx.events.device_opened.emit(failing.device)

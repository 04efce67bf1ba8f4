"""A small bar chart painted with QPainter (the Essentials wheel has no QtCharts)."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.services.dashboard import DayCount
from .qt import Qt, QtCore, QtGui, QtWidgets
from .wording import plural

BACKUP_COLOR = QtGui.QColor("#5b8def")
CHANGE_COLOR = QtGui.QColor("#f0a030")
FAILURE_COLOR = QtGui.QColor("#e0503c")


class DailyChart(QtWidgets.QWidget):
    """Backups per day as bars, changes and failures as overlaid narrower bars.

    Colours work on light and dark palettes; axis text uses the palette's text colour.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[DayCount] = []
        self.setMinimumHeight(180)
        self.setAccessibleName("Backups and changes over the last 30 days")

    def set_days(self, days: Sequence[DayCount]) -> None:
        self.days = list(days)
        total_backups = sum(d.backups for d in self.days)
        total_changes = sum(d.changes for d in self.days)
        self.setAccessibleDescription(
            f"{plural(total_backups, 'backup')} and {plural(total_changes, 'change')} "
            f"in {len(self.days)} days"
        )
        self.setToolTip(self.accessibleDescription())
        self.update()

    def paintEvent(self, _event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        text_color = self.palette().color(QtGui.QPalette.ColorRole.Text)
        area = QtCore.QRectF(self.rect()).adjusted(36, 10, -10, -24)
        peak = max((max(d.backups, d.failures) for d in self.days), default=0) or 1
        painter.setPen(text_color)
        painter.drawText(
            QtCore.QRectF(0, area.top() - 6, 32, 14), Qt.AlignmentFlag.AlignRight, str(peak)
        )
        painter.drawText(
            QtCore.QRectF(0, area.bottom() - 8, 32, 14), Qt.AlignmentFlag.AlignRight, "0"
        )
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        if not self.days:
            return
        slot = area.width() / len(self.days)
        for index, day in enumerate(self.days):
            left = area.left() + index * slot
            for value, color, inset in (
                (day.backups, BACKUP_COLOR, 0.15),
                (day.failures, FAILURE_COLOR, 0.3),
                (day.changes, CHANGE_COLOR, 0.35),
            ):
                if value:
                    height = area.height() * value / peak
                    painter.fillRect(
                        QtCore.QRectF(
                            left + slot * inset,
                            area.bottom() - height,
                            slot * (1 - 2 * inset),
                            height,
                        ),
                        color,
                    )
            if (len(self.days) - 1 - index) % 7 == 0:  # weekly, ending today
                painter.drawText(
                    QtCore.QRectF(left - 20, area.bottom() + 4, slot + 40, 16),
                    Qt.AlignmentFlag.AlignHCenter,
                    day.day.strftime("%d %b"),
                )

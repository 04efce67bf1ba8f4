"""A read-only table model over a list of rows, for the views' small tables.

Subclasses declare `COLUMNS` (header, how to get the cell's text from a row) and their
own `COL_*` constants; `ROW_ROLE` hands a view the row object behind an index, so views
never dig into the model's storage. The device list builds on it but fills `rows` a page
at a time from the database (see `device_model`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from .qt import QtCore

Row = TypeVar("Row")
ROW_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1  # the row object of an index
SORT_ROLE = QtCore.Qt.ItemDataRole.UserRole + 2  # a sortable value (numbers, times)


class RowsModel(QtCore.QAbstractTableModel, Generic[Row]):
    COLUMNS: ClassVar[Sequence[tuple[str, Callable[[Any], object]]]] = ()

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: Sequence[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, index: QtCore.QModelIndex) -> Row | None:
        """The row object behind `index` (None for an invalid or stale index)."""
        return self.rows[index.row()] if index.isValid() and index.row() < len(self.rows) else None

    def rowCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QtCore.QModelIndex = QtCore.QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: QtCore.Qt.Orientation,
        role: int = QtCore.Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if (
            role == QtCore.Qt.ItemDataRole.DisplayRole
            and orientation == QtCore.Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section][0]
        return None

    def data(
        self, index: QtCore.QModelIndex, role: int = QtCore.Qt.ItemDataRole.DisplayRole
    ) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == ROW_ROLE:
            return row
        if role in (QtCore.Qt.ItemDataRole.DisplayRole, QtCore.Qt.ItemDataRole.ToolTipRole):
            value = self.COLUMNS[index.column()][1](row)
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            return self.COLUMNS[index.column()][1](row)
        return None

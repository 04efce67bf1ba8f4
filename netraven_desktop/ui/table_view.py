"""The views' small tables: whole-row selection, one line per row, sensible widths."""

from __future__ import annotations

from collections.abc import Mapping

from .qt import QtCore, QtWidgets


def make_table(
    model: QtCore.QAbstractItemModel,
    name: str,
    *,
    stretch: int,
    widths: Mapping[int, int] | None = None,
) -> QtWidgets.QTableView:
    """A table over `model`; column `stretch` takes the spare room, `widths` are in
    characters (names and messages would otherwise wrap onto several lines)."""
    view = QtWidgets.QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setSectionResizeMode(stretch, QtWidgets.QHeaderView.ResizeMode.Stretch)
    char = view.fontMetrics().averageCharWidth()
    for column, characters in (widths or {}).items():
        header.resizeSection(column, characters * char + 16)
    return view

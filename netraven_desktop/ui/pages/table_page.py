"""A page that is a table of rows with buttons above it: credentials, users, channels.

The page reads its rows through `read_rows` (a later refresh supersedes an earlier one),
owns the column layout kept in the preferences, and buttons that act on the selected row
and are disabled without one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .. import prefs
from ..context import AppContext
from ..qt import QtCore, QtWidgets
from ..table_model import ROW_ROLE, RowsModel
from .base import Page

D = TypeVar("D", bound=QtWidgets.QDialog)


def confirm(parent: QtWidgets.QWidget, title: str, question: str) -> bool:
    """Ask yes/no (a modal box); the default answer is No."""
    buttons = QtWidgets.QMessageBox.StandardButton
    answer = QtWidgets.QMessageBox.question(
        parent, title, question, buttons.Yes | buttons.No, buttons.No
    )
    return answer == buttons.Yes


class TablePage(Page):
    def __init__(self, ctx: AppContext, model: RowsModel[Any]) -> None:
        super().__init__(ctx)
        self.model = model
        self.view = QtWidgets.QTableView()
        self.view.setModel(model)
        self.view.setAccessibleName(self.title)
        self.view.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().hide()
        self.toolbar = QtWidgets.QHBoxLayout()
        self._row_buttons: list[QtWidgets.QPushButton] = []
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.view)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        model.modelReset.connect(self._selection_changed)
        self._sized = False

    def add_button(
        self, text: str, slot: Callable[[], object], *, needs_row: bool = True
    ) -> QtWidgets.QPushButton:
        """A toolbar button; one that acts on a row is enabled only while one is selected."""
        button = QtWidgets.QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.clicked.connect(lambda: slot())
        self.toolbar.addWidget(button)
        if needs_row:
            button.setEnabled(False)
            self._row_buttons.append(button)
        return button

    def selected(self) -> Any:
        """The row object of the selected line, or None."""
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(ROW_ROLE) if rows else None

    def select(self, predicate: Callable[[Any], bool]) -> None:
        """Select the first row matching `predicate` (after a reload, for tests and users)."""
        for number, row in enumerate(self.model.rows):
            if predicate(row):
                self.view.selectRow(number)
                return

    def open_dialog(self, dialog: D) -> D:
        """Show `dialog` without blocking the loop; when it is accepted, `changed()` runs."""
        dialog.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.changed)
        dialog.open()
        return dialog

    def changed(self) -> None:
        """Something on this page was changed: show it."""
        self.ctx.spawn(self.refresh())

    async def fetch(self) -> Sequence[Any]:
        """The rows to show, read through `read_rows`."""
        raise NotImplementedError

    async def read_rows(
        self, fn: Callable[..., Sequence[Any]], /, *args: Any, **kwargs: Any
    ) -> Sequence[Any]:
        """`fn(session, ...)` in a worker (`ui.ops`); a later refresh supersedes it."""
        return await self.ctx.ops.read(fn, *args, kind=(self, "rows"), **kwargs)

    async def refresh(self) -> None:
        rows = await self.fetch()
        self.model.set_rows(rows)
        if rows and not self._sized:  # fit the first rows, unless the user sized it
            self.view.resizeColumnsToContents()
            self._sized = True

    def _selection_changed(self, *_: object) -> None:
        chosen = self.selected() is not None
        for button in self._row_buttons:
            button.setEnabled(chosen)

    def save_state(self) -> None:
        prefs.save_header(self.ctx.prefs, self.ctx.user, self.title, self.view)

    def restore_state(self) -> None:
        self._sized = self.ctx.prefs.contains(prefs.key(self.ctx.user, f"{self.title}/header"))
        prefs.restore_header(self.ctx.prefs, self.ctx.user, self.title, self.view)

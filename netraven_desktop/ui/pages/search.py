"""Search stored configurations: what `backup search` finds, one row per matching line.

The search runs in the database (a trigram index narrows it; see docs/cli.md), so it is
started with Return or the button rather than on every keystroke: a search over
thousands of configurations is not a filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...core.services import config_search, tags
from ..context import AppContext
from ..qt import QtCore, QtWidgets
from ..table_model import ROW_ROLE, RowsModel
from ..table_view import make_table
from ..wording import plural
from .base import Page

RESULT_LIMIT = 1000  # matching snapshots shown; a pattern found everywhere says so


@dataclass(frozen=True)
class FoundLine:
    device: str
    captured_at: datetime
    number: int
    text: str


class FoundLinesModel(RowsModel[FoundLine]):
    COL_DEVICE, COL_CAPTURED, COL_LINE, COL_TEXT = range(4)
    COLUMNS = (
        ("Device", lambda f: f.device),
        ("Captured", lambda f: f"{f.captured_at.astimezone():%Y-%m-%d %H:%M}"),
        ("Line", lambda f: f.number),
        ("Text", lambda f: f.text),
    )


class SearchPage(Page):
    title = "Search configs"
    icon = "search"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.pattern = QtWidgets.QLineEdit()
        self.pattern.setPlaceholderText("Text to find, e.g. snmp-server community (Return)")
        self.pattern.setAccessibleName("Search pattern")
        self.pattern.returnPressed.connect(self.start)
        self.regex = QtWidgets.QCheckBox("&Regular expression")
        self.ignore_case = QtWidgets.QCheckBox("&Ignore case")
        self.history = QtWidgets.QCheckBox("&All snapshots")
        self.history.setToolTip("Search every stored snapshot, not only each device's latest")
        self.tag = QtWidgets.QComboBox()
        self.tag.setAccessibleName("Only devices with this tag")
        button = QtWidgets.QPushButton("&Search")
        button.clicked.connect(self.start)
        self.model = FoundLinesModel(self)
        self.view = make_table(
            self.model, "Matching lines", stretch=FoundLinesModel.COL_TEXT, widths={0: 24, 1: 17}
        )
        self.view.setToolTip("Double-click: open the device's history")
        self.view.doubleClicked.connect(self._open_device)
        self.summary = QtWidgets.QLabel("Type a text to find and press Return.")
        self.summary.setAccessibleName("Search result")
        options = QtWidgets.QHBoxLayout()
        for widget in (self.regex, self.ignore_case, self.history):
            options.addWidget(widget)
        options.addWidget(QtWidgets.QLabel("Tag:"))
        options.addWidget(self.tag)
        options.addStretch(1)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.pattern, 1)
        row.addWidget(button)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(options)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)
        self._generation = 0

    async def refresh(self) -> None:
        """Keep the tag choices current (the results stay until the next search)."""
        async with self.ctx.db.async_read_session() as session:
            names = [tag.name for tag, _count in await tags.list_tags(session)]
        chosen = self.tag.currentText()
        self.tag.clear()
        self.tag.addItems(["", *names])
        self.tag.setCurrentText(chosen)

    def start(self) -> None:
        self.ctx.spawn(self.search(), failed=lambda error: self.summary.setText(str(error)))

    async def search(self) -> None:
        pattern = self.pattern.text()
        if not pattern:
            self.summary.setText("Type a text to find.")
            return
        self._generation += 1
        generation = self._generation
        self.summary.setText("Searching…")
        async with self.ctx.db.async_read_session() as session:
            result = await config_search.search(
                session,
                pattern,
                regex=self.regex.isChecked(),
                ignore_case=self.ignore_case.isChecked(),
                tags=(self.tag.currentText(),) if self.tag.currentText() else (),
                all_snapshots=self.history.isChecked(),
                limit=RESULT_LIMIT,
            )
        if generation != self._generation:
            return  # a newer search started meanwhile: it wins
        self.model.set_rows(
            [
                FoundLine(hit.device, hit.captured_at, line.number, line.text)
                for hit in result.hits
                for line in hit.lines
            ]
        )
        lines = plural(self.model.rowCount(), "matching line")
        text = f"{lines} in {plural(len(result.hits), 'snapshot')}"
        if result.truncated:
            text += f" (the first {RESULT_LIMIT:,} snapshots; narrow the search)"
        self.summary.setText(text)

    def _open_device(self, index: QtCore.QModelIndex) -> None:
        found = index.data(ROW_ROLE)
        if isinstance(found, FoundLine):
            self.ctx.events.device_opened.emit(found.device)

"""Search stored configurations: what `backup search` finds, one row per matching line.

The search runs in the database (a trigram index narrows it; see docs/cli.md), so it is
started with Return or the button rather than on every keystroke: a search over
thousands of configurations is not a filter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from sqlalchemy.orm import Session

from ...core.services import config_search, tags
from ..context import AppContext
from ..qt import QtCore, QtWidgets
from ..table_model import ROW_ROLE, RowsModel
from ..table_view import make_table
from ..wording import plural
from .base import Page

RESULT_LIMIT = 1000  # matching snapshots shown; a pattern found everywhere says so


@dataclass(frozen=True, slots=True)
class FoundLine:
    device: str
    captured_at: datetime
    number: int
    text: str


class FoundLines(Sequence[FoundLine]):
    """A search's matching lines, held as four columns; a `FoundLine` is made when asked.

    A search may find ~300,000 lines. As objects, each would be one more for the garbage
    collector to walk, in passes of ~70 ms with the GIL held (a stalled window) once the
    search ends; lists of strings, numbers and times hold nothing it walks.
    """

    def __init__(self) -> None:
        self.devices: list[str] = []
        self.captured: list[datetime] = []
        self.numbers: list[int] = []
        self.texts: list[str] = []

    def append(self, device: str, captured_at: datetime, number: int, text: str) -> None:
        self.devices.append(device)
        self.captured.append(captured_at)
        self.numbers.append(number)
        self.texts.append(text)

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> FoundLine: ...
    @overload
    def __getitem__(self, index: slice) -> list[FoundLine]: ...
    def __getitem__(self, index: int | slice) -> FoundLine | list[FoundLine]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return FoundLine(
            self.devices[index], self.captured[index], self.numbers[index], self.texts[index]
        )


class FoundLinesModel(RowsModel[FoundLine]):
    COL_DEVICE, COL_CAPTURED, COL_LINE, COL_TEXT = range(4)
    COLUMNS = (
        ("Device", lambda f: f.device),
        ("Captured", lambda f: f"{f.captured_at.astimezone():%Y-%m-%d %H:%M}"),
        ("Line", lambda f: f.number),
        ("Text", lambda f: f.text),
    )

    def set_rows(self, rows: Sequence[FoundLine]) -> None:
        """Keep `rows` as given: a search hands over `FoundLines` (columns), which a copy
        into a list would turn back into objects."""
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()


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

    async def refresh(self) -> None:
        """Keep the tag choices current (the results stay until the next search)."""
        names = [tag.name for tag, _count in await self.ctx.ops.read(tags.list_tags)]
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
        self.summary.setText("Searching…")
        # Decompressing and scanning up to RESULT_LIMIT configurations: a worker's job. A
        # newer search supersedes this one (its task then ends here, quietly).
        found = await self.ctx.ops.read(
            _found_lines,
            pattern,
            regex=self.regex.isChecked(),
            ignore_case=self.ignore_case.isChecked(),
            tags=(self.tag.currentText(),) if self.tag.currentText() else (),
            all_snapshots=self.history.isChecked(),
            kind=(self, "search"),
        )
        lines, snapshots, truncated = found
        self.model.set_rows(lines)
        text = f"{plural(len(lines), 'matching line')} in {plural(snapshots, 'snapshot')}"
        if truncated:
            text += f" (the first {RESULT_LIMIT:,} snapshots; narrow the search)"
        self.summary.setText(text)

    def _open_device(self, index: QtCore.QModelIndex) -> None:
        found = index.data(ROW_ROLE)
        if isinstance(found, FoundLine):
            self.ctx.events.device_opened.emit(found.device)


def _found_lines(session: Session, pattern: str, **options: Any) -> tuple[FoundLines, int, bool]:
    """The search and its rows for the table (built in the worker too: up to
    RESULT_LIMIT snapshots' lines); also the count of snapshots and whether it was cut."""
    result = config_search.search(session, pattern, limit=RESULT_LIMIT, **options)
    lines = FoundLines()
    for hit in result.hits:
        for line in hit.lines:
            lines.append(hit.device, hit.captured_at, line.number, line.text)
    return lines, len(result.hits), result.truncated

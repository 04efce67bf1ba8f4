"""Import devices from a file: choose it, preview what would happen, then import.

The preview is the CLI's `--dry-run`: the same parser and the same validation, so what it
shows (every row's fate, or every problem with its line) is exactly what Import does.
Import stays disabled until a preview found no problem; changing any choice asks for a
new preview. The file is read, and every row checked, in a worker thread: the window
never freezes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from ...core.errors import InputError, NetRavenError
from ...core.importers import FORMATS, ImportRejected, parse_file
from ...core.services import device_import
from ..context import AppContext
from ..crash import show_crash
from ..forms import ERROR_STYLE, Form
from ..ops import drop_gradually
from ..qt import QtWidgets
from ..table_model import RowsModel
from ..table_view import make_table

PREVIEW_ROWS = 2000  # a table of every row of a 100,000-device file helps nobody
ON_CONFLICT = {
    "fail": "Refuse the import",
    "skip": "Skip those devices",
    "update": "Update them with the file's fields",
}


class PreviewModel(RowsModel[tuple[str, str, str]]):
    COLUMNS = (
        ("Where", lambda row: row[0]),
        ("Device", lambda row: row[1]),
        ("What happens", lambda row: row[2]),
    )


class ImportDialog(QtWidgets.QDialog):
    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Import devices")
        self.setAccessibleName(self.windowTitle())
        self.form = Form()
        self.path = QtWidgets.QLineEdit()
        browse = QtWidgets.QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        file_row = QtWidgets.QHBoxLayout()
        file_row.addWidget(self.path)
        file_row.addWidget(browse)
        file_cell = QtWidgets.QWidget()
        file_cell.setLayout(file_row)
        file_row.setContentsMargins(0, 0, 0, 0)
        self.form.add("file", "&File:", file_cell, aliases=("FILE",))
        self.format = QtWidgets.QComboBox()
        self.format.addItem("From the file name", None)
        for name in FORMATS:
            self.format.addItem(name, name)
        self.form.add("format", "F&ormat:", self.format)
        self.separator = QtWidgets.QLineEdit(":")
        self.form.add("separator", "Oxidized &separator:", self.separator)
        self.columns = QtWidgets.QLineEdit()
        self.columns.setPlaceholderText("name,model")
        self.form.add("columns", "Oxidized &columns:", self.columns)
        self.on_conflict = QtWidgets.QComboBox()
        for key, text in ON_CONFLICT.items():
            self.on_conflict.addItem(text, key)
        self.form.add("on_conflict", "Existing &names:", self.on_conflict)

        self.preview_rows = PreviewModel(self)  # a model: cells are made only when shown
        self.preview = make_table(self.preview_rows, "Preview", stretch=2, widths={0: 14, 1: 24})
        self.summary = QtWidgets.QLabel("Choose a file and press Preview.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary")

        self.preview_button = QtWidgets.QPushButton("&Preview")
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.start_preview)
        self.import_button = QtWidgets.QPushButton("&Import")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        buttons = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        role = QtWidgets.QDialogButtonBox.ButtonRole.ActionRole
        for button in (self.preview_button, self.import_button):
            buttons.addButton(button, role)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        for edit in (self.path, self.separator, self.columns):
            edit.textChanged.connect(self._stale)
        for combo in (self.format, self.on_conflict):
            combo.currentIndexChanged.connect(self._stale)
        self.resize(720, 520)

    def _browse(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self,
            "Import devices",
            "",
            "Inventories (*.csv *.db *.yml *.yaml *.json);;All files (*)",
        )
        if path:
            self.path.setText(path)

    def _stale(self) -> None:
        """Any change of choice: the last preview no longer says what Import would do."""
        self.import_button.setEnabled(False)

    def start_preview(self) -> None:
        self._start(dry_run=True)

    def start_import(self) -> None:
        self._start(dry_run=False)

    def _start(self, *, dry_run: bool) -> None:
        self.form.clear_errors()
        self.preview_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.summary.setStyleSheet("")
        self.summary.setText("Checking every row…" if dry_run else "Importing…")
        self.ctx.spawn(self._run(dry_run), failed=self._failed)

    async def _run(self, dry_run: bool) -> None:
        # Reading, parsing and checking 100,000 rows take seconds: all in one worker call,
        # which hands the window only the summary and the rows the table shows.
        call = self.ctx.ops.read if dry_run else self.ctx.ops.write
        format, counts, shown, total = await call(
            _import_summary,
            self.path.text().strip(),
            self.format.currentData(),
            separator=self.separator.text(),
            columns=self.columns.text().strip() or None,
            on_conflict=self.on_conflict.currentData(),
            dry_run=dry_run,
        )
        self.preview_button.setEnabled(True)
        if dry_run:
            self._fill(shown, total)
            would = ", ".join(f"{action} {count}" for action, count in counts.items())
            self.summary.setText(f"{format}: would {would}. Nothing is written until Import.")
            self.import_button.setEnabled(True)
            return
        self.ctx.report(
            f"Imported devices from {self.path.text().strip()}: "
            f"{counts['create']} created, {counts['update']} updated, {counts['skip']} skipped"
        )
        self.accept()

    def _failed(self, error: BaseException) -> None:
        """Problems in the table (all of them), others at their field or in the summary."""
        self.preview_button.setEnabled(True)
        self.summary.setStyleSheet(ERROR_STYLE)
        if isinstance(error, ImportRejected):
            problems = error.problems
            self._fill(
                [(p.where, p.column, p.detail) for p in problems[:PREVIEW_ROWS]],
                len(problems),
            )
            self.summary.setText(
                f"{len(problems)} problems; nothing was written. Fix the file and preview again."
            )
            return
        if isinstance(error, InputError):
            self.form.show_error(error)
        elif not isinstance(error, NetRavenError):
            show_crash(error, "while importing devices")
        self.summary.setText(str(error))

    def _fill(self, rows: list[tuple[str, str, str]], total: int) -> None:
        shown = rows[:PREVIEW_ROWS]
        more = [(f"… and {total - len(shown)} more", "", "")] if total > len(shown) else []
        self.preview_rows.set_rows(shown + more)


def _import_summary(
    session: Session,
    path: str,
    format: str | None,
    *,
    separator: str,
    columns: str | None,
    **options: Any,
) -> tuple[str, dict[str, int], list[tuple[str, str, str]], int]:
    """Parse the file and check (or import) its rows: the format read, the count of each
    action, the first PREVIEW_ROWS rows as the table shows them, and the count of rows."""
    format, parsed = parse_file(path, format, separator=separator, columns=columns)
    result = device_import.import_devices(session, parsed.rows, problems=parsed.problems, **options)
    counts = Counter(row.action for row in result.rows)
    shown = [(r.where, r.name, _what(r)) for r in result.rows[:PREVIEW_ROWS]]
    summary = {a: counts[a] for a in ("create", "update", "skip")}
    total = len(result.rows)
    drop_gradually(result.rows, parsed.rows)
    return format, summary, shown, total


def _what(row: device_import.PlannedRow) -> str:
    return row.action + (f" ({row.reason})" if row.reason else "")

"""File → Export configurations…: the CLI's `backup export` run from the window.

The export reads every snapshot and writes files (and git objects), so like a backup it
runs in a child process and streams progress as JSON lines; the window stays responsive.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from ..core.services.export_events import (
    CommitsAdded,
    ExportFinished,
    ExportSummary,
    FilesWritten,
    export_event_from_json,
)
from .backup_process import BackupProcess
from .context import AppContext
from .qt import QtWidgets

log = logging.getLogger(__name__)


class ExportDialog(QtWidgets.QDialog):
    """Choose a folder and git or plain files; Export shows progress, then the outcome."""

    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Export configurations")
        self.folder = QtWidgets.QLineEdit(str(ctx.prefs.value("export/folder", "") or ""))
        self.folder.setAccessibleName("Export folder")
        browse = QtWidgets.QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        self.git = QtWidgets.QCheckBox("As a &git repository: one commit per snapshot")
        self.git.setChecked(True)
        self.git.setToolTip("Exporting again to the same folder adds only what is new.")
        self.status = QtWidgets.QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Export status")
        self.export_button = QtWidgets.QPushButton("&Export")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(lambda: ctx.spawn(self.export()))
        close = QtWidgets.QPushButton("Close")
        close.clicked.connect(self.reject)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(QtWidgets.QLabel("Folder:"))
        layout.addLayout(row)
        layout.addWidget(self.git)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(560, 0)

    def _browse(self) -> None:
        chosen = QtWidgets.QFileDialog.getExistingDirectory(
            self, "Export configurations to", self.folder.text() or str(Path.home())
        )
        if chosen:
            self.folder.setText(chosen)

    async def export(self) -> ExportSummary | None:
        """Run the export; its summary, or None when it failed."""
        folder = self.folder.text().strip()
        if not folder:
            self.status.setText("Folder: choose where to export")
            return None
        self.ctx.prefs.setValue("export/folder", folder)
        args = ["backup", "export", folder, "--json", *(["--git"] if self.git.isChecked() else [])]
        process = BackupProcess(self.ctx, *args, cancellable=False, parent=self)
        finished: asyncio.Future[ExportSummary] = asyncio.get_running_loop().create_future()
        process.event.connect(lambda event: self._progress(event, finished))
        self.export_button.setEnabled(False)
        self.status.setText("Exporting…")
        try:
            code = await process.run()
        finally:
            self.export_button.setEnabled(True)
        if not finished.done():
            lines = process.stderr.strip().splitlines() or [f"the export stopped (exit {code})"]
            self.status.setText(lines[-1].removeprefix("netraven-desktop: "))
            return None
        return finished.result()

    def _progress(self, line: dict[str, Any], finished: asyncio.Future[ExportSummary]) -> None:
        try:
            event = export_event_from_json(line)
        except ValueError as exc:
            log.warning("export child: line skipped: %s", exc)
            return
        match event:
            case FilesWritten(files=done) | CommitsAdded(commits=done):
                self.status.setText(f"Exporting… {done:,} written")
            case ExportFinished(summary=summary):
                what = (
                    f"{summary.commits:,} new commits"
                    if summary.git
                    else f"{summary.files:,} files"
                )
                skipped = len(summary.skipped)
                self.status.setText(
                    f"Exported {what} to {summary.directory}"
                    + (f" ({skipped} devices without a backup skipped)" if skipped else "")
                )
                self.ctx.report(self.status.text())
                if not finished.done():
                    finished.set_result(summary)

"""The main window. For now: where the data lives and what it holds; the views come next."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from ..core.db import Database
from ..core.db.models import Job
from ..core.db.schema import prepare_async
from ..core.errors import NetRavenError
from ..core.services import devices
from ..core.services.scheduler import Scheduler
from .backup_process import BackupProcess
from .qt import QCloseEvent, QLabel, QMainWindow, Qt, QVBoxLayout, QWidget, Signal


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.setWindowTitle("NetRaven Desktop")
        self.resize(960, 600)

        self.summary = QLabel("Opening the database…")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary.setAccessibleName("Inventory summary")
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.summary)
        self.setCentralWidget(central)

        self._scheduler_task: asyncio.Future[None] | None = None  # started by load()
        self.database_label = QLabel(f"Database: {db.url.display()}")
        self.database_label.setAccessibleName("Current database")
        self.statusBar().addPermanentWidget(self.database_label)

    async def load(self) -> None:
        """Open (and, for a personal file, migrate) the database, then show what it holds.

        Every database call is awaited on the async engine: the window never blocks.
        """
        try:
            await prepare_async(self.db)
            async with self.db.async_read_session() as session:
                count = await devices.count_devices(session)
        except NetRavenError as exc:
            self.summary.setText(str(exc))
            self.statusBar().showMessage("Database unavailable")
            return
        noun = "device" if count == 1 else "devices"
        self.summary.setText(f"{count} {noun} in the inventory")
        self.statusBar().showMessage("Ready")
        self.scheduler = Scheduler(self.db, self.run_job)
        self._scheduler_task = asyncio.ensure_future(self.scheduler.run_forever())

    async def run_job(self, job: Job) -> int:
        """Run a job in a child process, reporting progress in the status bar."""
        self.statusBar().showMessage(f"Running job {job.name}…")
        process = BackupProcess(self.db.url, "job", "run", job.name, "--json", parent=self)
        finished: list[dict[str, Any]] = []
        process.event.connect(
            lambda event: event.get("event") == "run_finished" and finished.append(event)
        )
        code = await process.run()
        if finished:
            result = finished[-1]
            self.statusBar().showMessage(
                f"Job {job.name}: {result['changed']} changed, {result['unchanged']} "
                f"unchanged, {result['failed']} failed"
            )
        else:
            last = process.stderr.strip().splitlines()[-1:] or [f"exit code {code}"]
            self.statusBar().showMessage(f"Job {job.name} did not run: {last[0]}")
        return code

    async def shutdown(self) -> None:
        """Stop the scheduler and wait until it has let go of the database."""
        task = self._scheduler_task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def closeEvent(self, event: QCloseEvent) -> None:
        task = self._scheduler_task
        if task is not None:
            task.cancel()
        super().closeEvent(event)
        self.closed.emit()

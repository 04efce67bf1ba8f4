"""The Jobs view: back up now (with live progress), the run history, scheduled jobs."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ...core.db.models import JobRun
from ...core.services import jobs, runs, tags, work_queue
from ...core.services.jobs import JobStatus
from .. import prefs
from ..context import AppContext, FinishedRun
from ..job_dialog import JobDialog, describe_target
from ..ops import Superseded
from ..qt import QtCore, QtWidgets
from ..run_panel import ResultsModel, RunPanel, StoredResult, results_table
from ..table_model import ROW_ROLE, RowsModel
from ..table_view import make_table
from .base import Page

HISTORY_LIMIT = 50
TARGETS = ("Requested devices", "Tag", "All devices")


def local_time(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone():%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class RunRow:
    """A past run and the name of its job ("" for a run not started by a job)."""

    run: JobRun
    job: str


class RunsModel(RowsModel[RunRow]):
    COL_STARTED, COL_JOB, COL_TRIGGER, COL_STATUS, COL_DEVICES, COL_CHANGED, COL_FAILED = range(7)
    COLUMNS = (
        ("Started", lambda r: local_time(r.run.started_at)),
        ("Job", lambda r: r.job),
        ("Trigger", lambda r: r.run.trigger),
        ("Status", lambda r: r.run.status),
        ("Devices", lambda r: r.run.device_count),
        ("Changed", lambda r: r.run.changed),
        ("Failed", lambda r: r.run.failed),
    )


class JobsModel(RowsModel[JobStatus]):
    COL_NAME, COL_TARGET, COL_SCHEDULE, COL_ENABLED, COL_LAST_RUN, COL_NEXT_RUN = range(6)
    COLUMNS = (
        ("Name", lambda s: s.job.name),
        ("Target", lambda s: describe_target(s.job.target)),
        ("Schedule", lambda s: s.job.schedule or "manual"),
        ("Enabled", lambda s: "yes" if s.job.enabled else "no"),
        ("Last run", lambda s: local_time(s.last_run_at)),
        ("Next run", lambda s: local_time(s.next_run_at)),
    )


def current_key(view: QtWidgets.QTableView, key: Callable[[Any], Any]) -> Any:
    """The key of the chosen row, or None."""
    row = view.currentIndex().data(ROW_ROLE)
    return None if row is None else key(row)


def choose(
    view: QtWidgets.QTableView, model: RowsModel[Any], key: Callable[[Any], Any], wanted: Any
) -> bool:
    """Make the row whose key is `wanted` the chosen one; False if there is none."""
    for number, row in enumerate(model.rows):
        if wanted is not None and key(row) == wanted:
            view.setCurrentIndex(model.index(number, 0))
            return True
    return False


class JobsPage(Page):
    title = "Jobs"
    icon = "jobs"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.requested: list[str] = []
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.addTab(self._build_run_tab(), "Run now")
        self.tabs.addTab(self._build_history_tab(), "History")
        self.tabs.addTab(self._build_jobs_tab(), "Scheduled jobs")
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.dialog: JobDialog | None = None  # the open job dialog (kept alive while open)
        self._run_task: asyncio.Task[None] | None = None
        self.show_run: uuid.UUID | None = None  # a run the next refresh chooses in the history

    # ------------------------------------------------------------------ building

    def _build_run_tab(self) -> QtWidgets.QWidget:
        self.target_kind = QtWidgets.QComboBox()
        self.target_kind.addItems(TARGETS)
        self.target_kind.setAccessibleName("Back up")
        self.tag = QtWidgets.QComboBox()
        self.tag.setAccessibleName("Tag")
        self.requested_label = QtWidgets.QLabel()
        self.requested_label.setAccessibleName("Requested devices")
        self.run_button = QtWidgets.QPushButton("Back up now")
        self.run_button.clicked.connect(self.back_up_chosen)
        self.target_kind.currentIndexChanged.connect(self._show_target)
        choice = QtWidgets.QHBoxLayout()
        choice.addWidget(QtWidgets.QLabel("Back up"))
        choice.addWidget(self.target_kind)
        choice.addWidget(self.tag)
        choice.addWidget(self.requested_label)
        choice.addStretch(1)
        choice.addWidget(self.run_button)
        self.panel = RunPanel(self.ctx)
        tab = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(tab)
        layout.addLayout(choice)
        layout.addWidget(self.panel, 1)
        self.target_kind.setCurrentIndex(TARGETS.index("All devices"))
        self._show_target()
        return tab

    def _build_history_tab(self) -> QtWidgets.QWidget:
        self.runs = RunsModel(self)
        self.runs_view = make_table(
            self.runs, "Runs", stretch=RunsModel.COL_FAILED, widths={RunsModel.COL_STARTED: 17}
        )
        self.runs_view.selectionModel().currentRowChanged.connect(self._run_chosen)
        self.results = ResultsModel(self)
        self.results_view = results_table(self.results, "Results of the chosen run")
        self.history_splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        self.history_splitter.addWidget(self.runs_view)
        self.history_splitter.addWidget(self.results_view)
        return self.history_splitter

    def _build_jobs_tab(self) -> QtWidgets.QWidget:
        self.jobs = JobsModel(self)
        self.jobs_view = make_table(
            self.jobs,
            "Scheduled jobs",
            stretch=JobsModel.COL_TARGET,
            widths={JobsModel.COL_NAME: 24, JobsModel.COL_SCHEDULE: 16, JobsModel.COL_NEXT_RUN: 17},
        )
        self.jobs_view.doubleClicked.connect(lambda _index: self.edit_job())
        buttons = QtWidgets.QHBoxLayout()
        for text, slot in (
            ("Add…", self.add_job),
            ("Edit…", self.edit_job),
            ("Remove", self.remove_job),
            ("Run now", self.run_job),
        ):
            button = QtWidgets.QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        tab = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(tab)
        layout.addLayout(buttons)
        layout.addWidget(self.jobs_view, 1)
        return tab

    def _show_target(self) -> None:
        kind = TARGETS[self.target_kind.currentIndex()]
        self.tag.setVisible(kind == "Tag")
        self.requested_label.setVisible(kind == "Requested devices")
        self.requested_label.setText(", ".join(self.requested) or "none: use the Devices view")

    # ------------------------------------------------------------------ loading

    async def refresh(self) -> None:
        # A later refresh supersedes this one.
        statuses, latest, tag_rows = await self.ctx.ops.read(_overview, kind=(self, "refresh"))
        job_id, run_id = (lambda s: s.job.id), (lambda r: r.run.id)
        chosen_job = current_key(self.jobs_view, job_id)
        self.jobs.set_rows(statuses)
        choose(self.jobs_view, self.jobs, job_id, chosen_job)
        chosen_run = self.show_run or current_key(self.runs_view, run_id)
        self.show_run = None
        names = {s.job.id: s.job.name for s in statuses}
        self.runs.set_rows([RunRow(run, names.get(run.job_id, "")) for run in latest])
        if not choose(self.runs_view, self.runs, run_id, chosen_run):
            if self.runs.rows:
                self.runs_view.setCurrentIndex(self.runs.index(0, 0))
            else:
                self.results.set_rows([])
        current_tag = self.tag.currentText()
        self.tag.clear()
        self.tag.addItems([tag.name for tag, _count in tag_rows])
        self.tag.setCurrentText(current_tag)

    def _run_chosen(self, current: QtCore.QModelIndex, _previous: QtCore.QModelIndex) -> None:
        row = current.data(ROW_ROLE)
        if row is not None:
            self.ctx.spawn(self._load_results(row.run.id))

    async def _load_results(self, run_id: uuid.UUID) -> None:
        rows = await self.ctx.ops.read(_results_with_collectors, run_id, kind=(self, "results"))
        self.results.set_rows(rows)

    def chosen_job(self) -> JobStatus | None:
        status = self.jobs_view.currentIndex().data(ROW_ROLE)
        return status if isinstance(status, JobStatus) else None

    # ------------------------------------------------------------------ running

    def back_up(self, names: list[str]) -> None:
        """Back up these devices now (the Devices view's request)."""
        self.requested = list(names)
        self.target_kind.setCurrentIndex(TARGETS.index("Requested devices"))
        self._show_target()
        self.back_up_chosen()

    def back_up_chosen(self) -> asyncio.Task[None] | None:
        kind = TARGETS[self.target_kind.currentIndex()]
        if kind == "Requested devices":
            if not self.requested:
                self.ctx.report("No devices requested: choose them in the Devices view")
                return None
            args = ["backup", "run", *self.requested]
            what = ", ".join(self.requested)
        elif kind == "Tag":
            if not self.tag.currentText():
                self.ctx.report("There is no tag to back up")
                return None
            args = ["backup", "run", "--tag", self.tag.currentText()]
            what = f"the devices tagged {self.tag.currentText()}"
        else:
            args, what = ["backup", "run", "--all"], "every enabled device"
        return self.start(what, args, job=None)

    def run_job(self) -> None:
        status = self.chosen_job()
        if status is None:
            self.ctx.report("Choose a job to run")
            return
        name = status.job.name
        self.start(f"job {name}", ["job", "run", name], job=name)

    def start(self, what: str, args: list[str], *, job: str | None) -> asyncio.Task[None] | None:
        """Back up `what` in the panel (one run at a time) and show it; None if one is
        going already."""
        if self.running:
            self.ctx.report("A backup run is already going: wait for it or cancel it")
            return None
        self.tabs.setCurrentIndex(0)
        self.run_button.setEnabled(False)
        self._run_task = self.ctx.spawn(self._run(what, args, job))
        self._run_task.add_done_callback(lambda _task: self.run_button.setEnabled(True))
        return self._run_task

    async def run_when_free(self, what: str, args: list[str], *, job: str) -> None:
        """Run once the run going in the panel (if any) has ended; return when done.

        Scheduled jobs come here: one run at a time keeps the panel truthful, and a
        job due meanwhile simply waits its turn.
        """
        while self._run_task is not None and not self._run_task.done():
            await asyncio.wait({self._run_task})
        task = self.start(what, args, job=job)
        if task is not None:
            await task

    @property
    def running(self) -> bool:
        """A run started here has not finished yet (from the click on, not the process)."""
        return self._run_task is not None and not self._run_task.done()

    async def _run(self, what: str, args: list[str], job: str | None) -> None:
        finished = await self.panel.run(what, *args)
        if finished is not None:
            self.show_run = finished.summary.run_id  # the history shows it next
            self.ctx.report(self.panel.summary.text())
            self.ctx.events.run_finished.emit(FinishedRun(finished.summary, job))
            self.ctx.events.inventory_changed.emit()  # new snapshots and facts
        # The refresh that news starts may supersede this one; the run still ended well
        # (a scheduled job awaits this task).
        with contextlib.suppress(Superseded):
            await self.refresh()

    # ------------------------------------------------------------------ editing jobs

    def add_job(self) -> None:
        self._open_dialog(None)

    def edit_job(self) -> None:
        status = self.chosen_job()
        if status is not None:
            self._open_dialog(status)

    def _open_dialog(self, status: JobStatus | None) -> JobDialog:
        tag_names = [self.tag.itemText(i) for i in range(self.tag.count())]
        dialog = JobDialog(self.ctx, tag_names, status, self)
        dialog.accepted.connect(lambda: self.ctx.spawn(self.refresh()))
        dialog.open()
        self.dialog = dialog
        return dialog

    def remove_job(self) -> None:
        status = self.chosen_job()
        if status is None:
            return
        answer = QtWidgets.QMessageBox.question(
            self, "Remove job", f"Remove job {status.job.name}? Its past runs stay."
        )
        if answer == QtWidgets.QMessageBox.StandardButton.Yes:
            self.ctx.spawn(self._remove(status.job.name))

    async def _remove(self, name: str) -> None:
        await self.ctx.ops.write(jobs.remove_job, name)
        self.ctx.report(f"Removed job {name}")
        await self.refresh()

    # ------------------------------------------------------------------ layout

    def _tables(self) -> dict[str, QtWidgets.QTableView]:
        return {
            "runs": self.runs_view,
            "results": self.results_view,
            "jobs": self.jobs_view,
            "live": self.panel.view,
        }

    def save_state(self) -> None:
        user = self.ctx.user
        prefs.save_splitter(self.ctx.prefs, user, "jobs/history", self.history_splitter)
        for name, view in self._tables().items():
            prefs.save_header(self.ctx.prefs, user, f"jobs/{name}", view)

    def restore_state(self) -> None:
        user = self.ctx.user
        prefs.restore_splitter(self.ctx.prefs, user, "jobs/history", self.history_splitter)
        for name, view in self._tables().items():
            prefs.restore_header(self.ctx.prefs, user, f"jobs/{name}", view)


def _overview(session: Session) -> tuple[list[JobStatus], list[Any], list[Any]]:
    """What the page lists: the jobs, the latest runs and the tags to choose from."""
    return (
        jobs.job_statuses(session),
        runs.latest_runs(session, limit=HISTORY_LIMIT),
        tags.list_tags(session),
    )


def _results_with_collectors(session: Session, run_id: uuid.UUID) -> list[StoredResult]:
    """A run's per-device results, each with the collector that backed it up (if queued)."""
    done_by = work_queue.run_collectors(session, run_id)
    return [
        StoredResult(
            r.device_name,
            r.status,
            r.error_class,
            r.message,
            r.duration_ms,
            done_by.get(r.device_name),
        )
        for r in runs.run_results(session, run_id)
    ]

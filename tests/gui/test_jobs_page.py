"""The Jobs view over a real database (SQLite and PostgreSQL), the real simulator in its
own process, a real credential in the real keyring, and the engine in a child process."""

from __future__ import annotations

import logging
import sys
import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from netraven_desktop.core.crud import devices, jobs
from netraven_desktop.core.crud import tags as tag_rows
from netraven_desktop.core.services import jobs as job_service
from netraven_desktop.core.services import runs
from netraven_desktop.core.services.events import (
    DeviceFinished,
    DeviceRetry,
    DeviceStarted,
    RunStarted,
)
from netraven_desktop.ui import backup_process
from netraven_desktop.ui.main_window import MainWindow
from netraven_desktop.ui.pages.jobs import TARGETS, JobsModel, JobsPage, RunsModel
from netraven_desktop.ui.run_panel import LiveResultsModel, ResultsModel, RunPanel
from tests.sim import add_sim_credential

RUN_TIMEOUT_MS = 90_000


@pytest.fixture
def lab(app_ctx, secret_store):
    """A credential in the keyring; `add(devices)` puts simulated devices in the inventory."""
    credential = add_sim_credential(app_ctx.db, secret_store, "lab")

    def add(sim_devices: list[tuple[str, str, int]]) -> list[str]:
        with app_ctx.db.session() as s:
            core = tag_rows.ensure_tags(s, ["core"])
            for i, (name, platform, port) in enumerate(sim_devices):
                devices.create_device(
                    s,
                    name=name,
                    host="127.0.0.1",
                    port=port,
                    platform=platform,
                    tags=core if i == 0 else [],  # the first device is the "core" one
                )
        return [name for name, _, _ in sim_devices]

    yield add
    secret_store.delete(credential.keyring_ref)


@pytest.fixture
def page(open_page, run_async, app_ctx):
    yield open_page(JobsPage)
    run_async(app_ctx.drain())  # a run still going is cancelled while its widgets exist


def _wait_for_summary(qtbot, page: JobsPage) -> str:
    qtbot.waitUntil(lambda: page.panel.summary.text() != "", timeout=RUN_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not page.running)
    return page.panel.summary.text()


def _statuses(model) -> dict[str, str]:
    return {row.device_name: row.status for row in model.rows}


def test_backing_up_all_devices_shows_progress_each_device_and_the_history(
    qtbot, qtmodeltester, app_ctx, page, lab, sim_devices
):
    names = lab(sim_devices)
    finished, changed = [], []
    app_ctx.events.run_finished.connect(finished.append)
    app_ctx.events.inventory_changed.connect(lambda: changed.append(True))
    page.target_kind.setCurrentIndex(TARGETS.index("All devices"))
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert page.running
    assert not page.run_button.isEnabled()
    assert _wait_for_summary(qtbot, page) == (
        "Succeeded: 3 devices, 3 changed, 0 unchanged, 0 failed"
    )
    progress = page.panel.progress
    assert (progress.value(), progress.maximum()) == (3, 3)
    assert _statuses(page.panel.model) == dict.fromkeys(names, "changed")
    assert all(row.duration_ms is not None for row in page.panel.model.rows)
    qtmodeltester.check(page.panel.model)
    assert [(e.summary.status, e.summary.changed, e.job) for e in finished] == [
        ("succeeded", 3, None)
    ]
    assert changed
    # The history shows the run, and choosing it shows its devices.
    qtbot.waitUntil(lambda: len(page.results.rows) == 3)
    run = page.runs.rows[0].run
    assert (run.status, run.device_count, run.changed) == ("succeeded", 3, 3)
    assert page.runs.index(0, RunsModel.COL_STATUS).data() == "succeeded"
    assert _statuses(page.results) == dict.fromkeys(names, "changed")
    assert page.results.index(0, ResultsModel.COL_DEVICE).data() == sorted(names)[0]
    qtmodeltester.check(page.runs)
    qtmodeltester.check(page.results)


def test_backing_up_a_tag_runs_only_its_devices(qtbot, run_async, page, lab, sim_devices):
    names = lab(sim_devices)
    run_async(page.refresh())
    page.target_kind.setCurrentIndex(TARGETS.index("Tag"))
    assert page.tag.currentText() == "core"
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    assert _wait_for_summary(qtbot, page).startswith("Succeeded: 1 devices")
    assert list(_statuses(page.panel.model)) == [names[0]]


def test_backup_requested_by_another_view_runs_just_those_devices(
    qtbot, run_async, app_ctx, lab, sim_devices
):
    names = lab(sim_devices)
    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    try:
        run_async(window.load())
        app_ctx.events.backup_requested.emit([names[1]])
        page = window.page(JobsPage)
        assert window.stack.currentWidget() is page
        assert page.requested_label.text() == names[1]
        assert _wait_for_summary(qtbot, page).startswith("Succeeded: 1 devices")
        assert _statuses(page.panel.model) == {names[1]: "changed"}
        with app_ctx.db.read_session() as s:
            assert [r.device_count for r in runs.latest_runs(s)] == [1]
    finally:
        window.close()
        run_async(window.shutdown())


def test_cancelling_a_run_records_the_unfinished_devices_as_cancelled(
    qtbot, app_ctx, page, lab, hanging_sim_devices
):
    names = lab(hanging_sim_devices)
    page.target_kind.setCurrentIndex(TARGETS.index("All devices"))
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    # Every device is stuck half-way through its configuration.
    qtbot.waitUntil(lambda: len(page.panel.model.rows) == 3, timeout=RUN_TIMEOUT_MS)
    assert set(_statuses(page.panel.model).values()) == {"running"}
    qtbot.mouseClick(page.panel.cancel_button, Qt.MouseButton.LeftButton)
    assert _wait_for_summary(qtbot, page) == (
        "Cancelled: 3 devices, 0 changed, 0 unchanged, 0 failed, 3 cancelled"
    )
    assert _statuses(page.panel.model) == dict.fromkeys(names, "cancelled")
    with app_ctx.db.read_session() as s:
        run = runs.latest_runs(s)[0]
        assert run.status == "cancelled"
        assert {r.status for r in runs.run_results(s, run.id)} == {"cancelled"}


# Stands in for an engine child that hangs after Cancel (ours always stops, so a hung one
# cannot be made from it on demand): it opens a run as the engine does, says so, and then
# ignores its standard input, where Cancel arrives.
_DEAF_CHILD = """
import json, os, sys, time
from netraven_desktop.core.crud import jobs
from netraven_desktop.core.db import Database
from netraven_desktop.core.services.runs import this_owner
db = Database(os.environ["NETRAVEN_DB_URL"])
with db.session() as s:
    run = jobs.create_run(s, device_count=1)
    run.owner = this_owner()
    run_id = str(run.id)
db.close()
print(json.dumps({"event": "run_started", "run_id": run_id, "devices": 1, "concurrency": 1}))
sys.stdout.flush()
while True:
    time.sleep(1)
"""


def test_a_child_that_ignores_cancel_is_killed_and_its_run_marked_interrupted(
    qtbot, app_ctx, page, monkeypatch
):
    monkeypatch.setattr(backup_process, "CANCEL_GRACE", 0.5)
    monkeypatch.setattr(
        backup_process, "engine_command", lambda *args: (sys.executable, ["-c", _DEAF_CHILD])
    )
    page.back_up_chosen()
    qtbot.waitUntil(lambda: page.panel.progress.maximum() == 1, timeout=RUN_TIMEOUT_MS)
    qtbot.mouseClick(page.panel.cancel_button, Qt.MouseButton.LeftButton)
    assert "ignored Cancel for 0.5 s and was stopped" in _wait_for_summary(qtbot, page)
    with app_ctx.db.read_session() as s:
        assert runs.latest_runs(s)[0].status == "interrupted"


def test_closing_the_window_during_a_run_cancels_it_cleanly(
    qtbot, run_async, app_ctx, page, lab, hanging_sim_devices
):
    """The window's tasks are cancelled on close: the child is told, not killed."""
    lab(hanging_sim_devices)
    page.back_up_chosen()
    qtbot.waitUntil(lambda: len(page.panel.model.rows) == 3, timeout=RUN_TIMEOUT_MS)
    run_async(app_ctx.drain())
    with app_ctx.db.read_session() as s:
        run = runs.latest_runs(s)[0]
        assert (run.status, run.device_count) == ("cancelled", 3)
        assert {r.status for r in runs.run_results(s, run.id)} == {"cancelled"}


def test_the_schedule_editor_rejects_a_bad_schedule_at_the_field_and_saves_a_good_one(
    qtbot, qtmodeltester, run_async, app_ctx, page, monkeypatch
):
    dialog = page._open_dialog(None)
    dialog.name.setText("nightly")
    dialog.schedule.setText("61 2 * * *")
    assert "'61' is outside 0-59" in dialog.form.error_text("schedule")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # Save
    assert dialog.isVisible()
    with app_ctx.db.read_session() as s:
        assert jobs.list_jobs(s) == []

    dialog.schedule.setText("0 2 * * *")
    assert dialog.form.error_text("schedule") == ""
    dialog.target_kind.setCurrentIndex(dialog.target_kind.findText("Devices"))
    dialog.confirm()
    assert dialog.form.error_text("target") == "name at least one device"
    dialog.devices.setText("sw1, sw2")
    dialog.confirm()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    qtbot.waitUntil(lambda: len(page.jobs.rows) == 1)
    assert [
        page.jobs.index(0, column).data()
        for column in (JobsModel.COL_NAME, JobsModel.COL_TARGET, JobsModel.COL_SCHEDULE)
    ] == ["nightly", "devices: sw1, sw2", "0 2 * * *"]
    assert page.jobs.index(0, JobsModel.COL_NEXT_RUN).data().endswith("02:00")
    qtmodeltester.check(page.jobs)

    # Edit: a bad schedule is refused again; a good one and "disabled" are saved.
    page.jobs_view.setCurrentIndex(page.jobs.index(0, 0))
    page.edit_job()
    edit = page.dialog
    assert (edit.name.text(), edit.devices.text(), edit.schedule.text()) == (
        "nightly",
        "sw1, sw2",
        "0 2 * * *",
    )
    edit.schedule.setText("every 0m")
    edit.confirm()
    assert edit.form.error_text("schedule") == "must be at least every 1m"
    edit.schedule.setText("every 6h")
    edit.enabled.setChecked(False)
    edit.confirm()
    qtbot.waitUntil(lambda: page.jobs.index(0, JobsModel.COL_ENABLED).data() == "no")
    with app_ctx.db.read_session() as s:
        job = job_service.get_job(s, "nightly")
        assert (job.schedule, job.enabled) == ("every 6h", False)

    # A name taken by another job is shown at the name field.
    page.add_job()
    duplicate = page.dialog
    duplicate.name.setText("NIGHTLY")
    duplicate.confirm()
    qtbot.waitUntil(lambda: duplicate.form.error_text("name") != "")
    assert "already exists" in duplicate.form.error_text("name")
    duplicate.reject()

    # Remove, after the user says yes.
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    page.remove_job()
    qtbot.waitUntil(lambda: page.jobs.rows == [])


def test_run_now_on_a_job_runs_it_and_says_which_job(
    qtbot, run_async, app_ctx, page, lab, sim_devices
):
    lab(sim_devices)
    with app_ctx.db.session() as s:
        job_service.add_job(s, name="core", selection=runs.Selection(tags=("core",)))
    run_async(page.refresh())
    finished = []
    app_ctx.events.run_finished.connect(finished.append)
    page.jobs_view.setCurrentIndex(page.jobs.index(0, 0))
    page.run_job()
    assert page.tabs.currentIndex() == 0
    assert _wait_for_summary(qtbot, page).startswith("Succeeded: 1 devices")
    assert [(e.job, e.summary.changed) for e in finished] == [("core", 1)]
    qtbot.waitUntil(lambda: page.runs.rows != [] and page.runs.rows[0].job == "core")


def test_the_live_model_applies_batches_of_engine_events(qtmodeltester):
    model = LiveResultsModel()
    qtmodeltester.check(model)
    model.apply([RunStarted(uuid.uuid4(), devices=2, concurrency=2)])
    model.apply([DeviceStarted("a")])
    model.apply(
        [
            DeviceRetry("a", "timeout", attempt=1),
            DeviceStarted("b"),
            DeviceFinished("b", "failed", "auth_failed", "refused", 1500, None, None, None),
        ]
    )
    assert [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ] == [
        ["a", "retry 1", "timeout", "", "", ""],  # a live run: no collector
        ["b", "failed", "auth_failed", "refused", "1.5 s", ""],
    ]
    qtmodeltester.check(model)


def test_the_run_panel_reads_the_child_s_lines_and_skips_what_is_no_event(qtbot, app_ctx, caplog):
    panel = RunPanel(app_ctx)
    qtbot.addWidget(panel)
    run = RunStarted(uuid.uuid4(), devices=2, concurrency=2)
    with caplog.at_level(logging.WARNING, logger="netraven_desktop.ui.run_panel"):
        for line in (run.to_json(), {"event": "export_progress", "files": 1}, {"x": 1}):
            panel._receive(line)
    assert panel._queue == [run]
    assert [r.getMessage() for r in caplog.records] == [
        "backup child: line skipped: not a run or collector event: 'export_progress'",
        "backup child: line skipped: not a run or collector event: None",
    ]
    panel._apply()
    assert (panel.progress.maximum(), panel.model.rowCount()) == (2, 0)

"""The dashboard over a real database, and the tray's notices for finished runs."""

from __future__ import annotations

import uuid

from netraven_desktop.core.crud import devices
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.services import backups, runs
from netraven_desktop.core.services.events import RunSummary
from netraven_desktop.ui.context import FinishedRun
from netraven_desktop.ui.pages.dashboard import DashboardPage, FailingModel
from netraven_desktop.ui.tray import run_message
from tests.snapshots import capture


def test_dashboard_shows_counts_failures_and_the_chart(qtbot, run_async, app_ctx, qtmodeltester):
    with app_ctx.db.session() as s:
        sw1 = devices.create_device(s, name="sw1", host="10.0.0.1", platform="cisco_ios")
        sw2 = devices.create_device(s, name="sw2", host="10.0.0.2", platform="cisco_ios")
        run = runs.start_run(s, device_count=2, job_id=None, trigger="manual", actor="t")
        capture(s, run, sw1, "hostname sw1\n")
        backups.store_failure(
            s,
            run_id=run.id,
            device_id=sw2.id,
            device_name="sw2",
            status="failed",
            error_class="timeout",
            message="no answer within 10 s",
            started_at=utcnow(),
        )
        runs.finish_run(s, run.id, succeeded=1, failed=1, changed=1, cancelled=False)
    page = DashboardPage(app_ctx)
    qtbot.addWidget(page)
    run_async(page.refresh())

    assert page.devices.value.text() == "2"
    assert page.changed.value.text() == "1"
    assert page.failing_count.value.text() == "1"
    assert page.last_run.value.text() == "partial"
    assert "1 changed, 1 failed of 2" in page.last_run.detail.text()
    assert page.chart.accessibleDescription() == "1 backup and 1 change in 30 days"
    model = page.failing
    qtmodeltester.check(model)
    cells = [
        model.index(0, column).data()
        for column in (
            FailingModel.COL_DEVICE,
            FailingModel.COL_ERROR_CLASS,
            FailingModel.COL_MESSAGE,
        )
    ]
    assert cells == ["sw2", "timeout", "no answer within 10 s"]

    opened = []
    app_ctx.events.device_opened.connect(opened.append)
    page.failing_view.doubleClicked.emit(model.index(0, 0))
    assert opened == ["sw2"]


def test_an_empty_database_says_no_run_yet(qtbot, run_async, app_ctx):
    page = DashboardPage(app_ctx)
    qtbot.addWidget(page)
    run_async(page.refresh())
    assert page.devices.value.text() == "0"
    assert page.last_run.detail.text() == "no backup has run yet"
    assert page.failing.rowCount() == 0


def finished_run(job=None, **counts) -> FinishedRun:
    return FinishedRun(RunSummary(uuid.uuid4(), **counts), job)


def test_tray_announces_failures_and_changes_only():
    assert run_message(finished_run("nightly", failed=2, changed=1, unchanged=7)) == (
        "Job nightly: 2 devices failed",
        "1 changed, 7 unchanged. See the Jobs view.",
        True,
    )
    assert run_message(finished_run(changed=1))[:2] == (
        "Backup run: 1 configuration changed",
        "Open the device's history to see the diff.",
    )
    assert run_message(finished_run("nightly", unchanged=9)) is None

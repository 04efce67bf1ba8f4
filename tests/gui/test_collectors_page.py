"""The Collectors view and a queued run in the Jobs view, over a real database (SQLite and
PostgreSQL): what collectors reported of themselves, and which one backed up each device.
The collectors' rows are written through the same registry calls a collector makes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from netraven_desktop.core.crud import devices
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Collector, Job
from netraven_desktop.core.services import backups, collector_registry, jobs, runs, work_queue
from netraven_desktop.ui.pages.collectors import CollectorModel, CollectorsPage
from netraven_desktop.ui.pages.jobs import JobsPage
from netraven_desktop.ui.run_panel import ResultsModel

LEASE = timedelta(minutes=5)


def _queued_run(db, names: list[str]):
    """A due nightly job over `names`, enqueued as a collector does."""
    with db.session() as s:
        for i, name in enumerate(names):
            devices.create_device(
                s, name=name, host="192.0.2.1", port=2200 + i, platform="cisco_ios"
            )
        jobs.add_job(s, name="nightly", selection=runs.Selection(all=True), schedule="@daily")
        s.execute(update(Job).values(created_at=utcnow() - timedelta(days=2)))
    with db.session() as s:
        [due] = jobs.due_runs(s)
    with db.session() as s:
        return work_queue.enqueue_run(s, due.job, due.slot, "collector:test")


def _rows(page):
    columns = (
        CollectorModel.COL_NAME,
        CollectorModel.COL_LABELS,
        CollectorModel.COL_IN_FLIGHT,
        CollectorModel.COL_STATE,
    )
    return [
        tuple(page.model.index(r, c).data() for c in columns) for r in range(page.model.rowCount())
    ]


def test_the_view_shows_each_collector_its_load_and_who_went_silent(
    qtmodeltester, run_async, app_ctx, open_page
):
    db = app_ctx.db
    _queued_run(db, ["r1", "r2", "r3"])
    with db.session() as s:
        for name, labels in (("alpha", ["site-a"]), ("beta", []), ("gamma", [])):
            collector_registry.register(s, name, version="0.1.0", labels=labels, host="srv")
        work_queue.claim(s, "alpha", ("site-a",), 2, LEASE)
        collector_registry.stopped(s, "beta")
        s.execute(
            update(Collector)
            .where(Collector.name == "gamma")
            .values(heartbeat_at=utcnow() - timedelta(hours=1))
        )
    page = open_page(CollectorsPage)
    assert _rows(page) == [
        ("alpha", "site-a", "2", "running"),
        ("beta", "", "0", "stopped"),
        ("gamma", "", "0", "silent"),
    ]
    qtmodeltester.check(page.model)
    with db.session() as s:  # gamma is heard from again
        collector_registry.beat(s, "gamma")
    run_async(page.refresh())
    assert _rows(page)[2][3] == "running"


def test_a_queued_runs_devices_show_the_collector_that_backed_each_up(qtbot, app_ctx, open_page):
    db = app_ctx.db
    run = _queued_run(db, ["r1", "r2"])
    for collector in ("alpha", "beta"):
        with db.session() as s:
            [item] = work_queue.claim(s, collector, (), 1, LEASE)
        with db.session() as s:
            assert work_queue.settle(s, item.item_id, collector, "failed")
            backups.store_failure(
                s,
                run_id=run.id,
                device_id=item.device_id,
                device_name=item.device_name,
                status="failed",
                error_class="timeout",
                message="no answer",
                started_at=utcnow(),
            )
    with db.session() as s:
        work_queue.finish_complete_runs(s)
    page = open_page(JobsPage)
    qtbot.waitUntil(lambda: len(page.results.rows) == 2)
    shown = {
        page.results.index(r, ResultsModel.COL_DEVICE).data(): page.results.index(
            r, ResultsModel.COL_COLLECTOR
        ).data()
        for r in range(2)
    }
    assert shown == {"r1": "alpha", "r2": "beta"}

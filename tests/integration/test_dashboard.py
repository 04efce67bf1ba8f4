"""The dashboard's overview, computed by the database on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from netraven_desktop.core.crud import devices
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import JobRunResult
from netraven_desktop.core.services import backups, dashboard, runs
from tests.snapshots import capture


def test_overview_counts_changes_failures_and_days(face):
    with face.db.session() as s:
        sw1, sw2, sw3, gone = (
            devices.create_device(s, name=n, host="10.0.0.1", platform="cisco_ios")
            for n in ("sw1", "sw2", "sw3", "gone")
        )
        run = runs.start_run(s, device_count=4, job_id=None, trigger="manual", actor="t")
        old = capture(s, run, sw1, "hostname sw1\n")
        s.flush()
        s.execute(
            update(JobRunResult)
            .where(JobRunResult.id == old.id)
            .values(finished_at=utcnow() - timedelta(days=3))
        )
        capture(s, run, sw1, "hostname sw1\nvlan 10\n")
        backups.store_failure(
            s,
            run_id=run.id,
            device_id=sw2.id,
            device_name="sw2",
            status="failed",
            error_class="auth",
            message="Permission denied for admin",
            started_at=utcnow(),
        )
        capture(s, run, sw3, "hostname sw3\n")
        capture(s, run, sw3, "hostname sw3\n")
        capture(s, run, gone, "hostname gone\n")
        gone.deleted_at = utcnow()

    overview = face.service(dashboard.overview)

    assert overview.devices == 3
    assert overview.last_run is not None
    assert overview.last_run.id == run.id
    assert overview.changed_24h == 2  # sw1 changed, sw3 first captured; the trashed one not
    assert [(f.device, f.error_class, f.message) for f in overview.failing] == [
        ("sw2", "auth", "Permission denied for admin")
    ]
    assert len(overview.days) == 30
    today, three_days_ago = overview.days[-1], overview.days[-4]
    assert (today.backups, today.changes, today.failures) == (4, 3, 1)
    assert (three_days_ago.backups, three_days_ago.changes) == (1, 1)
    assert sum(d.backups for d in overview.days) == 5


def test_overview_of_an_empty_database(face):
    overview = face.service(dashboard.overview)
    assert overview.devices == 0
    assert overview.last_run is None
    assert overview.failing == []
    assert {(d.backups, d.changes, d.failures) for d in overview.days} == {(0, 0, 0)}

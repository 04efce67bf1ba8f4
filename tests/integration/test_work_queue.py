"""The shared queue's rules, on SQLite and PostgreSQL: a due slot becomes one run, a
running job is not started again, claims never overlap, a lapsed lease passes to another
collector and only the lease's holder records a device, and labels place devices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from netraven_desktop.core.crud import devices, tags
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Collector, Job, JobRunResult, WorkItem
from netraven_desktop.core.errors import InputError
from netraven_desktop.core.services import (
    backups,
    collector_registry,
    jobs,
    notify,
    runs,
    work_queue,
)

LEASE = timedelta(minutes=5)
LAPSED = timedelta(seconds=-1)  # a lease that ran out before anyone looked (no waiting)


def _inventory(db, count: int = 4, *, schedule: str = "0 2 * * *", days_ago: int = 5) -> Job:
    with db.session() as s:
        for i in range(count):
            devices.create_device(
                s, name=f"r{i}", host="192.0.2.1", port=2200 + i, platform="cisco_ios"
            )
        job = jobs.add_job(
            s,
            name="nightly",
            selection=runs.Selection(all=True),
            schedule=schedule,
            timezone="Europe/Berlin",
        )
        s.execute(update(Job).values(created_at=utcnow() - timedelta(days=days_ago)))
    return job


def _enqueue_due(db) -> list:
    with db.session() as s:
        due = jobs.due_runs(s)
    enqueued = []
    for item in due:
        with db.session() as s:
            enqueued.append(work_queue.enqueue_run(s, item.job, item.slot, "collector:test"))
    return enqueued


def _record(db, claimed, collector: str) -> list[bool]:
    """Each claimed device's outcome, stored only where `settle` allows (as the engine)."""
    kept = []
    for item in claimed:
        with db.session() as s:
            ok = work_queue.settle(s, item.item_id, collector, "failed")
            if ok:
                backups.store_failure(
                    s,
                    run_id=item.run_id,
                    device_id=item.device_id,
                    device_name=item.device_name,
                    status="failed",
                    error_class="timeout",
                    message="test",
                    started_at=utcnow(),
                )
            kept.append(ok)
    return kept


def test_five_missed_nights_are_one_run_and_a_second_collector_cannot_start_it_again(db):
    _inventory(db, days_ago=5)
    with db.session() as s:
        [due] = jobs.due_runs(s)
    [run] = _enqueue_due(db)
    assert run.scheduled_for == due.slot
    assert run.device_count == 4
    # A second collector that read the same due slot before the first committed:
    with pytest.raises(IntegrityError), db.session() as s:
        work_queue.enqueue_run(s, due.job, due.slot, "collector:late")
    with db.read_session() as s:
        assert len(runs.latest_runs(s)) == 1
        # Running: not due again even when the next night has come.
        assert jobs.due_runs(s, utcnow() + timedelta(days=2)) == []
        items = list(s.scalars(select(WorkItem).where(WorkItem.run_id == run.id)))
    assert sorted(i.device_name for i in items) == ["r0", "r1", "r2", "r3"]
    assert {i.state for i in items} == {"queued"}


def test_claims_are_disjoint_and_a_device_is_recorded_once(db):
    _inventory(db, count=5)
    [run] = _enqueue_due(db)
    with db.session() as s:
        first = work_queue.claim(s, "a", (), 3, LEASE)
    with db.session() as s:
        second = work_queue.claim(s, "b", (), 3, LEASE)
    assert len(first) == 3
    assert len(second) == 2
    assert not {c.item_id for c in first} & {c.item_id for c in second}
    assert _record(db, first, "a") == [True] * 3
    assert _record(db, first[:1], "a") == [False]  # done already: no second result
    assert _record(db, second, "b") == [True] * 2
    with db.session() as s:
        [finished] = work_queue.finish_complete_runs(s)
        assert work_queue.finish_complete_runs(s) == []
    assert (finished.id, finished.status, finished.failed) == (run.id, "failed", 5)
    with db.read_session() as s:
        results = list(s.scalars(select(JobRunResult).where(JobRunResult.run_id == run.id)))
        by_collector = work_queue.run_collectors(s, run.id)
    assert sorted(r.device_name for r in results) == ["r0", "r1", "r2", "r3", "r4"]
    assert by_collector == {"r0": "a", "r1": "a", "r2": "a", "r3": "b", "r4": "b"}


def test_a_lapsed_lease_passes_to_another_collector_and_the_old_holder_records_nothing(db):
    _inventory(db, count=2)
    _enqueue_due(db)
    with db.session() as s:
        dead = work_queue.claim(s, "dead", (), 10, LAPSED)
    with db.session() as s:
        assert work_queue.claim(s, "other", (), 10, LEASE) != []  # the lapsed ones
    with db.read_session() as s:
        items = list(s.scalars(select(WorkItem)))
    assert {(i.collector, i.attempts) for i in items} == {("other", 2)}
    assert _record(db, dead, "dead") == [False, False]
    with db.session() as s:
        taken = [work_queue.Claimed(i.id, i.run_id, i.device_id, i.device_name) for i in items]
    assert _record(db, taken, "other") == [True, True]
    with db.read_session() as s:
        assert len(list(s.scalars(select(JobRunResult)))) == 2


def test_heartbeat_keeps_a_lease_and_a_clean_stop_gives_items_back(db):
    _inventory(db, count=2)
    _enqueue_due(db)
    with db.session() as s:
        work_queue.claim(s, "a", (), 10, LAPSED)
        assert work_queue.extend_leases(s, "a", LEASE) == 2
    with db.session() as s:
        assert work_queue.claim(s, "b", (), 10, LEASE) == []  # renewed: still a's
        assert work_queue.release(s, "a") == 2
    with db.session() as s:
        assert len(work_queue.claim(s, "b", (), 10, LEASE)) == 2


def test_a_cancelled_device_goes_back_to_the_queue_without_a_result(db):
    _inventory(db, count=1)
    _enqueue_due(db)
    with db.session() as s:
        [item] = work_queue.claim(s, "a", (), 10, LEASE)
        assert work_queue.settle(s, item.item_id, "a", "cancelled") is False
    with db.session() as s:
        [again] = work_queue.claim(s, "b", (), 10, LEASE)
    assert again.item_id == item.item_id


def test_pinned_devices_go_only_to_collectors_with_their_label(db):
    _inventory(db, count=3)
    with db.session() as s:
        pinned = devices.get_device_by_name(s, "r0")
        devices.update_device(s, pinned.id, None, collector_label="Site-A")
        site_b = tags.create_tag(s, "branch")
        tags.update_tag(s, site_b.id, None, collector_label="site-b")
        tagged = devices.get_device_by_name(s, "r1")
        devices.update_device(s, tagged.id, None, tags=[site_b])
    _enqueue_due(db)
    with db.session() as s:
        anywhere = work_queue.claim(s, "plain", (), 10, LEASE)
    with db.session() as s:
        at_a = work_queue.claim(s, "a", ("site-a",), 10, LEASE)
    with db.session() as s:
        at_b = work_queue.claim(s, "b", ("site-b", "site-c"), 10, LEASE)
    assert [c.device_name for c in anywhere] == ["r2"]
    assert [c.device_name for c in at_a] == ["r0"]
    assert [c.device_name for c in at_b] == ["r1"]


def test_a_bad_label_is_one_clear_error_and_changes_nothing(db):
    _inventory(db, count=1)
    with db.session() as s:
        device = devices.get_device_by_name(s, "r0")
        with pytest.raises(InputError, match="collector_label") as caught:
            devices.update_device(s, device.id, None, collector_label="site a!")
    assert "site a!" in str(caught.value)
    with db.read_session() as s:
        assert devices.get_device_by_name(s, "r0").collector_label is None


def test_a_silent_collector_is_reported_once_per_silence(db):
    with db.session() as s:
        for name in ("a", "b"):
            collector_registry.register(s, name, version="0.1.0", labels=[], host="srv1")
        s.execute(
            update(Collector)
            .where(Collector.name == "a")
            .values(heartbeat_at=utcnow() - timedelta(minutes=10))
        )
    with db.session() as s:
        [silent] = collector_registry.claim_silent(s, timedelta(minutes=3))
    with db.session() as s:  # a second collector noticing the same silence
        assert collector_registry.claim_silent(s, timedelta(minutes=3)) == []
    note = notify.collector_silent_notification(silent.name, silent.host, silent.heartbeat_at)
    assert (note.event, note.data["collector"], note.data["host"]) == (
        "collector_silent",
        "a",
        "srv1",
    )
    assert "collector a has gone silent" in note.subject
    with db.session() as s:  # heard again, then silent again: reported again
        collector_registry.beat(s, "a")
        s.execute(
            update(Collector)
            .where(Collector.name == "a")
            .values(heartbeat_at=utcnow() - timedelta(minutes=10))
        )
    with db.session() as s:
        assert [c.name for c in collector_registry.claim_silent(s, timedelta(minutes=3))] == ["a"]
        collector_registry.stopped(s, "b")
    with db.read_session() as s:
        listed = {c.collector.name: c for c in collector_registry.list_collectors(s)}
    assert listed["b"].collector.stopped_at is not None

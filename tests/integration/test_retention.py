"""Retention never deletes a device's latest snapshot, and says what it deleted."""

from __future__ import annotations

from datetime import timedelta

from netraven_desktop.core.crud import configs, devices
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.services import audit, retention


def _history(face, name, ages_in_days):
    """A device with one snapshot per age (days ago), each a different configuration."""
    device = face(devices.create_device, name=name, host="10.0.0.1", platform="cisco_ios")
    now = utcnow()
    for i, age in enumerate(ages_in_days):
        blob = face(configs.put_blob, f"hostname {name}\n! version {i}\n")
        face(
            configs.create_snapshot,
            device_id=device.id,
            blob_sha256=blob.sha256,
            captured_at=now - timedelta(days=age),
        )
    return device


def _ages(face, device):
    now = utcnow()
    return sorted(
        round((now - s.captured_at) / timedelta(days=1))
        for s in face(configs.list_snapshots, device.id)
    )


def test_keep_last(face):
    device = _history(face, "r1", [0, 1, 2, 3, 4])
    report = face.service(retention.prune, keep_last=2, keep_days=0)
    assert _ages(face, device) == [0, 1]
    assert (report.snapshots, report.devices, report.blobs) == (3, {"r1": 3}, 3)


def test_keep_days_never_deletes_the_latest(face):
    stale = _history(face, "stale", [40, 50, 60])
    fresh = _history(face, "fresh", [1, 20, 45])
    face.service(retention.prune, keep_last=0, keep_days=30)
    assert _ages(face, stale) == [40]  # everything is old, but the latest stays
    assert _ages(face, fresh) == [1, 20]


def test_both_limits_keep_what_either_keeps(face):
    device = _history(face, "r1", [1, 2, 10, 40, 50])
    face.service(retention.prune, keep_last=4, keep_days=5)
    assert _ages(face, device) == [1, 2, 10, 40]


def test_no_limits_delete_nothing_and_pruning_is_audited(face, db):
    device = _history(face, "r1", [0, 100, 200])
    assert face.service(retention.prune).snapshots == 0  # the defaults keep everything
    assert _ages(face, device) == [0, 100, 200]
    face.service(retention.prune, keep_last=1)
    with db.read_session() as s:
        [event] = audit.list_events(s, entity_type="snapshot")
    assert event.action == "snapshot.prune"
    assert event.after == {"deleted": 2, "devices": {"r1": 2}}

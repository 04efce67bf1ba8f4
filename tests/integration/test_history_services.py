"""History entries and comparisons of snapshots, through the sync and the async face."""

from __future__ import annotations

import pytest

from netraven_desktop.core.errors import InputError
from netraven_desktop.core.services import backups
from tests.snapshots import device_with_configs

V1 = "hostname r1\ninterface Gi0/1\n shutdown\n"
V2 = "hostname r1\ninterface Gi0/1\n no shutdown\n"
V3 = "hostname r1\ninterface Gi0/1\n no shutdown\nntp server 10.0.0.9\n"


def test_history_entries_carry_size_and_run_newest_first(face):
    device_with_configs(face.db, "r1", [V1, V2], job="nightly")
    device_with_configs(face.db, "r2", [V3])
    entries = face.service(backups.history_entries, "r1")
    assert [e.size for e in entries] == [len(V2), len(V1)]
    assert [e.run for e in entries] == ["job nightly", "job nightly"]
    assert [(e.snapshot.lines_added, e.snapshot.lines_removed) for e in entries] == [
        (1, 1),
        (3, 0),
    ]
    assert [e.snapshot.id for e in entries] == [s.id for s in face.service(backups.history, "r1")]
    (only,) = face.service(backups.history_entries, "r2")
    assert only.run == "cli"
    assert len(face.service(backups.history_entries, "r1", limit=1)) == 1


def test_compare_any_two_snapshots_or_the_previous_by_default(face):
    device_with_configs(face.db, "r1", [V1, V2, V3])
    newest, middle, oldest = face.service(backups.history, "r1")
    default = face.service(backups.compare, "r1")
    assert (default.older.id, default.newer.id) == (middle.id, newest.id)
    assert (default.old_text, default.new_text) == (V2, V3)
    assert "+ntp server 10.0.0.9\n" in default.unified
    chosen = face.service(backups.compare, "r1", str(oldest.id), str(newest.id))
    assert "- shutdown\n" in chosen.unified
    assert "+ no shutdown\n" in chosen.unified
    assert chosen.unified == face.service(backups.diff, "r1", str(oldest.id), str(newest.id))
    previous = face.service(backups.compare, "r1", to_id=str(middle.id))
    assert previous.older.id == oldest.id
    with pytest.raises(InputError, match="no snapshot before --to"):
        face.service(backups.compare, "r1", to_id=str(oldest.id))

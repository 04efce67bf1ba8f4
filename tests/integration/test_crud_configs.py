"""Configuration blobs and snapshots, sync and async, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy.exc
from sqlalchemy import func, select

from netraven_desktop.core.crud import configs, devices
from netraven_desktop.core.db.models import ConfigBlob, ConfigSnapshot
from netraven_desktop.core.errors import InputError, NotFoundError

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _device(face, name="r1"):
    return face(devices.create_device, name=name, host="10.0.0.1", platform="cisco_ios")


def _count(face, model):
    return face(lambda s: s.scalar(select(func.count()).select_from(model)))


def _snap(face, device, text, hours=0, **fields):
    blob = face(configs.put_blob, text)
    return face(
        configs.create_snapshot,
        device_id=device.id,
        blob_sha256=blob.sha256,
        captured_at=T0 + timedelta(hours=hours),
        **fields,
    )


def test_identical_text_is_stored_once(face):
    first = face(configs.put_blob, "hostname r1\n")
    again = face(configs.put_blob, "hostname r1\n")
    assert first.sha256 == again.sha256 == hashlib.sha256(b"hostname r1\n").hexdigest()
    assert _count(face, ConfigBlob) == 1
    other = face(configs.put_blob, "hostname r2\n")
    assert other.sha256 != first.sha256
    assert _count(face, ConfigBlob) == 2
    assert configs.content_hash("hostname r1\n") == first.sha256


def test_large_config_is_compressed_and_round_trips(face):
    text = "interface GigabitEthernet0/1\n description uplink\n no shutdown\n!\n" * 2000
    sha = face(configs.put_blob, text).sha256
    stored = face(configs.get_blob, sha)
    assert stored.size == len(text.encode("utf-8"))
    assert len(stored.data) < len(text) // 10
    assert configs.blob_text(stored) == text
    assert stored.created_at.tzinfo is not None


def test_unicode_text_round_trips(face):
    text = "hostname zürich-€-交换机\nbanner motd ^🚀 Ärger^\n"
    sha = face(configs.put_blob, text).sha256
    stored = face(configs.get_blob, sha)
    assert configs.blob_text(stored) == text
    assert stored.size == len(text.encode("utf-8")) > len(text)
    with pytest.raises(NotFoundError) as err:
        face(configs.get_blob, "0" * 64)
    assert err.value.field == "sha256"


def test_snapshots_newest_first_with_paging(face):
    r1, r2 = _device(face), _device(face, "r2")
    a = _snap(face, r1, "v1\n", hours=1, lines_added=3)
    c = _snap(face, r1, "v3\n", hours=3, lines_added=1, lines_removed=2)
    b = _snap(face, r1, "v2\n", hours=2)
    other = _snap(face, r2, "v1\n", hours=9)
    ids = lambda rows: [s.id for s in rows]  # noqa: E731
    assert ids(face(configs.list_snapshots, r1.id)) == [c.id, b.id, a.id]
    assert ids(face(configs.list_snapshots, r1.id, descending=False)) == [a.id, b.id, c.id]
    assert ids(face(configs.list_snapshots, r1.id, limit=1, offset=1)) == [b.id]
    assert ids(face(configs.list_snapshots, r2.id)) == [other.id]
    assert face(configs.latest_snapshot, r1.id).id == c.id
    assert face(configs.latest_snapshot, uuid.uuid4()) is None
    got = face(configs.get_snapshot, c.id)
    assert (got.device_id, got.captured_at, got.lines_added, got.lines_removed) == (
        r1.id,
        T0 + timedelta(hours=3),
        1,
        2,
    )
    assert got.job_run_id is None
    assert configs.blob_text(face(configs.get_blob, got.blob_sha256)) == "v3\n"
    assert a.blob_sha256 == other.blob_sha256
    with pytest.raises(InputError):
        face(configs.list_snapshots, r1.id, limit=-1)


def test_delete_snapshot_keeps_the_blob_until_cleanup(face):
    r1 = _device(face)
    shared1 = _snap(face, r1, "same\n", hours=1)
    shared2 = _snap(face, r1, "same\n", hours=2)
    lone = _snap(face, r1, "lone\n", hours=3)
    face(configs.delete_snapshot, lone.id)
    with pytest.raises(NotFoundError):
        face(configs.get_snapshot, lone.id)
    assert configs.blob_text(face(configs.get_blob, lone.blob_sha256)) == "lone\n"
    assert face(configs.delete_unreferenced_blobs) == 1
    with pytest.raises(NotFoundError):
        face(configs.get_blob, lone.blob_sha256)
    face(configs.delete_snapshot, shared1.id)
    assert face(configs.delete_unreferenced_blobs) == 0  # shared2 still points at it
    assert face(configs.get_blob, shared1.blob_sha256).sha256 == shared1.blob_sha256
    face(configs.delete_snapshot, shared2.id)
    assert face(configs.delete_unreferenced_blobs) == 1
    assert _count(face, ConfigBlob) == 0
    with pytest.raises(NotFoundError):
        face(configs.delete_snapshot, shared2.id)


def _delete_blob(session, sha256):
    session.delete(session.get(ConfigBlob, sha256))
    session.flush()


def test_a_referenced_blob_cannot_be_deleted_directly(face):
    snap = _snap(face, _device(face), "hostname r1\n")
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        face(_delete_blob, snap.blob_sha256)
    assert _count(face, ConfigBlob) == 1
    assert _count(face, ConfigSnapshot) == 1
    stored = face(configs.get_blob, face(configs.get_snapshot, snap.id).blob_sha256)
    assert configs.blob_text(stored) == "hostname r1\n"

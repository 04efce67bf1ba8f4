"""The run's single result writer over a real database: one failure never stops it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from netraven_desktop.core.crud import configs
from netraven_desktop.core.crud import devices as device_rows
from netraven_desktop.core.crud import host_keys as host_key_rows
from netraven_desktop.core.crud import jobs as job_rows
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import Tag
from netraven_desktop.core.drivers.ssh import HostKey
from netraven_desktop.core.services import audit, backups, host_keys
from netraven_desktop.core.services.result_writer import ResultWriter


@pytest.mark.asyncio
async def test_a_failure_whose_submitter_was_cancelled_leaves_the_writer_working(db):
    """A device cancelled while its work was being committed (a host key being pinned
    when the user pressed Cancel), whose commit then fails: the writer goes on, or every
    later result of the run would wait for it for ever."""
    writer = ResultWriter(db)
    writer.start()
    release = threading.Event()

    def failing(session):
        release.wait()
        raise ValueError("the row was refused")

    submitter = asyncio.create_task(writer.submit(failing))
    await asyncio.sleep(0)  # one loop step: the work is queued, its submitter waits
    submitter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await submitter
    release.set()

    def add_tag(session):
        session.add(Tag(name="after-the-failure"))
        return "stored"

    async with asyncio.timeout(60):  # a hang guard: a dead writer never answers
        assert await writer.submit(add_tag) == "stored"
    await writer.close()
    with db.read_session() as s:
        assert s.scalars(select(Tag.name)).all() == ["after-the-failure"]
    await db.aclose()


def _pin(device_id, n):
    key = HostKey("ssh-ed25519", f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA{n}", f"SHA256:key{n}")
    return functools.partial(host_keys.pin_first_key, device_id=device_id, offered=key)


def _capture(run_id, device):
    return functools.partial(
        backups.store_capture,
        run_id=run_id,
        device_id=device.id,
        device_name=device.name,
        config=f"hostname {device.name}\n!\n",
        masked=True,
        facts={"os_version": "15.2"},
        credential_id=None,
        started_at=utcnow(),
        connect_ms=3,
    )


@pytest.mark.asyncio
async def test_a_batch_commits_whole_its_audit_events_chain_and_a_bad_item_fails_alone(db):
    """Pins and results committed together in one batch (rows written at its end, one
    audit head move): every device's key, result, snapshot, backup state and audit event
    are stored and the chain verifies; one item whose write the database refuses at the
    batch's end fails alone, leaving none of its rows (its key and audit event neither)."""
    with db.session() as s:
        devices = [
            device_rows.create_device(s, name=f"r{n}", host="127.0.0.1", platform="cisco_ios")
            for n in range(4)
        ]
        run_id = job_rows.create_run(s).id
    good, bad = devices[:3], devices[3]

    def refused(session):  # a pin, then a result for a run that does not exist
        _pin(bad.id, 3)(session)
        return _capture(uuid.uuid4(), bad)(session)

    writer = ResultWriter(db)
    writer.start()
    pins = [writer.submit(_pin(d.id, n), urgent=True) for n, d in enumerate(good)]
    captures = [writer.submit(_capture(run_id, d)) for d in good] + [writer.submit(refused)]
    outcomes = await asyncio.gather(*pins, *captures, return_exceptions=True)
    await writer.close()

    assert outcomes[:3] == [f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA{n}" for n in range(3)]
    assert isinstance(outcomes[-1], IntegrityError)
    results = [result for result, _ in outcomes[3:6]]
    assert [r.status for r in results] == ["changed"] * 3
    with db.read_session() as s:
        stored = {r.device_id: r for r in job_rows.list_results(s, run_id)}
        assert set(stored) == {d.id for d in good}
        for result, (_, snapshot) in zip(results, outcomes[3:6], strict=True):
            assert stored[result.device_id].id == result.id
            assert stored[result.device_id].snapshot_id == snapshot.id
            assert configs.latest_snapshot(s, result.device_id).id == snapshot.id
        keys = host_key_rows.trusted_keys(s, [d.id for d in devices])
        assert set(keys) == {d.id for d in good}
        states = {d.id: (d.last_backup_status, d.os_version) for d in device_rows.list_devices(s)}
        assert states[bad.id] == ("never", None)
        assert {states[d.id] for d in good} == {("changed", "15.2")}
        pinned = audit.list_events(s, action="host_key.pin")
        assert sorted(e.entity_id for e in pinned) == sorted(str(d.id) for d in good)
        assert audit.verify_chain(s) == audit.ChainCheck(True, 3)
    await db.aclose()

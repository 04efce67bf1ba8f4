"""A backup whose only difference is a changed secret: the engine against the simulator
over loopback, the real OS keyring (which holds the fingerprint key) and both backends."""

from __future__ import annotations

import pytest
import pytest_asyncio

from netraven_desktop.core.crud import devices
from netraven_desktop.core.db import Database
from netraven_desktop.core.diffing import SECRET_CHANGED
from netraven_desktop.core.secret_fingerprints import keyring_reference, load_key
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import backups, credentials, runs
from netraven_desktop.core.services.engine import BackupEngine, EngineOptions
from netraven_desktop.sim import SimDevice, Simulator
from tests.secret_corpus import sqlite_bytes

FAST = EngineOptions(concurrency=4, connect_timeout=5, device_timeout=20, retries=0)
TRAP = "snmp-server host 10.1.2.3 version 2c {}"


@pytest_asyncio.fixture
async def lab(db, secret_store):
    """One simulated IOS router in the inventory, a credential for it."""
    sim = Simulator()
    await sim.start([SimDevice(name="r1", platform="cisco_ios")])
    credential = credentials.add_credential(
        db, secret_store, name="lab", username="admin", secrets=Secrets("admin", "enable")
    )
    with db.session() as s:
        devices.create_device(
            s, name="r1", host="127.0.0.1", port=sim.device("r1").port, platform="cisco_ios"
        )
    yield sim
    await sim.stop()
    await db.aclose()
    secret_store.delete(credential.keyring_ref)
    if keyring_reference(db):
        secret_store.delete(keyring_reference(db))


async def _run(db, store):
    engine = BackupEngine(db, store, FAST)
    return await engine.run(runs.Selection(all=True))


@pytest.mark.asyncio
async def test_a_changed_secret_is_a_change_the_diff_marks_without_the_value(lab, db, secret_store):
    lab.set_extra_config("r1", TRAP.format("Trap-Comm-First"))
    assert (await _run(db, secret_store)).changed == 1
    assert (await _run(db, secret_store)).unchanged == 1  # same secret: no change

    lab.set_extra_config("r1", TRAP.format("Trap-Comm-Second"))
    third = await _run(db, secret_store)
    with db.read_session() as s:
        history = backups.history(s, "r1")
    if db.url.is_sqlite:
        assert third.changed == 1
        newer, older = history[:2]
        assert newer.blob_sha256 == older.blob_sha256  # the stored text is the same
        assert (newer.lines_added, newer.lines_removed) == (1, 1)
        with db.read_session() as s:
            comparison = backups.compare(s, "r1")
        line = TRAP.format("<removed>")
        assert f"-{line}\n" in comparison.unified
        assert f"+{line}{SECRET_CHANGED}\n" in comparison.unified
        assert len(comparison.secret_changes) == 1
        shown = comparison.unified + repr(newer.secret_fingerprints)
        assert "Trap-Comm" not in shown
        key = secret_store.get(keyring_reference(db)).password  # in the keyring only
        assert key
        stored = await sqlite_bytes(db)
        assert key.encode() not in stored
        assert bytes.fromhex(key) not in stored
    else:
        # A team database has no shared fingerprint key yet (docs/platforms.md).
        assert third.unchanged == 1
        assert history[0].secret_fingerprints is None


def test_a_key_is_made_once_and_a_spoilt_entry_turns_fingerprints_off(
    tmp_path, secret_store, caplog
):
    db = Database(str(tmp_path / "own.db"))
    reference = keyring_reference(db)
    try:
        first = load_key(secret_store, db)
        assert first is not None
        assert load_key(secret_store, db) == first  # read back, not made again
        secret_store.put(reference, Secrets(password="spoilt-entry"))
        assert load_key(secret_store, db) is None
        assert f"the keyring entry {reference} is not a key" in caplog.text
    finally:
        secret_store.delete(reference)

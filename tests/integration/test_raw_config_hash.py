"""An unchanged capture is not cleaned again: the engine against the simulator over
loopback, the real OS keyring (which holds the key of the raw hashes) and both backends.

A team database (PostgreSQL) has no key yet, so it keeps no raw hash and cleans every
capture, as before; the tests check that too.
"""

from __future__ import annotations

import hashlib
import logging
import secrets

import pytest
import pytest_asyncio

from netraven_desktop.core.crud import configs, devices, jobs
from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.drivers.filters import prepare
from netraven_desktop.core.platforms import profile_for, user_platforms_dir
from netraven_desktop.core.secret_fingerprints import MaskKey, keyring_reference, load_key, raw_hash
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import backups, credentials, engine, redaction, runs
from netraven_desktop.core.services.engine import BackupEngine, EngineOptions
from netraven_desktop.sim import SimDevice, Simulator

# Nothing here tests a timeout: generous ones, so a machine with every core busy passes.
FAST = EngineOptions(concurrency=4, connect_timeout=60, device_timeout=120, retries=0)
TRAP = "snmp-server host 10.1.2.3 version 2c Trap-Comm-First"  # a secret IOS rules mask
TOKEN = "lab-token Lab-Secret-7"  # a secret only the user's rule below knows
USER_RULE = """extends = 'cisco_ios'
[[add_secrets]]
triggers = ['lab-token']
pattern = '^lab-token (\\S+)'
"""


@pytest_asyncio.fixture
async def lab(db, secret_store, tmp_path, monkeypatch):
    """One simulated IOS router in the inventory, a credential for it, an empty user
    platforms folder; `lab.cleanings` counts the engine's masking passes (the real
    function, counted: the one way to see a pass that does not happen)."""
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path / "home"))
    (tmp_path / "home" / "platforms").mkdir(parents=True)
    sim = Simulator()
    await sim.start([SimDevice(name="r1", platform="cisco_ios")])
    sim.set_extra_config("r1", f"{TRAP}\n{TOKEN}")
    credential = credentials.add_credential(
        db, secret_store, name="lab", username="admin", secrets=Secrets("admin", "enable")
    )
    with db.session() as s:
        devices.create_device(
            s, name="r1", host="127.0.0.1", port=sim.device("r1").port, platform="cisco_ios"
        )
    real = engine.clean_prepared
    sim.cleanings = 0

    def counted(*args, **kwargs):
        sim.cleanings += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "clean_prepared", counted)
    yield sim
    await sim.stop()
    await db.aclose()
    secret_store.delete(credential.keyring_ref)
    if keyring_reference(db):
        secret_store.delete(keyring_reference(db))


async def _run(db, store, expect: str):
    """One backup of everything; `expect` is the one status r1 must end with."""
    summary = await BackupEngine(db, store, FAST).run(runs.Selection(all=True))
    with db.read_session() as s:
        outcomes = [
            (r.status, r.error_class, r.message) for r in runs.run_results(s, summary.run_id)
        ]
    assert (summary.changed, summary.unchanged) == ((1, 0) if expect == "changed" else (0, 1)), (
        outcomes
    )
    return summary


def _latest(db):
    with db.read_session() as s:
        return backups.snapshot_text(s, "r1")


def _set_masking(db, on: bool) -> None:
    with db.session() as s:
        device = devices.get_device_by_name(s, "r1")
        devices.update_device(s, device.id, None, mask_secrets=on)


@pytest.mark.asyncio
async def test_an_unchanged_capture_is_recorded_without_masking_it(lab, db, secret_store):
    await _run(db, secret_store, "changed")
    first, _ = _latest(db)
    lab.cleanings = 0
    second = await _run(db, secret_store, "unchanged")
    with db.read_session() as s:
        results = jobs.list_results(s, second.run_id)
        device = devices.get_device_by_name(s, "r1")
    assert [(r.status, r.snapshot_id) for r in results] == [("unchanged", None)]
    assert device.last_backup_status == "unchanged"
    assert _latest(db)[0].id == first.id
    if db.url.is_sqlite:
        assert first.raw_config_hash is not None
        assert lab.cleanings == 0
    else:  # no key on a team database: no raw hash, every capture cleaned as before
        assert first.raw_config_hash is None
        assert lab.cleanings == 1


@pytest.mark.asyncio
async def test_a_changed_secret_rule_masks_the_next_capture_again(lab, db, secret_store):
    await _run(db, secret_store, "changed")
    assert TOKEN in _latest(db)[1]  # no rule knows it yet
    rules = profile_for("cisco_ios").secrets
    (user_platforms_dir() / "cisco_ios.toml").write_text(USER_RULE)
    assert profile_for("cisco_ios").secrets != rules  # the registry read the file
    await _run(db, secret_store, "changed")
    text = _latest(db)[1]
    assert TOKEN not in text
    assert "lab-token <removed>" in text


@pytest.mark.asyncio
async def test_switching_masking_off_and_on_cleans_again(lab, db, secret_store):
    await _run(db, secret_store, "changed")
    assert "Trap-Comm-First" not in _latest(db)[1]
    _set_masking(db, False)
    await _run(db, secret_store, "changed")
    snapshot, text = _latest(db)
    assert "Trap-Comm-First" in text
    assert snapshot.masked is False
    _set_masking(db, True)
    await _run(db, secret_store, "changed")
    snapshot, text = _latest(db)
    assert "Trap-Comm-First" not in text
    assert snapshot.masked is True


@pytest.mark.asyncio
async def test_a_changed_configuration_is_stored(lab, db, secret_store):
    await _run(db, secret_store, "changed")
    before, _ = _latest(db)
    lab.set_extra_config("r1", f"{TRAP}\n{TOKEN}\nhostname r1-renamed")
    await _run(db, secret_store, "changed")
    after, text = _latest(db)
    assert "hostname r1-renamed" in text
    assert after.id != before.id
    if db.url.is_sqlite:
        assert after.raw_config_hash not in (None, before.raw_config_hash)


@pytest.mark.asyncio
async def test_a_redacted_history_is_not_trusted_by_its_old_raw_hash(lab, db, secret_store):
    """Redact masks a snapshot stored in clear; the device's masking is still off, so its
    next backup stores the clear text again, as it did before raw hashes existed."""
    _set_masking(db, False)
    await _run(db, secret_store, "changed")
    redaction.redact(db)
    redacted, text = _latest(db)
    assert "Trap-Comm-First" not in text
    assert redacted.raw_config_hash is None
    await _run(db, secret_store, "changed")
    assert "Trap-Comm-First" in _latest(db)[1]


@pytest.mark.asyncio
async def test_the_raw_hash_is_keyed_and_nothing_of_it_is_logged(lab, db, secret_store, caplog):
    """Masking off, the stored text is the capture (cleaned): whoever reads the database
    has the exact hashed text, yet cannot confirm it without the keyring's key."""
    _set_masking(db, False)
    caplog.set_level(logging.DEBUG)
    await _run(db, secret_store, "changed")
    await _run(db, secret_store, "unchanged")
    snapshot, text = _latest(db)
    hashed = text.rstrip("\n")
    assert prepare(text, profile_for("cisco_ios")) == hashed
    if not db.url.is_sqlite:
        assert snapshot.raw_config_hash is None
        return
    digest = snapshot.raw_config_hash
    guesses = [hashlib.sha256(t.encode()).hexdigest() for t in (text, hashed)]
    assert digest not in guesses
    profile = profile_for("cisco_ios")
    assert digest != raw_hash(MaskKey(secrets.token_bytes(32)), hashed, profile, False)
    assert digest == raw_hash(load_key(secret_store, db), hashed, profile, False)
    assert digest not in caplog.text
    assert "Trap-Comm-First" not in caplog.text


def test_a_snapshot_changed_since_the_plan_is_compared_after_cleaning(db):
    """The engine skips cleaning on the hash it read when the run started; in the result's
    transaction the latest snapshot has another one (a concurrent run stored it), so the
    capture is cleaned after all and stored."""
    with db.session() as s:
        device = devices.create_device(s, name="r9", host="10.0.0.9", platform="cisco_ios")
        run = jobs.create_run(s, trigger="cli")
        configs.create_snapshot(
            s,
            device_id=device.id,
            blob_sha256=configs.put_blob(s, "hostname old\n").sha256,
            raw_config_hash="b" * 64,
        )
    calls = []

    def cleaned():
        calls.append(1)
        return "hostname new\n", None

    stored = []
    for _ in range(2):
        with db.session() as s:
            result, snapshot = backups.store_capture(
                s,
                run_id=run.id,
                device_id=device.id,
                device_name="r9",
                config=cleaned,
                masked=True,
                facts={},
                credential_id=None,
                started_at=utcnow(),
                connect_ms=1,
                raw_hash="a" * 64,
            )
            stored.append((result.status, snapshot and snapshot.raw_config_hash))
    # Cleaned once: the second capture's hash is the snapshot the first one stored.
    assert calls == [1]
    assert stored == [("changed", "a" * 64), ("unchanged", None)]
    with db.read_session() as s:
        assert backups.snapshot_text(s, "r9")[1] == "hostname new\n"

"""Backups against hostile SSH servers (tests/hostile_ssh.py): trust on first use,
algorithms, and sessions that flood, stall or reject set-up commands."""

from __future__ import annotations

import asyncio
import tracemalloc

import asyncssh
import pytest
import pytest_asyncio

from netraven_desktop.core.crud import audit as audit_rows
from netraven_desktop.core.crud import devices, host_keys, jobs
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import backups, credentials, runs, settings
from netraven_desktop.core.services.engine import BackupEngine, EngineOptions
from netraven_desktop.core.services.events import DeviceFinished, RunEvent
from tests.hostile_ssh import USERNAME, Behaviour, serve, silent_port

OPTIONS = EngineOptions(
    concurrency=5, connect_timeout=5, device_timeout=30, retries=0, backoff=0.01
)
PASSWORDS = ("first-try", "second-try", "right-password")


class Lab:
    """A database, the keyring, one device and the credentials configured for it."""

    def __init__(self, db, store):
        self.db, self.store = db, store
        self.refs: list[str] = []
        self.events: list[RunEvent] = []

    def add_credentials(self, *passwords: str) -> None:
        """Untagged defaults, tried in the given order (by priority)."""
        for number, password in enumerate(passwords):
            credential = credentials.add_credential(
                self.db,
                self.store,
                name=f"cred-{number}",
                username=USERNAME,
                secrets=Secrets(password=password),
                priority=number + 1,
            )
            self.refs.append(credential.keyring_ref)

    def add_device(self, port: int, **fields) -> None:
        with self.db.session() as s:
            devices.create_device(
                s, name="edge-sw1", host="127.0.0.1", port=port, platform="cisco_ios", **fields
            )

    async def run(self, options: EngineOptions = OPTIONS) -> jobs.JobRunResult:
        engine = BackupEngine(self.db, self.store, options, self.events.append)
        summary = await engine.run(runs.Selection(all=True))
        with self.db.read_session() as s:
            (result,) = jobs.list_results(s, summary.run_id)
        return result

    def pinned(self) -> list[str]:
        with self.db.read_session() as s:
            device = devices.get_device_by_name(s, "edge-sw1")
            return [key.fingerprint for key in host_keys.list_host_keys(s, device.id)]

    def pin(self, key: asyncssh.SSHKey) -> None:
        with self.db.session() as s:
            device = devices.get_device_by_name(s, "edge-sw1")
            host_keys.save_host_key(
                s,
                device_id=device.id,
                key_type=key.algorithm.decode(),
                public_key=key.export_public_key("openssh").decode().strip(),
                fingerprint=key.get_fingerprint("sha256"),
            )

    def finished(self) -> DeviceFinished:
        (event,) = [e for e in self.events if isinstance(e, DeviceFinished)]
        return event


@pytest_asyncio.fixture
async def lab(db, secret_store):
    environment = Lab(db, secret_store)
    yield environment
    await db.aclose()
    for ref in environment.refs:
        secret_store.delete(ref)


@pytest.mark.asyncio
async def test_first_contact_pins_the_key_and_offers_one_credential(lab):
    lab.add_credentials(*PASSWORDS)
    async with serve() as server:
        lab.add_device(server.port)
        first = await lab.run()
        assert first.error_class == "auth_failed"
        assert server.offered == ["first-try"]  # not every credential to a stranger
        assert lab.pinned() == [server.fingerprint]  # pinned although the login failed
        with lab.db.read_session() as s:
            pins = [e for e in audit_rows.list_events(s) if e.action == "host_key.pin"]
        assert [e.after["fingerprint"] for e in pins] == [server.fingerprint]

        second = await lab.run()  # the same key again: fall back through the credentials
        assert second.status == "changed"
        assert server.offered == ["first-try", "first-try", "second-try", "right-password"]


@pytest.mark.asyncio
async def test_a_changed_key_is_refused_before_any_password(lab):
    lab.add_credentials(*PASSWORDS)
    async with serve() as server:
        lab.add_device(server.port)
        lab.pin(asyncssh.generate_private_key("ssh-ed25519"))  # the key it had before
        result = await lab.run()
    assert result.error_class == "host_key_changed"
    assert server.offered == []
    assert lab.pinned() != [server.fingerprint]


@pytest.mark.asyncio
async def test_a_login_that_never_prompts_is_a_timeout_with_the_key_pinned(lab):
    lab.add_credentials("right-password")
    async with serve(Behaviour(silent=True)) as server:
        lab.add_device(server.port, connect_timeout=1)
        result = await lab.run()
    assert result.error_class == "timeout"
    assert "sent nothing" in result.message
    assert lab.pinned() == [server.fingerprint]


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")  # legacy kex, asked for
@pytest.mark.parametrize(
    "weak",
    [
        {"kex_algs": ["diffie-hellman-group14-sha1"]},
        {"mac_algs": ["hmac-sha1"], "encryption_algs": ["aes128-ctr"]},  # no AEAD cipher
        {"encryption_algs": ["aes128-cbc"]},
        {"host_key_algs": ("ssh-rsa",)},
    ],
    ids=["sha1-kex", "sha1-mac", "cbc-cipher", "ssh-rsa-sha1-host-key"],
)
async def test_weak_algorithms_only_with_legacy_ssh(lab, weak):
    lab.add_credentials("right-password")
    async with serve(host_key=asyncssh.generate_private_key("ssh-rsa"), **weak) as server:
        lab.add_device(server.port)
        refused = await lab.run()
        assert refused.error_class == "ssh_negotiation"
        assert server.offered == []
        with lab.db.session() as s:
            devices.get_device_by_name(s, "edge-sw1").ssh_legacy_algorithms = True
        assert (await lab.run()).status == "changed"
        assert (await lab.run()).status == "unchanged"  # the pinned key, again


@pytest.mark.asyncio
async def test_a_rejected_terminal_width_is_a_warning_not_a_failure(lab):
    lab.add_credentials("right-password")
    async with serve(Behaviour(reject_width=True)) as server:
        lab.add_device(server.port)
        result = await lab.run()
    assert result.status == "changed"
    assert "terminal width 511" in result.message
    assert "% Invalid input detected" in result.message
    (warning,) = lab.finished().warnings
    assert warning == result.message
    with lab.db.read_session() as s:
        stored = backups.snapshot_text(s, "edge-sw1")[1]
    assert "interface GigabitEthernet1/0/1" in stored
    assert "Invalid input" not in stored


@pytest.mark.asyncio
async def test_the_cli_shows_the_warning_of_a_rejected_set_up_command(lab, cli):
    lab.add_credentials("right-password")
    async with serve(Behaviour(reject_width=True)) as server:
        lab.add_device(server.port)
        done = await asyncio.to_thread(cli, "backup", "run", "edge-sw1")
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()[:1]
    assert line.split()[:2] == ["edge-sw1", "changed"]
    assert "warning: set-up command 'terminal width 511': ^ % Invalid input detected" in line


@pytest.mark.asyncio
@pytest.mark.parametrize("newlines", [True, False], ids=["lines", "one-endless-line"])
async def test_endless_output_fails_as_output_too_large_with_bounded_memory(
    make_db, secret_store, newlines
):
    lab = Lab(make_db("sqlite"), secret_store)
    try:
        lab.add_credentials("right-password")
        with lab.db.session() as s:
            settings.set_setting(s, "backup.max_output_mb", "1")
            limited = EngineOptions.from_settings(s, retries=0, device_timeout=60)
        async with serve(Behaviour(flood=True, flood_newlines=newlines)) as server:
            lab.add_device(server.port)
            tracemalloc.start()
            try:
                result = await lab.run(limited)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        assert result.error_class == "output_too_large"
        assert "more than 1 MB" in result.message
        assert server.flood_sent < 8 * 2**20  # the client hung up, it did not read on
        assert peak < 16 * 2**20
    finally:
        await lab.db.aclose()
        for ref in lab.refs:
            secret_store.delete(ref)


@pytest.mark.asyncio
@pytest.mark.parametrize("known", [False, True], ids=["first-contact", "key-pinned"])
async def test_a_port_that_never_speaks_ssh_is_a_timeout(lab, known):
    lab.add_credentials("right-password")
    old_key = asyncssh.generate_private_key("ssh-ed25519")
    async with silent_port() as port:
        lab.add_device(port, connect_timeout=1)
        if known:
            lab.pin(old_key)
        result = await lab.run()
    assert result.error_class == "timeout"
    assert lab.pinned() == ([old_key.get_fingerprint("sha256")] if known else [])


# --- the admin's "Test against a device" follows the same rules ---------------------------


@pytest.mark.asyncio
async def test_a_login_check_pins_the_first_key_then_logs_in(lab):
    lab.add_credentials("right-password")
    async with serve() as server:
        lab.add_device(server.port)
        check = await credentials.check_login(lab.db, lab.store, "cred-0", "edge-sw1")
        assert check.ok, check.message
        assert check.message.endswith(f"(host key {server.fingerprint}, pinned now)")
        assert lab.pinned() == [server.fingerprint]
        with lab.db.read_session() as s:
            pins = [e for e in audit_rows.list_events(s) if e.action == "host_key.pin"]
        assert [e.after["fingerprint"] for e in pins] == [server.fingerprint]
        again = await credentials.check_login(lab.db, lab.store, "cred-0", "edge-sw1")
        assert again.message.endswith(f"(host key {server.fingerprint})")
    assert server.offered == ["right-password", "right-password"]


@pytest.mark.asyncio
async def test_a_login_check_offers_no_password_to_a_changed_key(lab):
    lab.add_credentials("right-password")
    async with serve() as server:
        lab.add_device(server.port)
        lab.pin(asyncssh.generate_private_key("ssh-ed25519"))  # the key it had before
        check = await credentials.check_login(lab.db, lab.store, "cred-0", "edge-sw1")
    assert (check.ok, check.error_class) == (False, "host_key_changed")
    assert "right-password" not in check.message
    assert server.offered == []
    assert lab.pinned() != [server.fingerprint]


@pytest.mark.asyncio
async def test_a_login_check_honours_the_output_cap(lab):
    """`show running-config` floods: the check stops at backup.max_output_mb."""
    lab.add_credentials("right-password")
    with lab.db.session() as s:
        settings.set_setting(s, "backup.max_output_mb", "1")
    async with serve(Behaviour(flood=True)) as server:
        lab.add_device(server.port)
        check = await credentials.check_login(lab.db, lab.store, "cred-0", "edge-sw1")
    assert (check.ok, check.error_class) == (False, "output_too_large")
    assert "more than 1 MB" in check.message
    assert server.flood_sent < 8 * 2**20

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
from netraven_desktop.core.drivers.ssh import HostKey, Login, Target, capture
from netraven_desktop.core.platforms import profile_for
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


def watch(lab: Lab, server) -> list[tuple[str, list[str]]]:
    """What the server saw, each with the fingerprints pinned in the database just then."""
    seen: list[tuple[str, list[str]]] = []
    server.on_event = lambda what: seen.append((what, lab.pinned()))
    return seen


@pytest.mark.asyncio
async def test_first_contact_pins_inside_the_one_connection_before_the_password(lab):
    lab.add_credentials("right-password")
    async with serve() as server:
        lab.add_device(server.port)
        seen = watch(lab, server)
        result = await lab.run()
    assert result.status == "changed"
    assert server.connections == 1  # no second handshake just to read the key
    pinned = [server.fingerprint]
    assert seen == [("connection", []), ("password", pinned), ("shell", pinned)]
    with lab.db.read_session() as s:
        pins = [e for e in audit_rows.list_events(s) if e.action == "host_key.pin"]
    assert [e.after["fingerprint"] for e in pins] == pinned


@pytest.mark.asyncio
async def test_first_contact_with_a_key_file_pins_before_the_key_is_offered(lab, tmp_path):
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    path = tmp_path / "id_ed25519"
    client_key.write_private_key(str(path), passphrase="keypass")
    credential = credentials.add_credential(
        lab.db,
        lab.store,
        name="key",
        username=USERNAME,
        secrets=Secrets(passphrase="keypass"),
        ssh_key_path=str(path),
    )
    lab.refs.append(credential.keyring_ref)
    async with serve(Behaviour(client_key=client_key)) as server:
        lab.add_device(server.port)
        seen = watch(lab, server)
        result = await lab.run()
    assert result.status == "changed"
    assert server.connections == 1
    assert server.offered == []
    assert seen[0] == ("connection", [])
    assert {what for what, _ in seen[1:]} == {"public key", "shell"}
    assert all(pinned == [server.fingerprint] for _, pinned in seen[1:])


@pytest.mark.asyncio
async def test_a_device_that_asks_for_no_credential_is_pinned_before_any_command(lab):
    lab.add_credentials("right-password")
    async with serve(Behaviour(no_auth=True)) as server:
        lab.add_device(server.port)
        seen = watch(lab, server)
        result = await lab.run()
    assert result.status == "changed"
    assert server.offered == []
    assert seen == [("connection", []), ("shell", [server.fingerprint])]
    with lab.db.read_session() as s:
        pins = [e for e in audit_rows.list_events(s) if e.action == "host_key.pin"]
    assert [e.after["fingerprint"] for e in pins] == [server.fingerprint]


@pytest.mark.asyncio
@pytest.mark.parametrize("no_auth", [False, True], ids=["password", "no-credential"])
async def test_a_key_pinned_meanwhile_by_another_run_gets_nothing(lab, no_auth):
    """Another run pins a different key while this one connects: this run's pin is
    refused, so no password goes out and no command is sent."""
    lab.add_credentials("right-password")
    earlier = asyncssh.generate_private_key("ssh-ed25519")
    async with serve(Behaviour(no_auth=no_auth)) as server:
        lab.add_device(server.port)
        server.on_event = lambda what: what == "connection" and lab.pin(earlier)
        result = await lab.run()
        assert result.error_class == "host_key_changed"
        assert server.offered == []
        assert server.connections == 1
    assert lab.pinned() == [earlier.get_fingerprint("sha256")]


@pytest.mark.asyncio
async def test_a_failed_pin_offers_no_password(lab):
    """The driver with a pin that fails (the database refused it, say): the error is the
    pin's, and the device gets no password and no command."""
    async with serve() as server:
        seen: list[str] = []
        server.on_event = seen.append

        async def database_down(offered: HostKey) -> str:
            raise OSError("the database went away")

        target = Target("127.0.0.1", server.port, profile_for("cisco_ios"), connect_timeout=5)
        with pytest.raises(OSError, match="the database went away"):
            await capture(target, Login(USERNAME, "right-password"), pin_first_key=database_down)
    assert server.offered == []
    assert seen == ["connection"]


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
        assert server.connections == 1  # the key is pinned inside the login's own connection
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

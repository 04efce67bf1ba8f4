"""The `linux` profile against a real OpenSSH sshd on a loopback port: a server we did
not write, with its own algorithms, banner and shell."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import asyncssh
import pytest

from netraven_desktop.core.crud import devices, host_keys, jobs
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import backups, credentials, runs
from netraven_desktop.core.services.engine import BackupEngine, EngineOptions
from tests.conftest import IN_CI

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sshd(tmp_path: Path):
    """sshd in the foreground, key logins for the current user only; stopped at the end.

    Yields (port, host key, client key path).
    """
    if not os.path.exists(SSHD):
        if IN_CI:
            pytest.fail("sshd is required under CI (scripts/system-packages: openssh-server)")
        pytest.skip("no sshd (Debian package openssh-server)")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # its privilege separation dir
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    host_key.write_private_key(str(tmp_path / "host_key"))
    (tmp_path / "host_key").chmod(0o600)
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key.write_private_key(str(tmp_path / "id_ed25519"), passphrase="keypass")
    (tmp_path / "authorized_keys").write_text(client_key.export_public_key().decode())
    port = _free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {tmp_path / 'host_key'}\n"
        f"PidFile {tmp_path / 'sshd.pid'}\nAuthorizedKeysFile {tmp_path / 'authorized_keys'}\n"
        "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
        f"AllowUsers {getpass.getuser()}\n"
    )
    proc = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, text=True
    )
    listening = threading.Event()
    said: list[str] = []

    def watch() -> None:
        for line in proc.stderr:
            said.append(line)
            if "Server listening on 127.0.0.1" in line:
                listening.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        assert listening.wait(30), f"sshd did not start: {''.join(said)}"
        yield port, host_key, tmp_path / "id_ed25519"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        watcher.join(timeout=30)
        proc.stderr.close()


@pytest.mark.asyncio
async def test_linux_profile_backs_up_through_openssh(make_db, secret_store, sshd):
    port, host_key, key_path = sshd
    db = make_db("sqlite")
    credential = credentials.add_credential(
        db,
        secret_store,
        name="key",
        username=getpass.getuser(),
        secrets=Secrets(passphrase="keypass"),
        ssh_key_path=str(key_path),
    )
    try:
        with db.session() as s:
            devices.create_device(s, name="jump-1", host="127.0.0.1", port=port, platform="linux")
        engine = BackupEngine(
            db, secret_store, EngineOptions(connect_timeout=10, device_timeout=60, retries=0)
        )
        summary = await engine.run(runs.Selection(all=True))
        with db.read_session() as s:
            (result,) = jobs.list_results(s, summary.run_id)
            device = devices.get_device_by_name(s, "jump-1")
            pinned = [k.fingerprint for k in host_keys.list_host_keys(s, device.id)]
            stored = backups.snapshot_text(s, "jump-1")[1]
        assert (result.status, result.error_class, result.message) == ("changed", None, None)
        assert pinned == [host_key.get_fingerprint("sha256")]
        assert "### cat /etc/hosts" in stored
        assert "localhost" in stored  # /etc/hosts
        assert "inet 127.0.0.1/8" in stored  # ip -o addr show
        assert device.os_version == os.uname().release
    finally:
        secret_store.delete(credential.keyring_ref)
        await db.aclose()

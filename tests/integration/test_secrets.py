"""The secret store against the real Secret Service, and its refusal to fall back."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
from keyring.backends import fail, null

from netraven_desktop.core.crud import credentials
from netraven_desktop.core.db import Database
from netraven_desktop.core.secrets import Secrets, SecretStore, SecretStoreError, new_reference
from tests.conftest import IN_CI


def test_put_get_delete_round_trip(secret_store):
    ref = new_reference()
    secret_store.put(ref, Secrets(password="pa55 wörd", enable="en4ble"))
    assert secret_store.get(ref) == Secrets(password="pa55 wörd", enable="en4ble")
    secret_store.put(ref, Secrets(password="new"))  # kinds not given are removed
    assert secret_store.get(ref) == Secrets(password="new")
    secret_store.delete(ref)
    assert secret_store.get(ref) == Secrets()
    secret_store.delete(ref)  # deleting what is gone is fine


def test_the_backend_is_the_secret_service_under_ci(secret_store):
    assert "SecretService" in secret_store.describe()


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_no_silent_fallback_without_a_real_keyring(backend):
    store = SecretStore(backend)
    with pytest.raises(SecretStoreError, match="no OS keyring is available"):
        store.put(new_reference(), Secrets(password="x"))
    with pytest.raises(SecretStoreError, match="Secret Service"):
        store.get(new_reference())


def test_secrets_never_show_in_repr():
    text = repr(Secrets(password="hunter2", enable="s3cret"))
    assert "hunter2" not in text
    assert "s3cret" not in text
    assert text == "Secrets(password, enable)"


LOCKED_KEYRING_SCRIPT = r"""
set -e
mkdir -p "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" && chmod 700 "$XDG_RUNTIME_DIR"
printf 'pw' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$PYTHON" -c 'import secretstorage as s; s.get_default_collection(s.dbus_init()).lock()'
printf 'secret\n' | "$PYTHON" -m netraven_desktop credential add lab --username u --password-stdin
"""


def test_a_locked_keyring_is_a_clear_error_and_nothing_is_written(tmp_path, env):
    """A real gnome-keyring, locked, in a D-Bus session of its own (not the suite's)."""
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        if IN_CI:
            pytest.fail("dbus-run-session and gnome-keyring-daemon are required under CI")
        pytest.skip("needs dbus-run-session and gnome-keyring-daemon")
    home = tmp_path / "home"
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", LOCKED_KEYRING_SCRIPT],
        env=env
        | {
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(home / "run"),
            "XDG_DATA_HOME": str(home / "data"),
            "PYTHON": sys.executable,
            "DISPLAY": "",
            "WAYLAND_DISPLAY": "",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    assert "the keyring is locked; unlock it" in result.stderr
    db = Database(f"sqlite:///{home / 'netraven.db'}")
    with db.read_session() as s:
        assert credentials.list_credentials(s) == []  # the row was rolled back
    db.close()


def _keyring_daemon_pid() -> int | None:
    """The pid of the gnome-keyring-daemon serving this session (its control socket's peer)."""
    control = os.path.join(os.environ.get("XDG_RUNTIME_DIR", ""), "keyring", "control")
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.connect(control)
        except OSError:
            return None
        peer = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", peer)[0]


SECRET_SERVICE = "org.freedesktop.secrets"


def _wait_until_the_bus_lost(name: str) -> None:
    """Until no process owns `name` on the session bus (a request sent before would
    still go to the dying daemon)."""
    bus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
    with open_dbus_connection(bus="SESSION") as conn:
        for _ in range(6000):  # a hang guard: 60 s
            asked = new_method_call(bus, "NameHasOwner", "s", (name,))
            if not conn.send_and_get_reply(asked).body[0]:
                return
            time.sleep(0.01)
    pytest.fail(f"{name} still owned on the bus 60 s after its daemon was killed")


def test_the_suites_keyring_comes_back_unlocked_when_its_daemon_dies(secret_store):
    """scripts/with-keyring: a gnome-keyring-daemon that dies mid-suite (seen once in CI)
    is started again by D-Bus unlocked, with what it stored; D-Bus's own service file
    would start it locked, and every later keyring test would fail."""
    if "NETRAVEN_KEYRING_PASSWORD" not in os.environ:
        pytest.skip("only inside scripts/with-keyring's private keyring")
    ref = new_reference()
    secret_store.put(ref, Secrets(password="kept"))
    daemon = _keyring_daemon_pid()
    assert daemon is not None
    os.kill(daemon, signal.SIGKILL)
    _wait_until_the_bus_lost(SECRET_SERVICE)
    assert secret_store.get(ref) == Secrets(password="kept")
    secret_store.put(ref, Secrets(password="written after"))
    assert secret_store.get(ref) == Secrets(password="written after")
    assert _keyring_daemon_pid() not in (None, daemon)
    secret_store.delete(ref)


# Takes the Secret Service's name on the bus, which hands it the call that started it,
# and leaves without answering: what a gnome-keyring-daemon that aborts mid-call looks
# like to a client.
DYING_SERVICE = """
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
conn = open_dbus_connection(bus="SESSION")
conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.secrets"))
conn.close()
"""
# The first start of the service is the dying one, every later one a real gnome-keyring.
SERVICE_LAUNCHER = """#!/bin/bash
if [[ ! -e "$STATE/died" ]]; then
    : >"$STATE/died"
    exec "$PYTHON" -c "$DYING_SERVICE"
fi
printf pw | exec gnome-keyring-daemon --replace --unlock --foreground --components=secrets
"""
CLIENT = """
import gc
from keyring.backends.SecretService import Keyring
from netraven_desktop.core.secrets import Secrets, SecretStore
store = SecretStore(Keyring())
store.put("ref-1", Secrets(password="kept"))
print(store.get("ref-1").password)
gc.collect()
"""


def test_a_secret_service_that_dies_mid_call_is_asked_again_once_restarted(env):
    """gnome-keyring 42 aborts mid-call under load (scripts/loaded-check saw it), failing
    every call in flight; D-Bus starts it again at the next call. The store asks once
    more, so the user's operation succeeds, and it leaves no D-Bus connection open."""
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        if IN_CI:
            pytest.fail("dbus-run-session and gnome-keyring-daemon are required under CI")
        pytest.skip("needs dbus-run-session and gnome-keyring-daemon")
    # Short: the bus's and the keyring's sockets live here, and a socket path has 108
    # bytes at most (pytest's tmp_path can be longer).
    root = Path(tempfile.mkdtemp(prefix="netraven-", dir="/tmp"))
    try:
        result = _client_in_a_session_with_a_dying_service(root, env)
        assert (root / "died").exists(), result.stderr  # the first service did die
    finally:
        shutil.rmtree(root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1:] == ["kept"]
    assert "unclosed" not in result.stderr, result.stderr


def _client_in_a_session_with_a_dying_service(root: Path, env) -> subprocess.CompletedProcess[str]:
    """CLIENT in a D-Bus session of its own whose Secret Service starts as DYING_SERVICE."""
    (root / "services").mkdir()
    launcher = root / "secrets-service"
    launcher.write_text(SERVICE_LAUNCHER)
    launcher.chmod(0o700)
    (root / "services" / "org.freedesktop.secrets.service").write_text(
        f"[D-BUS Service]\nName=org.freedesktop.secrets\nExec={launcher}\n"
    )
    config = root / "session.conf"
    config.write_text(
        f"""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir={root}</listen><auth>EXTERNAL</auth>
<servicedir>{root / "services"}</servicedir>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>
<allow own="*"/></policy>
</busconfig>"""
    )
    home = root / "home"
    return subprocess.run(
        ["dbus-run-session", f"--config-file={config}", "--", sys.executable,
         "-W", "error::ResourceWarning", "-c", CLIENT],
        env=env
        | {
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(home / "run"),
            "XDG_DATA_HOME": str(home / "data"),
            "STATE": str(root),
            "PYTHON": sys.executable,
            "DYING_SERVICE": DYING_SERVICE,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip

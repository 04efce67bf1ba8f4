"""The encrypted file store for machines without an OS keyring: keyring's own backend
tests, tampering, a wrong passphrase, and a cron-like run with no D-Bus session at all."""

from __future__ import annotations

import base64
import json
import os
import stat
import uuid

import pytest
from keyring.backends import fail
from keyring.testing.backend import BackendBasicTests

from netraven_desktop.core.file_keyring import EncryptedFileKeyring
from netraven_desktop.core.secrets import Secrets, SecretStore, SecretStoreError, new_reference
from tests.clitools import Cli, add_lab_inventory, one_line_error
from tests.sim import SIM_PASSWORD

PASSPHRASE = "correct horse battery staple"


def passphrase_file(folder, text=PASSPHRASE, mode=0o600):
    path = folder / f"passphrase-{uuid.uuid4().hex[:8]}"
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def store_file(tmp_path):
    return tmp_path / "secrets" / "netraven.keyring"


@pytest.fixture
def backend(tmp_path, store_file):
    return EncryptedFileKeyring(store_file, passphrase_file(tmp_path))


class TestKeyringContract(BackendBasicTests):
    """keyring's own tests every backend must pass."""

    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _folder(cls, tmp_path_factory):
        # Class-scoped, so it is set before the base class's per-test fixture builds the
        # keyring; each test still gets a file of its own.
        cls.folder = tmp_path_factory.mktemp("contract")

    def init_keyring(self):
        return EncryptedFileKeyring(
            self.folder / f"{uuid.uuid4().hex}.keyring", passphrase_file(self.folder)
        )


def test_the_file_holds_no_secret_in_the_clear_and_only_its_owner_reads_it(backend, store_file):
    SecretStore(backend).put("credential/x", Secrets(password="Pl41n-Pa55", enable="En-4ble"))
    raw = store_file.read_bytes()
    assert b"Pl41n-Pa55" not in raw
    assert b"En-4ble" not in raw
    assert b"credential/x" not in raw  # even the entry names are encrypted
    assert stat.S_IMODE(store_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_file.parent.stat().st_mode) == 0o700
    leftovers = {p.name for p in store_file.parent.iterdir()} - {
        store_file.name,
        store_file.name + ".lock",
    }
    assert leftovers == set()  # the temporary file was renamed into place
    again = EncryptedFileKeyring(store_file, backend._passphrase_file)  # a new process
    assert SecretStore(again).get("credential/x") == Secrets(
        password="Pl41n-Pa55", enable="En-4ble"
    )


def _flip(store_file, field: str, index: int) -> None:
    document = json.loads(store_file.read_bytes())
    if field == "salt":
        data = bytearray(base64.b64decode(document["kdf"]["salt"]))
        data[index] ^= 0x01
        document["kdf"]["salt"] = base64.b64encode(data).decode()
    elif field == "time_cost":
        document["kdf"]["time_cost"] += 1
    else:
        data = bytearray(base64.b64decode(document[field]))
        data[index] ^= 0x01
        document[field] = base64.b64encode(data).decode()
    store_file.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "index"),
    [("data", 0), ("data", -1), ("nonce", 5), ("salt", 3), ("time_cost", 0)],
)
def test_a_changed_byte_is_a_clear_error_and_nothing_is_returned(backend, store_file, field, index):
    store = SecretStore(backend)
    ref = new_reference()
    store.put(ref, Secrets(password="Ta3mper-Me"))
    _flip(store_file, field, index)
    tampered = store_file.read_bytes()
    fresh = SecretStore(EncryptedFileKeyring(store_file, backend._passphrase_file))
    with pytest.raises(SecretStoreError) as caught:
        fresh.get(ref)
    message = str(caught.value)
    assert message.startswith("cannot read a secret: cannot decrypt ")
    assert "wrong passphrase, or the file was changed or damaged" in message
    assert "Ta3mper-Me" not in message
    with pytest.raises(SecretStoreError, match="cannot store a secret: cannot decrypt"):
        fresh.put(new_reference(), Secrets(password="other"))
    assert store_file.read_bytes() == tampered  # a failed write replaced nothing


def test_a_wrong_passphrase_reads_nothing_and_writes_nothing(tmp_path, backend, store_file):
    ref = new_reference()
    SecretStore(backend).put(ref, Secrets(password="R1ght-One"))
    before = store_file.read_bytes()
    wrong = SecretStore(EncryptedFileKeyring(store_file, passphrase_file(tmp_path, "guess")))
    with pytest.raises(SecretStoreError, match="wrong passphrase"):
        wrong.get(ref)
    with pytest.raises(SecretStoreError, match="wrong passphrase"):
        wrong.delete(ref)
    assert store_file.read_bytes() == before
    assert SecretStore(backend).get(ref) == Secrets(password="R1ght-One")


def test_a_file_that_is_not_a_secrets_file_is_named(backend, store_file):
    store_file.parent.mkdir(mode=0o700)
    store_file.write_text("password=hunter2\n", encoding="utf-8")
    with pytest.raises(SecretStoreError, match="is not a NetRaven secrets file"):
        SecretStore(backend).get(new_reference())


def test_the_passphrase_never_comes_from_a_readable_or_empty_file(tmp_path, store_file):
    shared = passphrase_file(tmp_path, mode=0o644)
    with pytest.raises(SecretStoreError, match=r"can be read by other users \(mode 644\)"):
        SecretStore(EncryptedFileKeyring(store_file, shared)).put("r", Secrets(password="x"))
    empty = passphrase_file(tmp_path, "")
    with pytest.raises(SecretStoreError, match="is empty"):
        SecretStore(EncryptedFileKeyring(store_file, empty)).put("r", Secrets(password="x"))
    assert not store_file.exists()


def test_chosen_by_environment_with_the_passphrase_from_a_systemd_credential(
    tmp_path, monkeypatch, store_file
):
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "netraven-keyring-passphrase").write_text(PASSPHRASE)
    (credentials / "netraven-keyring-passphrase").chmod(0o400)
    monkeypatch.delenv("NETRAVEN_KEYRING_PASSPHRASE_FILE", raising=False)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(credentials))
    monkeypatch.setenv("NETRAVEN_KEYRING", "file")
    monkeypatch.setenv("NETRAVEN_KEYRING_FILE", str(store_file))
    store = SecretStore()
    assert store.describe() == "netraven_desktop.core.file_keyring.EncryptedFileKeyring"
    store.put("credential/y", Secrets(password="From-Systemd"))
    assert store_file.exists()
    monkeypatch.delenv("CREDENTIALS_DIRECTORY")
    with pytest.raises(SecretStoreError, match="NETRAVEN_KEYRING_PASSPHRASE_FILE"):
        SecretStore().get("credential/y")


def test_never_a_silent_choice(monkeypatch):
    """keyring's detection never picks the file store; a wrong choice is named."""
    assert EncryptedFileKeyring.priority < fail.Keyring.priority
    monkeypatch.setenv("NETRAVEN_KEYRING", "plaintext")
    with pytest.raises(SecretStoreError, match="NETRAVEN_KEYRING: 'plaintext': must be 'file'"):
        SecretStore().describe()


def cron_env(env, tmp_path) -> dict[str, str]:
    """What cron gives a job on a headless box: no D-Bus session, so no Secret Service."""
    headless = {
        k: v
        for k, v in env.items()
        if not k.startswith(("DBUS_", "XDG_RUNTIME", "PYTHON_KEYRING", "CREDENTIALS"))
    }
    return headless | {
        "NETRAVEN_KEYRING": "file",
        "NETRAVEN_KEYRING_PASSPHRASE_FILE": str(passphrase_file(tmp_path)),
    }


def test_a_cron_job_without_a_desktop_session_backs_up_with_the_file_store(
    env, tmp_path, sim_devices
):
    cron = Cli(None, cron_env(env, tmp_path))
    no_choice = Cli(None, {k: v for k, v in cron.env.items() if k != "NETRAVEN_KEYRING"})
    refused = no_choice(
        "credential", "add", "lab", "--username", "admin", "--password-stdin", stdin="x\n"
    )
    assert refused.returncode == 3
    one_line_error(refused, "no OS keyring is available", "NETRAVEN_KEYRING=file")

    add_lab_inventory(cron, sim_devices)
    run = cron("backup", "run", "--all")
    assert run.returncode == 0, run.stderr
    assert "3 devices, 3 changed" in run.stdout
    keyring_file = tmp_path / "home" / "secrets.keyring"
    assert SIM_PASSWORD.encode() not in keyring_file.read_bytes()
    assert os.stat(keyring_file).st_mode & 0o077 == 0


def test_self_test_passes_with_the_file_store_and_no_desktop_session(env, tmp_path):
    result = Cli(None, cron_env(env, tmp_path) | {"QT_QPA_PLATFORM": "offscreen"})("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   keyring: netraven_desktop.core.file_keyring.EncryptedFileKeyring" in result.stdout
    assert "ok   backup: 1 simulated cisco_ios device" in result.stdout

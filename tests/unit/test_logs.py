"""The log file: where it is, who can read it, and that secrets never reach it."""

from __future__ import annotations

import logging
import stat

import pytest

from netraven_desktop.core import log_masking
from netraven_desktop.core.file_keyring import EncryptedFileKeyring
from netraven_desktop.core.log_masking import mask_text
from netraven_desktop.core.logs import log_path, log_tail, setup_logging
from netraven_desktop.core.secrets import SERVICE, SecretStore

log = logging.getLogger("netraven_desktop.test")


@pytest.fixture
def logging_to(tmp_path, monkeypatch):
    """setup_logging into a private home; the root logger as it was afterwards.

    Secrets remembered by earlier tests in this process (an enable secret "enable", say)
    would be masked too: start with none.
    """
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(log_masking, "_remembered", set())
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    path = setup_logging("debug")
    yield path
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "connect postgresql://alice:S3cret-pw@db.example.net/netraven failed",
            "connect postgresql://alice:***@db.example.net/netraven failed",
        ),
        ("login with password=Hunter2! refused", "login with password=*** refused"),
        ('{"username": "bob", "password": "x9-Qz"}', '{"username": "bob", "password": "***"}'),
        ("smtp_password: mail-pa55", "smtp_password: ***"),
        ("api_key=abcd1234, next", "api_key=***, next"),
        ("Authorization: Bearer eyJhbGciOi.J9.xyz", "Authorization: Bearer ***"),
        # Ordinary sentences stay as they are.
        ("a password credential needs a password", "a password credential needs a password"),
        ("tokens: 3 issued", "tokens: 3 issued"),
    ],
)
def test_known_secret_shapes_are_masked(text, expected):
    assert mask_text(text) == expected


def test_the_log_file_is_private_and_holds_no_secret(logging_to, tmp_path):
    assert logging_to == log_path() == tmp_path / "home" / "log" / "netraven-desktop.log"
    log.info("pushing to https://ci:Gh-T0ken-123@git.example.net/configs.git")
    try:
        raise RuntimeError("device said: enable password=En4ble-XYZ")
    except RuntimeError:
        log.exception("backup of %s failed", "core-1")
    text = logging_to.read_text(encoding="utf-8")
    assert "backup of core-1 failed" in text
    assert "Traceback" in text
    assert "enable password=***" in text
    for secret in ("Gh-T0ken-123", "En4ble-XYZ"):
        assert secret not in text
    assert stat.S_IMODE(logging_to.stat().st_mode) == 0o600
    assert stat.S_IMODE(logging_to.parent.stat().st_mode) == 0o700
    assert "backup of core-1 failed" in log_tail()


def test_a_secret_read_from_the_store_is_masked_wherever_it_shows_up(logging_to, tmp_path):
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("log test passphrase")
    passphrase.chmod(0o600)
    backend = EncryptedFileKeyring(tmp_path / "secrets.keyring", passphrase)
    # Written past the store, so only the read below can teach the mask this value.
    backend.set_password(SERVICE, "credential/log-test/password", "Plain-Value-77")
    assert mask_text("Plain-Value-77") == "Plain-Value-77"
    secrets = SecretStore(backend).get("credential/log-test")
    log.warning("a library echoed %s back", secrets.password)
    assert "Plain-Value-77" not in logging_to.read_text(encoding="utf-8")
    assert "a library echoed *** back" in logging_to.read_text(encoding="utf-8")

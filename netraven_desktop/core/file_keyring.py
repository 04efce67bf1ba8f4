"""An encrypted file as a `keyring` backend, for machines without an OS keyring.

Cron on a jump host, WSL, a container: no Secret Service answers there, so no device
password could be read. This backend keeps every secret in one file, encrypted with
AES-256-GCM under a key derived with argon2id from a passphrase that lives in a file
(`NETRAVEN_KEYRING_PASSPHRASE_FILE`) or a systemd credential
(`$CREDENTIALS_DIRECTORY/netraven-keyring-passphrase`) — never on a command line, where
any user's `ps` shows it.

Being a `KeyringBackend`, everything keeps calling `keyring`. It is never picked by
keyring's own detection (its priority is below the "fail" backend's): the user chooses it
with `NETRAVEN_KEYRING=file`, or with keyring's `PYTHON_KEYRING_BACKEND`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from .db.url import data_dir
from .private_files import ensure_private_dir

FILE_ENV = "NETRAVEN_KEYRING_FILE"
PASSPHRASE_ENV = "NETRAVEN_KEYRING_PASSPHRASE_FILE"
CREDENTIAL_NAME = "netraven-keyring-passphrase"  # systemd LoadCredential= name
FORMAT = "netraven-keyring"
VERSION = 1
# argon2id cost for new files (RFC 9106's second recommendation, 64 MiB); stored in the
# file, so a file written with other costs stays readable.
KDF_COST = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}
# A file's header is only authenticated after the key is derived: these bounds keep a
# forged header from asking for hours or gigabytes of work first.
KDF_BOUNDS = {"time_cost": (1, 10), "memory_cost": (8 * 1024, 1024 * 1024), "parallelism": (1, 16)}


class FileKeyringError(KeyringError):
    """The secrets file or its passphrase cannot be used; the message says why."""


def default_path() -> Path:
    override = os.environ.get(FILE_ENV)
    return Path(override).expanduser() if override else data_dir() / "secrets.keyring"


def passphrase_source() -> Path:
    """Where the passphrase is read: the env var's file, else the systemd credential."""
    named = os.environ.get(PASSPHRASE_ENV)
    if named:
        return Path(named).expanduser()
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    if credentials:
        return Path(credentials) / CREDENTIAL_NAME
    raise FileKeyringError(
        f"the encrypted secrets file needs a passphrase: set {PASSPHRASE_ENV} to a file "
        f"holding it (mode 600), or run under systemd with LoadCredential={CREDENTIAL_NAME}"
    )


def read_passphrase(path: Path) -> bytes:
    """The file's content less one trailing newline; refused if others can read it."""
    try:
        if os.name == "posix" and (mode := path.stat().st_mode & 0o777) & 0o077:
            raise FileKeyringError(
                f"the passphrase file {path} can be read by other users (mode {mode:o}): "
                "chmod 600 it"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise FileKeyringError(
            f"cannot read the passphrase file {path}: {exc.strerror or exc}"
        ) from None
    data = data.removesuffix(b"\n").removesuffix(b"\r")
    if not data:
        raise FileKeyringError(f"the passphrase file {path} is empty")
    return data


class EncryptedFileKeyring(KeyringBackend):
    """Secrets in one AES-256-GCM encrypted file; the passphrase from a file."""

    priority = -2  # below fail.Keyring's 0: chosen only by name, never by detection

    def __init__(self, path: Path | None = None, passphrase_file: Path | None = None) -> None:
        """Unset arguments come from the environment (`NETRAVEN_KEYRING_FILE`, the
        passphrase's env var or systemd credential), as when keyring loads it by name."""
        super().__init__()  # type: ignore[no-untyped-call]  # keyring has no annotations
        self.path = (path or default_path()).expanduser()
        self._passphrase_file = passphrase_file
        self._keys: dict[tuple[bytes, bytes, bytes], bytes] = {}

    # --- the keyring API -----------------------------------------------------------------

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._writing() as entries:
            entries.setdefault(service, {})[username] = password

    def delete_password(self, service: str, username: str) -> None:
        with self._writing() as entries:
            users = entries.get(service, {})
            if username not in users:
                raise PasswordDeleteError("no such secret")
            del users[username]
            if not users:
                del entries[service]

    # --- the file ------------------------------------------------------------------------

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise FileKeyringError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        return self._decrypt(raw)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[dict[str, dict[str, str]]]:
        """Read, let the caller change, write back atomically (temp file + rename, 0600)."""
        folder = ensure_private_dir(self.path.parent)
        with _locked(self.path.with_name(self.path.name + ".lock")):
            entries = self._load()
            yield entries
            data = self._encrypt(entries)
            fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.")
            try:
                with os.fdopen(fd, "wb") as out:  # mkstemp makes it 0600
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise

    def _encrypt(self, entries: dict[str, dict[str, str]]) -> bytes:
        header = self._header()
        nonce = secrets.token_bytes(12)
        plain = json.dumps({"entries": entries}, ensure_ascii=False).encode()
        sealed = AESGCM(self._key(header)).encrypt(nonce, plain, _aad(header))
        document = {**header, "nonce": _b64(nonce), "data": _b64(sealed)}
        return json.dumps(document, indent=1).encode() + b"\n"

    def _decrypt(self, raw: bytes) -> dict[str, dict[str, str]]:
        try:
            document = json.loads(raw)
            header = {"format": document["format"], "version": document["version"]}
            header["kdf"] = _checked_kdf(document["kdf"])
            if header["format"] != FORMAT or header["version"] != VERSION:
                raise ValueError("unknown format")
            nonce, sealed = _unb64(document["nonce"]), _unb64(document["data"])
        except (ValueError, KeyError, TypeError):
            raise FileKeyringError(
                f"{self.path} is not a NetRaven secrets file (or a newer version)"
            ) from None
        try:
            plain = AESGCM(self._key(header)).decrypt(nonce, sealed, _aad(header))
        except InvalidTag:
            raise FileKeyringError(
                f"cannot decrypt {self.path}: wrong passphrase, or the file was changed or "
                "damaged; nothing was read from it"
            ) from None
        entries: dict[str, dict[str, str]] = json.loads(plain)["entries"]
        return entries

    def _header(self) -> dict[str, Any]:
        """The current file's header (same salt and costs), or a new one."""
        try:
            document = json.loads(self.path.read_bytes())
            return {"format": FORMAT, "version": VERSION, "kdf": _checked_kdf(document["kdf"])}
        except (OSError, ValueError, KeyError, TypeError):
            kdf = {"name": "argon2id", "salt": _b64(secrets.token_bytes(16)), **KDF_COST}
            return {"format": FORMAT, "version": VERSION, "kdf": kdf}

    def _key(self, header: dict[str, Any]) -> bytes:
        """argon2id of the passphrase, cached per (passphrase, salt, costs)."""
        passphrase = read_passphrase(self._passphrase_file or passphrase_source())
        kdf = header["kdf"]
        cache_key = (hashlib.sha256(passphrase).digest(), _unb64(kdf["salt"]), _aad(header))
        if cache_key not in self._keys:
            self._keys[cache_key] = hash_secret_raw(
                secret=passphrase,
                salt=_unb64(kdf["salt"]),
                time_cost=kdf["time_cost"],
                memory_cost=kdf["memory_cost"],
                parallelism=kdf["parallelism"],
                hash_len=32,
                type=Type.ID,
            )
        return self._keys[cache_key]


def _checked_kdf(kdf: dict[str, Any]) -> dict[str, Any]:
    if kdf.get("name") != "argon2id" or len(_unb64(kdf["salt"])) < 16:
        raise ValueError("unknown key derivation")
    for name, (low, high) in KDF_BOUNDS.items():
        if not (isinstance(kdf[name], int) and low <= kdf[name] <= high):
            raise ValueError(f"argon2id {name} out of bounds")
    return {key: kdf[key] for key in ("name", "salt", *KDF_BOUNDS)}


def _aad(header: dict[str, Any]) -> bytes:
    """The header, canonical: authenticated with the data, so editing it breaks the tag."""
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """One writer at a time (cron and the window may write together). POSIX only: on
    Windows the Credential Locker is always there and this store has no use."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)

"""Device passwords, enable secrets and key passphrases: in the OS keyring, nowhere else.

The database keeps only an opaque reference (`credential/<uuid>`); the secrets live in
the keyring under the service name `netraven-desktop`, one entry per kind. Keyring calls
block (D-Bus, a desktop unlock prompt): async code calls them via `asyncio.to_thread`.
There is no plain-text fallback: without a usable OS keyring, every call fails with a
message that says what to do. Machines without one (cron on a jump host, containers)
choose the encrypted file store explicitly: `NETRAVEN_KEYRING=file` (see file_keyring).
"""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

from .errors import EnvironmentProblem
from .file_keyring import FILE_ENV, PASSPHRASE_ENV, EncryptedFileKeyring, FileKeyringError
from .log_masking import remember_secret

SERVICE = "netraven-desktop"
KINDS = ("password", "enable", "passphrase")
CHOICE_ENV = "NETRAVEN_KEYRING"


class SecretStoreError(EnvironmentProblem):
    """The keyring is missing, locked or refused the operation."""


@dataclass(frozen=True, slots=True, repr=False)
class Secrets:
    """What one credential needs; `repr` never shows a value."""

    password: str | None = None
    enable: str | None = None
    passphrase: str | None = None

    def __repr__(self) -> str:
        held = [kind for kind in KINDS if getattr(self, kind)]
        return f"Secrets({', '.join(held) or 'none'})"


def new_reference() -> str:
    return f"credential/{uuid.uuid4()}"


class SecretStore:
    """A thin, strict wrapper around one keyring backend.

    `service` names the keyring's namespace: one per OS user in practice; tests give two
    team members two namespaces of the same real keyring.
    """

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE) -> None:
        self._backend = backend
        self.service = service

    @property
    def backend(self) -> KeyringBackend:
        backend = self._backend or chosen_backend()
        if not _secure(backend):
            raise SecretStoreError(
                "no OS keyring is available to hold device passwords: on Linux install and "
                "start a Secret Service (GNOME Keyring or KWallet) in your desktop session; "
                "on macOS and Windows the system keychain is used automatically; without a "
                f"desktop session (cron, containers) set {CHOICE_ENV}=file and "
                f"{PASSPHRASE_ENV} for the encrypted file store"
            )
        return backend

    def describe(self) -> str:
        backend = self.backend
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def put(self, reference: str, secrets: Secrets) -> None:
        """Store every secret given; remove kinds not given, so the entry matches exactly."""
        for kind in KINDS:
            value = getattr(secrets, kind)
            remember_secret(value)
            if value:
                self._call(
                    "store", self.backend.set_password, self.service, f"{reference}/{kind}", value
                )
            else:
                self._delete(f"{reference}/{kind}")

    def get(self, reference: str) -> Secrets:
        values = {
            kind: self._call("read", self.backend.get_password, self.service, f"{reference}/{kind}")
            for kind in KINDS
        }
        for value in values.values():
            remember_secret(value)  # from now on masked in logs and crash reports
        return Secrets(**values)

    def delete(self, reference: str) -> None:
        for kind in KINDS:
            self._delete(f"{reference}/{kind}")

    def _delete(self, username: str) -> None:
        with contextlib.suppress(_Missing):
            self._call("delete", self.backend.delete_password, self.service, username)

    def _call(self, verb: str, fn: Callable[..., str | None], *args: str) -> str | None:
        try:
            return _once_more_if_the_service_died(fn, *args)
        except keyring.errors.PasswordDeleteError:
            raise _Missing from None  # deleting what is not there is fine
        except FileKeyringError as exc:  # its message names the file, never a secret
            raise SecretStoreError(f"cannot {verb} a secret: {exc}") from None
        except keyring.errors.KeyringLocked:
            raise SecretStoreError(
                f"cannot {verb} a secret: the keyring is locked; unlock it (log in to your "
                "desktop session, or unlock the 'login' keyring) and try again"
            ) from None
        except keyring.errors.NoKeyringError:
            raise SecretStoreError(
                f"cannot {verb} a secret: no OS keyring is available; install and start a "
                "Secret Service (GNOME Keyring or KWallet)"
            ) from None
        except keyring.errors.KeyringError as exc:
            # The backend's message names the keyring, never the secret.
            raise SecretStoreError(
                f"cannot {verb} a secret: the keyring refused ({type(exc).__name__})"
            ) from exc


# What D-Bus answers a call whose recipient left the bus before replying.
_NO_REPLY = "org.freedesktop.DBus.Error.NoReply"


def _once_more_if_the_service_died(fn: Callable[..., str | None], *args: str) -> str | None:
    """`fn(*args)`, and once more if the Secret Service died with the call in flight.

    gnome-keyring-daemon 42 aborts ("assertion 'client' failed") when a client is gone
    by the time it answers that client's property read, as under load when a process is
    killed mid-call; every other client's call in flight then fails, and D-Bus starts the
    daemon again at the next call. Storing, reading and deleting an entry are idempotent,
    so the call is made once more."""
    try:
        return fn(*args)
    except Exception as exc:
        if not _service_died(exc):
            raise
        _close_the_backends_connection(exc)
    try:
        return fn(*args)
    except Exception as exc:
        if _service_died(exc):
            _close_the_backends_connection(exc)
        raise


def _service_died(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if getattr(cause, "name", None) == _NO_REPLY:
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _close_the_backends_connection(exc: BaseException) -> None:
    """keyring's SecretService backend (25.7, `get_preferred_collection`) leaves its D-Bus
    connection open when it cannot open the collection; close it here instead of leaving
    an open socket to the garbage collector."""
    frame = exc.__traceback__
    while frame is not None:
        bus = frame.tb_frame.f_locals.get("bus")  # a jeepney connection (Linux only)
        close = getattr(bus, "close", None)
        if callable(close) and hasattr(bus, "send_and_get_reply"):
            close()
        frame = frame.tb_next


@contextlib.contextmanager
def kept_only_if_committed(
    store: SecretStore, reference: str
) -> Iterator[Callable[[Secrets], None]]:
    """Pair a keyring write with a database transaction opened inside this block.

    Yields `put(secrets)`; if anything in the block fails, the commit included, whatever
    `put` wrote is deleted again, so no secret outlives a row that never existed.
    """
    written = False

    def put(secrets: Secrets) -> None:
        nonlocal written
        written = True
        store.put(reference, secrets)

    try:
        yield put
    except BaseException:
        if written:
            with contextlib.suppress(SecretStoreError):
                store.delete(reference)
        raise


def chosen_backend() -> KeyringBackend:
    """`NETRAVEN_KEYRING=file`: the encrypted file store; unset: keyring's own choice
    (the OS keyring, or whatever keyring's `PYTHON_KEYRING_BACKEND` names)."""
    choice = os.environ.get(CHOICE_ENV, "")
    if choice == "file":
        return _file_backend(os.environ.get(FILE_ENV), os.environ.get(PASSPHRASE_ENV))
    if choice:
        raise SecretStoreError(
            f"{CHOICE_ENV}: {choice[:80]!r}: must be 'file' (the encrypted file store) or "
            "unset (the OS keyring)"
        )
    return keyring.get_keyring()


@functools.lru_cache(maxsize=4)
def _file_backend(path: str | None, passphrase_file: str | None) -> EncryptedFileKeyring:
    """One instance per configuration, so its derived key is computed once per process."""
    return EncryptedFileKeyring(
        Path(path) if path else None, Path(passphrase_file) if passphrase_file else None
    )


class _Missing(Exception):
    """Internal: a delete found no entry."""


def _secure(backend: KeyringBackend) -> bool:
    """False for backends that store nothing or store in plain text."""
    if isinstance(backend, ChainerBackend):
        return bool(backend.backends) and all(_secure(b) for b in backend.backends)
    module = type(backend).__module__
    return not (
        module in ("keyring.backends.fail", "keyring.backends.null")
        or module.startswith("keyrings.alt")  # plaintext and weakly encrypted files
        or "plaintext" in type(backend).__name__.lower()
    )

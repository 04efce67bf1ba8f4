"""Credentials: the row in the database, the secrets in the OS keyring, never mixed up.

Adding writes the keyring inside the database transaction and undoes it if the commit
fails; removing deletes the keyring entry only after the row is gone. On a team
database the secrets go to the team vault instead (sealed in the same transaction, see
`vault`). Async callers run these whole functions in a thread (`asyncio.to_thread`):
keyring calls block on D-Bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..crud import credentials as rows
from ..crud import devices as device_rows
from ..crud import host_keys as host_key_rows
from ..crud import tags as tag_rows
from ..db import Database
from ..db.models import Credential, Device
from ..drivers.errors import BackupError
from ..errors import InputError
from ..platforms import profile_for
from ..secrets import (
    Secrets,
    SecretStore,
    SecretStoreError,
    kept_only_if_committed,
    new_reference,
)
from . import audit, settings, vault
from .access import authorize, team_mode
from .dual import dual

if TYPE_CHECKING:  # asyncssh is imported when SSH is used: it costs the window's start
    from ..drivers.ssh import HostKey, Target

# What the audit log records of a credential: its metadata, never a secret.
AUDITED = (
    "name",
    "username",
    "kind",
    "priority",
    "tags",
    "ssh_key_path",
    "has_enable_secret",
    "description",
)


def check_private_key(path: str, passphrase: str | None) -> str:
    """An SSH private key the engine will be able to use, or InputError naming the problem."""
    import asyncssh

    key_path = Path(path).expanduser()
    if not key_path.is_file():
        raise InputError("--ssh-key", path, "no such file")
    try:
        asyncssh.read_private_key(str(key_path), passphrase or None)
    except asyncssh.KeyEncryptionError:
        raise InputError("--ssh-key", path, "the passphrase does not open this key") from None
    except (asyncssh.KeyImportError, OSError, ValueError) as exc:
        raise InputError("--ssh-key", path, f"not a usable private key ({exc})") from None
    return str(key_path.absolute())


def add_credential(
    db: Database,
    store: SecretStore,
    *,
    name: str,
    username: str,
    secrets: Secrets,
    priority: int = 100,
    tags: Iterable[str] = (),
    ssh_key_path: str | None = None,
    description: str | None = None,
) -> Credential:
    """Create the row and store the secrets, all or nothing."""
    kind = "ssh-key" if ssh_key_path else "password"
    if kind == "password" and not secrets.password:
        raise InputError("password", "", "a password credential needs a password")
    if ssh_key_path:
        ssh_key_path = check_private_key(ssh_key_path, secrets.passphrase)
    reference = new_reference()
    with kept_only_if_committed(store, reference) as put_secrets, db.session() as session:
        authorize(session, "admin")
        credential = rows.create_credential(
            session,
            name=name,
            username=username,
            keyring_ref=reference,
            kind=kind,
            priority=priority,
            tags=tag_rows.ensure_tags(session, tags),
            ssh_key_path=ssh_key_path,
            has_enable_secret=bool(secrets.enable),
            description=description,
        )
        audit.record(
            session,
            "credential.create",
            "credential",
            credential.id,
            after=audit.state(credential, AUDITED),
        )
        if team_mode(session):
            vault.store_secrets(session, store, credential, secrets)
        else:
            put_secrets(secrets)
    return credential


@dual
def update_credential(
    session: Session,
    name: str,
    /,
    expected_version: int | None = None,
    *,
    tags: Iterable[str] | None = None,
    **changes: Any,
) -> Credential:
    """Change a credential's metadata (never its secrets); a change is audited."""
    authorize(session, "admin")
    credential = rows.get_credential_by_name(session, name)
    before = audit.state(credential, AUDITED)
    if tags is not None:
        changes["tags"] = tag_rows.ensure_tags(session, tags)
    if "ssh_key_path" in changes:
        changes["kind"] = "ssh-key" if changes["ssh_key_path"] else "password"
    credential = rows.update_credential(session, credential.id, expected_version, **changes)
    after = audit.state(credential, AUDITED)
    if after != before:
        audit.record(
            session, "credential.update", "credential", credential.id, before=before, after=after
        )
    return credential


def edit_credential(
    db: Database,
    store: SecretStore,
    name: str,
    /,
    *,
    secrets: Secrets = Secrets(),  # noqa: B008 - frozen, so a shared default is safe
    expected_version: int | None = None,
    **changes: Any,
) -> Credential:
    """Change metadata and replace only the secrets given; a secret left out is kept.

    The keyring entry is rewritten inside the transaction and put back as it was if the
    transaction fails, so the row and its secrets never disagree; on a team database the
    secrets are sealed again in the vault, in the same transaction.
    """
    rewritten: tuple[str, Secrets] | None = None
    try:
        with db.session() as session:
            authorize(session, "admin")
            current = rows.get_credential_by_name(session, name)
            team = team_mode(session)
            old = (
                _vault_secrets_to_replace(session, store, current, secrets)
                if team
                else store.get(current.keyring_ref)
            )
            merged = Secrets(
                password=secrets.password or old.password,
                enable=secrets.enable or old.enable,
                passphrase=secrets.passphrase or old.passphrase,
            )
            key_path = changes.get("ssh_key_path", current.ssh_key_path)
            if key_path:
                changes["ssh_key_path"] = check_private_key(key_path, merged.passphrase)
            elif not merged.password:
                raise InputError("password", "", "a password credential needs a password")
            if secrets.enable:
                changes["has_enable_secret"] = True
            credential = update_credential(session, name, expected_version, **changes)
            if merged != old and team:
                vault.store_secrets(session, store, credential, merged)
            elif merged != old:
                rewritten = (current.keyring_ref, old)
                store.put(current.keyring_ref, merged)
    except BaseException:
        if rewritten is not None:
            with contextlib.suppress(SecretStoreError):
                store.put(*rewritten)
        raise
    return credential


def _vault_secrets_to_replace(
    session: Session, store: SecretStore, credential: Credential, given: Secrets
) -> Secrets:
    """The vault's secrets an edit keeps. When they cannot be opened (tampered, or not
    shared with this admin) nothing is kept: an edit that gives every secret again
    replaces them (how an admin repairs or rotates them), any other edit is refused."""
    try:
        return vault.open_secrets(session, store, credential)
    except (vault.VaultTamperedError, vault.VaultAccessError):
        if (credential.kind == "password" and not given.password) or (
            credential.has_enable_secret and not given.enable
        ):
            raise
        return Secrets()


def remove_credential(db: Database, store: SecretStore, name: str) -> Credential:
    """Delete the row (devices bound to it fall back to tags), then its keyring entry."""
    with db.session() as session:
        authorize(session, "admin")
        credential = rows.get_credential_by_name(session, name)
        before = audit.state(credential, AUDITED)
        rows.delete_credential(session, credential.id)
        audit.record(session, "credential.delete", "credential", credential.id, before=before)
    store.delete(credential.keyring_ref)
    return credential


@dual
def list_credentials(session: Session, **filters: Any) -> list[Credential]:
    authorize(session, "read")
    return rows.list_credentials(session, **filters)


@dataclass(frozen=True)
class LoginCheck:
    """How logging in to one device with one credential went; `message` holds no secret."""

    ok: bool
    message: str
    error_class: str | None = None


@dataclass(frozen=True)
class _Attempt:
    device_id: uuid.UUID
    target: Target
    username: str
    keyring_ref: str
    key_path: str | None
    limit: float


def _plan_attempt(session: Session, credential_name: str, device_name: str) -> _Attempt:
    from ..drivers.ssh import Target

    authorize(session, "admin")
    credential = rows.get_credential_by_name(session, credential_name)
    device = device_rows.get_device_by_name(session, device_name)
    timeout = float(
        device.connect_timeout or settings.get_setting(session, "backup.connect_timeout")
    )
    target = Target(
        host=device.host,
        port=device.port,
        profile=profile_for(device.platform),
        connect_timeout=timeout,
        legacy_algorithms=device.ssh_legacy_algorithms,
        host_key=host_key_rows.trusted_keys(session, [device.id]).get(device.id),
        max_output=int(settings.get_setting(session, "backup.max_output_mb")) * 2**20,
    )
    limit = float(settings.get_setting(session, "backup.device_timeout"))
    return _Attempt(
        device.id,
        target,
        credential.username,
        credential.keyring_ref,
        credential.ssh_key_path,
        limit,
    )


async def check_login(
    db: Database, store: SecretStore, credential_name: str, device_name: str
) -> LoginCheck:
    """Log in to a device with one credential, as a backup would, and keep no output.

    The host key follows the backups' trust on first use: at first contact the key the
    device offers is pinned (audited) before the credential is offered; a key unlike the
    pinned one is refused (`host_key_changed`) and gets no password. The session's output
    is bounded by `backup.max_output_mb`; what it printed is discarded.
    """
    from ..drivers.ssh import Login, capture

    async with db.async_read_session() as session:
        attempt = await session.run_sync(_plan_attempt, credential_name, device_name)
    try:
        secrets = await asyncio.to_thread(vault.read_secrets, db, store, attempt.keyring_ref)
    except SecretStoreError as exc:
        return LoginCheck(False, str(exc), "keyring")
    except (vault.VaultAccessError, vault.VaultTamperedError) as exc:
        return LoginCheck(False, str(exc), "vault")
    login = Login(
        username=attempt.username,
        password=secrets.password,
        key_path=attempt.key_path,
        passphrase=secrets.passphrase,
        enable_secret=secrets.enable,
    )
    first_contact = attempt.target.host_key is None
    try:
        async with asyncio.timeout(attempt.limit):
            pin = functools.partial(_pin_first_key, db, attempt.device_id)
            seen = await capture(
                attempt.target, login, pin_first_key=pin if first_contact else None
            )
    except BackupError as exc:
        return LoginCheck(False, str(exc), exc.error_class)
    except TimeoutError:
        return LoginCheck(False, f"no result within {attempt.limit:g} s", "timeout")
    return LoginCheck(
        True,
        f"logged in to {device_name} as {attempt.username} and reached the prompt "
        f"(host key {seen.fingerprint}{', pinned now' if first_contact else ''})",
    )


async def _pin_first_key(db: Database, device_id: uuid.UUID, offered: HostKey) -> str:
    """Pin the key the device presents at first contact (audited); the key trusted now."""
    from . import host_keys

    async with db.async_session() as session:
        pinned: str = await session.run_sync(host_keys.pin_first_key, device_id, offered)
    return pinned


@dual
def credentials_for_device(session: Session, device: Device) -> list[Credential]:
    """The credentials to try on `device`, in order (see crud.credentials.candidates_for_device)."""
    return rows.candidates_for_device(session, device)


def credential_to_dict(credential: Credential) -> dict[str, Any]:
    """The stable JSON form of a credential. It has no secret to show: only whether
    an enable secret is stored."""
    return {
        "id": str(credential.id),
        "name": credential.name,
        "username": credential.username,
        "kind": credential.kind,
        "priority": credential.priority,
        "tags": [tag.name for tag in credential.tags],
        "ssh_key_path": credential.ssh_key_path,
        "has_enable_secret": credential.has_enable_secret,
        "description": credential.description,
        "version": credential.version,
    }

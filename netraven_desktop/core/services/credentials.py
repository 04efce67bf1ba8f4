"""Credentials: the row in the database, the secrets in the OS keyring, never mixed up.

Adding writes the keyring inside the database transaction and undoes it if the commit
fails; removing deletes the keyring entry only after the row is gone. Async callers run
these whole functions in a thread (`asyncio.to_thread`): keyring calls block on D-Bus.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import asyncssh
from sqlalchemy.orm import Session

from ..crud import credentials as rows
from ..crud import tags as tag_rows
from ..db import Database
from ..db.models import Credential, Device
from ..errors import InputError
from ..secrets import Secrets, SecretStore, kept_only_if_committed, new_reference
from . import audit
from .access import authorize
from .dual import dual

# What the audit log records of a credential: its metadata, never a secret.
AUDITED = ("name", "username", "kind", "priority", "tags", "ssh_key_path", "has_enable_secret")


def check_private_key(path: str, passphrase: str | None) -> str:
    """An SSH private key the engine will be able to use, or InputError naming the problem."""
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
        put_secrets(secrets)
    return credential


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


@dual
def credentials_for_device(session: Session, device: Device) -> list[Credential]:
    """The credentials to try on `device`, in order (see crud.credentials.candidates)."""
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

"""The team vault: credential secrets on a team database that only their holders open.

Personal mode keeps secrets in the OS keyring, as before. In team mode a credential's
secrets are sealed in the database under a random data key, wrapped for each member
who may use it (see core.vault_crypto); each member's private key is created at their
first use of the vault and kept only in their own keyring, its public half published.
Sharing wraps the data key for one more member; unsharing seals everything again under
a new data key wrapped for the members who remain, so a key copied earlier opens nothing
written since. Keyring calls block: async callers run these functions in a thread.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from ..crud import credentials as credential_rows
from ..crud import users as user_rows
from ..crud import vault as rows
from ..db import Database
from ..db.models import Credential, User, VaultEntry
from ..errors import InputError, NetRavenError, PermissionDeniedError
from ..log_masking import remember_secret
from ..secrets import KINDS, Secrets, SecretStore
from ..vault_crypto import (
    VaultIntegrityError,
    new_data_key,
    new_private_key,
    open_sealed,
    public_key_of,
    seal,
    unwrap,
    wrap,
)
from . import audit
from .access import authorize, team_mode
from .dual import dual


class VaultAccessError(PermissionDeniedError):
    """The connected member holds no usable key for a credential."""


class VaultTamperedError(NetRavenError):
    """A sealed secret failed its integrity check: changed in the database, or corrupt."""


def _private_key_reference(user: User) -> str:
    return f"vault-key/{user.id}"


def _member_private_key(session: Session, store: SecretStore, user: User) -> str:
    """The member's private key from their keyring, created on first use; its public
    half is (re)published so admins can share with them."""
    reference = _private_key_reference(user)
    private = store.get(reference).password
    if private is None:
        private = new_private_key()
        store.put(reference, Secrets(password=private))
    public = public_key_of(private)
    if rows.public_key(session, user.id) != public:
        rows.publish_key(session, user.id, public)
    return private


def ensure_member_key(db: Database, store: SecretStore, username: str) -> None:
    """Create and publish a member's vault key at sign-in (team mode; not for viewers,
    who use no credential: they get theirs at the first sign-in after a promotion)."""
    with db.session(actor=username) as session:
        if not team_mode(session):
            return
        user = user_rows.get_user_by_name(session, username)
        if user.role != "viewer":
            _member_private_key(session, store, user)


def store_secrets(
    session: Session, store: SecretStore, credential: Credential, secrets: Secrets
) -> None:
    """Seal a credential's secrets (add, edit) for its holders and the acting admin."""
    me = _me(session)
    _member_private_key(session, store, me)
    holders = {user.id for user in rows.holders(session, credential.id)} | {me.id}
    _seal_for(session, credential, secrets, holders)


def open_secrets(session: Session, store: SecretStore, credential: Credential) -> Secrets:
    """The acting member's view of a credential's secrets; a clear error without access."""
    entry = rows.entry(session, credential.id)
    if entry is None:  # kept in this keyring before the vault (or in an offline replica)
        secrets = store.get(credential.keyring_ref)
        if not any(getattr(secrets, kind) for kind in KINDS):
            raise _no_access(
                session, credential, _actor(session), "it is not in the team vault yet"
            )
        return secrets
    data_key = _data_key(session, store, credential, entry, _me(session))
    values: dict[str, str | None] = {}
    for kind in KINDS:
        sealed = getattr(entry, kind)
        try:
            values[kind] = (
                open_sealed(
                    data_key, sealed, credential_id=credential.id, field=kind, key_id=entry.key_id
                )
                if sealed is not None
                else None
            )
        except VaultIntegrityError:
            raise VaultTamperedError(
                f"credential {credential.name}: its {kind} in the team vault failed its "
                "integrity check (changed in the database, or corrupt); an admin must give "
                "its secrets again (Credentials page: Edit)"
            ) from None
        remember_secret(values[kind])
    return Secrets(**values)


def read_secrets(db: Database, store: SecretStore, reference: str) -> Secrets:
    """A credential's secrets by keyring reference: from the keyring in personal mode,
    from the team vault in team mode (what the backup engine and login checks use)."""
    with db.read_session() as session:
        team = team_mode(session)
    if not team:
        return store.get(reference)
    with db.session() as session:  # may publish the member's key on first use
        authorize(session, "backup", "use device credentials")
        credential = credential_rows.get_credential_by_reference(session, reference)
        return open_secrets(session, store, credential)


def share(db: Database, store: SecretStore, name: str, username: str) -> Credential:
    """Let `username` use credential `name`: wrap its data key for their public key.

    A credential kept in the admin's keyring from before the vault moves into the vault
    first (and leaves the keyring once committed).
    """
    moved = False
    with db.session() as session:
        authorize(session, "admin")
        _require_team(session)
        credential = credential_rows.get_credential_by_name(session, name)
        target = _member(session, username)
        if target.role == "viewer":
            raise InputError("--user", username, "is a viewer: viewers use no credentials")
        public = rows.public_key(session, target.id)
        if public is None:
            raise InputError(
                "--user",
                username,
                "has no vault key yet: they must sign in once (netraven-desktop --user "
                f"{target.username} login, or the window) so that it is created",
            )
        me = _me(session)
        entry = rows.entry(session, credential.id)
        if entry is None:
            _member_private_key(session, store, me)
            secrets = open_secrets(session, store, credential)
            _seal_for(session, credential, secrets, {me.id, target.id})
            moved = True
        else:
            data_key = _data_key(session, store, credential, entry, me)
            wrapped = wrap(
                data_key,
                public,
                credential_id=credential.id,
                user_id=target.id,
                key_id=entry.key_id,
            )
            rows.put_grant(session, credential.id, target.id, entry.key_id, wrapped)
        audit.record(
            session,
            "credential.share",
            "credential",
            credential.id,
            after={"name": credential.name, "user": target.username},
        )
    if moved:
        store.delete(credential.keyring_ref)
    return credential


def unshare(db: Database, store: SecretStore, name: str, username: str) -> Credential:
    """Take credential `name` away from `username`: sealed again under a new data key."""
    with db.session() as session:
        authorize(session, "admin")
        _require_team(session)
        credential = credential_rows.get_credential_by_name(session, name)
        target = user_rows.get_user_by_name(session, username)
        if rows.grant(session, credential.id, target.id) is None:
            raise InputError("--user", username, f"does not hold credential {credential.name}")
        _unshare(session, store, credential, target)
    return credential


def revoke_member(db: Database, store: SecretStore, username: str) -> list[str]:
    """Unshare every credential a (disabled or removed) member held; their names."""
    with db.session() as session:
        authorize(session, "admin")
        if not team_mode(session):
            return []
        target = user_rows.get_user_by_name(session, username)
        names = []
        for credential_id in rows.shared_with(session, target.id):
            credential = credential_rows.get_credential(session, credential_id)
            _unshare(session, store, credential, target)
            names.append(credential.name)
    return names


@dual
def sharing(session: Session, name: str) -> tuple[list[str], list[str]]:
    """Who holds credential `name`, and the active members (not viewers) it could be
    shared with."""
    authorize(session, "admin")
    credential = credential_rows.get_credential_by_name(session, name)
    holders = [user.username for user in rows.holders(session, credential.id)]
    others = [
        user.username
        for user in user_rows.list_users(session)
        if user.active and user.role != "viewer" and user.username not in holders
    ]
    return holders, others


def _unshare(session: Session, store: SecretStore, credential: Credential, target: User) -> None:
    remaining = {user.id for user in rows.holders(session, credential.id)} - {target.id}
    if not remaining:
        raise InputError(
            "--user",
            target.username,
            f"is the last member holding credential {credential.name}; share it with "
            "someone else first, or remove the credential",
        )
    secrets = open_secrets(session, store, credential)
    _seal_for(session, credential, secrets, remaining)
    audit.record(
        session,
        "credential.unshare",
        "credential",
        credential.id,
        after={"name": credential.name, "user": target.username},
    )


def _seal_for(
    session: Session, credential: Credential, secrets: Secrets, user_ids: set[uuid.UUID]
) -> None:
    """Seal under a new data key and wrap it for exactly `user_ids` (whose keys exist)."""
    key_id, data_key = uuid.uuid4(), new_data_key()
    sealed = {
        kind: seal(data_key, value, credential_id=credential.id, field=kind, key_id=key_id)
        if (value := getattr(secrets, kind))
        else None
        for kind in KINDS
    }
    wrapped = {}
    for user_id in user_ids:
        public = rows.public_key(session, user_id)
        assert public is not None, "holders and the acting member have published keys"
        wrapped[user_id] = wrap(
            data_key, public, credential_id=credential.id, user_id=user_id, key_id=key_id
        )
    rows.replace_entry(session, credential.id, key_id, sealed, wrapped)


def _data_key(
    session: Session, store: SecretStore, credential: Credential, entry: VaultEntry, me: User
) -> bytes:
    grant = rows.grant(session, credential.id, me.id)
    if grant is None or grant.key_id != entry.key_id:
        raise _no_access(session, credential, me.username, "it is not shared with you")
    private = _member_private_key(session, store, me)
    try:
        return unwrap(
            grant.wrapped, private, credential_id=credential.id, user_id=me.id, key_id=entry.key_id
        )
    except VaultIntegrityError:
        raise _no_access(
            session,
            credential,
            me.username,
            "your vault key in this keyring is not the one it was shared with (a new "
            "computer or keyring?), or the wrapped key was changed",
        ) from None


def _no_access(session: Session, credential: Credential, member: str, why: str) -> VaultAccessError:
    """Name the admins who can grant it: those holding it, else every active admin."""
    admins = [
        user.username
        for user in rows.holders(session, credential.id)
        if user.role == "admin" and user.active
    ] or [user.username for user in user_rows.list_users(session, role="admin", active=True)]
    return VaultAccessError(
        f"{member} cannot use credential {credential.name}: {why}; an admin who holds "
        f"it ({', '.join(admins) or 'ask your team'}) can run: netraven-desktop credential "
        f"share {credential.name} --user {member}"
    )


def _actor(session: Session) -> str:
    actor = session.info.get("actor")
    if not actor:
        raise PermissionDeniedError("this database is in team mode: log in first (--user NAME)")
    return str(actor)


def _me(session: Session) -> User:
    return user_rows.get_user_by_name(session, _actor(session))


def _member(session: Session, username: str) -> User:
    user = user_rows.get_user_by_name(session, username)
    if not user.active:
        raise InputError("--user", username, "is disabled")
    return user


def _require_team(session: Session) -> None:
    if not team_mode(session):
        raise InputError(
            "database",
            "personal",
            "sharing needs a team database (db mode team); "
            "in personal mode secrets stay in your keyring",
        )

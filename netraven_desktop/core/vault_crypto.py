"""The team vault's cryptography: sealed secrets and data keys wrapped per member.

Each credential's secrets are sealed with its own random AES-256-GCM data key; the
associated data binds each ciphertext to the credential, the field and the data key's
id, so a ciphertext moved to another credential or field fails to open. The data key is
wrapped for each member it is shared with: X25519 between a fresh ephemeral key and the
member's public key, HKDF-SHA256, AES-256-GCM. Only the member's private key (kept in
their own keyring) unwraps it. No database access and no Qt here: pure functions.
"""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE = 12
KEY = 32
_RAW = serialization.Encoding.Raw


class VaultIntegrityError(Exception):
    """A sealed value or wrapped key failed authentication: tampered, or not for this key."""


def new_private_key() -> str:
    """A new member key pair's private half, as base64 text for the keyring."""
    raw = X25519PrivateKey.generate().private_bytes(
        _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


def public_key_of(private_key: str) -> bytes:
    return _private(private_key).public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(
    data_key: bytes, value: str, *, credential_id: uuid.UUID, field: str, key_id: uuid.UUID
) -> bytes:
    """nonce || AES-GCM(value), bound to the credential, field and data key id."""
    nonce = os.urandom(NONCE)
    aad = _aad(b"value", credential_id, field.encode(), key_id)
    return nonce + AESGCM(data_key).encrypt(nonce, value.encode(), aad)


def open_sealed(
    data_key: bytes, sealed: bytes, *, credential_id: uuid.UUID, field: str, key_id: uuid.UUID
) -> str:
    aad = _aad(b"value", credential_id, field.encode(), key_id)
    return _decrypt(data_key, sealed, aad).decode()


def wrap(
    data_key: bytes,
    public_key: bytes,
    *,
    credential_id: uuid.UUID,
    user_id: uuid.UUID,
    key_id: uuid.UUID,
) -> bytes:
    """ephemeral public key || nonce || AES-GCM(data key) under an X25519+HKDF key."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    aad = _aad(b"wrap", credential_id, user_id.bytes, key_id)
    kek = _kek(shared, ephemeral_public + public_key, aad)
    nonce = os.urandom(NONCE)
    return ephemeral_public + nonce + AESGCM(kek).encrypt(nonce, data_key, aad)


def unwrap(
    wrapped: bytes,
    private_key: str,
    *,
    credential_id: uuid.UUID,
    user_id: uuid.UUID,
    key_id: uuid.UUID,
) -> bytes:
    own = _private(private_key)
    own_public = own.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    ephemeral_public, rest = wrapped[:KEY], wrapped[KEY:]
    try:
        shared = own.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError:
        raise VaultIntegrityError("malformed wrapped key") from None
    aad = _aad(b"wrap", credential_id, user_id.bytes, key_id)
    return _decrypt(_kek(shared, ephemeral_public + own_public, aad), rest, aad)


def _kek(shared: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY, salt=salt, info=info).derive(shared)


def _aad(purpose: bytes, credential_id: uuid.UUID, middle: bytes, key_id: uuid.UUID) -> bytes:
    return b"netraven-vault/1/" + purpose + credential_id.bytes + middle + key_id.bytes


def _decrypt(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < NONCE + 16:
        raise VaultIntegrityError("too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], aad)
    except InvalidTag:
        raise VaultIntegrityError("authentication failed") from None


def _private(private_key: str) -> X25519PrivateKey:
    try:
        return X25519PrivateKey.from_private_bytes(base64.b64decode(private_key, validate=True))
    except ValueError:
        raise VaultIntegrityError("the keyring entry is not a vault key") from None

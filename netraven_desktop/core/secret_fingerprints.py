"""Keyed fingerprints of masked secrets: a changed secret is a change, its value never shown.

Masking turns two configurations that differ only in a secret into the same text. So
that such a backup still counts as a change, each masked line gets a fingerprint: an
HMAC-SHA256 of the values masked on it, under a random key of this database, truncated
to 64 bits. The key lives in the OS keyring, never in the database, so whoever holds a
copy of the database (or an export) cannot test guesses against the fingerprints.

Fingerprints are stored as `{"key": key id, "lines": {"12": "9f…", ...}}`; two sets are
compared only when made under the same key, so a lost or new key costs a comparison,
never a false "secret changed". A team database has no shared key yet (it will come
from the team vault): its snapshots carry no fingerprints, and a secret-only change
there is not seen, as before.

The same key makes each snapshot's raw hash: an HMAC of the captured text before masking
(`filters.prepare`), with the cleaning rules and the mask flag, so that the next backup
of an unchanged device skips masking altogether. Unkeyed, that hash would let anyone
reading the database confirm a guessed secret; without a key there is none.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .db import Database
from .drivers.filters import Cleaned, cleaning_rules
from .drivers.profiles import PlatformProfile
from .secrets import Secrets, SecretStore, SecretStoreError

log = logging.getLogger(__name__)
Fingerprints = dict[str, Any]


@dataclass(frozen=True, repr=False)
class MaskKey:
    secret: bytes

    def mac(self, data: bytes) -> str:
        """HMAC-SHA256 of `data` under this key, 64 bits in hex."""
        return self.digest(data)[:16]

    def digest(self, data: bytes) -> str:
        """HMAC-SHA256 of `data` under this key, all 256 bits in hex."""
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()

    @property
    def id(self) -> str:
        """Names the key in stored fingerprints without revealing it."""
        return self.mac(b"netraven mask key id")[:8]

    def __repr__(self) -> str:
        return f"MaskKey({self.id})"


def keyring_reference(db: Database) -> str | None:
    """The keyring entry holding this database's key; None where there is none to have."""
    url = db.url
    if not url.is_sqlite or url.is_memory or db.replica_of is not None:
        return None  # team databases (and their replicas) wait for the team vault
    where = str(Path(url.sync_url.database or "").resolve())
    return f"mask-key/{hashlib.sha256(where.encode()).hexdigest()[:16]}"


def load_key(store: SecretStore, db: Database) -> MaskKey | None:
    """This database's key, made on first use; None (fingerprints off) if no keyring."""
    reference = keyring_reference(db)
    if reference is None:
        return None
    try:
        stored = store.get(reference).password
        if not stored:
            stored = secrets.token_hex(32)
            store.put(reference, Secrets(password=stored))
        return MaskKey(bytes.fromhex(stored))
    except SecretStoreError as exc:
        problem = str(exc)
    except ValueError:
        problem = f"the keyring entry {reference} is not a key"
    log.warning("secret-change fingerprints are off for this run: %s", problem)
    return None


def fingerprints(cleaned: Cleaned, key: MaskKey | None) -> Fingerprints | None:
    """The fingerprints of what masking took from `cleaned`, or None without a key."""
    if key is None:
        return None
    return {
        "key": key.id,
        "lines": {
            str(number): key.mac("\0".join(values).encode())
            for number, values in cleaned.masked.items()
        },
    }


def raw_hash(
    key: MaskKey | None, prepared: str, profile: PlatformProfile, mask_secrets: bool
) -> str | None:
    """The keyed hash that stands for `clean(…)`'s result: the same hash, the same cleaned
    text and masked values. None without a key (nothing is skipped then)."""
    if key is None:
        return None
    flag = b"masked" if mask_secrets else b"clear"
    return key.digest(b"\0".join((b"raw", cleaning_rules(profile), flag, prepared.encode())))


def comparable(
    old: Fingerprints | None, new: Fingerprints | None
) -> tuple[Mapping[str, str], Mapping[str, str]] | None:
    """Both line maps when both sets exist and were made under the same key."""
    if not old or not new or old.get("key") != new.get("key"):
        return None
    return old.get("lines", {}), new.get("lines", {})

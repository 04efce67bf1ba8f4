"""The SSH algorithms we offer: modern by default, old ones only for a device that asks.

asyncssh's own defaults still include SHA-1 key exchange and MACs; a device answering
only those would be accepted silently. So every connection passes explicit lists, and
the legacy set (SHA-1, CBC, ssh-rsa SHA-1 signatures, DSA) is added only for devices
with `ssh_legacy_algorithms` on (IOS 12, ASA 8, ProCurve and similar old gear).
"""

from __future__ import annotations

MODERN_KEX = (
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
)
LEGACY_KEX = (
    "diffie-hellman-group14-sha1",
    "diffie-hellman-group-exchange-sha1",
    "diffie-hellman-group1-sha1",
)

MODERN_CIPHERS = (
    "chacha20-poly1305@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
)
LEGACY_CIPHERS = ("aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc")

MODERN_MACS = (
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "umac-128-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "umac-128@openssh.com",
)
LEGACY_MACS = ("hmac-sha1", "hmac-sha1-96", "hmac-md5")

# Host key signature algorithms: RSA keys only with SHA-2 signatures unless legacy.
MODERN_HOST_KEYS = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
)
LEGACY_HOST_KEYS = ("ssh-rsa", "ssh-dss")


def algorithm_options(legacy: bool, key_algorithms: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """asyncssh's `kex_algs`, `encryption_algs`, `mac_algs` and `server_host_key_algs`.

    `key_algorithms`, the signature algorithms of a pinned host key, narrows the host
    key list to what that key can sign with, so a device cannot switch to another key.
    The result may have an empty host key list: no allowed way to use the pinned key.
    """
    host_keys = MODERN_HOST_KEYS + (LEGACY_HOST_KEYS if legacy else ())
    if key_algorithms:
        host_keys = tuple(name for name in host_keys if name in key_algorithms)
    return {
        "kex_algs": list(MODERN_KEX + (LEGACY_KEX if legacy else ())),
        "encryption_algs": list(MODERN_CIPHERS + (LEGACY_CIPHERS if legacy else ())),
        "mac_algs": list(MODERN_MACS + (LEGACY_MACS if legacy else ())),
        "server_host_key_algs": list(host_keys),
    }

"""A headless process's database password, kept in the keyring, never on a command line.

A collector on a server connects as its own PostgreSQL login role. Its URL names the
role but no password (a URL sits in unit files, process lists and logs); the password
lives in the keyring, or the encrypted file store (`NETRAVEN_KEYRING=file`), under a
reference derived from where it logs in.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from .db.url import DatabaseURL
from .secrets import Secrets, SecretStore, SecretStoreError


def login_reference(url: DatabaseURL) -> str:
    """Per role, server and database; the password itself takes no part."""
    where = url.sync_url.set(password=None).render_as_string(hide_password=True)
    return f"db-login/{hashlib.sha256(where.encode()).hexdigest()[:16]}"


def keep_password(store: SecretStore, url: DatabaseURL, password: str) -> None:
    store.put(login_reference(url), Secrets(password=password))


def with_stored_password(store: SecretStore, url: DatabaseURL) -> DatabaseURL:
    """`url` with the kept password, when it is PostgreSQL's and names none itself."""
    if url.is_sqlite or url.sync_url.password:
        return url
    try:
        password = store.get(login_reference(url)).password
    except SecretStoreError:  # no keyring here: libpq's own ways (.pgpass) may still serve
        return url
    if not password:
        return url
    return replace(
        url,
        sync_url=url.sync_url.set(password=password),
        async_url=url.async_url.set(password=password),
    )

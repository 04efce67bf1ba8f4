"""Notification channels: where to send (SMTP, a webhook, the window) and which events.

A channel is a row plus, for an SMTP password or a webhook bearer token, a keyring entry:
the row holds only the reference, exactly as credentials do (see services/credentials). A
webhook's whole URL is a secret too (Slack-style paths and `?token=` queries carry one):
it has its own keyring entry (`url_ref`), and the row, the listings and the audit log
hold only its masked form (`masked_url`). Desktop channels are rows too, but the window
shows them and delivery skips them.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import urllib.parse
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from ...crud import notifications as rows
from ...crud.notifications import EVENTS as EVENTS  # what a channel may subscribe to
from ...db import Database
from ...db.models import NotificationChannel
from ...errors import ConflictError, InputError, PermissionDeniedError
from ...secrets import (
    Secrets,
    SecretStore,
    SecretStoreError,
    kept_only_if_committed,
)
from ...validation import validate_host, validate_name, validate_port
from .. import audit
from ..access import authorize
from ..dual import dual

log = logging.getLogger(__name__)

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")  # control characters and spaces


def new_reference() -> str:
    """The keyring reference of a channel's password or token."""
    return f"notify/{uuid.uuid4()}"


def validate_email(value: str, field: str) -> str:
    """A plain address (`ops@example.net`): no display name, no IP-literal domain."""
    text = value.strip() if isinstance(value, str) else ""
    local, at, domain = text.rpartition("@")
    problem = "must be an e-mail address like ops@example.net"
    if not at or len(text) > 254 or not _LOCAL_PART.match(local) or not domain:
        raise InputError(field, value, problem)
    try:
        domain = validate_host(domain, field)
        ipaddress.ip_address(domain)
    except InputError:
        raise InputError(field, value, problem) from None
    except ValueError:
        return f"{local}@{domain}"  # a DNS name, as it should be
    raise InputError(field, value, problem)


def validate_url(value: str, field: str = "url") -> str:
    """An http(s) URL with a host and without user information; the fragment is dropped.
    An error quotes the URL masked: its path and query may hold a token."""
    text = value.strip() if isinstance(value, str) else ""
    shown = masked_url(text)
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InputError(field, shown, "is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(field, shown, "must be an http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            field, shown, "must not hold a user name or password; give a bearer token instead"
        )
    if not parts.hostname or _UNSAFE.search(text):
        raise InputError(field, shown, "is not a valid URL")
    try:
        validate_host(parts.hostname, field)
    except InputError:
        raise InputError(field, shown, "does not name a valid host") from None
    return urllib.parse.urlunsplit(
        (parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, "")
    )


def masked_url(url: str) -> str:
    """What may be shown of a webhook URL: its scheme and host (and port); a path or query,
    where services put the token, becomes "…". Masking a masked URL changes nothing."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "…"
    if not parts.scheme or not host or _UNSAFE.search(host):
        return "…"
    hidden = parts.path not in ("", "/") or parts.query or parts.fragment
    return f"{parts.scheme.lower()}://{host}/{'…' if hidden else ''}"


# What the audit log records of a channel: never a secret, only whether one is stored.
AUDITED = ("name", "kind", "config", "events", "enabled")
SECRET_FIELDS = {"email": "password", "webhook": "token"}  # the secret each kind may hold


def email_config(
    *,
    host: str,
    port: int | str | None = None,
    sender: str,
    recipients: Sequence[str],
    username: str | None = None,
    security: str = "starttls",
    has_secret: bool,
) -> dict[str, Any]:
    """The checked config of an e-mail channel, for adding and editing alike.

    `has_secret`: whether the channel will have a password (given now or kept), since a
    login and a password go together and a password never travels in clear."""
    if security not in SECURITY:
        raise InputError("security", security, f"must be one of {', '.join(SECURITY)}")
    host = validate_host(host, "host")
    port = validate_port(DEFAULT_PORTS[security] if port is None else port, "port")
    sender = validate_email(sender, "sender")
    if isinstance(recipients, str):
        recipients = [recipients]
    to = list(dict.fromkeys(validate_email(r, "recipients") for r in recipients))
    if not to:
        raise InputError("recipients", "", "name at least one recipient")
    username = validate_name(username, "username", 255) if username else None
    if has_secret and not username:
        raise InputError("username", "", "a password needs a user name")
    if username and not has_secret:
        raise InputError("password", "", "a user name needs a password")
    if has_secret and security == "none" and not _is_loopback(host):
        raise InputError(
            "security",
            security,
            "a password is sent only over TLS (starttls or tls), or to a relay on this machine",
        )
    return {
        "host": host,
        "port": port,
        "security": security,
        "sender": sender,
        "recipients": to,
        "username": username,
    }


def webhook_config(*, url: str, has_secret: bool) -> dict[str, Any]:
    """The checked config of a webhook, its whole URL included (the caller keeps that in
    the keyring and stores `masked_url`); `has_secret`: it will send a bearer token, which
    never travels in clear. A masked URL checks the same: scheme and host are kept."""
    url = validate_url(url, "url")
    parts = urllib.parse.urlsplit(url)
    if has_secret and parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
        raise InputError(
            "url", masked_url(url), "a token is sent only over https://, or to this machine"
        )
    return {"url": url}


def _token(token: str | None) -> str | None:
    token = token.strip() if token else None
    if token and _UNSAFE.search(token):
        raise InputError("token", "<hidden>", "must not contain spaces or control characters")
    return token


def _events(events: Iterable[str] | None) -> list[str]:
    chosen = list(EVENTS) if events is None else list(dict.fromkeys(events))
    for event in chosen:
        if event not in EVENTS:
            raise InputError("events", event, f"must be among {', '.join(EVENTS)}")
    return chosen


def add_email_channel(
    db: Database,
    store: SecretStore,
    *,
    name: str,
    password: str | None = None,
    events: Iterable[str] | None = None,
    **config: Any,
) -> NotificationChannel:
    """An SMTP channel (`config`: the arguments of `email_config`); the password (if any)
    goes to the keyring, all or nothing.

    `security`: "starttls" (default port 587), "tls" (implicit TLS, 465) or "none" (a
    relay on this machine, 25). A password is sent only over TLS or to this machine."""
    name = validate_name(name)
    password = password or None
    checked = email_config(**config, has_secret=bool(password))
    return _add_channel(db, store, name, "email", checked, password, events)


def add_webhook_channel(
    db: Database,
    store: SecretStore,
    *,
    name: str,
    url: str,
    token: str | None = None,
    events: Iterable[str] | None = None,
) -> NotificationChannel:
    """A webhook (HTTP POST of JSON); its URL and bearer token (if any) go to the keyring,
    the row keeps the URL masked."""
    name = validate_name(name)
    token = _token(token)
    url = webhook_config(url=url, has_secret=bool(token))["url"]
    return _add_channel(
        db, store, name, "webhook", {"url": masked_url(url)}, token, events, url=url
    )


def _add_channel(
    db: Database,
    store: SecretStore,
    name: str,
    kind: str,
    config: dict[str, Any],
    secret: str | None,
    events: Iterable[str] | None,
    *,
    url: str | None = None,
) -> NotificationChannel:
    """The row and its keyring entries (the secret, a webhook's URL), all or nothing (as
    services.credentials does)."""
    chosen = _events(events)
    reference = new_reference() if secret else None
    url_ref = new_reference() if url else None
    with (
        kept_only_if_committed(store, reference or "") as put_secret,
        kept_only_if_committed(store, url_ref or "") as put_url,
        db.session() as session,
    ):
        authorize(session, "admin")
        channel = rows.create_channel(
            session,
            name=name,
            kind=kind,
            config=config,
            secret_ref=reference,
            url_ref=url_ref,
            events=chosen,
        )
        audit.record(
            session,
            "channel.create",
            "notification_channel",
            channel.id,
            after=audit.state(channel, AUDITED),
        )
        if reference and secret:
            put_secret(Secrets(password=secret))
        if url_ref and url:
            put_url(_url_entry(url))
    return channel


def _url_entry(url: str) -> Secrets:
    """A webhook URL's keyring entry: the URL is its one value."""
    return Secrets(password=url)


def edit_channel(
    db: Database,
    store: SecretStore,
    name: str,
    /,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> NotificationChannel:
    """Change a channel: `name`, `events`, `enabled`, its config fields (as `add_*`
    takes them) and its `password` (e-mail) or `token` (webhook). None means "keep".

    The merged config is checked exactly as adding checks it. A secret left out is kept.
    A new one gets a new keyring entry, written inside the transaction and deleted if it
    fails (so the row and the keyring never disagree, and the row's version moves); the
    old entry is deleted after the commit, as is the password of an e-mail channel left
    without a user name. A webhook's new `url` is handled the same way, and a URL an older
    version left in the row moves to the keyring with any edit. Audited as
    `channel.update` with before/after metadata; a new secret or URL shows as
    "replaced", never its value.
    """
    changes = {key: value for key, value in changes.items() if value is not None}
    fresh, fresh_url = new_reference(), new_reference()
    with (
        kept_only_if_committed(store, fresh) as put_secret,
        kept_only_if_committed(store, fresh_url) as put_url,
        db.session() as session,
    ):
        authorize(session, "admin")
        channel = rows.get_channel_by_name(session, name)
        kind, stored, stored_url = channel.kind, channel.secret_ref, channel.url_ref
        if kind not in SECRET_FIELDS:
            raise InputError("name", name, f"a {kind} channel cannot be edited")
        secret = changes.pop(SECRET_FIELDS[kind], None) or None
        new_url = url = None
        if kind == "webhook":
            secret = _token(secret)
            new_url = changes.pop("url", None)
            # Not in the keyring yet: the URL still in the row moves there now.
            url = new_url or (None if stored_url else channel.config["url"])
        update: dict[str, Any] = {k: changes.pop(k) for k in ("name", "enabled") if k in changes}
        if not isinstance(update.get("enabled", False), bool):
            raise InputError("enabled", update["enabled"], "must be true or false")
        if "events" in changes:
            update["events"] = _events(changes.pop("events"))
        config = _merged_config(channel, changes)
        # The stored secret stays unless replaced, or unless its e-mail login is cleared.
        keep = bool(stored) and not secret and (kind != "email" or bool(config["username"]))
        if kind == "email":
            update["config"] = email_config(**config, has_secret=bool(secret) or keep)
        else:
            checked = webhook_config(url=url or config["url"], has_secret=bool(secret) or keep)
            update["config"] = {"url": masked_url(checked["url"])}
            update["url_ref"] = fresh_url if url else stored_url
        reference = fresh if secret else (stored if keep else None)
        update["secret_ref"] = reference
        before = _audited(channel, "stored" if stored else "none")
        channel = rows.update_channel(session, channel.id, expected_version, **update)
        after = _audited(channel, "replaced" if secret else "stored" if keep else "none")
        if new_url:
            after["url"] = "replaced"
        audit.record_changes(
            session, "channel.update", "notification_channel", channel.id, before, after
        )
        if secret:
            put_secret(Secrets(password=secret))
        if url:
            put_url(_url_entry(checked["url"]))
    if stored and stored != reference:
        store.delete(stored)
    if url and stored_url:
        store.delete(stored_url)
    return channel


def _merged_config(channel: NotificationChannel, changes: dict[str, Any]) -> dict[str, Any]:
    """The channel's config with `changes` applied; a field of another kind is refused. A
    port left at the old security's default follows a new security's default."""
    config = dict(channel.config or {})
    for key, value in changes.items():
        if key not in config:
            shown = "<hidden>" if key in SECRET_FIELDS.values() else value
            raise InputError(key, shown, f"is not a setting of a {channel.kind} channel")
    merged = config | changes
    at_default = config.get("port") == DEFAULT_PORTS.get(config.get("security", ""))
    if "security" in changes and "port" not in changes and at_default:
        merged["port"] = None
    return merged


def _audited(channel: NotificationChannel, secret: str) -> dict[str, Any]:
    """The audited picture: a webhook's URL masked (a row an older version wrote holds it
    whole), where the URL lives, and whether a secret is stored."""
    picture = audit.state(channel, AUDITED) | {"secret": secret}
    if channel.kind == "webhook":
        picture["config"] = {"url": masked_url(picture["config"].get("url", ""))}
        picture["url"] = "stored" if channel.url_ref else "in the database"
    return picture


def remove_channel(db: Database, store: SecretStore, name: str) -> NotificationChannel:
    """Delete the row, then its keyring entries."""
    with db.session() as session:
        authorize(session, "admin")
        channel = rows.get_channel_by_name(session, name)
        rows.delete_channel(session, channel.id)
        audit.record(
            session,
            "channel.delete",
            "notification_channel",
            channel.id,
            before={"name": channel.name, "kind": channel.kind},
        )
    for reference in (channel.secret_ref, channel.url_ref):
        if reference:
            store.delete(reference)
    return channel


def move_webhook_urls(db: Database, store: SecretStore) -> list[str]:
    """Move the URLs older versions kept in webhook rows to the keyring; return the
    channels moved. Done for an admin only (the move is an edit, audited and versioned);
    for anyone else nothing changes, and listings still show the URLs masked. Never
    raises for a channel it cannot move (the keyring failed, the row changed meanwhile):
    that is logged, and the next listing tries again."""
    with db.read_session() as session:
        pending = [c.name for c in rows.list_channels(session, kind="webhook") if not c.url_ref]
        if not pending:
            return []
        try:
            authorize(session, "admin")
        except PermissionDeniedError:
            return []
    moved: list[str] = []
    for name in pending:
        try:
            moved.append(edit_channel(db, store, name).name)
        except SecretStoreError as exc:
            log.warning("webhook URLs not moved to the keyring: %s", exc)
            break
        except (InputError, ConflictError) as exc:  # removed or changed meanwhile
            log.warning("the URL of webhook %s not moved to the keyring: %s", name, exc)
    return moved


@dual
def list_channels(session: Session, /, **filters: Any) -> list[NotificationChannel]:
    authorize(session, "read")
    return rows.list_channels(session, **filters)


def shown_config(channel: NotificationChannel) -> dict[str, Any]:
    """A channel's config as listings show it: a webhook's URL masked, even in a row an
    older version wrote."""
    config = dict(channel.config or {})
    if channel.kind == "webhook":
        config["url"] = masked_url(config.get("url", ""))
    return config


def channel_to_dict(channel: NotificationChannel) -> dict[str, Any]:
    """The stable JSON form of a channel: its config holds no secret (a webhook's URL is
    masked); `has_secret` says whether a password or token is in the keyring."""
    return {
        "id": str(channel.id),
        "name": channel.name,
        "kind": channel.kind,
        "config": shown_config(channel),
        "has_secret": bool(channel.secret_ref),
        "events": list(channel.events or ()),
        "enabled": channel.enabled,
        "version": channel.version,
    }


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

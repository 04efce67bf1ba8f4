"""Notifications: e-mail over SMTP and webhooks, sent after a backup run is recorded.

A channel is a row (where to send, which events) plus, for an SMTP password or a webhook
bearer token, a keyring entry: the row holds only the reference, exactly as credentials
do (see services/credentials). A webhook's whole URL is a secret too (Slack-style paths
and `?token=` queries carry one): it has its own keyring entry (`url_ref`), and the row,
the listings and the audit log hold only its masked form (`masked_url`). Desktop channels
are rows too, but the window shows them; `deliver` skips them.

Three events of a run, each one digest per run (never one message per device):
`backup_failed`, `config_changed` (devices and lines added/removed) and `job_finished`;
and `collector_silent` (a collector stopped sending heartbeats). The caller builds a
run's with `notifications_for_run` once the run is committed, then awaits `deliver`:
delivery retries a failing channel with backoff, is bounded in time, and never raises;
it returns one `DeliveryReport` per channel and event. No secret appears in a row, a
log line, an error text or a notification body.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import ssl
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

import aiosmtplib
import httpx
from sqlalchemy.orm import Session

from ... import __version__
from ..crud import notifications as rows
from ..crud.notifications import EVENTS
from ..db import Database
from ..db.models import NotificationChannel, ResultStatus
from ..errors import ConflictError, InputError, PermissionDeniedError
from ..secrets import (
    Secrets,
    SecretStore,
    SecretStoreError,
    kept_only_if_committed,
)
from ..validation import validate_host, validate_name, validate_port
from . import audit
from .access import authorize
from .dual import dual

if TYPE_CHECKING:
    from .events import DeviceFinished, RunSummary

log = logging.getLogger(__name__)

SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
TIMEOUT = 10.0  # seconds per attempt, for SMTP and HTTP alike
TEXT_LIMIT = 50  # devices listed in a message body; the rest are counted
DATA_LIMIT = 1000  # devices listed in the structured data of a notification

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")  # control characters and spaces


# --- channels ----------------------------------------------------------------------------


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
        update = {key: changes.pop(key) for key in ("name", "enabled") if key in changes}
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
def list_channels(session: Session, **filters: Any) -> list[NotificationChannel]:
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


# --- what to say -------------------------------------------------------------------------


@dataclass(frozen=True)
class Notification:
    """One message: `text` is the plain-text body, `data` the structured form."""

    event: str
    subject: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """The webhook's JSON body."""
        return {"event": self.event, "subject": self.subject, "text": self.text, "data": self.data}


def notifications_for_run(
    summary: RunSummary,
    finished: Iterable[DeviceFinished],
    *,
    job: str | None = None,
) -> list[Notification]:
    """The run's digests: `backup_failed` if any device failed, `config_changed` if any
    changed, and always `job_finished`. `finished` are the run's `DeviceFinished` events,
    which carry a change's `lines_added` / `lines_removed`."""
    results = list(finished)
    failed = [r for r in results if r.status == ResultStatus.FAILED]
    changed = [r for r in results if r.status == ResultStatus.CHANGED]
    run_id = str(summary.run_id)
    where = f"job {job}" if job else f"run {run_id[:8]}"
    totals = (
        f"{_count(summary.devices, 'device')}: {summary.changed} changed, "
        f"{summary.unchanged} unchanged, {summary.failed} failed"
        + (f", {summary.cancelled} cancelled" if summary.cancelled else "")
    )
    head = f"Backup {where} (run {run_id}) finished: {summary.status}.\n{totals}.\n"
    base = {"run_id": run_id, "job": job, "status": summary.status}
    found: list[Notification] = []
    if failed:
        listing = [
            {
                "device": r.device,
                "error_class": r.error_class,
                "message": _one_line(r.message),
            }
            for r in failed
        ]
        lines = [
            f"  {d['device']}: {d['error_class'] or 'failed'}"
            + (f" - {d['message']}" if d["message"] else "")
            for d in listing
        ]
        found.append(
            Notification(
                "backup_failed",
                f"NetRaven: {len(failed)} of {_count(summary.devices, 'device')} "
                f"failed to back up ({where})",
                f"{head}\nFailed:\n{_lines(lines)}",
                base | {"failed": len(failed), "devices": _capped(listing)},
            )
        )
    if changed:
        listing = []
        for r in changed:
            listing.append(
                {
                    "device": r.device,
                    "lines_added": r.lines_added,
                    "lines_removed": r.lines_removed,
                    "snapshot_id": str(r.snapshot_id) if r.snapshot_id else None,
                }
            )
        lines = [
            f"  {d['device']}"
            + (
                f": +{d['lines_added']} -{d['lines_removed']} lines"
                if d["lines_added"] is not None
                else ""
            )
            for d in listing
        ]
        found.append(
            Notification(
                "config_changed",
                f"NetRaven: configuration changed on {_count(len(changed), 'device')} ({where})",
                f"{head}\nChanged:\n{_lines(lines)}\n\n"
                "See the differences with: netraven-desktop backup diff DEVICE",
                base | {"changed": len(changed), "devices": _capped(listing)},
            )
        )
    found.append(
        Notification(
            "job_finished",
            f"NetRaven: backup {where} {summary.status}: {totals}",
            head,
            base
            | {
                "devices": summary.devices,
                "changed": summary.changed,
                "unchanged": summary.unchanged,
                "failed": summary.failed,
                "cancelled": summary.cancelled,
                "failures": dict(sorted(summary.failures.items())),
            },
        )
    )
    return found


def collector_silent_notification(name: str, host: str, heartbeat_at: datetime) -> Notification:
    """A collector stopped sending heartbeats without stopping: its host is down, cut
    off, or the process hangs. Its devices are taken over once its leases lapse."""
    seen = heartbeat_at.isoformat(timespec="seconds")
    return Notification(
        "collector_silent",
        f"NetRaven: collector {name} has gone silent",
        f"Collector {name} on {host} has sent no heartbeat since {seen}.\n"
        "Devices it held are backed up by other collectors once their leases lapse; "
        "devices pinned to its labels wait for a collector with those labels.\n",
        {"collector": name, "host": host, "last_heartbeat": seen},
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _lines(lines: list[str]) -> str:
    shown = lines[:TEXT_LIMIT]
    if len(lines) > TEXT_LIMIT:
        shown.append(f"  ... and {len(lines) - TEXT_LIMIT} more")
    return "\n".join(shown)


def _capped(listing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(listing) <= DATA_LIMIT:
        return listing
    return [*listing[:DATA_LIMIT], {"omitted": len(listing) - DATA_LIMIT}]


# --- delivery ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryReport:
    """How sending one event to one channel went; `error` never holds a secret.
    `attempts` is 0 when nothing could be tried (e.g. the keyring failed)."""

    channel: str
    kind: str
    event: str
    ok: bool
    attempts: int
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Target:
    """What delivery needs of a channel row, read once (no session kept)."""

    name: str
    kind: str
    config: dict[str, Any]
    secret_ref: str | None
    url_ref: str | None
    events: tuple[str, ...]

    @classmethod
    def of(cls, channel: NotificationChannel) -> _Target:
        return cls(
            channel.name,
            channel.kind,
            dict(channel.config or {}),
            channel.secret_ref,
            channel.url_ref,
            tuple(channel.events or ()),
        )


@dataclass(frozen=True)
class _Policy:
    attempts: int
    backoff: float
    attempt_timeout: float
    failure_level: int = logging.WARNING


class _Permanent(Exception):
    """A failure that another attempt would not fix (refused login, HTTP 4xx)."""


Sender = Callable[[_Target, "str | None", Notification, float], Awaitable[None]]


async def deliver(
    db: Database,
    store: SecretStore,
    notifications: Iterable[Notification],
    *,
    attempts: int = 3,
    backoff: float = 1.0,
    attempt_timeout: float = TIMEOUT,
) -> list[DeliveryReport]:
    """Send each notification to every enabled channel subscribed to its event.

    Channels are served concurrently; a failing send is retried up to `attempts` times,
    waiting `backoff`, then twice that, ... between attempts; each attempt is bounded by
    `attempt_timeout` seconds. Never raises (except on cancellation): failures are logged
    and reported, one report per channel and event (with channel "" when the channels
    themselves could not be read)."""
    pending = list(notifications)
    if not pending:
        return []
    try:
        async with db.async_read_session() as session:
            channels = await list_channels(session, enabled=True)
        targets = [_Target.of(c) for c in channels if c.kind in _SENDERS]
    except Exception as exc:
        reason = _one_line(str(exc)) or type(exc).__name__
        error = f"cannot read the notification channels: {reason}"
        log.warning("notifications not sent: %s", error)
        return [DeliveryReport("", "", n.event, False, 0, error) for n in pending]
    work = [(t, [n for n in pending if n.event in t.events]) for t in targets]
    policy = _Policy(max(1, attempts), backoff, attempt_timeout)
    outcomes = await asyncio.gather(
        *(_deliver_channel(store, t, chosen, policy) for t, chosen in work),
        return_exceptions=True,
    )
    reports: list[DeliveryReport] = []
    for (target, chosen), outcome in zip(work, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            if not isinstance(outcome, Exception):
                raise outcome  # cancellation, KeyboardInterrupt
            log.error("notification channel %s failed unexpectedly", target.name)
            error = f"internal error: {type(outcome).__name__}"
            reports += [_report(target, n, False, 0, error) for n in chosen]
        else:
            reports += outcome
    return reports


async def send_test(
    db: Database,
    store: SecretStore,
    name: str,
    *,
    attempts: int = 1,
    backoff: float = 1.0,
    attempt_timeout: float = TIMEOUT,
) -> DeliveryReport:
    """Send a `test` notification through one channel, enabled or not, whatever its
    events. An unknown name raises NotFoundError; a failed send is a report."""
    async with db.async_read_session() as session:
        channel = await session.run_sync(rows.get_channel_by_name, name)
    if channel.kind not in _SENDERS:
        raise InputError("name", name, f"a {channel.kind} channel is shown by the window")
    note = Notification(
        "test",
        "NetRaven: test notification",
        f"This is a test notification from NetRaven Desktop through the channel "
        f"{channel.name}.\nIf you can read it, the channel works.\n",
        {"channel": channel.name},
    )
    # The caller shows the report: failures are not logged as warnings too.
    policy = _Policy(max(1, attempts), backoff, attempt_timeout, logging.DEBUG)
    reports = await _deliver_channel(store, _Target.of(channel), [note], policy)
    return reports[0]


async def _deliver_channel(
    store: SecretStore,
    target: _Target,
    notifications: list[Notification],
    policy: _Policy,
) -> list[DeliveryReport]:
    if not notifications:
        return []
    try:
        secret, url = await asyncio.to_thread(_read_secrets, store, target)
    except SecretStoreError as exc:
        log.log(policy.failure_level, "notification channel %s: %s", target.name, exc)
        return [_report(target, n, False, 0, str(exc)) for n in notifications]
    if url:
        target = replace(target, config=target.config | {"url": url})
    send = _SENDERS[target.kind]
    return [await _send_with_retries(send, target, secret, n, policy) for n in notifications]


def _read_secrets(store: SecretStore, target: _Target) -> tuple[str | None, str | None]:
    """The channel's password or token and a webhook's whole URL, from the keyring; an
    entry the row names but the keyring lacks is a SecretStoreError."""
    secret = store.get(target.secret_ref).password if target.secret_ref else None
    if target.secret_ref and not secret:
        what = "password" if target.kind == "email" else "token"
        raise SecretStoreError(
            f"the keyring holds no {what} for this channel; remove it and add it again"
        )
    url = store.get(target.url_ref).password if target.url_ref else None
    if target.url_ref and not url:
        raise SecretStoreError(
            "the keyring on this machine holds no URL for this channel; an admin gives it "
            f"again here: netraven-desktop notify edit {target.name} --url URL"
        )
    return secret, url


async def _send_with_retries(
    send: Sender,
    target: _Target,
    secret: str | None,
    note: Notification,
    policy: _Policy,
) -> DeliveryReport:
    attempts = policy.attempts
    for attempt in range(1, attempts + 1):
        try:
            await send(target, secret, note, policy.attempt_timeout)
        except Exception as exc:
            error = _scrub(_describe(exc), secret, target.config.get("url"))
            final = isinstance(exc, _Permanent) or attempt == attempts
            log.log(
                policy.failure_level,
                "notification %s to channel %s failed (attempt %d of %d%s): %s",
                note.event,
                target.name,
                attempt,
                attempts,
                ", giving up" if final else "",
                error,
            )
            if final:
                return _report(target, note, False, attempt, error)
            await asyncio.sleep(policy.backoff * 2 ** (attempt - 1))
        else:
            log.info("notification %s sent to channel %s", note.event, target.name)
            return _report(target, note, True, attempt, None)
    raise AssertionError("unreachable")  # pragma: no cover


def _report(
    target: _Target, note: Notification, ok: bool, attempts: int, error: str | None
) -> DeliveryReport:
    return DeliveryReport(target.name, target.kind, note.event, ok, attempts, error)


async def _send_email(
    target: _Target, password: str | None, note: Notification, attempt_timeout: float
) -> None:
    config = target.config
    security = config.get("security", "starttls")
    message = EmailMessage()
    message["From"] = config["sender"]
    message["To"] = ", ".join(config["recipients"])
    message["Subject"] = note.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=config["sender"].rpartition("@")[2])
    message["X-NetRaven-Event"] = note.event
    message.set_content(note.text)
    try:
        await aiosmtplib.send(
            message,
            sender=config["sender"],
            recipients=list(config["recipients"]),
            hostname=config["host"],
            port=int(config["port"]),
            username=config.get("username") if password else None,
            password=password,
            use_tls=security == "tls",
            start_tls=security == "starttls",
            tls_context=ssl.create_default_context() if security != "none" else None,
            timeout=attempt_timeout,
        )
    except _SMTP_TRANSIENT as exc:
        if bad_cert := _certificate_failure(exc):
            raise _Permanent(bad_cert) from None
        raise  # no connection, a timeout, a dropped line: worth another attempt
    except ssl.SSLCertVerificationError as exc:
        raise _Permanent(_certificate_failure(exc)) from None
    except aiosmtplib.SMTPResponseException as exc:
        if 400 <= exc.code < 500:
            raise  # the server asks to try again later
        raise _Permanent(f"SMTP {exc.code}: {_one_line(exc.message)}") from None
    except aiosmtplib.SMTPException as exc:  # e.g. no AUTH or STARTTLS offered, all refused
        raise _Permanent(_describe(exc)) from None


_SMTP_TRANSIENT = (
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPTimeoutError,
    aiosmtplib.SMTPServerDisconnected,
)


async def _send_webhook(
    target: _Target, token: str | None, note: Notification, attempt_timeout: float
) -> None:
    """POST the JSON body. The system's trust store decides TLS (SSL_CERT_FILE too); a
    redirect is not followed (the token would go along to wherever it points); the
    answer's body is not read (an endpoint cannot make us buffer much)."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"netraven-desktop/{__version__}",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(note.payload(), ensure_ascii=False).encode()
    try:
        async with (
            httpx.AsyncClient(
                # https: the system's store, read per attempt (SSL_CERT_FILE honoured);
                # plain http has nothing to verify: no CA bundle is loaded for it.
                verify=ssl.create_default_context() if _is_https(target) else False,
                follow_redirects=False,
                timeout=attempt_timeout,
            ) as client,
            client.stream("POST", target.config["url"], content=body, headers=headers) as answer,
        ):
            code, status = answer.status_code, f"HTTP {answer.status_code} {answer.reason_phrase}"
    except httpx.TimeoutException:
        raise TimeoutError(f"no answer within {attempt_timeout:g}s") from None
    except httpx.TransportError as exc:
        if bad_cert := _certificate_failure(exc):
            raise _Permanent(bad_cert) from None
        raise ConnectionError(f"cannot connect: {_describe_transport(exc)}") from None
    status = status.rstrip()
    if 300 <= code < 400:
        raise _Permanent(f"{status}: redirects are not followed; give the final URL")
    if 400 <= code < 500 and code not in (408, 425, 429):
        raise _Permanent(status)
    if code >= 400:
        raise ConnectionError(status)


def _is_https(target: _Target) -> bool:
    return str(target.config["url"]).lower().startswith("https:")


def _describe_transport(exc: httpx.TransportError) -> str:
    """The innermost reason (httpx wraps httpcore wraps the socket's error)."""
    inner: BaseException = exc
    while inner.__cause__ is not None:
        inner = inner.__cause__
    return _one_line(str(inner)) or type(inner).__name__


_SENDERS: dict[str, Sender] = {"email": _send_email, "webhook": _send_webhook}


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPException):
        return f"SMTP: {_one_line(str(exc))}"
    if isinstance(exc, (_Permanent, ConnectionError, TimeoutError)) and exc.args:
        return _one_line(str(exc.args[0]))
    text = _one_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _certificate_failure(exc: BaseException | None) -> str | None:
    """The reason, when `exc` is (or was caused by) a refused server certificate: another
    attempt would not help."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, ssl.SSLCertVerificationError):
            return f"TLS: the server's certificate was refused: {exc.verify_message or exc}"
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return None


def _scrub(text: str, *secrets: str | None) -> str:
    """A last guard: no error text leaves with a secret (a token, a webhook URL) in it."""
    for secret in secrets:
        text = text.replace(secret, "<removed>") if secret else text
    return text


def _one_line(value: object, limit: int = 300) -> str | None:
    if value is None:
        return None
    lines = str(value).strip().splitlines()
    text = lines[0].strip() if lines else ""
    return text[:limit] + ("…" if len(text) > limit else "")


def _is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

"""Sending notifications: e-mail over SMTP and webhooks, with retries.

The caller builds a run's notifications (`messages.notifications_for_run`) once the run
is committed, then awaits `deliver`: delivery retries a failing channel with backoff, is
bounded in time, and never raises; it returns one `DeliveryReport` per channel and
event. No secret appears in a log line, an error text or a notification body.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass, replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import aiosmtplib
import httpx

from .... import __version__
from ...crud import notifications as rows
from ...db import Database
from ...db.models import NotificationChannel
from ...errors import InputError
from ...secrets import SecretStore, SecretStoreError
from .channels import list_channels
from .messages import Notification, one_line

log = logging.getLogger(__name__)

TIMEOUT = 10.0  # seconds per attempt, for SMTP and HTTP alike


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
        reason = one_line(str(exc)) or type(exc).__name__
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
        raise _Permanent(f"SMTP {exc.code}: {one_line(exc.message)}") from None
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
    return one_line(str(inner)) or type(inner).__name__


_SENDERS: dict[str, Sender] = {"email": _send_email, "webhook": _send_webhook}


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPException):
        return f"SMTP: {one_line(str(exc))}"
    if isinstance(exc, (_Permanent, ConnectionError, TimeoutError)) and exc.args:
        return one_line(str(exc.args[0])) or ""
    text = one_line(str(exc))
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

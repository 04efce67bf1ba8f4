"""Notifications end to end: a real SMTP server (aiosmtpd, with STARTTLS or implicit TLS
and a login), a real HTTP server, the real OS keyring and both database backends."""

from __future__ import annotations

import argparse
import datetime
import email
import email.policy
import http.server
import io
import ipaddress
import json
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_asyncio
import secretstorage
import secretstorage.exceptions
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from jeepney.wrappers import DBusErrorResponse
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from netraven_desktop.cli import notify as notify_cli
from netraven_desktop.cli.parser_notify import add_notify_parsers
from netraven_desktop.core.crud import devices
from netraven_desktop.core.crud import notifications as channel_rows
from netraven_desktop.core.crud.notifications import EVENTS
from netraven_desktop.core.errors import ConflictError, InputError, NotFoundError
from netraven_desktop.core.secrets import SERVICE, Secrets
from netraven_desktop.core.services import audit, credentials, notify, runs
from netraven_desktop.core.services.engine import BackupEngine, EngineOptions
from netraven_desktop.core.services.events import DeviceFinished, RunEvent, RunSummary
from netraven_desktop.sim import SimDevice, Simulator

SMTP_USER = "netraven@example.net"
SMTP_PASSWORD = "Smtp-Pa55-w0rd-7c1e"
TOKEN = "hook-T0ken-5f2a9b"
FAST = {"backoff": 0.01, "attempt_timeout": 2.0}


# --- servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for 127.0.0.1 signed by it: (ca, cert, key)."""
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "NetRaven test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = (folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture
def trust_test_ca(tls_files, monkeypatch):
    """The client's default TLS context trusts the test CA (OpenSSL reads SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))


class Inbox:
    """An aiosmtpd handler that keeps what it receives, and checks logins."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (SMTP_USER, SMTP_PASSWORD)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 / 535


@pytest.fixture
def smtp_server(tls_files) -> Iterator:
    """Start SMTP servers on 127.0.0.1: `start("starttls" | "tls" | "none")`."""
    started: list[Controller] = []

    def start(security: str) -> tuple[Inbox, int]:
        inbox = Inbox()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(tls_files[1], tls_files[2])
        port = free_port()
        options: dict = {"authenticator": inbox.authenticate}
        if security == "starttls":
            options |= {"tls_context": context, "require_starttls": True}
        elif security == "tls":
            # aiosmtpd offers AUTH only after STARTTLS unless told that TLS is already on.
            options |= {"ssl_context": context, "auth_require_tls": False}
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(controller)
        return inbox, port

    yield start
    for controller in started:
        controller.stop()
        if not controller.loop.is_closed():
            controller.loop.close()


class Hook:
    """A webhook receiver: answers with the scripted statuses, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.port = 0
        self.scheme = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/hook"

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, _, body in self.requests]


@pytest.fixture
def webhook_server() -> Iterator:
    """Start HTTP servers on 127.0.0.1 in threads: `start(statuses=[500, 500])`; a 3xx
    points to /elsewhere on the same server; `tls=(cert, key)` serves HTTPS."""
    started: list[tuple[http.server.ThreadingHTTPServer, threading.Thread]] = []

    def start(statuses: list[int] | None = None, tls: tuple[Path, Path] | None = None) -> Hook:
        hook = Hook()
        hook.statuses = list(statuses or ())

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.requests.append((self.path, dict(self.headers), body))
                status = hook.statuses.pop(0) if hook.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"{hook.url.rsplit('/', 1)[0]}/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        hook.port = server.server_address[1]
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            server.socket = context.wrap_socket(server.socket, server_side=True)
            hook.scheme = "https"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started.append((server, thread))
        return hook

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel's backlog) but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


# --- data --------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def ndb(db, secret_store):
    """The database (closed, async engine too, after the test); keyring entries of the
    channels the test added are removed."""
    yield db
    with db.read_session() as s:
        refs = [r for c in channel_rows.list_channels(s) for r in (c.secret_ref, c.url_ref) if r]
    for ref in refs:
        secret_store.delete(ref)
    await db.aclose()


def keyring_refs() -> set[str]:
    """Every notification entry the Secret Service holds for NetRaven Desktop."""
    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        found = set()
        for item in collection.search_items({"service": SERVICE}):
            try:
                username = item.get_attributes().get("username", "")
            except (secretstorage.exceptions.ItemNotFoundException, DBusErrorResponse):
                continue  # deleted a moment ago: gnome-keyring may still list it
            if username.startswith("notify/"):
                found.add(username)
        return found
    finally:
        conn.close()


def raw_channel_rows(db) -> str:
    with db.sync_engine.connect() as conn:
        return repr(
            [tuple(row) for row in conn.execute(text("SELECT * FROM notification_channels"))]
        )


def a_run(**counts) -> RunSummary:
    return RunSummary(run_id=uuid.uuid4(), **counts)


def finished(device, status, error_class=None, message=None, **snapshot) -> DeviceFinished:
    values = {"snapshot_id": None, "lines_added": None, "lines_removed": None} | snapshot
    return DeviceFinished(device, status, error_class, message, 5, **values)


def mixed_run() -> tuple[RunSummary, list[DeviceFinished]]:
    summary = a_run(
        devices=3, changed=1, unchanged=1, failed=1, status="partial", failures={"unreachable": 1}
    )
    results = [
        finished("core-sw1", "changed", snapshot_id=uuid.uuid4(), lines_added=3, lines_removed=1),
        finished("edge-rtr2", "failed", "unreachable", "connection refused by 10.0.0.9:22"),
        finished("dist-sw3", "unchanged"),
    ]
    return summary, results


def clean_run() -> list[notify.Notification]:
    summary = a_run(devices=2, unchanged=2, status="succeeded")
    return notify.notifications_for_run(
        summary, [finished("a", "unchanged"), finished("b", "unchanged")]
    )


def add_mail(db, store, port, security="starttls", **fields):
    login = {"username": SMTP_USER, "password": SMTP_PASSWORD} if security != "none" else {}
    return notify.add_email_channel(
        db,
        store,
        name=fields.pop("name", "ops-mail"),
        host="127.0.0.1",
        port=port,
        sender="netraven@example.net",
        recipients=fields.pop("recipients", ["noc@example.net", "oncall@example.org"]),
        security=security,
        **(login | fields),
    )


# --- building the messages ---------------------------------------------------------------


def test_a_run_makes_one_digest_per_event():
    summary, results = mixed_run()
    found = {n.event: n for n in notify.notifications_for_run(summary, results, job="nightly")}
    assert list(found) == ["backup_failed", "config_changed", "job_finished"]
    failed = found["backup_failed"]
    assert failed.subject == "NetRaven: 1 of 3 devices failed to back up (job nightly)"
    assert "edge-rtr2: unreachable - connection refused by 10.0.0.9:22" in failed.text
    assert failed.data["devices"] == [
        {
            "device": "edge-rtr2",
            "error_class": "unreachable",
            "message": "connection refused by 10.0.0.9:22",
        }
    ]
    changed = found["config_changed"]
    assert changed.subject == "NetRaven: configuration changed on 1 device (job nightly)"
    assert "core-sw1: +3 -1 lines" in changed.text
    assert changed.data["devices"][0]["lines_added"] == 3
    assert changed.data["devices"][0]["lines_removed"] == 1
    done = found["job_finished"]
    assert "partial" in done.subject
    assert done.data["failures"] == {"unreachable": 1}
    assert done.data["run_id"] == str(summary.run_id)
    assert [n.event for n in clean_run()] == ["job_finished"]


def test_line_counts_may_come_with_the_events():
    summary = a_run(devices=2, changed=2, status="succeeded")
    results = [
        finished("a", "changed", lines_added=7, lines_removed=0),
        finished("b", "changed"),  # no counts known: the device is still listed
    ]
    [changed, _] = notify.notifications_for_run(summary, results)
    assert "  a: +7 -0 lines\n  b\n" in changed.text
    assert [(d["lines_added"], d["lines_removed"]) for d in changed.data["devices"]] == [
        (7, 0),
        (None, None),
    ]


def test_a_large_run_lists_a_bounded_number_of_devices():
    summary = a_run(devices=5000, failed=5000, status="failed")
    results = [finished(f"dev{i}", "failed", "timeout", "no result") for i in range(5000)]
    failed = notify.notifications_for_run(summary, results)[0]
    assert failed.text.count("\n  dev") == notify.TEXT_LIMIT
    assert f"... and {5000 - notify.TEXT_LIMIT} more" in failed.text
    assert failed.data["devices"][-1] == {"omitted": 5000 - notify.DATA_LIMIT}
    assert len(json.dumps(failed.payload())) < 200_000


# --- e-mail ------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_email_digest_over_tls_with_a_login(
    ndb, secret_store, smtp_server, trust_test_ca, security
):
    inbox, port = smtp_server(security)
    channel = add_mail(ndb, secret_store, port, security)
    summary, results = mixed_run()

    reports = await notify.deliver(
        ndb, secret_store, notify.notifications_for_run(summary, results), **FAST
    )

    assert [(r.channel, r.kind, r.event, r.ok, r.attempts, r.error) for r in reports] == [
        ("ops-mail", "email", event, True, 1, None)
        for event in ("backup_failed", "config_changed", "job_finished")
    ]
    assert inbox.logins == [SMTP_USER] * 3
    assert len(inbox.messages) == 3
    by_subject = {m["Subject"]: (sender, rcpt, m) for sender, rcpt, m in inbox.messages}
    sender, rcpt, failed = by_subject[
        f"NetRaven: 1 of 3 devices failed to back up (run {str(summary.run_id)[:8]})"
    ]
    assert sender == "netraven@example.net"
    assert rcpt == ["noc@example.net", "oncall@example.org"]
    assert failed["To"] == "noc@example.net, oncall@example.org"
    assert failed["X-NetRaven-Event"] == "backup_failed"
    assert "edge-rtr2: unreachable - connection refused" in failed.get_content()
    changed = next(m for _, _, m in inbox.messages if m["X-NetRaven-Event"] == "config_changed")
    assert "core-sw1: +3 -1 lines" in changed.get_content()
    for _, _, message in inbox.messages:
        assert SMTP_PASSWORD not in message.as_string()
    # The password is in the keyring, and nowhere in the database.
    assert secret_store.get(channel.secret_ref) == Secrets(password=SMTP_PASSWORD)
    assert channel.secret_ref in raw_channel_rows(ndb)
    assert SMTP_PASSWORD not in raw_channel_rows(ndb)


@pytest.mark.asyncio
async def test_email_to_a_local_relay_without_tls(ndb, secret_store, smtp_server):
    inbox, port = smtp_server("none")
    channel = add_mail(ndb, secret_store, port, "none", events=["job_finished"])
    assert channel.secret_ref is None
    summary, results = mixed_run()
    reports = await notify.deliver(
        ndb, secret_store, notify.notifications_for_run(summary, results), **FAST
    )
    assert [(r.event, r.ok) for r in reports] == [("job_finished", True)]
    assert [m["X-NetRaven-Event"] for _, _, m in inbox.messages] == ["job_finished"]


@pytest.mark.asyncio
async def test_a_refused_smtp_login_is_not_retried_and_shows_no_secret(
    ndb, secret_store, smtp_server, trust_test_ca
):
    inbox, port = smtp_server("starttls")
    notify.add_email_channel(
        ndb,
        secret_store,
        name="wrong",
        host="127.0.0.1",
        port=port,
        sender="netraven@example.net",
        recipients=["noc@example.net"],
        username=SMTP_USER,
        password="Wr0ng-Secret-Value",
    )
    [report] = await notify.deliver(ndb, secret_store, clean_run(), attempts=3, **FAST)
    assert (report.ok, report.attempts) == (False, 1)
    assert "535" in report.error
    assert "Wr0ng-Secret-Value" not in report.error
    assert inbox.messages == []


@pytest.mark.asyncio
@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_an_untrusted_server_certificate_is_refused(ndb, secret_store, smtp_server, security):
    """Without the test CA in the trust store, the password is never sent."""
    inbox, port = smtp_server(security)
    add_mail(ndb, secret_store, port, security)
    [report] = await notify.deliver(ndb, secret_store, clean_run(), attempts=3, **FAST)
    assert (report.ok, report.attempts) == (False, 1)
    assert report.error.startswith("TLS: the server's certificate was refused")
    assert (inbox.logins, inbox.messages) == ([], [])


@pytest.mark.asyncio
async def test_a_real_run_then_its_notifications(ndb, secret_store, smtp_server, trust_test_ca):
    """The engine against simulated devices, the run committed, then delivery: what the
    CLI does after `backup run` / `job run`."""
    inbox, port = smtp_server("starttls")
    add_mail(ndb, secret_store, port, events=["backup_failed", "config_changed"])
    device_password = "Dev1ce-Pa55-9q"
    credential = credentials.add_credential(
        ndb,
        secret_store,
        name="lab",
        username="admin",
        secrets=Secrets(password=device_password, enable="enable"),
    )
    sim = Simulator()
    try:
        specs = [
            SimDevice(name="r1", platform="cisco_ios", password=device_password),
            SimDevice(
                name="r2", platform="cisco_ios", password=device_password, faults={"disconnect"}
            ),
        ]
        await sim.start(specs)
        with ndb.session() as s:
            for spec in specs:
                devices.create_device(
                    s, name=spec.name, host="127.0.0.1", port=spec.port, platform=spec.platform
                )
        events: list[RunEvent] = []
        options = EngineOptions(connect_timeout=5, device_timeout=20, retries=0, backoff=0.01)
        summary = await BackupEngine(ndb, secret_store, options, events.append).run(
            runs.Selection(all=True)
        )
    finally:
        await sim.stop()
        secret_store.delete(credential.keyring_ref)
    assert (summary.changed, summary.failed) == (1, 1)
    finished_events = [e for e in events if isinstance(e, DeviceFinished)]
    added = next(e.lines_added for e in finished_events if e.device == "r1")
    assert added > 0

    reports = await notify.deliver(
        ndb, secret_store, notify.notifications_for_run(summary, finished_events), **FAST
    )

    assert [(r.event, r.ok) for r in reports] == [("backup_failed", True), ("config_changed", True)]
    failed, changed = (m for _, _, m in inbox.messages)
    assert "r2: disconnected" in failed.get_content()
    assert f"r1: +{added} -0 lines" in changed.get_content()
    for message in (failed, changed):
        assert device_password not in message.as_string()
        assert SMTP_PASSWORD not in message.as_string()


# --- webhooks ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_webhook_posts_json_with_the_bearer_token(ndb, secret_store, webhook_server):
    hook = webhook_server()
    channel = notify.add_webhook_channel(
        ndb,
        secret_store,
        name="chatops",
        url=hook.url,
        token=TOKEN,
        events=["config_changed", "job_finished"],
    )
    summary, results = mixed_run()

    reports = await notify.deliver(
        ndb, secret_store, notify.notifications_for_run(summary, results), **FAST
    )

    assert [(r.event, r.ok, r.attempts) for r in reports] == [
        ("config_changed", True, 1),
        ("job_finished", True, 1),
    ]
    assert len(hook.requests) == 2
    for path, headers, body in hook.requests:
        assert path == "/hook"
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert headers["Content-Type"].startswith("application/json")
        assert TOKEN.encode() not in body
    changed, done = hook.bodies()
    assert set(changed) == {"event", "subject", "text", "data"}
    assert changed["event"] == "config_changed"
    assert changed["data"]["devices"][0]["device"] == "core-sw1"
    assert (
        changed["data"]["devices"][0]["lines_added"],
        changed["data"]["devices"][0]["lines_removed"],
    ) == (3, 1)
    assert done["event"] == "job_finished"
    assert done["data"]["failed"] == 1
    assert secret_store.get(channel.secret_ref) == Secrets(password=TOKEN)
    assert TOKEN not in raw_channel_rows(ndb)


@pytest.mark.asyncio
async def test_event_filters_and_skipped_channels(ndb, secret_store, webhook_server):
    """Only failures wanted: a clean run sends nothing. Disabled and desktop channels
    are never sent to."""
    failures_only = webhook_server()
    disabled = webhook_server()
    notify.add_webhook_channel(
        ndb, secret_store, name="failures", url=failures_only.url, events=["backup_failed"]
    )
    off = notify.add_webhook_channel(ndb, secret_store, name="off", url=disabled.url)
    with ndb.session() as s:
        channel_rows.update_channel(s, off.id, None, enabled=False)
        channel_rows.create_channel(s, name="tray", kind="desktop")

    assert await notify.deliver(ndb, secret_store, clean_run(), **FAST) == []
    assert failures_only.requests == []

    summary, results = mixed_run()
    reports = await notify.deliver(
        ndb, secret_store, notify.notifications_for_run(summary, results), **FAST
    )
    assert [(r.channel, r.event, r.ok) for r in reports] == [("failures", "backup_failed", True)]
    assert [b["event"] for b in failures_only.bodies()] == ["backup_failed"]
    assert disabled.requests == []


@pytest.mark.asyncio
async def test_a_failing_endpoint_is_retried_with_backoff(ndb, secret_store, webhook_server):
    hook = webhook_server(statuses=[500, 503])
    notify.add_webhook_channel(ndb, secret_store, name="flaky", url=hook.url)
    [report] = await notify.deliver(ndb, secret_store, clean_run(), attempts=3, **FAST)
    assert (report.ok, report.attempts, report.error) == (True, 3, None)
    assert len(hook.requests) == 3
    assert len({body for _, _, body in hook.requests}) == 1  # the same notification


@pytest.mark.asyncio
async def test_a_client_error_is_not_retried(ndb, secret_store, webhook_server):
    hook = webhook_server(statuses=[404])
    notify.add_webhook_channel(ndb, secret_store, name="gone", url=hook.url)
    [report] = await notify.deliver(ndb, secret_store, clean_run(), attempts=3, **FAST)
    assert (report.ok, report.attempts, report.error) == (False, 1, "HTTP 404 Not Found")


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_a_redirect_is_not_followed_so_the_token_goes_nowhere_else(
    ndb, secret_store, webhook_server, status
):
    hook = webhook_server(statuses=[status])
    notify.add_webhook_channel(ndb, secret_store, name="moved", url=hook.url, token=TOKEN)
    [report] = await notify.deliver(ndb, secret_store, clean_run(), attempts=3, **FAST)
    assert (report.ok, report.attempts) == (False, 1)
    assert report.error.startswith(f"HTTP {status}")
    assert "redirects are not followed" in report.error
    assert [path for path, _, _ in hook.requests] == ["/hook"]


@pytest.mark.asyncio
async def test_an_https_webhook_trusts_the_system_store_only(
    ndb, secret_store, webhook_server, tls_files, monkeypatch
):
    """Without the test CA trusted, the handshake fails and no token is sent; with it in
    the system store (SSL_CERT_FILE), the same endpoint receives the notification."""
    hook = webhook_server(tls=(tls_files[1], tls_files[2]))
    notify.add_webhook_channel(ndb, secret_store, name="tls", url=hook.url, token=TOKEN)
    [refused] = await notify.deliver(ndb, secret_store, clean_run(), attempts=3, **FAST)
    assert (refused.ok, refused.attempts) == (False, 1)
    assert refused.error.startswith("TLS: the server's certificate was refused")
    assert hook.requests == []
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    [sent] = await notify.deliver(ndb, secret_store, clean_run(), attempts=3, **FAST)
    assert (sent.ok, sent.attempts, sent.error) == (True, 1, None)
    [(_, headers, _)] = hook.requests
    assert headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.asyncio
async def test_dead_endpoints_fail_quickly_without_raising(
    ndb, secret_store, webhook_server, black_hole
):
    alive = webhook_server()
    dead_port = free_port()
    notify.add_webhook_channel(
        ndb, secret_store, name="refused", url=f"http://127.0.0.1:{dead_port}/x", token=TOKEN
    )
    notify.add_webhook_channel(
        ndb, secret_store, name="silent", url=f"http://127.0.0.1:{black_hole}/x", token=TOKEN
    )
    add_mail(ndb, secret_store, dead_port, "none", name="no-relay")
    notify.add_webhook_channel(ndb, secret_store, name="works", url=alive.url)

    started = time.monotonic()
    reports = await notify.deliver(
        ndb, secret_store, clean_run(), attempts=3, backoff=0.05, attempt_timeout=0.5
    )
    elapsed = time.monotonic() - started

    outcome = {r.channel: (r.ok, r.attempts) for r in reports}
    assert outcome == {
        "no-relay": (False, 3),
        "refused": (False, 3),
        "silent": (False, 3),
        "works": (True, 1),
    }
    errors = {r.channel: r.error for r in reports}
    assert "cannot connect" in errors["refused"]
    assert "0.5s" in errors["silent"] or "timed out" in errors["silent"]
    assert errors["no-relay"].startswith("SMTP")
    assert all(TOKEN not in (r.error or "") for r in reports)
    # Channels are served concurrently: 3 timeouts of 0.5 s plus backoff, not 3 x that.
    assert elapsed < 4, elapsed
    assert len(alive.requests) == 1


@pytest.mark.asyncio
async def test_a_missing_keyring_entry_is_reported(ndb, secret_store, webhook_server):
    hook = webhook_server()
    channel = notify.add_webhook_channel(ndb, secret_store, name="h", url=hook.url, token=TOKEN)
    secret_store.delete(channel.secret_ref)
    [report] = await notify.deliver(ndb, secret_store, clean_run(), **FAST)
    assert (report.ok, report.attempts) == (False, 0)
    assert "keyring holds no token" in report.error
    assert hook.requests == []


@pytest.mark.asyncio
async def test_send_test(ndb, secret_store, webhook_server):
    hook = webhook_server()
    notify.add_webhook_channel(ndb, secret_store, name="h", url=hook.url, events=[])
    report = await notify.send_test(ndb, secret_store, "H")
    assert (report.channel, report.event, report.ok, report.attempts) == ("h", "test", True, 1)
    assert hook.bodies()[0]["event"] == "test"
    notify.add_webhook_channel(
        ndb, secret_store, name="dead", url=f"http://127.0.0.1:{free_port()}/"
    )
    report = await notify.send_test(ndb, secret_store, "dead")
    assert (report.ok, report.attempts) == (False, 1)
    with pytest.raises(NotFoundError):
        await notify.send_test(ndb, secret_store, "nope")


# --- adding, listing, removing -----------------------------------------------------------

MAIL = {
    "name": "m",
    "host": "smtp.example.net",
    "sender": "netraven@example.net",
    "recipients": ["noc@example.net"],
    "username": "netraven",
    "password": SMTP_PASSWORD,
}
MAIL_CONFIG = {
    "host": "smtp.example.net",
    "port": 587,
    "security": "starttls",
    "sender": "netraven@example.net",
    "recipients": ["noc@example.net"],
    "username": "netraven",
}


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("email", {"sender": "not-an-address"}, "sender"),
        ("email", {"recipients": ["noc@example.net", "bob"]}, "recipients"),
        ("email", {"recipients": ["noc@[10.0.0.1]"]}, "recipients"),
        ("email", {"recipients": []}, "recipients"),
        ("email", {"port": 0}, "port"),
        ("email", {"port": 70000}, "port"),
        ("email", {"host": "bad host!"}, "host"),
        ("email", {"security": "ssl"}, "security"),
        ("email", {"security": "none"}, "security"),  # a password in clear over the network
        ("email", {"username": None}, "username"),
        ("email", {"events": ["backup_failed", "nope"]}, "events"),
        ("email", {"name": ""}, "name"),
        ("webhook", {"url": "ftp://hooks.example.net/x"}, "url"),
        ("webhook", {"url": "hooks.example.net/x"}, "url"),
        ("webhook", {"url": "https://user:Url-Pa55@hooks.example.net/"}, "url"),
        ("webhook", {"url": "http://hooks.example.net/x"}, "url"),  # a token in clear
        ("webhook", {"token": "two words"}, "token"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(db, secret_store, kind, fields, field):
    before = keyring_refs()
    if kind == "email":
        add, options = notify.add_email_channel, MAIL
    else:
        add = notify.add_webhook_channel
        options = {"name": "h", "url": "https://hooks.example.net/x", "token": TOKEN}
    with pytest.raises(InputError) as err:
        add(db, secret_store, **(options | fields))
    assert err.value.field == field
    for secret in (SMTP_PASSWORD, TOKEN, "Url-Pa55"):
        assert secret not in str(err.value)
    with db.read_session() as s:
        assert notify.list_channels(s) == []
    assert keyring_refs() == before


def test_a_failed_insert_leaves_no_keyring_entry(db, secret_store):
    first = notify.add_email_channel(db, secret_store, **MAIL)
    entry = f"{first.secret_ref}/password"
    before = keyring_refs()
    assert entry in before
    with pytest.raises(InputError) as err:
        notify.add_email_channel(db, secret_store, **(MAIL | {"name": "M"}))
    assert err.value.field == "name"
    assert keyring_refs() == before
    notify.remove_channel(db, secret_store, "m")
    assert entry not in keyring_refs()
    assert secret_store.get(first.secret_ref) == Secrets()


def test_list_and_json_show_no_secret(face, secret_store):
    db = face.db
    try:
        notify.add_email_channel(db, secret_store, **MAIL)
        notify.add_webhook_channel(
            db, secret_store, name="hook", url="https://hooks.example.net/x#frag", token=TOKEN
        )
        rows = [notify.channel_to_dict(c) for c in face.service(notify.list_channels)]
        assert [list(r) for r in rows] == [
            ["id", "name", "kind", "config", "has_secret", "events", "enabled", "version"]
        ] * 2
        hook, mail = sorted(rows, key=lambda r: r["kind"], reverse=True)
        assert mail["config"] == MAIL_CONFIG
        assert hook["config"] == {"url": "https://hooks.example.net/…"}  # the URL: a secret
        assert (mail["has_secret"], hook["has_secret"]) == (True, True)
        assert mail["events"] == list(EVENTS)  # a new channel: every event
        text_form = json.dumps(rows)
        assert SMTP_PASSWORD not in text_form
        assert TOKEN not in text_form
    finally:
        for name in ("m", "hook"):
            notify.remove_channel(db, secret_store, name)


# --- the CLI commands (through a parser built by add_notify_parsers) ------------------------


def cli(db, monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="netraven-desktop")
    add_notify_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = notify_cli.COMMANDS[(args.command, args.action)](db, args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_commands(db, secret_store, webhook_server, monkeypatch, capsys):
    hook = webhook_server()
    code, out, _ = cli(
        db,
        monkeypatch,
        capsys,
        ["notify", "add-webhook", "chat", "--url", hook.url, "--token-stdin"],
        f"{TOKEN}\n",
    )
    assert code == 0
    assert "its token is in the OS keyring" in out
    code, out, _ = cli(
        db,
        monkeypatch,
        capsys,
        [
            "notify",
            "add-email",
            "mail",
            "--host",
            "smtp.example.net",
            "--from",
            "nr@example.net",
            "--to",
            "a@example.net",
            "b@example.net",
            "--to",
            "c@example.net",
            "--username",
            "nr",
            "--password-stdin",
            "--security",
            "tls",
            "--event",
            "backup_failed",
        ],
        f"{SMTP_PASSWORD}\n",
    )
    assert code == 0
    assert "smtp.example.net:465, tls" in out
    code, out, _ = cli(db, monkeypatch, capsys, ["notify", "list", "--json"])
    listed = json.loads(out)
    assert [r["name"] for r in listed] == ["chat", "mail"]
    assert listed[1]["config"]["recipients"] == ["a@example.net", "b@example.net", "c@example.net"]
    assert listed[1]["events"] == ["backup_failed"]
    code, out, _ = cli(db, monkeypatch, capsys, ["notify", "list"])
    assert out.splitlines()[0].split() == ["NAME", "KIND", "TARGET", "EVENTS", "SECRET", "ENABLED"]
    for text_form in (out, raw_channel_rows(db)):
        assert TOKEN not in text_form
        assert SMTP_PASSWORD not in text_form

    code, out, _ = cli(db, monkeypatch, capsys, ["notify", "test", "chat"])
    assert (code, out.strip()) == (0, "sent a test notification through chat (webhook)")
    assert hook.requests[0][1]["Authorization"] == f"Bearer {TOKEN}"

    hook_port = free_port()
    cli(
        db,
        monkeypatch,
        capsys,
        ["notify", "add-webhook", "dead", "--url", f"http://127.0.0.1:{hook_port}/"],
    )
    code, out, err = cli(db, monkeypatch, capsys, ["notify", "test", "dead"])
    assert code == 1
    assert err.startswith("netraven-desktop: notify test dead: not delivered after 1 attempt(s): ")
    assert len(err.splitlines()) == 1

    with pytest.raises(InputError) as error:
        cli(
            db,
            monkeypatch,
            capsys,
            [
                "notify",
                "add-email",
                "x",
                "--host",
                "h.example.net",
                "--from",
                "nr@example.net",
                "--to",
                "a@example.net",
                "--password-stdin",
            ],
            "pw\n",
        )
    assert error.value.field == "--password-stdin"

    for name in ("chat", "mail", "dead"):
        code, out, _ = cli(db, monkeypatch, capsys, ["notify", "remove", name])
        assert code == 0
    assert "and its keyring entry" not in out  # "dead" had no token
    with db.read_session() as s:
        assert notify.list_channels(s) == []


# --- editing -----------------------------------------------------------------------------


@pytest.fixture
def edits(db, secret_store):
    """The database; the keyring entries of its channels are removed after the test."""
    yield db
    with db.read_session() as s:
        refs = [r for c in channel_rows.list_channels(s) for r in (c.secret_ref, c.url_ref) if r]
    for ref in refs:
        secret_store.delete(ref)


def _channel(db, name):
    with db.read_session() as s:
        return channel_rows.get_channel_by_name(s, name)


def _updates(db):
    with db.read_session() as s:
        return audit.list_events(s, entity_type="notification_channel", action="channel.update")


def test_edit_changes_fields_and_keeps_the_secret(edits, secret_store):
    added = notify.add_email_channel(edits, secret_store, **MAIL)
    edited = notify.edit_channel(
        edits,
        secret_store,
        "M",
        expected_version=added.version,
        name="ops-mail",
        host="relay.example.net",
        security="tls",
        recipients=["noc@example.net", "oncall@example.org"],
        events=["backup_failed"],
        enabled=False,
    )
    assert (edited.name, edited.events, edited.enabled) == ("ops-mail", ["backup_failed"], False)
    assert edited.config == MAIL_CONFIG | {
        "host": "relay.example.net",
        "security": "tls",
        "port": 465,  # the default followed the security, as the port was at its default
        "recipients": ["noc@example.net", "oncall@example.org"],
    }
    assert edited.version == added.version + 1
    assert edited.secret_ref == added.secret_ref
    assert secret_store.get(added.secret_ref) == Secrets(password=SMTP_PASSWORD)
    record = _updates(edits)[0]
    assert record.before == {
        "name": "m",
        "config": MAIL_CONFIG,
        "events": sorted(EVENTS),
        "enabled": True,
    }
    assert record.after["name"] == "ops-mail"
    assert record.after["enabled"] is False
    assert "secret" not in record.after  # kept: not a change

    again = notify.edit_channel(edits, secret_store, "ops-mail", enabled=True, port="2465")
    assert (again.enabled, again.config["port"]) == (True, 2465)


def test_edit_replaces_the_secret_and_audits_no_value(edits, secret_store):
    hook = notify.add_webhook_channel(
        edits, secret_store, name="hook", url="https://hooks.example.net/x", token=TOKEN
    )
    edited = notify.edit_channel(edits, secret_store, "hook", token=" New-T0ken-9 ")
    assert edited.version == hook.version + 1  # a concurrent editor would see a conflict
    assert secret_store.get(edited.secret_ref) == Secrets(password="New-T0ken-9")
    assert secret_store.get(hook.secret_ref) == Secrets()  # the old entry is gone
    assert keyring_refs() & {f"{hook.secret_ref}/password"} == set()
    record = _updates(edits)[0]
    assert (record.before, record.after) == ({"secret": "stored"}, {"secret": "replaced"})
    with edits.read_session() as s:
        events_text = json.dumps([audit.event_to_dict(e) for e in audit.list_events(s)])
    assert TOKEN not in events_text
    assert "New-T0ken-9" not in events_text
    assert "New-T0ken-9" not in raw_channel_rows(edits)


def test_edit_adds_and_drops_an_email_login(edits, secret_store):
    plain = notify.add_email_channel(
        edits, secret_store, **(MAIL | {"username": None, "password": None})
    )
    assert plain.secret_ref is None
    with_login = notify.edit_channel(
        edits, secret_store, "m", username="bot", password=SMTP_PASSWORD
    )
    reference = with_login.secret_ref
    assert secret_store.get(reference) == Secrets(password=SMTP_PASSWORD)
    assert with_login.config["username"] == "bot"
    without = notify.edit_channel(edits, secret_store, "m", username="")
    assert (without.secret_ref, without.config["username"]) == (None, None)
    assert secret_store.get(reference) == Secrets()
    assert f"{reference}/password" not in keyring_refs()


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("email", {"sender": "not-an-address"}, "sender"),
        ("email", {"recipients": []}, "recipients"),
        ("email", {"port": 70000}, "port"),
        ("email", {"security": "none"}, "security"),  # the kept password, in clear
        ("email", {"username": "", "password": "Lost-Pw-1"}, "username"),
        ("email", {"events": ["nope"]}, "events"),
        ("email", {"name": "other"}, "name"),  # taken
        ("email", {"url": "https://x.example.net/"}, "url"),  # not an e-mail setting
        ("email", {"token": "Lost-T0ken"}, "token"),
        ("email", {"enabled": "yes"}, "enabled"),
        ("webhook", {"url": "http://hooks.example.net/x"}, "url"),  # the kept token, in clear
        ("webhook", {"token": "two words"}, "token"),
        ("webhook", {"host": "h.example.net"}, "host"),
    ],
)
def test_a_refused_edit_changes_nothing(edits, secret_store, kind, fields, field):
    notify.add_webhook_channel(edits, secret_store, name="other", url="https://o.example.net/")
    if kind == "email":
        channel = notify.add_email_channel(edits, secret_store, **MAIL)
        fields = {"password": "Lost-Pw-1"} | fields
    else:
        channel = notify.add_webhook_channel(
            edits, secret_store, name="m", url="https://hooks.example.net/x", token=TOKEN
        )
        fields = {"token": "Lost-T0ken"} | fields
    rows_before, refs_before = raw_channel_rows(edits), keyring_refs()
    secret_before = secret_store.get(channel.secret_ref)
    with pytest.raises(InputError) as err:
        notify.edit_channel(edits, secret_store, "m", **fields)
    assert err.value.field == field
    assert len(str(err.value).splitlines()) == 1
    for secret in ("Lost-Pw-1", "Lost-T0ken", SMTP_PASSWORD, TOKEN):
        assert secret not in str(err.value)
    assert raw_channel_rows(edits) == rows_before
    assert keyring_refs() == refs_before
    assert secret_store.get(channel.secret_ref) == secret_before
    assert _updates(edits) == []


def test_a_stale_version_is_a_conflict(edits, secret_store):
    channel = notify.add_webhook_channel(
        edits, secret_store, name="hook", url="https://hooks.example.net/x", token=TOKEN
    )
    notify.edit_channel(
        edits, secret_store, "hook", expected_version=channel.version, enabled=False
    )
    rows_before = raw_channel_rows(edits)
    with pytest.raises(ConflictError) as err:
        notify.edit_channel(
            edits, secret_store, "hook", expected_version=channel.version, token="Lost-T0ken"
        )
    assert len(str(err.value).splitlines()) == 1
    assert "reload and try again" in str(err.value)
    assert raw_channel_rows(edits) == rows_before
    assert secret_store.get(channel.secret_ref) == Secrets(password=TOKEN)


def test_a_failed_commit_keeps_the_old_secret_only(edits, secret_store):
    channel = notify.add_webhook_channel(
        edits, secret_store, name="hook", url="https://hooks.example.net/x", token=TOKEN
    )
    rows_before, refs_before = raw_channel_rows(edits), keyring_refs()

    def refuse(_session):
        raise RuntimeError("the commit failed")

    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError):
            notify.edit_channel(edits, secret_store, "hook", token="Lost-T0ken", enabled=False)
    finally:
        event.remove(Session, "before_commit", refuse)
    assert raw_channel_rows(edits) == rows_before
    assert keyring_refs() == refs_before  # the new entry was deleted again
    assert secret_store.get(channel.secret_ref) == Secrets(password=TOKEN)

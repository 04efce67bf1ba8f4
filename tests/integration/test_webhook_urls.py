"""A webhook's URL is a secret: the whole URL lives in the OS keyring, the database, the
listings and the audit log hold only its masked form, and a URL an older version kept in
the database moves to the keyring when an admin lists or edits the channels.

The URLs are shaped after the ones chat services hand out: Slack's incoming webhooks
(`/services/T…/B…/<24 characters>`, per Slack's documentation) and a `?token=` query;
the values are our own. Real HTTP server, real keyring, both database backends.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from netraven_desktop.core.crud import notifications as channel_rows
from netraven_desktop.core.errors import InputError
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import audit, auth, notify
from tests.clitools import Cli
from tests.gui.helpers import database_text
from tests.integration.test_notify import (
    FAST,
    TOKEN,
    clean_run,
    keyring_refs,
    ndb,  # noqa: F401  (a fixture)
    webhook_server,  # noqa: F401  (a fixture)
)

SLACK_PATH = "/services/T04NRDSK2/B07WQ3HJ5LM/Zq3vR8tYp2LmX6cWn9Hs4DkA"
SLACK_SECRET = "Zq3vR8tYp2LmX6cWn9Hs4DkA"
QUERY_TOKEN = "Qry-t0ken-6e91d2"
SECRETS = (SLACK_SECRET, QUERY_TOKEN, TOKEN)


def _secret_url(hook) -> str:
    """The test server's URL with a Slack-style secret path and a token in the query."""
    return f"http://127.0.0.1:{hook.port}/hook{SLACK_PATH}?token={QUERY_TOKEN}"


def _no_secret_in(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def _sqlite_files_text(db) -> str:
    """The SQLite database file and its write-ahead log, as bytes a thief would read."""
    path = db.sync_engine.url.database
    data = b""
    for name in (path, f"{path}-wal"):
        try:
            with open(name, "rb") as file:
                data += file.read()
        except FileNotFoundError:
            pass
    return data.decode("latin-1")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"https://hooks.slack.com{SLACK_PATH}", "https://hooks.slack.com/…"),
        (
            f"https://alerts.example.net:8443/api/v1/notify?token={QUERY_TOKEN}",
            "https://alerts.example.net:8443/…",
        ),
        ("https://chat.example.net/", "https://chat.example.net/"),
        ("HTTPS://chat.example.net", "https://chat.example.net/"),
        ("https://chat.example.net/#room", "https://chat.example.net/…"),
        ("https://hooks.slack.com/…", "https://hooks.slack.com/…"),  # masked again: the same
        ("hooks.example.net/x", "…"),
        ("", "…"),
    ],
)
def test_the_masked_form_keeps_scheme_and_host_only(url, shown):
    assert notify.masked_url(url) == shown


@pytest.mark.asyncio
async def test_the_url_is_kept_in_the_keyring_and_shown_masked(
    ndb,  # noqa: F811
    secret_store,
    webhook_server,  # noqa: F811
):
    db = ndb
    hook = webhook_server()
    url = _secret_url(hook)
    channel = notify.add_webhook_channel(db, secret_store, name="chat", url=url, token=TOKEN)

    shown = f"http://127.0.0.1:{hook.port}/…"
    assert notify.channel_to_dict(channel)["config"] == {"url": shown}
    assert secret_store.get(channel.url_ref) == Secrets(password=url)
    assert secret_store.get(channel.secret_ref) == Secrets(password=TOKEN)
    _no_secret_in(database_text(db))  # rows and audit log (server-written ones included)
    if db.url.backend == "sqlite":
        _no_secret_in(_sqlite_files_text(db))

    [report] = await notify.deliver(db, secret_store, clean_run(), **FAST)
    assert (report.ok, report.error) == (True, None)
    path, headers, _body = hook.requests[0]
    assert path == f"/hook{SLACK_PATH}?token={QUERY_TOKEN}"  # the whole URL, from the keyring
    assert headers["Authorization"] == f"Bearer {TOKEN}"

    new_url = (
        f"http://127.0.0.1:{hook.port}/hook/services/T04NRDSK2/B07WQ3HJ5LM/N3wSecretN3wSecret0000"
    )
    edited = notify.edit_channel(db, secret_store, "chat", url=new_url)
    assert secret_store.get(edited.url_ref) == Secrets(password=new_url)
    assert secret_store.get(channel.url_ref) == Secrets()  # the old URL's entry is gone
    assert edited.secret_ref == channel.secret_ref  # the token was kept
    with db.read_session() as s:
        (update,) = audit.list_events(s, action="channel.update")
    assert (update.before, update.after) == ({"url": "stored"}, {"url": "replaced"})
    _no_secret_in(database_text(db))
    assert "N3wSecret" not in database_text(db)

    notify.remove_channel(db, secret_store, "chat")
    assert {f"{edited.url_ref}/password", f"{edited.secret_ref}/password"} & keyring_refs() == set()


def test_a_bad_url_is_refused_without_quoting_its_secret(ndb, secret_store):  # noqa: F811
    with pytest.raises(InputError) as err:
        notify.add_webhook_channel(
            ndb,
            secret_store,
            name="chat",
            url=f"ftp://hooks.example.net{SLACK_PATH}?token={QUERY_TOKEN}",
        )
    assert str(err.value) == (
        "url: must be an http:// or https:// URL (got 'ftp://hooks.example.net/…')"
    )
    with ndb.read_session() as s:
        assert notify.list_channels(s) == []


@pytest.mark.asyncio
async def test_a_url_an_older_version_stored_moves_to_the_keyring_for_an_admin(
    ndb,  # noqa: F811
    secret_store,
    webhook_server,  # noqa: F811
):
    db = ndb
    hook = webhook_server()
    url = _secret_url(hook)
    with db.session() as s:
        auth.set_mode(s, "team", first_admin=("alice", "alice-password"))
    db.act_as("alice", "admin")
    with db.session() as s:
        auth.add_user(s, username="vera", password="vera-password", role="viewer")
        # What the previous version wrote: the whole URL in the row.
        channel_rows.create_channel(s, name="legacy", kind="webhook", config={"url": url})
    [report] = await notify.deliver(db, secret_store, clean_run(), **FAST)
    assert report.ok  # still sent before the move

    db.act_as("vera", "viewer")
    assert notify.move_webhook_urls(db, secret_store) == []  # a viewer cannot move it
    with db.read_session() as s:
        (listed,) = [notify.channel_to_dict(c) for c in notify.list_channels(s)]
    assert listed["config"] == {"url": f"http://127.0.0.1:{hook.port}/…"}  # but sees it masked

    db.act_as("alice", "admin")
    assert notify.move_webhook_urls(db, secret_store) == ["legacy"]
    assert notify.move_webhook_urls(db, secret_store) == []  # once
    with db.read_session() as s:
        moved = channel_rows.get_channel_by_name(s, "legacy")
        (event,) = audit.list_events(s, action="channel.update")
    assert secret_store.get(moved.url_ref) == Secrets(password=url)
    assert moved.config == {"url": f"http://127.0.0.1:{hook.port}/…"}
    assert (event.before, event.after) == ({"url": "in the database"}, {"url": "stored"})
    _no_secret_in(repr(notify.channel_to_dict(moved)) + repr(audit.event_to_dict(event)))
    with db.sync_engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM notification_channels").all()
    _no_secret_in(repr(rows))

    [report] = await notify.deliver(db, secret_store, clean_run(), **FAST)
    assert report.ok
    assert hook.requests[-1][0] == f"/hook{SLACK_PATH}?token={QUERY_TOKEN}"


def test_a_viewer_lists_the_masked_url_only(cli, db, secret_store, ndb):  # noqa: F811
    """The real CLI in team mode: an admin adds a webhook, a viewer lists it."""
    url = f"https://hooks.slack.com{SLACK_PATH}"
    cli.ok("db", "mode", "team", "--admin", "alice", "--password-stdin", stdin="alice-password\n")
    admin = Cli(cli.url, cli.env | {"NETRAVEN_PASSWORD": "alice-password"})
    admin.ok("--user", "alice", "notify", "add-webhook", "chat", "--url", url)
    admin.ok(
        "--user",
        "alice",
        "user",
        "add",
        "vera",
        "--role",
        "viewer",
        "--password-stdin",
        stdin="vera-password\n",
    )
    viewer = Cli(cli.url, cli.env | {"NETRAVEN_PASSWORD": "vera-password"})
    (listed,) = viewer.json("--user", "vera", "notify", "list")
    assert listed["config"] == {"url": "https://hooks.slack.com/…"}
    table = viewer.ok("--user", "vera", "notify", "list")
    assert "https://hooks.slack.com/…" in table
    _no_secret_in(table + database_text(db))
    audit_log = viewer.ok("--user", "vera", "audit", "list", "--json")
    _no_secret_in(audit_log)


def test_an_admin_listing_moves_an_old_url_to_the_keyring(cli, db, secret_store, ndb):  # noqa: F811
    """The real CLI: a viewer's `notify list` changes nothing, an admin's moves the URL."""
    url = f"https://hooks.slack.com{SLACK_PATH}"
    cli.ok("db", "mode", "team", "--admin", "alice", "--password-stdin", stdin="alice-password\n")
    admin = Cli(cli.url, cli.env | {"NETRAVEN_PASSWORD": "alice-password"})
    admin.ok(
        *("--user", "alice", "user", "add", "vera", "--role", "viewer", "--password-stdin"),
        stdin="vera-password\n",
    )
    with db.session() as s:  # what the previous version wrote: the whole URL in the row
        channel_rows.create_channel(s, name="legacy", kind="webhook", config={"url": url})
    viewer = Cli(cli.url, cli.env | {"NETRAVEN_PASSWORD": "vera-password"})
    looked = viewer("--user", "vera", "notify", "list", "--json")
    assert (looked.returncode, looked.stderr) == (0, "")
    _no_secret_in(looked.stdout)

    listed = admin("--user", "alice", "notify", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr == "moved the URL of webhook legacy to the OS keyring\n"
    assert json.loads(listed.stdout)[0]["config"] == {"url": "https://hooks.slack.com/…"}
    with db.read_session() as s:
        moved = channel_rows.get_channel_by_name(s, "legacy")
    assert secret_store.get(moved.url_ref) == Secrets(password=url)
    with db.sync_engine.connect() as conn:
        _no_secret_in(repr(conn.exec_driver_sql("SELECT * FROM notification_channels").all()))


@pytest.mark.asyncio
async def test_a_missing_url_entry_is_reported_and_nothing_is_sent(
    ndb,  # noqa: F811
    secret_store,
    webhook_server,  # noqa: F811
):
    """What a machine sees whose keyring lacks the URL (another member added the channel)."""
    hook = webhook_server()
    channel = notify.add_webhook_channel(ndb, secret_store, name="chat", url=_secret_url(hook))
    secret_store.delete(channel.url_ref)
    [report] = await notify.deliver(ndb, secret_store, clean_run(), **FAST)
    assert (report.ok, report.attempts) == (False, 0)
    assert report.error == (
        "the keyring on this machine holds no URL for this channel; an admin gives it "
        "again here: netraven-desktop notify edit chat --url URL"
    )
    assert hook.requests == []


def test_a_failed_commit_keeps_the_old_url_only(ndb, secret_store):  # noqa: F811
    channel = notify.add_webhook_channel(
        ndb, secret_store, name="chat", url=f"https://hooks.slack.com{SLACK_PATH}"
    )
    refs_before = keyring_refs()

    def refuse(_session):
        raise RuntimeError("the commit failed")

    event.listen(Session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError):
            notify.edit_channel(ndb, secret_store, "chat", url="https://hooks.example.net/lost")
    finally:
        event.remove(Session, "before_commit", refuse)
    assert keyring_refs() == refs_before  # the new URL's entry was deleted again
    assert secret_store.get(channel.url_ref) == Secrets(
        password=f"https://hooks.slack.com{SLACK_PATH}"
    )

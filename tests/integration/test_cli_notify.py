"""`notify edit` run as users run it: a real process, its exit codes and one-line errors,
secrets only from stdin and only into the OS keyring."""

from __future__ import annotations

import pytest

from netraven_desktop.core.crud import notifications as channel_rows
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import notify
from tests.clitools import one_line_error
from tests.integration.test_cli import _everything

TOKEN = "Cli-h00k-T0ken-1b7e"
NEW_TOKEN = "Cli-n3w-T0ken-8d2c"
PASSWORD = "Cli-Smtp-Pa55-4f0a"


@pytest.fixture
def channels(db, secret_store):
    """A webhook with a token and an e-mail channel without a login, as `notify list
    --json` shows them; their keyring entries are removed after the test."""
    added = [
        notify.add_webhook_channel(
            db, secret_store, name="chat", url="https://hooks.example.net/x", token=TOKEN
        ),
        notify.add_email_channel(
            db,
            secret_store,
            name="mail",
            host="smtp.example.net",
            sender="nr@example.net",
            recipients=["a@example.net"],
            security="tls",
        ),
    ]
    yield {c.name: notify.channel_to_dict(c) for c in added}
    with db.read_session() as s:
        for channel in channel_rows.list_channels(s):
            for reference in (channel.secret_ref, channel.url_ref):
                if reference:
                    secret_store.delete(reference)


def _reference(db, name):
    with db.read_session() as s:
        return channel_rows.get_channel_by_name(s, name).secret_ref


def test_edit_changes_only_what_is_given(cli, db, secret_store, channels):
    reference = _reference(db, "chat")
    out = cli.ok(
        "notify",
        "edit",
        "chat",
        "--name",
        "team-chat",
        "--event",
        "backup_failed",
        "--disable",
        "--expect-version",
        str(channels["chat"]["version"]),
    )
    assert out.strip() == "updated notification channel team-chat (version 2, disabled)"
    chat = cli.json("notify", "list")[1]
    assert (chat["name"], chat["events"], chat["enabled"]) == (
        "team-chat",
        ["backup_failed"],
        False,
    )
    assert chat["config"] == channels["chat"]["config"]
    assert secret_store.get(reference) == Secrets(password=TOKEN)  # kept

    out = cli.ok("notify", "edit", "team-chat", "--enable", "--token-stdin", stdin=f"{NEW_TOKEN}\n")
    assert out.strip() == (
        "updated notification channel team-chat (version 3); its new secret is in the OS keyring"
    )
    assert secret_store.get(_reference(db, "team-chat")) == Secrets(password=NEW_TOKEN)
    assert secret_store.get(reference) == Secrets()
    assert NEW_TOKEN not in repr(_everything(db))
    assert cli.ok("notify", "edit", "team-chat").strip() == "nothing to change on team-chat"


def test_edit_an_email_channel_login(cli, db, secret_store, channels):
    cli.ok(
        "notify",
        "edit",
        "mail",
        "--username",
        "nr",
        "--password-stdin",
        "--to",
        "b@example.net",
        "c@example.net",
        stdin=f"{PASSWORD}\n",
    )
    mail = cli.json("notify", "list")[1]
    assert mail["config"]["recipients"] == ["b@example.net", "c@example.net"]
    assert (mail["config"]["username"], mail["has_secret"]) == ("nr", True)
    reference = _reference(db, "mail")
    assert secret_store.get(reference) == Secrets(password=PASSWORD)
    cli.ok("notify", "edit", "mail", "--username", "")
    assert cli.json("notify", "list")[1]["has_secret"] is False
    assert secret_store.get(reference) == Secrets()


@pytest.mark.parametrize(
    ("args", "stdin", "fragments"),
    [
        (["chat", "--url", "http://hooks.example.net/x"], None, ["url:", "https://"]),
        (["chat", "--host", "h.example.net"], None, ["host:", "webhook channel"]),
        (["chat", "--token-stdin"], "two words\n", ["token:", "'<hidden>'"]),
        (["mail", "--username", "nr"], None, ["password:", "a user name needs a password"]),
        (["mail", "--password-stdin"], "\n", ["--password-stdin:", "first line"]),
        (["ghost", "--disable"], None, ["'ghost'"]),
        (["chat", "--enable", "--disable"], None, ["--disable:", "not allowed with"]),
    ],
)
def test_bad_input_exits_2_with_one_line_and_changes_nothing(
    cli, db, secret_store, channels, args, stdin, fragments
):
    before = _everything(db)
    result = cli("notify", "edit", *args, stdin=stdin)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    one_line_error(result, *fragments)
    assert "two words" not in result.stderr
    assert _everything(db) == before
    assert secret_store.get(_reference(db, "chat")) == Secrets(password=TOKEN)


def test_a_stale_edit_exits_1_and_keeps_the_secret(cli, db, secret_store, channels):
    cli.ok("notify", "edit", "chat", "--expect-version", "1", "--disable")
    result = cli(
        "notify", "edit", "chat", "--expect-version", "1", "--token-stdin", stdin=f"{NEW_TOKEN}\n"
    )
    assert result.returncode == 1
    one_line_error(result, "conflict", "version 2")
    assert secret_store.get(_reference(db, "chat")) == Secrets(password=TOKEN)

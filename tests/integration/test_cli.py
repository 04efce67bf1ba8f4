"""The CLI contract, run as users run it: a real process, real exit codes and streams."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from netraven_desktop.core.crud import devices
from netraven_desktop.core.db.models import Base
from netraven_desktop.core.db.schema import HEAD_REVISION
from netraven_desktop.core.session_tokens import stored_password
from tests.clitools import Cli, one_line_error
from tests.contract import DEVICE_JSON_KEYS


def test_device_lifecycle(cli):
    out = cli.ok(
        "device",
        "add",
        "core-sw1",
        "--host",
        "10.0.0.1",
        "--platform",
        "cisco_ios",
        "--tag",
        "core",
        "--tag",
        "dc1",
        "--site",
        "DC1",
        "--port",
        "2222",
    )
    assert "added device core-sw1" in out
    cli.ok("device", "add", "edge1", "--host", "edge1.example.net", "--platform", "arista_eos")
    listing = cli.json("device", "list")
    assert [d["name"] for d in listing] == ["core-sw1", "edge1"]
    assert list(listing[0]) == DEVICE_JSON_KEYS
    assert listing[0]["tags"] == ["core", "dc1"]
    assert listing[0]["port"] == 2222
    assert [d["name"] for d in cli.json("device", "list", "--tag", "CORE")] == ["core-sw1"]
    assert [d["name"] for d in cli.json("device", "list", "--platform", "arista_eos")] == ["edge1"]
    table = cli.ok("device", "list")
    assert table.splitlines()[0].split() == [
        "NAME",
        "HOST",
        "PORT",
        "PLATFORM",
        "SITE",
        "TAGS",
        "LAST",
        "BACKUP",
    ]
    assert "core-sw1" in table
    assert "core,dc1" in table

    cli.ok(
        "device",
        "edit",
        "core-sw1",
        "--name",
        "core-sw01",
        "--no-tags",
        "--legacy-ssh",
        "--connect-timeout",
        "30",
        "--disable",
    )
    shown = cli.json("device", "show", "CORE-SW01")
    assert shown["tags"] == []
    assert shown["enabled"] is False
    assert shown["version"] == 2
    assert shown["ssh"] == {"legacy_algorithms": True, "connect_timeout": 30}
    assert "platform" in cli.ok("device", "show", "core-sw01")

    cli.ok("device", "remove", "core-sw01")
    assert [d["name"] for d in cli.json("device", "list")] == ["edge1"]
    assert [d["name"] for d in cli.json("device", "trash")] == ["core-sw01"]
    cli.ok("device", "restore", "core-sw01")
    cli.ok("device", "remove", "core-sw01", "--purge")
    assert cli.json("device", "trash") == []
    assert [d["name"] for d in cli.json("device", "list")] == ["edge1"]


def test_tags_and_settings(cli):
    cli.ok("tag", "add", "core")
    cli.ok("device", "add", "r1", "--host", "10.0.0.1", "--platform", "linux", "--tag", "Core")
    assert cli.json("tag", "list") == [
        {
            "id": cli.json("tag", "list")[0]["id"],
            "name": "core",
            "description": None,
            "collector_label": None,
            "devices": 1,
        }
    ]
    cli.ok("tag", "edit", "core", "--collector-label", "Site-A", "--description", "spines")
    [core] = cli.json("tag", "list")
    assert (core["collector_label"], core["description"]) == ("site-a", "spines")
    assert "site-a" in cli.ok("tag", "list")
    refused = cli("tag", "edit", "core", "--collector-label", "site a")
    assert refused.returncode == 2
    one_line_error(refused, "collector_label:", "'site a'")
    assert cli.json("tag", "list")[0]["collector_label"] == "site-a"  # nothing changed
    nothing = cli("tag", "edit", "core")
    assert nothing.returncode == 2
    one_line_error(nothing, "--collector-label")
    cli.ok("tag", "edit", "core", "--collector-label", "")  # any collector again
    assert cli.json("tag", "list")[0]["collector_label"] is None
    changes = cli.json("audit", "list", "--entity", "tag")
    assert [(e["action"], e["after"]) for e in changes[:2]] == [
        ("tag.update", {"collector_label": None}),
        ("tag.update", {"collector_label": "site-a", "description": "spines"}),
    ]
    cli.ok("tag", "remove", "CORE")
    assert cli.json("tag", "list") == []
    assert cli.json("device", "show", "r1")["tags"] == []

    settings = {s["key"]: s for s in cli.json("settings", "list")}
    assert settings["backup.concurrency"]["value"] == 50
    assert set(settings["backup.concurrency"]) == {
        "key",
        "value",
        "default",
        "is_default",
        "description",
    }
    cli.ok("settings", "set", "backup.concurrency", "200")
    cli.ok("settings", "set", "backup.mask_secrets", "off")
    assert cli.ok("settings", "get", "backup.concurrency").strip() == "200"
    assert cli.ok("settings", "get", "backup.mask_secrets").strip() == "false"


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["device", "add", "x", "--host", "10.0.0.300", "--platform", "linux"],
            ["host:", "'10.0.0.300'"],
        ),
        (
            ["device", "add", "x", "--host", "10.0.0.3", "--platform", "cisco_iso"],
            ["platform:", "'cisco_iso'", "did you mean cisco_ios"],
        ),
        (
            ["device", "add", "x", "--host", "10.0.0.3", "--platform", "linux", "--port", "0"],
            ["port:", "'0'"],
        ),
        (
            [
                "device",
                "add",
                "x",
                "--host",
                "10.0.0.3",
                "--platform",
                "linux",
                "--credential",
                "nope",
            ],
            ["credential:", "'nope'"],
        ),
        (
            ["device", "add", "dup", "--host", "10.0.0.3", "--platform", "linux"],
            ["name:", "already exists", "'dup'"],
        ),
        (["device", "add", "x", "--platform", "linux"], ["--host"]),
        (["device", "show", "ghost"], ["name:", "'ghost'"]),
        (["device", "edit", "ghost", "--site", "x"], ["name:", "'ghost'"]),
        (["device", "remove", "ghost"], ["name:", "'ghost'"]),
        (["tag", "remove", "ghost"], ["'ghost'"]),
        (["settings", "set", "backup.concurrency", "0"], ["backup.concurrency:", "'0'"]),
        (["settings", "set", "backup.mask_secrets", "maybe"], ["backup.mask_secrets:"]),
        (["settings", "get", "no.such"], ["key:", "'no.such'"]),
        (["device", "frobnicate"], ["invalid choice"]),
        (["sim", "--fault", "nope"], ["--fault:", "hang", "'nope'"]),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(cli, db, args, fragments):
    with db.session() as s:
        devices.create_device(s, name="dup", host="10.0.0.9", platform="linux")
    before = _everything(db)
    result = cli(*args)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    one_line_error(result, *fragments)
    assert _everything(db) == before


def _everything(db):
    """Every row of every table, to prove a failed command wrote nothing."""
    with db.sync_engine.connect() as conn:
        return {
            name: sorted(map(repr, conn.execute(table.select()).all()))
            for name, table in Base.metadata.tables.items()
        }


def test_a_stale_edit_exits_1_and_changes_nothing(cli):
    cli.ok("device", "add", "r1", "--host", "10.0.0.1", "--platform", "linux")
    cli.ok("device", "edit", "r1", "--expect-version", "1", "--site", "a")
    result = cli("device", "edit", "r1", "--expect-version", "1", "--site", "b")
    assert result.returncode == 1
    one_line_error(result, "conflict", "version 2")
    assert cli.json("device", "show", "r1")["site"] == "a"


def test_db_upgrade_and_status(cli):
    assert "up to date" in cli.ok("db", "upgrade")
    status = cli.ok("db", "status")
    assert "schema" in status
    assert HEAD_REVISION in status


@pytest.mark.parametrize(
    "url",
    ["postgresql://postgres@127.0.0.1:1/nothing", "sqlite:////proc/no/such/dir/x.db"],
)
def test_an_unreachable_database_exits_3_without_a_traceback(env, url):
    result = Cli(url, env)("device", "list")
    assert result.returncode == 3
    one_line_error(result, "not reachable")


def test_a_too_new_schema_exits_3(cli, db):

    with db.sync_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    result = cli("device", "list")
    assert result.returncode == 3
    one_line_error(result, "newer than this NetRaven Desktop knows")
    with db.sync_engine.begin() as conn:
        conn.execute(
            text("UPDATE alembic_version SET version_num = :head"), {"head": HEAD_REVISION}
        )


def test_the_embedded_default_and_environment_url(env, tmp_path):
    cli = Cli(None, env)
    cli.ok("device", "add", "home", "--host", "10.0.0.1", "--platform", "linux")
    assert (tmp_path / "home" / "netraven.db").exists()
    other = tmp_path / "other.db"
    env_cli = Cli(None, env | {"NETRAVEN_DB_URL": f"sqlite:///{other}"})
    assert env_cli.json("device", "list") == []
    assert [d["name"] for d in cli.json("device", "list")] == ["home"]
    flag = Cli(str(other), env | {"NETRAVEN_DB_URL": "sqlite:////nonexistent/dir/x.db"})
    assert flag.json("device", "list") == []  # --db wins over the environment


def test_console_script_and_version(env):
    script = os.path.join(os.path.dirname(sys.executable), "netraven-desktop")
    result = subprocess.run(
        [script, "--version"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("netraven-desktop 0.")
    assert (
        "device"
        in subprocess.run(
            [script, "--help"], capture_output=True, text=True, env=env, check=False
        ).stdout
    )


def test_audit_list_and_verify(cli, db):
    cli.ok("device", "add", "r1", "--host", "10.0.0.1", "--platform", "linux")
    cli.ok("device", "edit", "r1", "--site", "lab")
    events = cli.json("audit", "list", "--entity", "device", "--since", "1h")
    assert [e["action"] for e in events] == ["device.update", "device.create"]
    assert set(events[0]) == {
        "id",
        "occurred_at",
        "actor",
        "claimed_actor",
        "claimed_at",
        "action",
        "entity_type",
        "entity_id",
        "before",
        "after",
        "hash",
    }
    assert events[0]["after"] == {"site": "lab"}
    # The table names who acted; on PostgreSQL the connected role, and the program's
    # user beside it when they differ.
    user, role = getpass.getuser(), db.url.sync_url.username
    shown = user if db.url.is_sqlite or user == role else f"{role} (as {user})"
    assert f" {shown} " in cli.ok("audit", "list").splitlines()[-1]
    assert cli.json("audit", "list", "--actor", "nobody-else") == []
    assert cli.ok("audit", "verify").startswith("audit log intact: 2 events")
    with db.sync_engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET after = NULL WHERE id = :i"), {"i": events[0]["id"]}
        )
    tampered = cli("audit", "verify")
    assert tampered.returncode == 1
    assert f"event {events[0]['id']} was edited" in tampered.stdout
    bad = cli("audit", "list", "--since", "last tuesday")
    assert bad.returncode == 2
    one_line_error(bad, "--since:")


def test_backup_prune(cli):
    assert "pruned 0 snapshots" in cli.ok("backup", "prune", "--keep-last", "3")
    bad = cli("backup", "prune", "--keep-days", "-1")
    assert bad.returncode == 2
    one_line_error(bad, "--keep-days:")


def test_team_mode_from_the_command_line(cli, db):
    cli.ok("db", "mode", "team", "--admin", "alice", "--password-stdin", stdin="alice-password\n")
    anonymous = cli("device", "list")
    if db.url.is_sqlite:
        assert anonymous.returncode == 2
        one_line_error(anonymous, "--user:", "team mode")
    else:  # the URL's own login, the server's superuser: no user, an admin as itself
        assert anonymous.returncode == 0, anonymous.stderr
    admin = Cli(cli.url, cli.env | {"NETRAVEN_PASSWORD": "alice-password"})
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
    assert viewer.json("--user", "vera", "device", "list") == []
    denied = viewer(
        "--user", "vera", "device", "add", "r1", "--host", "10.0.0.1", "--platform", "linux"
    )
    assert denied.returncode == 5
    one_line_error(denied, "vera is viewer and may not change the inventory")
    refused = Cli(cli.url, cli.env | {"NETRAVEN_PASSWORD": "wrong"})(
        "--user", "vera", "device", "list"
    )
    assert refused.returncode == 5
    one_line_error(refused, "login refused")
    users = admin.json("--user", "alice", "user", "list")
    assert [(u["username"], u["role"]) for u in users] == [("alice", "admin"), ("vera", "viewer")]
    assert "password" not in json.dumps(users)


def test_login_keeps_a_session_token_or_the_database_password_in_the_keyring(cli, db, secret_store):
    cli.ok("db", "mode", "team", "--admin", "alice", "--password-stdin", stdin="alice-password\n")
    out = cli.ok("--user", "alice", "login", "--password-stdin", stdin="alice-password\n")
    assert "logged in as alice (admin)" in out
    assert cli.json("--user", "alice", "device", "list") == []  # no password needed now
    with db.read_session() as s:
        stored = s.execute(text("SELECT session_token_hash FROM users")).scalar()
    if db.url.is_sqlite:
        assert len(stored or "") == 64  # only a hash of the token
    else:  # PostgreSQL checks alice's own login: the database keeps no token
        assert stored is None
        assert stored_password(secret_store, db.url, "alice") == "alice-password"
    cli.ok("--user", "alice", "logout")
    after = cli("--user", "alice", "device", "list")
    assert after.returncode == (2 if db.url.is_sqlite else 5)
    one_line_error(after, "netraven-desktop --user alice login")
    wrong = cli("--user", "alice", "login", "--password-stdin", stdin="nope\n")
    assert wrong.returncode == 5

"""Offline work against a team database: a replica, an outbox, push / merge / conflicts.

The team database is the real PostgreSQL of the suite; the replica a real SQLite file.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import stat
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from netraven_desktop.core import offline
from netraven_desktop.core.crud import credentials as credential_rows
from netraven_desktop.core.crud import jobs as job_rows
from netraven_desktop.core.crud import outbox
from netraven_desktop.core.crud import settings as setting_rows
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.models import (
    AppliedEdit,
    AuditEvent,
    ConfigBlob,
    ConfigSnapshot,
    Device,
    OutboxEdit,
)
from netraven_desktop.core.db.schema import upgrade
from netraven_desktop.core.errors import DatabaseUnavailableError
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import audit, credentials, devices, jobs, settings, tags
from netraven_desktop.core.services.access import MODE_KEY, MODE_SCOPE
from netraven_desktop.core.services.runs import Selection
from tests.clitools import Cli, one_line_error
from tests.own_server import OwnServer
from tests.sim import add_sim_credential
from tests.snapshots import capture, device_with_configs


@pytest.fixture
def team(make_db) -> Database:
    return make_db("postgresql")


@pytest.fixture
def replica(team: Database, tmp_path: Path):
    db = offline.open_replica(team.url, tmp_path / "replica.db")
    yield db
    db.close()


def add(db: Database, name: str, **fields) -> None:
    with db.session() as s:
        devices.add_device(s, name=name, host="10.0.0.1", platform="cisco_ios", **fields)


def edit(db: Database, name: str, actor: str = "alice", **changes) -> None:
    with db.session(actor=actor) as s:
        devices.edit_device(s, name, **changes)


def device(db: Database, name: str) -> Device:
    with db.read_session() as s:
        return devices.show_device(s, name)


def queued(db: Database) -> list[OutboxEdit]:
    with db.read_session() as s:
        return outbox.list_edits(s)


def test_pull_copies_the_inventory_and_latest_snapshots_never_a_secret(
    team, replica, secret_store, tmp_path
):
    cred = credentials.add_credential(
        team, secret_store, name="lab", username="netops", secrets=Secrets(password="pa55-w0rd")
    )
    add(team, "core-1", tags=["core"], credential="lab", site="dc1")
    add(team, "gone-soon")
    device_with_configs(team, "edge-1", ["hostname one\n", "hostname two\n"])
    with team.session() as s:
        settings.set_setting(s, "backup.concurrency", 7)
    try:
        offline.pull(team, replica)
        with replica.read_session() as s:
            core = devices.show_device(s, "core-1")
            assert [t.name for t in core.tags] == ["core"]
            assert core.credential.name == "lab"
            assert core.version == device(team, "core-1").version
            assert settings.get_setting(s, "backup.concurrency") == 7
            snapshots = s.scalars(select(ConfigSnapshot)).all()
            assert len(snapshots) == 1  # only the latest
            assert s.get(ConfigBlob, snapshots[0].blob_sha256) is not None
            assert outbox.list_edits(s) == []  # a pull queues nothing
        # Gone on the team: gone from the replica; a second pull is a no-op in effect.
        with team.session() as s:
            devices.remove_device(s, "gone-soon", purge=True)
        offline.pull(team, replica)
        offline.pull(team, replica)
        with replica.read_session() as s:
            assert sorted(d.name for d in devices.list_devices(s)) == ["core-1", "edge-1"]
        assert b"pa55-w0rd" not in (tmp_path / "replica.db").read_bytes()
    finally:
        credentials.remove_credential(team, secret_store, cred.name)


def test_offline_edits_queue_durably_with_base_version_and_actor(team, replica, tmp_path):
    add(team, "core-1")
    offline.pull(team, replica)
    edit(replica, "core-1", site="dc2")
    with replica.session(actor="alice") as s:
        tags.add_tag(s, "new-tag")
        devices.remove_device(s, "core-1")
    replica.close()
    reopened = offline.open_replica(team.url, tmp_path / "replica.db")
    try:
        edits = queued(reopened)
        assert [(e.action, e.operation, e.base_version) for e in edits] == [
            ("device.update", "update", 1),
            ("tag.create", "create", None),
            ("device.trash", "delete", 2),
        ]
        assert edits[0].before == {"site": None}
        assert edits[0].after == {"site": "dc2"}
        assert {e.actor for e in edits} == {"alice"}
        assert edits[1].after["name"] == "new-tag"  # a create carries its whole row
    finally:
        reopened.close()


def test_what_cannot_be_synced_is_refused_offline_not_lost(team, replica):
    offline.pull(team, replica)
    with (
        pytest.raises(outbox.OfflineUnsupportedError, match=r"job\.create is not available"),
        replica.session() as s,
    ):
        jobs.add_job(s, name="nightly", selection=Selection(all=True))
    with replica.read_session() as s:
        assert job_rows.list_jobs(s) == []
    assert queued(replica) == []


def test_push_applies_and_audits_as_the_pusher_with_the_offline_time_as_a_claim(team, replica):
    add(team, "core-1")
    offline.pull(team, replica)
    edit(replica, "core-1", actor="alice", site="dc2", tags=["core"])
    made_at = queued(replica)[0].occurred_at
    add(replica, "new-1")
    team.act_as("alice", "admin")  # who pushes is who the team believes, not the outbox
    report = offline.push(replica, team)
    assert (report.pushed, report.merged, report.conflicts) == (2, 0, [])
    assert queued(replica) == []
    core = device(team, "core-1")
    assert (core.site, [t.name for t in core.tags]) == ("dc2", ["core"])
    assert device(team, "new-1").host == "10.0.0.1"
    with team.read_session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "device.update")).one()
        # The server records who connected and when; the signed-in user and the offline
        # time are claims.
        assert event.actor == s.scalar(select(func.session_user()))
        assert (event.claimed_actor, event.claimed_at) == ("alice", made_at)
        assert event.after == {"site": "dc2", "tags": ["core"]}
        assert audit.verify_chain(s).ok


def test_a_stale_base_with_other_fields_merges(team, replica):
    add(team, "core-1")
    offline.pull(team, replica)
    edit(replica, "core-1", site="dc2")
    edit(team, "core-1", actor="bob", description="rack 4")
    report = offline.push(replica, team)
    assert (report.pushed, report.merged, report.conflicts) == (0, 1, [])
    core = device(team, "core-1")
    assert (core.site, core.description, core.version) == ("dc2", "rack 4", 3)


def test_a_later_edit_of_a_merged_row_is_not_a_false_conflict(team, replica):
    add(team, "core-1")
    offline.pull(team, replica)
    edit(replica, "core-1", site="dc2")
    with replica.session() as s:
        devices.remove_device(s, "core-1")
    edit(team, "core-1", actor="bob", description="rack 4")
    report = offline.push(replica, team)
    assert (report.merged, report.pushed, report.conflicts) == (1, 1, [])
    with team.read_session() as s:
        assert [d.name for d in devices.list_trash(s)] == ["core-1"]


def test_the_same_field_changed_on_both_sides_is_a_conflict_with_base_mine_theirs(team, replica):
    add(team, "core-1", site="dc1")
    add(team, "core-2", site="dc1")
    offline.pull(team, replica)
    edit(replica, "core-1", site="dc-mine")
    edit(replica, "core-1", port=2222)  # waits behind the conflict on the same row
    edit(replica, "core-2", site="dc-mine")
    edit(team, "core-1", actor="bob", site="dc-theirs")
    edit(team, "core-2", actor="bob", site="dc-theirs")
    report = offline.push(replica, team)
    assert report.held == 1
    assert [(c.entity_id, c.fields) for c in report.conflicts] == [
        (
            str(device(team, name).id),
            {"site": {"base": "dc1", "mine": "dc-mine", "theirs": "dc-theirs"}},
        )
        for name in ("core-1", "core-2")
    ]
    assert device(team, "core-1").port == 22  # nothing of a conflicting row was applied
    # Nothing vanished: the conflicts and the held edit are all still queued.
    assert [e.status for e in queued(replica)] == ["conflict", "queued", "conflict"]

    first, second = (c.edit_id for c in report.conflicts)
    offline.resolve(replica, first, "mine")
    offline.resolve(replica, second, "theirs")
    report = offline.push(replica, team)
    assert (report.conflicts, report.held) == ([], 0)
    assert (device(team, "core-1").site, device(team, "core-1").port) == ("dc-mine", 2222)
    assert device(team, "core-2").site == "dc-theirs"
    assert queued(replica) == []


def test_resolving_with_chosen_values(team, replica):
    add(team, "core-1", site="dc1")
    offline.pull(team, replica)
    edit(replica, "core-1", site="dc-mine")
    edit(team, "core-1", actor="bob", site="dc-theirs")
    (conflict,) = offline.push(replica, team).conflicts
    with pytest.raises(Exception, match="choice: names no field"):
        offline.resolve(replica, conflict.edit_id, {"host": "x"})
    offline.resolve(replica, conflict.edit_id, {"site": "dc-both"})
    assert offline.push(replica, team).conflicts == []
    assert device(team, "core-1").site == "dc-both"


def test_delete_against_edit_is_a_conflict_both_ways(team, replica):
    add(team, "trashed-here")
    add(team, "trashed-there")
    offline.pull(team, replica)
    with replica.session() as s:
        devices.remove_device(s, "trashed-here")
    edit(replica, "trashed-there", site="dc2")
    edit(team, "trashed-here", actor="bob", site="dc9")
    with team.session() as s:
        devices.remove_device(s, "trashed-there")
    report = offline.push(replica, team)
    reasons = sorted(c.reason for c in report.conflicts)
    assert reasons == [
        "edited on the server after you deleted it offline",
        "moved to the trash on the server after you edited it offline",
    ]
    assert device(team, "trashed-here").site == "dc9"  # not trashed


def test_settings_merge_and_conflict(team, replica):
    offline.pull(team, replica)
    with replica.session(actor="alice") as s:
        settings.set_setting(s, "backup.concurrency", 10)
        settings.set_setting(s, "backup.retries", 3)
    with team.session() as s:
        settings.set_setting(s, "backup.retries", 5)
    report = offline.push(replica, team)
    assert [c.fields for c in report.conflicts] == [{"value": {"base": 1, "mine": 3, "theirs": 5}}]
    with team.read_session() as s:
        assert settings.get_setting(s, "backup.concurrency") == 10


def test_a_push_interrupted_after_each_commit_applies_every_edit_exactly_once(
    team, replica, monkeypatch
):
    """The worst moment to die: the team has committed an edit, the replica has not yet
    dropped it from the outbox. Every run below dies there; the next one goes on."""
    add(team, "core-1")
    offline.pull(team, replica)
    for port in (2201, 2202, 2203):
        edit(replica, "core-1", port=port)
    add(replica, "new-1")
    real_forget = offline.push.__globals__["_forget"]
    calls = []

    def crash_after_commit(replica_db, edit_row):
        calls.append(edit_row.edit_id)
        if len(calls) % 2:  # every other edit: die before the outbox is told
            raise KeyboardInterrupt
        real_forget(replica_db, edit_row)

    monkeypatch.setitem(offline.push.__globals__, "_forget", crash_after_commit)
    for _ in range(10):
        try:
            offline.push(replica, team)
            break
        except KeyboardInterrupt:
            continue
    assert queued(replica) == []
    with team.read_session() as s:
        updates = s.scalars(
            select(AuditEvent.after).where(AuditEvent.action == "device.update")
        ).all()
        assert updates == [{"port": 2201}, {"port": 2202}, {"port": 2203}]
        assert s.scalar(select(func.count()).select_from(AppliedEdit)) == 4
    assert device(team, "core-1").port == 2203
    assert device(team, "new-1") is not None


def test_backups_taken_offline_are_uploaded_once(team, replica):
    device_with_configs(team, "edge-1", ["hostname one\n"])
    offline.pull(team, replica)
    for text in ("hostname two\n", "hostname three\n", "hostname one\n"):
        with replica.session() as s:
            run = job_rows.create_run(s, trigger="cli")
            capture(s, run, s.scalars(select(Device)).one(), text)
    assert [e.action for e in queued(replica)] == ["snapshot.upload"] * 3
    report = offline.push(replica, team)
    assert report.uploaded == 3
    offline.push(replica, team)  # nothing left, nothing twice
    with team.read_session() as s:
        texts = [
            t
            for (t,) in s.execute(
                select(ConfigBlob.sha256)
                .join(ConfigSnapshot, ConfigSnapshot.blob_sha256 == ConfigBlob.sha256)
                .order_by(ConfigSnapshot.captured_at)
            )
        ]
        assert len(texts) == 4
        assert texts[0] == texts[3]
        assert s.scalar(select(func.count()).select_from(ConfigBlob)) == 3
    offline.pull(team, replica)
    with replica.read_session() as s:
        (latest,) = s.scalars(select(ConfigSnapshot)).all()
        assert latest.captured_at > datetime.now(UTC) - timedelta(minutes=5)


def test_sync_pushes_then_pulls(team, replica):
    add(team, "core-1")
    offline.pull(team, replica)
    edit(replica, "core-1", site="dc2")
    add(team, "from-server")
    report = offline.sync(team, replica)
    assert (report.pushed, report.conflicts) == (1, [])
    assert device(replica, "from-server") is not None
    assert device(replica, "core-1").version == device(team, "core-1").version
    status = offline.offline_status(replica)
    assert (status.queued, status.conflicts) == (0, 0)


def test_cli_offline_edits_and_sync_json(team, env):
    cli = Cli(team.url.plain(hide_password=False), env)
    cli.ok("device", "add", "core-1", "--host", "10.0.0.1", "--platform", "cisco_ios")
    never = cli("--offline", "device", "list")
    assert never.returncode == 3
    one_line_error(never, "run `netraven-desktop sync` once while online")
    first = cli.json("sync")
    assert first["pushed"] == 0
    assert first["conflicts"] == []
    assert first["pulled"]["copied"]["devices"] == 1

    cli.ok("--offline", "device", "edit", "core-1", "--site", "dc-mine", "--port", "2222")
    cli.ok("device", "edit", "core-1", "--site", "dc-theirs", "--description", "rack 4")
    status = cli.json("sync", "--offline-status")
    assert (status["queued"], status["conflicts"]) == (1, 0)

    result = cli("sync", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    (conflict,) = report["conflicts"]
    assert conflict["fields"] == {"site": {"base": None, "mine": "dc-mine", "theirs": "dc-theirs"}}
    assert conflict["reason"] == "changed on the server too"
    cli.ok("sync", "--resolve", conflict["edit_id"], "--take", "mine")
    final = cli.json("sync")
    assert (final["pushed"], final["merged"], final["conflicts"]) == (0, 1, [])
    shown = cli.json("device", "show", "core-1")
    assert (shown["site"], shown["port"], shown["description"]) == ("dc-mine", 2222, "rack 4")
    offline_view = cli.json("--offline", "device", "show", "core-1")
    assert offline_view["version"] == shown["version"]


def test_cli_offline_in_team_mode_acts_as_the_user_who_synced(team, env, secret_store):
    cli = Cli(team.url.plain(hide_password=False), env)
    cli.ok("db", "mode", "team", "--admin", "alice", "--password-stdin", stdin="alice-pw-123\n")
    cli.ok("--user", "alice", "login", "--password-stdin", stdin="alice-pw-123\n")
    try:
        cli.ok("--user", "alice", "sync")
        cli.ok("--offline", "tag", "add", "offline-tag")
        refused = cli("--offline", "--user", "mallory", "tag", "add", "x")
        one_line_error(refused, "--user", "offline work is open to alice")
        cli.ok("--user", "alice", "sync")
        with team.read_session() as s:
            event = s.scalars(select(AuditEvent).where(AuditEvent.action == "tag.create")).one()
        # alice's own login pushed it: the server names her, no claim differs
        assert (event.actor, event.claimed_actor) == ("alice", None)
    finally:
        cli.ok("--user", "alice", "logout")


def test_two_edits_of_a_row_in_one_unit_of_work_have_their_own_bases(team, replica):
    add(team, "core-1")
    offline.pull(team, replica)
    with replica.session() as s:
        devices.edit_device(s, "core-1", site="dc2")
        devices.edit_device(s, "core-1", port=2222)
    assert [e.base_version for e in queued(replica)] == [1, 2]
    assert offline.push(replica, team).pushed == 2


def test_killing_the_sync_process_mid_push_then_syncing_again_applies_each_edit_once(
    team, env, tmp_path
):
    cli = Cli(team.url.plain(hide_password=False), env)
    names = [f"r{i:03}" for i in range(120)]
    with team.session() as s:
        for name in names:
            devices.add_device(s, name=name, host="10.0.0.1", platform="cisco_ios")
    cli.ok("sync")
    home_replica = offline.open_replica(
        team.url, Path(env["NETRAVEN_HOME"]) / "replicas" / offline.replica_path(team.url).name
    )
    try:
        for name in names:
            edit(home_replica, name, site="dc2")
        process = subprocess.Popen(
            [*cli.argv(), "sync"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while len(queued(home_replica)) > len(names) // 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        left = len(queued(home_replica))
        assert 0 < left < len(names), "the kill should land mid-push"
        assert cli("sync").returncode == 0
    finally:
        home_replica.close()
    with team.read_session() as s:
        events = s.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "device.update")
        ).all()
        assert sorted(events) == sorted(str(device(team, n).id) for n in names)
        assert s.scalar(select(func.count()).select_from(AppliedEdit)) == len(names)
        assert {d.site for d in devices.list_devices(s)} == {"dc2"}


@pytest.fixture
def own_server():
    server = OwnServer()
    yield server
    server.remove()


def test_stop_the_server_mid_session_edit_offline_restart_and_sync(own_server, tmp_path):
    team = Database(own_server.url)
    upgrade(team)
    for name in ("mine-only", "both", "deleted-offline"):
        add(team, name, site="dc1")
    replica = offline.open_replica(team.url, tmp_path / "replica.db")
    try:
        offline.sync(team, replica)
        own_server.stop()
        started = time.monotonic()
        with pytest.raises(DatabaseUnavailableError), team.read_session() as s:
            devices.list_devices(s)
        assert time.monotonic() - started < 5  # the switch to the replica is immediate
        edit(replica, "mine-only", site="dc-offline")
        edit(replica, "both", site="dc-offline")
        with replica.session(actor="alice") as s:
            devices.remove_device(s, "deleted-offline")
        with pytest.raises(DatabaseUnavailableError):
            offline.sync(team, replica)
        assert len(queued(replica)) == 3  # nothing lost to the failed attempt

        own_server.start()
        edit(team, "mine-only", actor="bob", description="other field")
        edit(team, "both", actor="bob", site="dc-server")
        edit(team, "deleted-offline", actor="bob", port=2200)
        add(team, "new-on-server")
        report = offline.sync(team, replica)
        assert (report.pushed, report.merged) == (0, 1)
        assert sorted((c.entity_id, c.reason) for c in report.conflicts) == sorted(
            [
                (str(device(team, "both").id), "changed on the server too"),
                (
                    str(device(team, "deleted-offline").id),
                    "edited on the server after you deleted it offline",
                ),
            ]
        )
        merged = device(team, "mine-only")
        assert (merged.site, merged.description) == ("dc-offline", "other field")
        assert device(replica, "new-on-server") is not None
        # No edit vanished: both conflicts are still queued with the user's values.
        assert [e.after for e in queued(replica)] == [{"site": "dc-offline"}, None]
        assert device(replica, "both").site == "dc-offline"  # held locally until resolved
    finally:
        replica.close()
        team.close()


def test_credential_metadata_edited_offline_reaches_the_team(team, replica):
    with team.session() as s:
        credential_rows.create_credential(s, name="lab", username="ops", keyring_ref="ref-lab")
    offline.pull(team, replica)
    with replica.session(actor="alice") as s:
        credentials.update_credential(s, "lab", description="the lab login", priority=5)
    assert queued(replica)[0].after == {"description": "the lab login", "priority": 5}
    with team.session() as s:  # another field, changed on the server meanwhile: merges
        credentials.update_credential(s, "lab", username="netops")
    assert offline.push(replica, team).merged == 1
    with team.read_session() as s:
        lab = credential_rows.get_credential_by_name(s, "lab")
        assert (lab.description, lab.priority, lab.username) == ("the lab login", 5, "netops")


@pytest.mark.skipif(os.name != "posix", reason="POSIX mode bits")
def test_the_replica_is_private_whatever_the_umask(team, tmp_path):
    folder = tmp_path / "replicas"
    previous = os.umask(0o022)
    try:
        replica = offline.open_replica(team.url, folder / "team.db")
        replica.close()
    finally:
        os.umask(previous)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    assert modes["team.db"] == 0o600
    assert set(modes.values()) == {0o600}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


# --- the replica is a plain file: what the push trusts of it ----------------------------


def _forge(replica_file: Path, sql: str, *params: object) -> None:
    """Edit the replica with plain sqlite3, as anyone with the laptop's file could."""
    with contextlib.closing(sqlite3.connect(replica_file)) as conn, conn:
        conn.execute(sql, params)


def test_a_forged_outbox_actor_or_time_changes_neither_who_the_audit_names_nor_when(
    team, replica, tmp_path
):
    add(team, "core-1")
    offline.pull(team, replica)
    edit(replica, "core-1", actor="alice", site="dc2")
    (stored,) = queued(replica)
    _forge(
        tmp_path / "replica.db",
        "UPDATE outbox SET actor = 'mallory', occurred_at = replace(occurred_at, ?, '2001')",
        str(stored.occurred_at.year),
    )
    assert [(e.actor, e.occurred_at.year) for e in queued(replica)] == [("mallory", 2001)]
    team.act_as("alice", "admin")
    with team.read_session() as s:
        server_before = s.scalar(select(func.now()))
    assert offline.push(replica, team).pushed == 1
    with team.read_session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "device.update")).one()
        assert event.actor == s.scalar(select(func.session_user()))
        assert event.claimed_actor == "alice"  # the user signed in to push, not the file's
        assert event.occurred_at >= server_before  # the server's clock
        assert event.claimed_at.year == 2001  # the laptop's time, kept only as its claim
        assert audit.verify_chain(s).ok


def test_a_settings_change_queued_by_a_user_now_operator_is_refused_the_rest_goes_on(team, replica):
    add(team, "core-1")
    with team.session() as s:  # team mode, without the sign-in machinery this test is not about
        setting_rows.put_setting(s, MODE_KEY, "team", MODE_SCOPE)
    team.act_as("olga", "admin")
    offline.pull(team, replica)
    replica.act_as("olga", "admin")  # an admin when she went offline
    with replica.session() as s:
        settings.set_setting(s, "backup.retries", 3)
        devices.edit_device(s, "core-1", site="dc2")
    team.act_as("olga", "operator")  # demoted meanwhile
    report = offline.push(replica, team)
    assert report.pushed == 1  # the device edit an operator may make
    (conflict,) = report.conflicts
    assert (conflict.entity_type, conflict.entity_id) == ("setting", "backup.retries")
    assert conflict.reason == (
        "not allowed: olga is operator and may not manage users, credentials, settings and channels"
    )
    with team.read_session() as s:
        assert settings.get_setting(s, "backup.retries") == 1
        assert device(team, "core-1").site == "dc2"
        assert not s.scalars(select(AuditEvent).where(AuditEvent.action == "setting.update")).all()
    again = offline.push(replica, team)  # settled as a conflict: not tried again
    assert (again.pushed, again.conflicts) == (0, [])
    assert [c.edit_id for c in offline.conflicts(replica)] == [conflict.edit_id]
    offline.resolve(replica, conflict.edit_id, "theirs")
    assert queued(replica) == []


def test_an_invalid_queued_create_is_a_conflict_naming_each_field_and_backups_still_run(
    team, env, sim_devices, secret_store
):
    (name, platform, port), *_ = sim_devices
    add_sim_credential(team, secret_store, "push-lab")
    try:
        with team.session() as s:
            devices.add_device(
                s, name=name, host="127.0.0.1", port=port, platform=platform, credential="push-lab"
            )
        cli = Cli(team.url.plain(hide_password=False), env)
        cli.json("sync")
        cli.ok(
            "--offline", "device", "add", "evil", "--host", "10.0.0.9", "--platform", "cisco_ios"
        )
        (replica_file,) = Path(env["NETRAVEN_HOME"]).rglob("replicas/*.db")
        _forge(
            replica_file,
            "UPDATE outbox SET after = json_set(after, '$.platform', 'bogus_os', "
            "'$.host', 'not a host;$(id)', '$.port', 0)",
        )

        result = cli("sync", "--json")
        assert result.returncode == 1, result.stderr
        (conflict,) = json.loads(result.stdout)["conflicts"]
        assert conflict["action"] == "device.create"
        assert {field: values["mine"] for field, values in conflict["fields"].items()} == {
            "platform": "bogus_os",
            "host": "not a host;$(id)",
            "port": 0,
        }
        for fragment in ("platform:", "'bogus_os'", "host:", "'not a host;$(id)'", "port:"):
            assert fragment in conflict["reason"]
        shown = cli("sync")
        assert shown.returncode == 1
        assert "'bogus_os'" in shown.stdout
        assert "1 conflicts" in shown.stdout
        one_line_error(cli("device", "show", "evil"), "no device by that name")

        run = cli("backup", "run", "--all", "--json")
        assert run.returncode == 0, run.stderr
        finished = json.loads(run.stdout.splitlines()[-1])
        assert (finished["event"], finished["status"]) == ("run_finished", "succeeded")

        both = cli("sync", "--resolve", conflict["edit_id"], "--take", "mine", "--set", "port=22")
        one_line_error(both, "--set", "not both")
        fix = ("--set", "platform=cisco_ios", "--set", "host=10.0.0.9", "--set", "port=22")
        cli.ok("sync", "--resolve", conflict["edit_id"], *fix)
        assert cli.json("sync")["conflicts"] == []
        fixed = cli.json("device", "show", "evil")
        assert (fixed["platform"], fixed["host"], fixed["port"]) == ("cisco_ios", "10.0.0.9", 22)
    finally:
        credentials.remove_credential(team, secret_store, "push-lab")


def test_outbox_rows_no_command_would_queue_are_conflicts_and_the_push_goes_on(
    team, replica, tmp_path
):
    for name in ("a", "b", "c"):
        add(team, name)
    offline.pull(team, replica)
    edit(replica, "a", site="dc2")
    edit(replica, "b", site="dc2")
    add(replica, "d")
    with replica.session() as s:
        tags.add_tag(s, "blank-me")
    edit(replica, "c", site="dc2")
    seqs = [e.seq for e in queued(replica)]
    replica_file = tmp_path / "replica.db"
    _forge(replica_file, "UPDATE outbox SET action = 'device.explode' WHERE seq = ?", seqs[0])
    _forge(
        replica_file,
        "UPDATE outbox SET after = json_object('enabled', 'yes', 'credential_id', 'garbage', "
        "'deleted_at', '2001-01-01T00:00:00+00:00') WHERE seq = ?",
        seqs[1],
    )
    _forge(replica_file, "UPDATE outbox SET entity_id = 'not-an-id' WHERE seq = ?", seqs[2])
    _forge(
        replica_file,
        "UPDATE outbox SET after = json_set(after, '$.name', ' ') WHERE seq = ?",
        seqs[3],
    )
    report = offline.push(replica, team)
    assert report.pushed == 1
    reasons = [c.reason for c in report.conflicts]
    assert reasons[0] == (
        "not an edit NetRaven Desktop queues: 'device.explode' ('update' of a 'device')"
    )
    assert reasons[1].startswith("the team database refused it: enabled: is not a valid enabled")
    assert "credential_id: is not a valid credential_id value (got 'garbage')" in reasons[1]
    assert "deleted_at: is not a device field one may set" in reasons[1]
    assert reasons[2] == "not an edit NetRaven Desktop queues: device id 'not-an-id' is no id"
    assert reasons[3] == "the team database refused it: tag: must not be empty (got ' ')"
    assert report.conflicts[3].fields == {"name": {"base": None, "mine": " ", "theirs": None}}
    offline.resolve(replica, report.conflicts[3].edit_id, {"name": "fixed"})
    assert offline.push(replica, team).pushed == 1
    with team.read_session() as s:
        assert [t.name for t, _ in tags.list_tags(s)] == ["fixed"]
    with team.read_session() as s:
        assert {d.name: d.site for d in devices.list_devices(s)} == {
            "a": None,
            "b": None,
            "c": "dc2",
        }

"""`backup redact` re-masks stored history with today's rules, on a real SQLite file and
a real PostgreSQL: texts, search index and blobs; idempotent; atomic per batch; audited.

The clear texts are stored the two ways history gets them: captured from a device whose
masking was off, and (through the crud layer) as stored before a masking rule existed.
The lines follow Cisco IOS running configurations as the vendor's documentation shows
them (an SNMP community restricted by an access list, a type 9 user secret).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from netraven_desktop.core.crud import configs, devices, jobs
from netraven_desktop.core.db.models import AuditEvent, ConfigSnapshot
from netraven_desktop.core.services import audit, config_search, redaction
from tests.snapshots import capture

SECRET, ROTATED = "s3cretComm", "n3wC0mmunity"
CLEAR = f"""hostname edge1
!
username netops privilege 15 secret 9 $9$Hq7tLkW2vB5xNm$aZ3rT8yUe1oP0wQ6sD4fG2hJ9kL7cX5vB1nM3qR8tY0
!
interface GigabitEthernet0/0
 description uplink to core1
 ip address 192.0.2.1 255.255.255.252
!
access-list 10 permit 192.0.2.100
snmp-server community {SECRET} RO 10
snmp-server location DC1 rack 42
!
line vty 0 4
 transport input ssh
end
"""
ROTATED_CLEAR = CLEAR.replace(SECRET, ROTATED)
WITH_NTP = CLEAR.replace("!\nline vty", "ntp server 192.0.2.10\n!\nline vty")


def _device(db, name, *, mask_secrets=True):
    with db.session() as s:
        return devices.create_device(
            s, name=name, host="192.0.2.1", platform="cisco_ios", mask_secrets=mask_secrets
        )


def _capture(db, device, config, *, masked):
    with db.session() as s:
        run = jobs.create_run(s, trigger="cli")
        capture(s, run, device, config, masked=masked)


def _old_history(db):
    """r1 (masking off): a capture, the same with the community rotated (identical once
    masked), one with an NTP server added. r2: the first text stored before the rule
    existed (masked unknown). r3: a masked capture. Returns r1."""
    r1 = _device(db, "r1", mask_secrets=False)
    for config in (CLEAR, ROTATED_CLEAR, WITH_NTP):
        _capture(db, r1, config, masked=False)
    r2 = _device(db, "r2")
    with db.session() as s:
        blob = configs.put_blob(s, CLEAR)  # shared with r1's first snapshot
        configs.create_snapshot(s, device_id=r2.id, blob_sha256=blob.sha256)
    r3 = _device(db, "r3")
    _capture(db, r3, "hostname r3\nsnmp-server community <removed>\nend\n", masked=True)
    return r1


def _state(db):
    """Every snapshot's (device, digest, masked), and every blob's text, by digest."""
    with db.read_session() as s:
        snapshots = sorted(
            (str(snap.device_id), snap.captured_at, snap.blob_sha256, snap.masked)
            for snap in s.scalars(select(ConfigSnapshot))
        )
        digests = s.scalars(text("SELECT sha256 FROM config_blobs")).all()
        texts = configs.blob_texts(s, digests)
        indexed = dict(s.execute(text("SELECT sha256, text FROM config_search")).tuples().all())
    return snapshots, texts, indexed


def _by_id(db):
    """Snapshot id -> (digest, masked)."""
    with db.read_session() as s:
        rows = s.execute(
            select(ConfigSnapshot.id, ConfigSnapshot.blob_sha256, ConfigSnapshot.masked)
        )
        return {i: (sha, masked) for i, sha, masked in rows}


def _search(db, pattern):
    with db.read_session() as s:
        return config_search.search(s, pattern, all_snapshots=True).hits


def test_redact_re_masks_texts_index_and_blobs_and_a_second_run_changes_nothing(db):
    r1 = _old_history(db)
    assert len(_search(db, SECRET)) == 3  # r1 twice (its first and last), r2 once
    before = _state(db)

    dry = redaction.redact(db, dry_run=True)
    assert _state(db) == before  # a dry run writes nothing
    report = redaction.redact(db)
    assert (report.examined, report.changed, report.marked) == (5, 4, 0)
    assert report.blobs_removed == 3  # CLEAR, ROTATED_CLEAR, WITH_NTP
    assert (dry.examined, dry.changed, dry.marked, dry.blobs_removed, dry.dry_run) == (
        5,
        4,
        0,
        3,
        True,
    )

    snapshots, texts, indexed = _state(db)
    assert len(snapshots) == 5  # nothing dropped, identical neighbours included
    assert all(masked is True for *_, masked in snapshots)
    assert set(texts) == set(indexed)  # one index row per blob, none left behind
    for stored in (*texts.values(), *indexed.values()):
        assert SECRET not in stored
        assert ROTATED not in stored
        assert "$9$" not in stored
    assert _search(db, SECRET) == []
    assert {hit.device for hit in _search(db, "community <removed>")} == {"r1", "r2", "r3"}
    r1_history = [row for row in snapshots if row[0] == str(r1.id)]
    assert r1_history[0][2] == r1_history[1][2]  # the rotation is masked now, still kept
    assert r1_history[1][2] != r1_history[2][2]  # the NTP change is still a change
    assert "ntp server 192.0.2.10" in texts[r1_history[2][2]]

    again = redaction.redact(db)
    assert (again.changed, again.marked, again.blobs_removed) == (0, 0, 0)
    assert _state(db) == (snapshots, texts, indexed)


def test_redact_records_masked_for_clean_texts_and_one_audit_event_per_run(db):
    r1 = _device(db, "r1", mask_secrets=False)
    _capture(db, r1, "hostname r1\nend\n", masked=False)  # nothing to mask, but unknown
    report = redaction.redact(db)
    assert (report.examined, report.changed, report.marked) == (1, 0, 1)
    with db.read_session() as s:
        assert s.scalars(select(ConfigSnapshot.masked)).all() == [True]
        [event] = audit.list_events(s, action="snapshot.redact")
    assert event.entity_type == "snapshot"
    assert event.after == {
        "examined": 1,
        "changed": 0,
        "marked": 1,
        "blobs_removed": 0,
        "completed": True,
    }


def test_an_interrupted_redact_leaves_whole_batches_and_says_so(db, monkeypatch):
    _old_history(db)
    monkeypatch.setattr(redaction, "BATCH", 2)

    def interrupt(report):  # what Ctrl-C after the first batch does
        raise KeyboardInterrupt

    before = _by_id(db)
    with pytest.raises(KeyboardInterrupt):
        redaction.redact(db, progress=interrupt)
    after = _by_id(db)
    done = sorted(after)[:2]  # the first batch, in id order: committed whole
    assert all(after[i][1] is True for i in done)
    assert all(after[i] == before[i] for i in after if i not in done)  # the rest untouched
    _, texts, indexed = _state(db)
    assert {sha for sha, _ in after.values()} <= set(texts)  # no snapshot lost its text
    assert set(texts) == set(indexed)
    with db.read_session() as s:
        [event] = audit.list_events(s, action="snapshot.redact")
    assert event.after["completed"] is False
    assert event.after["examined"] == 2

    finished = redaction.redact(db)
    assert finished.examined == 5
    assert _search(db, SECRET) == []


def test_no_secret_reaches_the_audit_log(db):
    _old_history(db)
    redaction.redact(db)
    with db.read_session() as s:
        events = s.scalars(select(AuditEvent)).all()
    dumped = json.dumps([[e.action, e.before, e.after] for e in events])
    assert SECRET not in dumped
    assert ROTATED not in dumped


def _sqlite_bytes(db) -> bytes:
    """The database file with its WAL and shared-memory files, as `grep` would read them."""
    folder = Path(db.url.sync_url.database).parent
    return b"".join(p.read_bytes() for p in folder.glob("*.db*"))


def test_no_trace_of_a_redacted_secret_stays_in_the_sqlite_file(make_db):
    """Debian's SQLite zeroes deleted content (SECURE_DELETE), the SQLite of macOS and of
    python.org's builds does not: with it off, only redact's VACUUM removes the old text."""
    db = make_db("sqlite")

    @event.listens_for(db.sync_engine, "connect")
    def _keep_deleted_content(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    _old_history(db)
    assert SECRET.encode() in _sqlite_bytes(db)
    redaction.redact(db)
    raw = _sqlite_bytes(db)  # with the test's connections still open
    assert SECRET.encode() not in raw
    assert ROTATED.encode() not in raw


def test_backup_redact_from_the_command_line(cli, db):
    cli.ok(
        "device", "add", "r1", "--host", "192.0.2.1", "--platform", "cisco_ios", "--no-mask-secrets"
    )
    with db.read_session() as s:
        r1 = devices.get_device_by_name(s, "r1")
    _capture(db, r1, CLEAR, masked=False)
    assert [hit["device"] for hit in cli.json("backup", "search", SECRET, "--all-snapshots")] == [
        "r1"
    ]
    [entry] = cli.json("backup", "history", "r1")
    assert entry["masked"] is False
    assert "NO (secrets in clear)" in cli.ok("backup", "history", "r1")
    shown = cli("backup", "show", "r1")
    assert SECRET in shown.stdout
    assert (
        shown.stderr
        == f"netraven-desktop: snapshot {entry['id']} was stored with secrets in clear\n"
    )
    if db.url.is_sqlite:
        assert SECRET.encode() in _sqlite_bytes(db)  # the grep below can fail

    dry = cli.json("backup", "redact", "--dry-run")
    expected = {"examined": 1, "changed": 1, "marked": 0, "blobs_removed": 1}
    assert dry == expected | {"dry_run": True}
    assert cli.json("backup", "history", "r1") == [entry]
    assert cli.json("backup", "redact") == expected | {"dry_run": False}

    assert cli.json("backup", "search", SECRET, "--all-snapshots") == []
    [after] = cli.json("backup", "history", "r1")
    assert (after["id"], after["masked"]) == (entry["id"], True)
    assert after["sha256"] != entry["sha256"]
    shown = cli("backup", "show", "r1")
    assert "snmp-server community <removed>" in shown.stdout
    assert shown.stderr == ""
    if db.url.is_sqlite:
        assert SECRET.encode() not in _sqlite_bytes(db)
    again = cli.ok("backup", "redact")
    assert again == (
        "1 snapshots examined: 0 re-masked, 0 recorded as masked, 0 stored configurations removed\n"
    )


def test_the_migration_flags_history_of_devices_whose_masking_is_off(make_db):
    """Snapshots stored before `masked` existed: those of a device with masking off now
    are marked clear (flagged), the others unknown."""
    from alembic import command

    from netraven_desktop.core.db.schema import alembic_config, upgrade

    db = make_db("sqlite")
    _old_history(db)  # r1 masking off; r2, r3 on
    with db.sync_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0004_mask_fingerprints")
    upgrade(db)
    with db.read_session() as s:
        rows = s.execute(
            text(
                "SELECT d.name, s.masked FROM config_snapshots s "
                "JOIN devices d ON d.id = s.device_id ORDER BY d.name"
            )
        ).all()
    assert [(name, masked) for name, masked in rows] == [
        ("r1", 0),
        ("r1", 0),
        ("r1", 0),
        ("r2", None),
        ("r3", None),
    ]


def test_a_replica_takes_the_re_masked_text_at_its_next_pull(make_db, tmp_path):
    """A laptop working offline holds each device's latest snapshot: after the team's
    redact, its next pull replaces the clear text there too."""
    from netraven_desktop.core import offline

    team = make_db("postgresql")
    r1 = _device(team, "r1", mask_secrets=False)
    _capture(team, r1, CLEAR, masked=False)
    replica = offline.open_replica(team.url, tmp_path / "replica.db")
    try:
        offline.pull(team, replica)
        assert len(_search(replica, SECRET)) == 1
        redaction.redact(team)
        offline.pull(team, replica)
        assert _search(replica, SECRET) == []
        snapshots, texts, indexed = _state(replica)
        assert [masked for *_, masked in snapshots] == [True]
        assert set(texts) == set(indexed) == {snapshots[0][2]}
        assert "snmp-server community <removed>" in texts[snapshots[0][2]]
    finally:
        replica.close()

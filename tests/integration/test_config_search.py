"""Configuration search on both backends: the same lines as grep, the trigram index kept
in step with the blobs (store, retention, migration back-fill), the CLI command."""

from __future__ import annotations

import random
import subprocess
import uuid
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from netraven_desktop.core.crud import config_search as search_rows
from netraven_desktop.core.crud import configs
from netraven_desktop.core.db import Database
from netraven_desktop.core.db.models import ConfigBlob, ConfigSnapshot
from netraven_desktop.core.db.models.configs import config_search
from netraven_desktop.core.db.schema import alembic_config, upgrade
from netraven_desktop.core.errors import InputError, SchemaNotReadyError
from netraven_desktop.core.services import config_search as search
from netraven_desktop.core.services import retention
from tests.clitools import one_line_error
from tests.conftest import pg_admin_url
from tests.snapshots import device_with_configs

WORDS = ["uplink", "core", "Access", "mgmt", "10.1.2.", "100%", "snake_case", "back\\slash", "café"]


def _config(rng: random.Random, name: str) -> str:
    """A small IOS-like configuration with the awkward characters searches meet."""
    lines = [f"hostname {name}", "!"]
    for i in range(rng.randint(5, 40)):
        lines += [
            f"interface GigabitEthernet0/{i}",
            f" description {rng.choice(WORDS)} {rng.choice(WORDS)}\tport",
            f" ip address 10.{rng.randint(0, 3)}.{rng.randint(0, 9)}.{i} 255.255.255.0",
            f" switchport access vlan {rng.randint(1, 1200)}",
            "!",
        ]
    if rng.random() < 0.5:
        lines.append(f"snmp-server community {rng.choice(['public', 'PUBLIC', 's3cret'])} RO")
    if rng.random() < 0.3:
        lines.append("ntp server 10.1.2.3")
    ending = "\n" if rng.random() < 0.8 else ""  # some have no final newline
    return "\n".join(lines) + ending


@pytest.fixture
def fleet(db):
    """Twelve devices with one to three snapshots; two share their latest configuration."""
    rng = random.Random(6)
    texts = {}
    for n in range(12):
        name = f"sw{n:02d}"
        history = [_config(rng, name) for _ in range(rng.randint(1, 3))]
        if n == 11:
            history.append(texts["sw10"][-1])  # the same text as sw10's latest: one blob
        texts[name] = history
        device_with_configs(db, name, history, tag_names=("even",) if n % 2 == 0 else ())
    return texts


def _grep(texts: dict[str, str], tmp_path: Path, flags: list[str], pattern: str) -> set:
    """(key, line number, line) for what `grep -n` finds in each text written to a file."""
    for key, body in texts.items():
        (tmp_path / key).write_text(body, encoding="utf-8")
    found = subprocess.run(
        ["grep", "-n", "-H", *flags, "-e", pattern, "--", *sorted(texts)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert found.returncode in (0, 1), found.stderr
    rows = set()
    for row in found.stdout.splitlines():
        key, number, line = row.split(":", 2)
        rows.add((key, int(number), line))
    return rows


def _ours(result: search.SearchResult, key=lambda hit: hit.device) -> set:
    return {(key(hit), line.number, line.text) for hit in result.hits for line in hit.lines}


# Every pattern means the same to grep -E and to Python's re: no \d, no POSIX classes.
CASES = [
    (["-F"], False, False, "snmp-server community"),
    (["-F"], False, False, "10.1.2."),  # dots are literal in a fixed string
    (["-F"], False, False, "100%"),  # LIKE wildcards are literal too
    (["-F"], False, False, "snake_case"),
    (["-F"], False, False, "back\\slash"),
    (["-F"], False, False, "café"),
    (["-F"], False, False, "ip"),  # too short for the index: scanned
    (["-F"], False, False, "e"),
    (["-F", "-i"], False, True, "SNMP-SERVER community public"),
    (["-F", "-i"], False, True, "CAFÉ"),
    (["-F", "-i"], False, True, "gi"),
    (["-E"], True, False, r"ip address 10\.1\.[0-9]+\."),
    (["-E"], True, False, "(snmp|ntp)-server"),
    (["-E"], True, False, "vlan [0-9]{3}$"),
    (["-E"], True, False, "^interface Gi.*/1[0-9]$"),
    (["-E"], True, False, "description .*uplink"),
    (["-E"], True, False, "[0-9]+"),  # no literal at all: scanned
    (["-E", "-i"], True, True, "^ DESCRIPTION (core|mgmt)"),
]


@pytest.mark.parametrize(("flags", "regex", "ignore_case", "pattern"), CASES)
def test_latest_snapshots_give_what_grep_gives(
    db, fleet, tmp_path, flags, regex, ignore_case, pattern
):
    latest = {name: history[-1] for name, history in fleet.items()}
    with db.read_session() as s:
        result = search.search(s, pattern, regex=regex, ignore_case=ignore_case)
    assert _ours(result) == _grep(latest, tmp_path, flags, pattern)
    assert _ours(result), "every case should match something"


@pytest.mark.parametrize(("flags", "regex", "ignore_case", "pattern"), CASES[::4])
def test_all_snapshots_give_what_grep_gives(
    db, fleet, tmp_path, flags, regex, ignore_case, pattern
):
    with db.read_session() as s:
        result = search.search(s, pattern, regex=regex, ignore_case=ignore_case, all_snapshots=True)
        ids = s.execute(select(ConfigSnapshot.id, ConfigSnapshot.blob_sha256)).all()
        texts = {str(i): t for i, t in _texts(s, dict(ids)).items()}
    assert _ours(result, key=lambda hit: str(hit.snapshot_id)) == _grep(
        texts, tmp_path, flags, pattern
    )


def _texts(session, blob_of: dict) -> dict:
    texts = configs.blob_texts(session, list(set(blob_of.values())))
    return {key: texts[sha] for key, sha in blob_of.items()}


def test_the_index_narrows_patterns_of_three_characters_or_more(face):
    device_with_configs(face.db, "r1", ["hostname r1\nsnmp-server community public RO\n"])
    device_with_configs(face.db, "r2", ["hostname r2\nntp server 10.0.0.9\n"])
    long = face.service(search.search, "community")
    short = face.service(search.search, "RO")
    assert (long.indexed, short.indexed) == (True, False)
    assert [h.device for h in long.hits] == [h.device for h in short.hits] == ["r1"]
    assert long.hits[0].lines == (search.MatchedLine(2, "snmp-server community public RO"),)
    with face.db.read_session() as s:
        candidates = search_rows.candidate_blobs(s, ["NTP SERVER"], True)
    assert len(candidates) == 1  # r2's blob only


def test_latest_only_unless_all_snapshots_and_filters(face):
    device_with_configs(face.db, "old", ["acl permit any\n", "acl deny any\n"], tag_names=("dc1",))
    device_with_configs(face.db, "new", ["acl permit any\n"])
    assert [h.device for h in face.service(search.search, "permit").hits] == ["new"]
    history = face.service(search.search, "acl", all_snapshots=True).hits
    assert [(h.device, h.lines[0].text) for h in history] == [
        ("new", "acl permit any"),
        ("old", "acl deny any"),  # newest first within a device
        ("old", "acl permit any"),
    ]
    assert [h.device for h in face.service(search.search, "acl", tags=("DC1",)).hits] == ["old"]
    assert [h.device for h in face.service(search.search, "acl", devices=("NEW",)).hits] == ["new"]
    limited = face.service(search.search, "acl", all_snapshots=True, limit=2)
    assert (len(limited.hits), limited.truncated) == (2, True)
    assert not face.service(search.search, "acl", limit=2).truncated


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pattern": "a(", "regex": True}, "--regex"),
        ({"pattern": "[[:digit:]]", "regex": True}, "--regex"),  # Python reads it otherwise
        ({"pattern": ""}, "pattern"),
        ({"pattern": "a\nb"}, "pattern"),
        ({"pattern": "acl", "limit": 0}, "--limit"),
        ({"pattern": "acl", "devices": ("nope",)}, "--device"),
        ({"pattern": "acl", "tags": ("nope",)}, "--tag"),
    ],
)
def test_bad_input_names_the_field(face, kwargs, field):
    with pytest.raises(InputError) as caught:
        face.service(search.search, **kwargs)
    assert caught.value.field == field


def _indexed(db) -> set[str]:
    with db.read_session() as s:
        return set(s.scalars(select(config_search.c.sha256)))


def _blobs(db) -> set[str]:
    with db.read_session() as s:
        return set(s.scalars(select(ConfigBlob.sha256)))


def test_each_stored_text_is_indexed_once(db):
    device_with_configs(db, "a", ["same\n", "other\n"])
    device_with_configs(db, "b", ["same\n"])
    assert _indexed(db) == _blobs(db)
    assert len(_blobs(db)) == 2


def test_retention_deletes_index_rows_with_their_blobs(db):
    device_with_configs(db, "a", ["one line here\n", "two lines here\n", "three lines here\n"])
    with db.session() as s:
        assert retention.prune(s, keep_last=1).blobs == 2
    assert _indexed(db) == _blobs(db)
    assert len(_blobs(db)) == 1
    with db.read_session() as s:
        assert search.search(s, "here", all_snapshots=True).hits[0].lines[0].text == (
            "three lines here"
        )


def test_the_migration_back_fills_existing_blobs(db):
    device_with_configs(db, "a", ["snmp-server community old RO\n"])
    with db.sync_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
        assert conn.execute(text("SELECT count(*) FROM config_blobs")).scalar() != 0
    with db.sync_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert _indexed(db) == _blobs(db)
    assert len(_blobs(db)) == 1
    with db.read_session() as s:
        assert search.search(s, "community old").indexed


def test_cli_search(cli, db):
    device_with_configs(db, "edge1", ["hostname edge1\nsnmp-server community public RO\n"])
    device_with_configs(db, "edge2", ["hostname edge2\n"])
    out = cli.ok("backup", "search", "community")
    header, line = out.splitlines()
    assert header.startswith("edge1  ")
    assert line == "  2: snmp-server community public RO"
    [hit] = cli.json("backup", "search", "--regex", "^hostname edge[2-9]", "--all-snapshots")
    assert set(hit) == {"device", "snapshot", "captured_at", "lines"}
    assert (hit["device"], hit["lines"]) == ("edge2", [{"line": 1, "text": "hostname edge2"}])
    assert cli.ok("backup", "search", "nothing like this") == "no match\n"
    limited = cli("backup", "search", "hostname", "--limit", "1")
    assert limited.returncode == 0
    assert "--limit" in limited.stderr
    bad = cli("backup", "search", "--regex", "a(b")
    assert bad.returncode == 2
    one_line_error(bad, "--regex", "'a(b'")


def test_without_pg_trgm_rights_db_upgrade_names_what_the_dba_must_run():
    admin = make_url(pg_admin_url()).set(drivername="postgresql+psycopg")
    name = f"nr_nopriv_{uuid.uuid4().hex[:8]}"
    server = create_engine(admin, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{name}-pw'"))
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # owned by the admin, not the role
    db = Database(
        admin.set(
            drivername="postgresql", username=name, password=f"{name}-pw", database=name
        ).render_as_string(hide_password=False)
    )
    try:
        with pytest.raises(SchemaNotReadyError, match=r"run `CREATE EXTENSION pg_trgm;` in"):
            upgrade(db)
    finally:
        db.close()
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE "{name}"'))
        server.dispose()

"""A changed masked secret shows as a change of its own, never as its value."""

from __future__ import annotations

import difflib

from keyring.backends.fail import Keyring as FailKeyring

from netraven_desktop.core.db import Database
from netraven_desktop.core.db.url import parse_database_url
from netraven_desktop.core.diffing import (
    SECRET_CHANGED,
    Row,
    change_starts,
    marked_lines,
    secret_changes,
    side_by_side,
    unified_kinds,
)
from netraven_desktop.core.drivers.filters import clean
from netraven_desktop.core.platforms import profile_for
from netraven_desktop.core.secret_fingerprints import (
    MaskKey,
    comparable,
    fingerprints,
    keyring_reference,
    load_key,
)
from netraven_desktop.core.secrets import SecretStore

IOS = profile_for("cisco_ios")
KEY = MaskKey(bytes(range(32)))


def _capture(community: str, extra: str = "") -> tuple[str, dict]:
    raw = f"hostname r1\n{extra}snmp-server host 10.1.2.3 version 2c {community}\nend\n"
    cleaned = clean(raw, IOS)
    return cleaned.text, fingerprints(cleaned, KEY)


def test_a_secret_only_change_is_equal_text_with_different_fingerprints():
    old_text, old_prints = _capture("Comm-One-1")
    new_text, new_prints = _capture("Comm-Two-2")
    assert old_text == new_text
    assert "Comm-" not in repr(old_prints) + repr(new_prints)
    changes = secret_changes(old_text, new_text, comparable(old_prints, new_prints))
    assert changes == {(1, 1)}
    result = side_by_side(old_text, new_text, changes)
    assert result.rows[1] == Row(
        "secret",
        2,
        "snmp-server host 10.1.2.3 version 2c <removed>",
        2,
        "snmp-server host 10.1.2.3 version 2c <removed>" + SECRET_CHANGED,
    )
    assert result.changes == [1]


def test_the_unified_diff_marks_the_line_and_counts_one_change():
    old_text, old_prints = _capture("Comm-One-1")
    new_text, new_prints = _capture("Comm-Two-2", extra="ntp server 10.9.9.9\n")
    changes = secret_changes(old_text, new_text, comparable(old_prints, new_prints))
    assert changes == {(1, 2)}  # aligned across the inserted line
    unified = list(
        difflib.unified_diff(
            old_text.splitlines(keepends=True), marked_lines(new_text, changes), n=0
        )
    )
    assert "+snmp-server host 10.1.2.3 version 2c <removed>" + SECRET_CHANGED + "\n" in unified
    assert "-snmp-server host 10.1.2.3 version 2c <removed>\n" in unified
    assert "+ntp server 10.9.9.9\n" in unified
    assert len(change_starts(unified_kinds(unified))) == 1


def test_the_same_secret_is_no_change_and_other_keys_are_not_compared():
    old_text, old_prints = _capture("Comm-One-1")
    again_text, again_prints = _capture("Comm-One-1")
    assert old_prints == again_prints
    assert secret_changes(old_text, again_text, comparable(old_prints, again_prints)) == set()
    other = fingerprints(clean(again_text, IOS), MaskKey(b"\1" * 32))
    assert comparable(old_prints, other) is None
    assert comparable(old_prints, None) is None
    assert secret_changes(old_text, again_text, None) == set()


def test_fingerprints_depend_on_the_key_and_never_hold_the_value():
    cleaned = clean("snmp-server community Ro-Comm-77 RO\n", IOS)
    prints = fingerprints(cleaned, KEY)
    assert set(prints["lines"]) == {"0"}
    assert len(prints["lines"]["0"]) == 16
    assert prints["lines"]["0"] != fingerprints(cleaned, MaskKey(b"\2" * 32))["lines"]["0"]
    assert "Ro-Comm-77" not in repr(prints)
    assert fingerprints(cleaned, None) is None


def test_only_a_personal_sqlite_file_has_a_fingerprint_key(tmp_path):
    here = keyring_reference(Database(str(tmp_path / "a.db")))
    assert here is not None
    assert here.startswith("mask-key/")
    assert keyring_reference(Database(str(tmp_path / "a.db"))) == here
    assert keyring_reference(Database(str(tmp_path / "b.db"))) != here
    assert keyring_reference(Database("sqlite://")) is None
    team = parse_database_url("postgresql://alice@db.example.net/netraven")
    assert keyring_reference(Database(team)) is None
    assert keyring_reference(Database(str(tmp_path / "r.db"), replica_of=team)) is None


def test_without_a_keyring_there_are_no_fingerprints_and_the_run_says_so(tmp_path, caplog):
    # keyring's own "fail" backend: what a machine without a Secret Service gets.
    store = SecretStore(FailKeyring())
    assert load_key(store, Database(str(tmp_path / "a.db"))) is None
    assert "fingerprints are off" in caplog.text

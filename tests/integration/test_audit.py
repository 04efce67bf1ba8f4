"""The audit log: every change recorded with its actor, and a chain that raw SQL cannot
edit, extend or shorten without `audit verify` noticing."""

from __future__ import annotations

import getpass

import pytest
from sqlalchemy import text

from netraven_desktop.core.crud import audit as audit_rows
from netraven_desktop.core.errors import InputError
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import audit, credentials, devices, jobs, runs, settings, tags


def _events(db):
    """(action, entity, user the program acted for): on PostgreSQL that user is a claim
    kept beside the connected role, which the server records as the actor. The server's
    own records of rows written (`row.*`, test_team_roles) are left out."""
    with db.read_session() as s:
        return [
            (e.action, e.entity_type, e.claimed_actor or e.actor)
            for e in audit.list_events(s, descending=False)
            if not e.action.startswith("row.")
        ]


def test_every_change_is_recorded_with_before_and_after(face, db):
    face.service(
        devices.add_device, name="r1", host="10.0.0.1", platform="cisco_ios", tags=["core"]
    )
    face.service(devices.edit_device, "r1", site="dc1", port=2222)
    face.service(devices.edit_device, "r1", site="dc1")  # no change: no event
    face.service(devices.remove_device, "r1")
    face.service(devices.restore_device, "r1")
    face.service(devices.remove_device, "r1", purge=True)
    face.service(tags.add_tag, "edge")
    face.service(tags.remove_tag, "edge")
    face.service(settings.set_setting, "backup.concurrency", "80")
    face.service(
        jobs.add_job, name="nightly", selection=runs.Selection(all=True), schedule="@daily"
    )
    face.service(jobs.remove_job, "nightly")
    user = getpass.getuser()
    assert _events(db) == [
        (action, entity, user)
        for action, entity in (
            ("device.create", "device"),
            ("device.update", "device"),
            ("device.trash", "device"),
            ("device.restore", "device"),
            ("device.delete", "device"),
            ("tag.create", "tag"),
            ("tag.delete", "tag"),
            ("setting.update", "setting"),
            ("job.create", "job"),
            ("job.delete", "job"),
        )
    ]
    with db.read_session() as s:
        update = audit.list_events(s, entity_type="device", descending=False)[1]
    assert update.before == {"site": None, "port": 22}
    assert update.after == {"site": "dc1", "port": 2222}


def test_a_failed_change_records_nothing_and_the_actor_is_the_unit_of_works(db):
    with pytest.raises(InputError), db.session() as s:
        devices.add_device(s, name="bad", host="10.0.0.300", platform="linux")
    assert _events(db) == []
    with db.session(actor="alice") as s:
        tags.add_tag(s, "core")
        role = "alice" if db.url.is_sqlite else s.scalar(text("SELECT session_user"))
    assert _events(db) == [("tag.create", "tag", "alice")]
    with db.read_session() as s:
        assert [e.actor for e in audit.list_events(s)] == [role]


def test_credentials_are_audited_without_secrets(db, secret_store):
    credential = credentials.add_credential(
        db,
        secret_store,
        name="lab",
        username="admin",
        secrets=Secrets(password="Aud1t-Pw", enable="En-X"),
    )
    credentials.remove_credential(db, secret_store, "lab")
    with db.read_session() as s:
        events = audit.list_events(s, entity_type="credential", descending=False)
    assert [e.action for e in events] == ["credential.create", "credential.delete"]
    assert events[0].after["username"] == "admin"
    assert events[0].after["has_enable_secret"]
    dumped = repr([(e.before, e.after) for e in events])
    assert "Aud1t-Pw" not in dumped
    assert "En-X" not in dumped
    assert credential.keyring_ref not in dumped


def _fill(db, n=4):
    for i in range(n):
        with db.session() as s:
            tags.add_tag(s, f"t{i}")


def _verify(db):
    with db.read_session() as s:
        return audit.verify_chain(s)


def test_an_intact_chain_verifies(db):
    _fill(db)
    check = _verify(db)
    assert (check.ok, check.checked) == (True, 4)


def test_an_edited_event_is_caught_by_id(db):
    _fill(db)
    with db.sync_engine.begin() as conn:
        third = conn.execute(text("SELECT id FROM audit_events ORDER BY id")).all()[2][0]
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :i"), {"i": third})
    check = _verify(db)
    assert (check.ok, check.first_bad, check.checked) == (False, third, 2)
    assert "edited" in check.problem


def test_a_deleted_event_is_caught(db):
    _fill(db)
    with db.sync_engine.begin() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT id FROM audit_events ORDER BY id"))]
        conn.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[1]})
    check = _verify(db)
    assert (check.ok, check.first_bad) == (False, ids[2])


def test_removing_the_last_events_is_caught(db):
    _fill(db)
    with db.sync_engine.begin() as conn:
        last = conn.execute(text("SELECT max(id) FROM audit_events")).scalar()
        conn.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": last})
    check = _verify(db)
    assert not check.ok
    assert "removed from its end" in check.problem


def test_a_forged_event_with_a_correct_hash_is_still_caught(make_db):
    """A forger who recomputes the hash of an appended event still misses the head.

    SQLite only: on PostgreSQL no append bypasses the server's head (test_team_roles)."""
    db = make_db("sqlite")
    _fill(db, 2)
    with db.session() as s:
        forged = audit_rows.append_event(
            s, actor="mallory", action="tag.delete", entity_type="tag"
        )  # bypasses the service
    check = _verify(db)
    assert not check.ok
    assert forged.id
    assert "removed from its end" in check.problem or check.first_bad == forged.id

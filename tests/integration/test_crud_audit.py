"""The hash-chained audit log, sync and async, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
import sqlalchemy.exc
from sqlalchemy import select, text

from netraven_desktop.core.crud import audit
from netraven_desktop.core.db.models import AuditEvent
from netraven_desktop.core.errors import NotFoundError


def _event(face, actor="alice", entity_type="device", entity_id="r1", **fields):
    fields.setdefault("action", "update")
    return face(
        audit.append_event, actor=actor, entity_type=entity_type, entity_id=entity_id, **fields
    )


def _recomputed_hash(face, event_id):
    """The hash a stored event should have: the program's (SQLite) or the server's."""

    def recompute(s):
        if audit.server_writes(s):
            return s.scalar(select(audit.SERVER_HASH).where(AuditEvent.id == event_id))
        return audit.event_hash(s.get(AuditEvent, event_id))

    return face(recompute)


def _who(face, claimed):
    """(actor, claimed_actor) of an event a client wrote claiming to be `claimed`: on
    PostgreSQL the actor is the connected role and the claim is kept beside it."""
    role = face(lambda s: s.scalar(text("SELECT session_user")) if audit.server_writes(s) else None)
    return (claimed, None) if role is None else (role, claimed)


def test_events_are_hash_chained(face):
    first = _event(face, action="create", after={"name": "r1", "port": 22, "tags": ["core"]})
    second = _event(face, before={"port": 22}, after={"port": 2222, "ratio": 0.5})
    assert first.prev_hash is None
    assert second.prev_hash == first.hash
    assert len(first.hash) == 64
    assert first.hash != second.hash
    for event in (first, second):
        stored = face(audit.get_event, event.id)
        assert stored.hash == event.hash == _recomputed_hash(face, event.id)
    stored = face(audit.get_event, second.id)
    assert (stored.actor, stored.claimed_actor) == _who(face, "alice")
    assert (stored.action, stored.entity_type, stored.entity_id) == ("update", "device", "r1")
    assert (stored.before, stored.after) == ({"port": 22}, {"port": 2222, "ratio": 0.5})
    assert stored.occurred_at.tzinfo is not None
    assert face(audit.last_event).id == second.id
    with pytest.raises(NotFoundError):
        face(audit.get_event, second.id + 1)


def test_list_filters_and_order(face):
    a = _event(face, action="create")
    b = _event(face, actor="bob", entity_type="tag", entity_id="core")
    c = _event(face, actor="bob", entity_id="r2")
    d = _event(face, action="delete")
    ids = lambda rows: [e.id for e in rows]  # noqa: E731
    assert ids(face(audit.list_events)) == [d.id, c.id, b.id, a.id]
    assert ids(face(audit.list_events, descending=False)) == [a.id, b.id, c.id, d.id]
    assert ids(face(audit.list_events, entity_type="device")) == [d.id, c.id, a.id]
    assert ids(face(audit.list_events, entity_type="device", entity_id="r1")) == [d.id, a.id]
    assert ids(face(audit.list_events, actor="bob")) == [c.id, b.id]
    assert ids(face(audit.list_events, limit=2, offset=1)) == [c.id, b.id]
    since = face(audit.get_event, c.id).occurred_at
    assert ids(face(audit.list_events, since=since)) == [d.id, c.id]
    assert face(audit.list_events, since=since + timedelta(days=1)) == []
    assert face(audit.list_events, actor="mallory") == []


def test_action_filter_matches_an_action_or_a_family(face):
    a = _event(face, action="credential.create")
    _event(face, action="credentials.other")
    c = _event(face, action="credential.update")
    ids = lambda rows: [e.id for e in rows]  # noqa: E731
    assert ids(face(audit.list_events, action="credential")) == [c.id, a.id]
    assert ids(face(audit.list_events, action="credential.create")) == [a.id]
    assert face(audit.list_events, action="credential.c") == []


@pytest.mark.parametrize(
    ("column", "value"),
    [("actor", "'mallory'"), ("action", "'read'"), ("entity_id", "'r9'"), ("prev_hash", "NULL")],
)
def test_a_changed_row_no_longer_matches_its_hash(face, column, value):
    first = _event(face, after={"port": 22})
    second = _event(face, after={"port": 23})
    face(
        lambda s: s.execute(
            text(f"UPDATE audit_events SET {column} = {value} WHERE id = :id"), {"id": second.id}
        )
    )
    assert _recomputed_hash(face, second.id) != face(audit.get_event, second.id).hash
    assert _recomputed_hash(face, first.id) == face(audit.get_event, first.id).hash


@pytest.mark.postgres
def test_concurrent_writers_do_not_fork_the_chain(make_db):
    """Two units of work appending at once (team mode) must still form one chain."""
    db = make_db("postgresql")
    with db.session() as s:
        audit.append_event(s, actor="admin", action="init", entity_type="system")
    with db.session() as alice:
        audit.append_event(alice, actor="alice", action="update", entity_type="device")
        # A chain-safe append makes bob wait for alice's commit; in this single thread that
        # wait can only end by the lock timeout, which rolls bob back (and is fine).
        with contextlib.suppress(sqlalchemy.exc.OperationalError), db.session() as bob:
            bob.execute(text("SET LOCAL lock_timeout = '1s'"))
            audit.append_event(bob, actor="bob", action="update", entity_type="device")
    with db.read_session() as s:
        chain = audit.list_events(s, descending=False)
    assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]

"""The Audit log page: filters narrow the table; "Verify chain" shows an edited row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text, update

from netraven_desktop.core.db.base import utcnow
from netraven_desktop.core.db.models import AuditEvent
from netraven_desktop.core.services import settings, tags
from netraven_desktop.ui.pages.audit import AuditModel, AuditPage, summarize


@pytest.fixture
def page(qtbot, app_ctx):
    db = app_ctx.db
    with db.session(actor="alice") as s:
        tags.add_tag(s, "core")
    with db.session(actor="bob") as s:
        settings.set_setting(s, "backup.retries", "3")
    with db.session(actor="alice") as s:
        tags.remove_tag(s, "core")
    page = AuditPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def _shown(page, user):
    """The Actor column for `user`'s events: on PostgreSQL the connected role acted, as
    the program's user (they share one login here)."""
    url = page.ctx.db.url
    return user if url.is_sqlite else f"{url.sync_url.username} (as {user})"


def _column(page, column):
    """A column's values, without the server's own records of rows written (`row.*`: on
    PostgreSQL, the setting bob saved; test_team_roles covers them)."""
    rows = range(page.model.rowCount())
    return [
        page.model.index(r, column).data()
        for r in rows
        if not page.model.index(r, AuditModel.COL_ACTION).data().startswith("row.")
    ]


def _server_rows(page):
    """How many `row.*` events the fixture's changes add: the settings row, on PostgreSQL."""
    return 0 if page.ctx.db.url.is_sqlite else 1


def test_the_table_shows_every_event_newest_first(qtmodeltester, run_async, page):
    run_async(page.refresh())
    assert _column(page, AuditModel.COL_ACTION) == ["tag.delete", "setting.update", "tag.create"]
    assert _column(page, AuditModel.COL_ACTOR) == [
        _shown(page, "alice"),
        _shown(page, "bob"),
        _shown(page, "alice"),
    ]
    assert _column(page, AuditModel.COL_ENTITY)[1] == "setting backup.retries"
    assert _column(page, AuditModel.COL_SUMMARY)[1] == "value: 1 → 3"
    qtmodeltester.check(page.model)


def test_filters_by_actor_action_entity_and_time(qtbot, run_async, app_ctx, page):
    page.actor.setText("alice")
    page.actor.editingFinished.emit()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert _column(page, AuditModel.COL_ACTION) == ["tag.delete", "tag.create"]
    page.action.setText("tag.create")
    page.action.editingFinished.emit()
    qtbot.waitUntil(lambda: _column(page, AuditModel.COL_ACTION) == ["tag.create"])
    page.actor.clear()
    page.action.setText("setting")
    page.action.editingFinished.emit()
    qtbot.waitUntil(lambda: _column(page, AuditModel.COL_ACTOR) == [_shown(page, "bob")])
    page.action.clear()
    page.entity.setCurrentText("tag")
    qtbot.waitUntil(lambda: _column(page, AuditModel.COL_ACTION) == ["tag.delete", "tag.create"])
    page.entity.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3 + _server_rows(page))
    with app_ctx.db.sync_engine.begin() as conn:  # the first event happened two hours ago
        first = conn.execute(text("SELECT min(id) FROM audit_events")).scalar()
        conn.execute(
            update(AuditEvent)
            .where(AuditEvent.id == first)
            .values(occurred_at=utcnow() - timedelta(hours=2))
        )
    page.since.setCurrentText("last hour")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2 + _server_rows(page))
    assert "tag.create" not in _column(page, AuditModel.COL_ACTION)


def test_verify_shows_an_intact_chain_then_the_edited_event(qtbot, run_async, app_ctx, page):
    run_async(page.refresh())
    page.verify()
    qtbot.waitUntil(lambda: page.verdict.text().startswith("Chain intact"))
    events = 3 + _server_rows(page)
    assert page.verdict.text() == f"Chain intact: all {events} events verified."
    with app_ctx.db.sync_engine.begin() as conn:
        second = conn.execute(text("SELECT id FROM audit_events ORDER BY id")).all()[1][0]
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = :i"), {"i": second})
    page.verify()
    qtbot.waitUntil(lambda: page.verdict.text().startswith("TAMPERED"))
    assert page.verdict.text() == (
        f"TAMPERED: Event {second} was edited after it was written (1 events check out before it)."
    )
    assert page.selected().id == second


def test_summary_of_a_new_row_lists_its_fields():
    event = AuditEvent(action="x", after={"name": "lab", "tags": ["a", "b"], "site": None})
    assert summarize(event) == "name=lab, tags=[a, b], site=—"

"""Team mode in the window: the login dialog, the kept sign-in, signing out; and the
connection profiles that open other databases (passwords in the real keyring).

On PostgreSQL the dialog connects as the member's own login role (the test server checks
its password with SCRAM) and keeps that password; on SQLite it keeps a session token."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from netraven_desktop.core.services import auth
from netraven_desktop.core.session_tokens import (
    forget_password,
    forget_token,
    stored_password,
    stored_token,
)
from netraven_desktop.ui.connections import ConnectionsDialog, load_profiles
from netraven_desktop.ui.context import AppContext
from netraven_desktop.ui.login import LoginDialog
from netraven_desktop.ui.main_window import MainWindow
from netraven_desktop.ui.pages.dashboard import DashboardPage
from netraven_desktop.ui.prefs import open_prefs
from netraven_desktop.ui.qt import QApplication

ADMIN_PASSWORD = "Correct-Horse-1"


@pytest.fixture
def team_ctx(app_ctx, secret_store):
    app_ctx.secrets = secret_store
    team = app_ctx.db
    with team.session() as s:
        auth.set_mode(s, "team", first_admin=("alice", ADMIN_PASSWORD))
    yield app_ctx
    for name in ("alice", "bob"):
        forget_token(secret_store, team, name)
        forget_password(secret_store, team.url, name)


def kept(ctx, team_url, name: str) -> str | None:
    """What the sign-in kept in the keyring: the member's database password (PostgreSQL)
    or a session token (SQLite)."""
    if team_url.is_sqlite:
        return stored_token(ctx.secrets, ctx.db, name)
    return stored_password(ctx.secrets, team_url, name)


def login_dialog() -> LoginDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog)]
    return next((w for w in found if w.isVisible()), None)


def test_team_mode_asks_who_signs_in_and_keeps_the_session(qtbot, run_async, team_ctx):
    team_url = team_ctx.db.url
    window = MainWindow(team_ctx)
    qtbot.addWidget(window)
    loading = team_ctx.spawn(window.load())
    qtbot.waitUntil(lambda: login_dialog() is not None)
    dialog = login_dialog()
    dialog.username.setText("alice")
    dialog.password.setText("wrong password")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: dialog.error.text().startswith("login refused"))
    assert dialog.isVisible()

    dialog.password.setText(ADMIN_PASSWORD)
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(loading.done, timeout=20_000)
    assert not dialog.isVisible()
    assert window.user_label.text() == "alice (admin)"
    assert isinstance(window.stack.currentWidget(), DashboardPage)
    assert kept(team_ctx, team_url, "alice") is not None
    if not team_url.is_sqlite:  # the window works over alice's own login
        with team_ctx.db.read_session() as s:
            assert s.scalar(text("SELECT session_user")) == "alice"
        assert kept(team_ctx, team_url, "alice") == ADMIN_PASSWORD
    run_async(window.shutdown())

    again = MainWindow(
        team_ctx.__class__(db=team_ctx.db, secrets=team_ctx.secrets, prefs=team_ctx.prefs)
    )
    qtbot.addWidget(again)
    run_async(again.load())  # no dialog: the kept session signs alice in
    assert again.user_label.text() == "alice (admin)"

    reopened = []
    again.reopen.connect(reopened.append)
    run_async(again.sign_out())
    assert reopened == [team_url]
    assert kept(team_ctx, team_url, "alice") is None
    run_async(again.shutdown())
    run_async(again.ctx.db.aclose())


def test_cancelled_login_leaves_the_window_closed_to_the_data(qtbot, run_async, team_ctx):
    window = MainWindow(team_ctx)
    qtbot.addWidget(window)
    loading = team_ctx.spawn(window.load())
    qtbot.waitUntil(lambda: login_dialog() is not None)
    login_dialog().reject()
    qtbot.waitUntil(loading.done)
    assert "sign in to use it" in window.problem.text()
    assert window.nav.count() == 0


def test_a_connection_profile_keeps_its_password_in_the_keyring_only(
    qtbot, run_async, app_ctx, secret_store, tmp_path
):
    app_ctx.secrets = secret_store
    dialog = ConnectionsDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.name.setText("team")
    dialog.url.setText("postgresql://netops@db.example.net:5432/netraven")
    dialog.password.setText("Pg-Secret-9")
    run_async(dialog.add())
    assert dialog.error.text() == ""
    try:
        assert [p.name for p in load_profiles(app_ctx.prefs)] == ["team"]
        app_ctx.prefs.sync()
        assert "Pg-Secret-9" not in (tmp_path / "prefs.ini").read_text()

        dialog.name.setText("Team")
        dialog.url.setText("/tmp/other.db")
        run_async(dialog.add())
        assert dialog.error.text() == "name: a connection with this name exists (got 'Team')"

        dialog.list.setCurrentRow(1)
        run_async(dialog.open_selected())
        assert dialog.chosen.plain(hide_password=False) == (
            "postgresql://netops:Pg-Secret-9@db.example.net:5432/netraven"
        )
    finally:
        dialog.list.setCurrentRow(1)
        run_async(dialog.remove())
    assert load_profiles(app_ctx.prefs) == []


def test_a_profile_with_a_password_in_its_url_is_refused(qtbot, run_async, app_ctx):
    dialog = ConnectionsDialog(app_ctx)
    qtbot.addWidget(dialog)
    dialog.name.setText("leaky")
    dialog.url.setText("postgresql://netops:hunter2@db/netraven")
    run_async(dialog.add())
    assert "put the password in its own field" in dialog.error.text()
    assert "hunter2" not in dialog.error.text()
    assert load_profiles(app_ctx.prefs) == []


def test_a_viewer_sees_no_admin_views(qtbot, run_async, team_ctx):
    team_url = team_ctx.db.url
    team_ctx.db.act_as("alice", "admin")
    with team_ctx.db.session() as s:
        auth.add_user(s, username="bob", password="Viewer-Pass-2", role="viewer")
    window = MainWindow(team_ctx)
    qtbot.addWidget(window)
    loading = team_ctx.spawn(window.load())
    qtbot.waitUntil(lambda: login_dialog() is not None)
    dialog = login_dialog()
    dialog.username.setText("bob")
    dialog.password.setText("Viewer-Pass-2")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(loading.done, timeout=20_000)
    titles = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert window.user_label.text() == "bob (viewer)"
    assert "Devices" in titles
    assert not {"Users", "Settings", "Notifications"} & set(titles)
    run_async(window.shutdown())
    assert kept(team_ctx, team_url, "bob") is not None


@pytest.fixture
def pg_team_ctx(make_db, tmp_path, run_async, secret_store):
    """A team database on PostgreSQL only, in a window context of its own."""
    team = make_db("postgresql")
    with team.session() as s:
        auth.set_mode(s, "team", first_admin=("alice", ADMIN_PASSWORD))
    ctx = AppContext(db=team, secrets=secret_store, prefs=open_prefs(str(tmp_path / "p.ini")))
    yield ctx
    run_async(ctx.drain())
    run_async(ctx.db.aclose())
    run_async(team.aclose())


def test_on_postgresql_a_disabled_member_cannot_sign_in(qtbot, run_async, pg_team_ctx):
    """The server refuses the login (NOLOGIN): the dialog says so and stays open."""
    team_ctx = pg_team_ctx
    team_ctx.db.act_as("alice", "admin")
    with team_ctx.db.session() as s:
        auth.add_user(s, username="bob", password="Viewer-Pass-2", role="viewer")
        auth.set_user(s, "bob", active=False)
    owner = psycopg.connect(team_ctx.db.url.plain(hide_password=False), autocommit=True)
    try:  # the role itself is what holds: no app-level check is left to pass
        owner.execute("UPDATE users SET active = true WHERE username = 'bob'")
    finally:
        owner.close()
    window = MainWindow(team_ctx)
    qtbot.addWidget(window)
    loading = team_ctx.spawn(window.load())
    qtbot.waitUntil(lambda: login_dialog() is not None)
    dialog = login_dialog()
    dialog.username.setText("bob")
    dialog.password.setText("Viewer-Pass-2")
    dialog.buttons.accepted.emit()
    qtbot.waitUntil(lambda: dialog.error.text().startswith("login refused for bob"))
    assert dialog.isVisible()
    dialog.reject()
    qtbot.waitUntil(loading.done)
    assert kept(team_ctx, team_ctx.db.url, "bob") is None

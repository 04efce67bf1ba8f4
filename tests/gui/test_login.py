"""Team mode in the window: the login dialog, the kept session, signing out; and the
connection profiles that open other databases (passwords in the real keyring)."""

from __future__ import annotations

import pytest

from netraven_desktop.core.services import auth
from netraven_desktop.core.session_tokens import forget_token, stored_token
from netraven_desktop.ui.connections import ConnectionsDialog, load_profiles
from netraven_desktop.ui.login import LoginDialog
from netraven_desktop.ui.main_window import MainWindow
from netraven_desktop.ui.pages.dashboard import DashboardPage
from netraven_desktop.ui.qt import QApplication

ADMIN_PASSWORD = "Correct-Horse-1"


@pytest.fixture
def team_ctx(app_ctx, secret_store):
    app_ctx.secrets = secret_store
    with app_ctx.db.session() as s:
        auth.set_mode(s, "team", first_admin=("alice", ADMIN_PASSWORD))
    yield app_ctx
    forget_token(secret_store, app_ctx.db, "alice")


def login_dialog() -> LoginDialog | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog)]
    return next((w for w in found if w.isVisible()), None)


def test_team_mode_asks_who_signs_in_and_keeps_the_session(qtbot, run_async, team_ctx):
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
    assert stored_token(team_ctx.secrets, team_ctx.db, "alice") is not None
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
    assert reopened == [team_ctx.db.url]
    assert stored_token(team_ctx.secrets, team_ctx.db, "alice") is None
    run_async(again.shutdown())


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
    forget_token(team_ctx.secrets, team_ctx.db, "bob")

"""The Users page: add (password twice), change a role, disable and enable, a new
password; the core's last-admin rule reaches the user as a one-line message."""

from __future__ import annotations

import pytest

from netraven_desktop.core.services import auth
from netraven_desktop.ui.pages.users import UserModel, UsersPage
from tests.integration.test_auth import logs_in


@pytest.fixture
def page(open_page, app_ctx):
    with app_ctx.db.session() as s:
        auth.add_user(s, username="root", password="Root-pass-1", role="admin")
    return open_page(UsersPage)


def _rows(page):
    return [
        tuple(
            page.model.index(r, c).data()
            for c in (UserModel.COL_USERNAME, UserModel.COL_ROLE, UserModel.COL_ACTIVE)
        )
        for r in range(page.model.rowCount())
    ]


def test_model_passes_the_model_tester(qtmodeltester, page):
    assert _rows(page) == [("root", "admin", "yes")]
    qtmodeltester.check(page.model)


def test_add_needs_the_same_password_twice(qtbot, app_ctx, page):
    dialog = page.add()
    dialog.username.setText("alice")
    dialog.role.setCurrentText("operator")
    dialog.password.setText("Alice-pass-1")
    dialog.again.setText("Alice-pass-2")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.form.error_text("password2") != "")
    assert dialog.form.error_text("password2") == "the two passwords differ"
    dialog.password.setText("short")
    dialog.again.setText("short")
    dialog.ok_button.click()  # the core's rule, shown at the field
    qtbot.waitUntil(lambda: dialog.form.error_text("password") != "")
    assert dialog.form.error_text("password") == "must be at least 8 characters"
    assert _rows(page) == [("root", "admin", "yes")]
    dialog.password.setText("Alice-pass-1")
    dialog.again.setText("Alice-pass-1")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: len(_rows(page)) == 2)
    assert _rows(page)[0] == ("alice", "operator", "yes")
    assert logs_in(app_ctx.db, "alice", "Alice-pass-1")  # PostgreSQL's own login there


def test_role_disable_enable_and_the_last_admin(qtbot, run_async, app_ctx, page):
    reports = []
    app_ctx.report = reports.append
    page.select(lambda u: u.username == "root")
    assert page.active_button.text() == "&Disable"
    page.toggle_active()
    qtbot.waitUntil(lambda: len(reports) == 1)
    assert reports == ["username: is the last active admin (got 'root')"]
    dialog = page.change_role()
    dialog.role.setCurrentText("viewer")
    dialog.ok_button.click()
    qtbot.waitUntil(dialog.problem.isVisible)
    assert dialog.problem.text() == "username: is the last active admin (got 'root')"
    dialog.close()
    assert _rows(page) == [("root", "admin", "yes")]

    with app_ctx.db.session() as s:
        auth.add_user(s, username="bob", password="Bob-pass-12", role="admin")
    run_async(page.refresh())
    page.select(lambda u: u.username == "bob")
    dialog = page.change_role()
    dialog.role.setCurrentText("operator")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: ("bob", "operator", "yes") in _rows(page))
    page.select(lambda u: u.username == "bob")
    page.toggle_active()
    qtbot.waitUntil(lambda: ("bob", "operator", "disabled") in _rows(page))
    page.select(lambda u: u.username == "bob")
    assert page.active_button.text() == "&Enable"
    page.toggle_active()
    qtbot.waitUntil(lambda: ("bob", "operator", "yes") in _rows(page))


def test_reset_password(qtbot, app_ctx, page):
    page.select(lambda u: u.username == "root")
    dialog = page.reset_password()
    dialog.password.setText("Fresh-pass-9")
    dialog.again.setText("Fresh-pass-9")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    assert logs_in(app_ctx.db, "root", "Fresh-pass-9")
    assert not logs_in(app_ctx.db, "root", "Root-pass-1")

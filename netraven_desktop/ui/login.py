"""Signing in to a team-mode database: the login dialog and the kept sign-in.

On PostgreSQL the member connects as their own login role (`core.services.sign_in`): the
window's database becomes that connection, the role is the server's, and the password is
kept in the keyring. On SQLite the program checks its own password and keeps a session
token. Either way (`core.session_tokens`) the next start signs in without asking and
backup child processes run as the same user. Connecting, password hashing (argon2id) and
the keyring are blocking, so they run off the UI thread.
"""

from __future__ import annotations

import asyncio

from ..core.db import Database
from ..core.errors import NetRavenError
from ..core.services import auth, vault
from ..core.services import sign_in as member_sign_in
from ..core.session_tokens import keep_password, keep_token, stored_password
from .context import AppContext
from .qt import QtWidgets

LAST_USER_KEY = "login/last_user"


class LoginDialog(QtWidgets.QDialog):
    """Username and password; stays open with the reason until a login succeeds."""

    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Sign in to NetRaven Desktop")
        self.username = QtWidgets.QLineEdit(str(ctx.prefs.value(LAST_USER_KEY, "") or ""))
        self.username.setAccessibleName("Username")
        self.password = QtWidgets.QLineEdit()
        self.password.setEchoMode(QtWidgets.QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.error = QtWidgets.QLabel()
        self.error.setStyleSheet("color: #d03030")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Sign-in problem")
        form = QtWidgets.QFormLayout(self)
        form.addRow(QtWidgets.QLabel(f"<b>{ctx.db.url.display()}</b> is a shared database."))
        form.addRow("&Username:", self.username)
        form.addRow("&Password:", self.password)
        form.addRow(self.error)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(lambda: ctx.spawn(self.try_sign_in()))
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        (self.password if self.username.text() else self.username).setFocus()

    async def try_sign_in(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self.error.setText("Username: give your user name")
            return
        self.buttons.setEnabled(False)
        self.error.setText("Signing in…")
        try:
            if self.ctx.db.url.is_sqlite:
                user, token = await asyncio.to_thread(
                    auth.start_session, self.ctx.db, username, password
                )
                await asyncio.to_thread(
                    keep_token, self.ctx.secrets, self.ctx.db, user.username, token
                )
                name, role = user.username, user.role
            else:
                name, role = await sign_in_as_member(self.ctx, username, password)
                team = self.ctx.db.login_of
                assert team is not None
                await asyncio.to_thread(keep_password, self.ctx.secrets, team, name, password)
            await asyncio.to_thread(vault.ensure_member_key, self.ctx.db, self.ctx.secrets, name)
        except NetRavenError as exc:
            self.error.setText(str(exc))
            self.password.selectAll()
            self.password.setFocus()
            return
        finally:
            self.buttons.setEnabled(True)
        signed_in(self.ctx, name, role)
        self.accept()


async def sign_in_as_member(
    ctx: AppContext, username: str, password: str | None
) -> tuple[str, str]:
    """Connect as the member's own login role; the window works over that connection
    from now on (the team's shared URL stays in `db.login_of`)."""
    team = ctx.db.login_of or ctx.db.url
    shared = Database(team)
    try:
        member, name, role = await asyncio.to_thread(
            member_sign_in.sign_in, shared, username, password
        )
    finally:
        await shared.aclose()
    previous, ctx.db = ctx.db, member
    ctx.ops.db = member  # the window's service calls run over the member's login too
    await previous.aclose()
    return name, role


def signed_in(ctx: AppContext, username: str, role: str) -> None:
    ctx.user, ctx.role = username, role
    ctx.db.act_as(username, role)
    ctx.prefs.setValue(LAST_USER_KEY, username)


async def resume(ctx: AppContext) -> bool:
    """Sign in silently with the last user's kept session, if it is still open."""
    username = str(ctx.prefs.value(LAST_USER_KEY, "") or "")
    if not username:
        return False
    if not ctx.db.url.is_sqlite:
        team = ctx.db.login_of or ctx.db.url
        password = await asyncio.to_thread(stored_password, ctx.secrets, team, username)
        if password is None:
            return False
        try:
            name, role = await sign_in_as_member(ctx, username, password)
        except NetRavenError:
            return False
    else:
        try:
            user = await asyncio.to_thread(auth.resume_kept_session, ctx.db, ctx.secrets, username)
        except NetRavenError:
            return False
        if user is None:
            return False
        name, role = user.username, user.role
    try:
        await asyncio.to_thread(vault.ensure_member_key, ctx.db, ctx.secrets, name)
    except NetRavenError:
        return False
    signed_in(ctx, name, role)
    return True


async def sign_in(ctx: AppContext, parent: QtWidgets.QWidget | None = None) -> bool:
    """Resume the kept session or ask; False when the user cancels the dialog."""
    if await resume(ctx):
        return True
    dialog = LoginDialog(ctx, parent)
    done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    dialog.finished.connect(lambda code: done.done() or done.set_result(code))
    dialog.open()
    return await done == QtWidgets.QDialog.DialogCode.Accepted.value

"""Users: add one, change a role, set a new password. Passwords are typed twice."""

from __future__ import annotations

from ...core.db.models import ROLES, User
from ...core.errors import InputError
from ...core.services import auth
from ..context import AppContext
from ..forms import FormDialog, password_edit
from ..qt import QtWidgets


def _role_box(current: str = "viewer") -> QtWidgets.QComboBox:
    box = QtWidgets.QComboBox()
    box.addItems(list(ROLES))
    box.setCurrentText(current)
    return box


class _PasswordTwice(FormDialog):
    """A dialog with a password and its repetition, which must agree."""

    def add_password_fields(self) -> None:
        self.password = self.form.add("password", "&Password:", password_edit())
        self.again = self.form.add("password2", "Password a&gain:", password_edit())

    def new_password(self) -> str:
        if self.password.text() != self.again.text():
            raise InputError("password2", "***", "the two passwords differ")
        return self.password.text()


class AddUserDialog(_PasswordTwice):
    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget) -> None:
        super().__init__(ctx, "Add user", parent)
        self.username = self.form.add("username", "&User name:", QtWidgets.QLineEdit())
        self.display_name = self.form.add("display_name", "&Display name:", QtWidgets.QLineEdit())
        self.role = self.form.add("role", "&Role:", _role_box())
        self.add_password_fields()

    async def submit(self) -> None:
        password = self.new_password()
        user = await self.ctx.ops.write(
            auth.add_user,
            username=self.username.text(),
            password=password,
            role=self.role.currentText(),
            display_name=self.display_name.text() or None,
        )
        self.ctx.report(f"added user {user.username} ({user.role})")


class PasswordDialog(_PasswordTwice):
    def __init__(self, ctx: AppContext, user: User, parent: QtWidgets.QWidget) -> None:
        super().__init__(ctx, f"New password for {user.username}", parent)
        self.user = user
        self.add_password_fields()

    async def submit(self) -> None:
        password = self.new_password()
        await self.ctx.ops.write(auth.change_password, self.user.username, password)
        self.ctx.report(f"changed the password of {self.user.username}")


class RoleDialog(FormDialog):
    def __init__(self, ctx: AppContext, user: User, parent: QtWidgets.QWidget) -> None:
        super().__init__(ctx, f"Role of {user.username}", parent)
        self.user = user
        self.role = self.form.add("role", "&Role:", _role_box(user.role))

    async def submit(self) -> None:
        user = await self.ctx.ops.write(
            auth.set_user, self.user.username, role=self.role.currentText()
        )
        self.ctx.report(f"{user.username} is now {user.role}")

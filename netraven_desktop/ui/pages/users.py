"""Users of a team-mode database: roles, disabling, new passwords. Admins only.

The rules (the last active admin cannot be demoted or disabled) live in the core; the
page shows their message.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...core.db.models import User
from ...core.services import auth, vault
from ..context import AppContext
from ..dialogs.user import AddUserDialog, PasswordDialog, RoleDialog
from ..table_model import RowsModel
from .table_page import TablePage


class UserModel(RowsModel[User]):
    COL_USERNAME, COL_DISPLAY_NAME, COL_ROLE, COL_ACTIVE, COL_LAST_LOGIN = range(5)
    COLUMNS = (
        ("User", lambda u: u.username),
        ("Display name", lambda u: u.display_name),
        ("Role", lambda u: u.role),
        ("Active", lambda u: "yes" if u.active else "disabled"),
        (
            "Last login",
            lambda u: f"{u.last_login_at.astimezone():%Y-%m-%d %H:%M}" if u.last_login_at else "",
        ),
    )


class UsersPage(TablePage):
    title = "Users"
    icon = "users"
    admin_only = True

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx, UserModel())
        self.model.setParent(self)
        self.add_button("&Add…", self.add, needs_row=False)
        self.add_button("Change &role…", self.change_role)
        self.active_button = self.add_button("&Disable", self.toggle_active)
        self.add_button("Reset &password…", self.reset_password)
        self.toolbar.addStretch()
        self.view.selectionModel().selectionChanged.connect(self._name_toggle)

    async def fetch(self) -> Sequence[User]:
        return await self.read_rows(auth.list_users)

    def add(self) -> AddUserDialog:
        return self.open_dialog(AddUserDialog(self.ctx, self))

    def change_role(self) -> RoleDialog | None:
        user = self.selected()
        return None if user is None else self.open_dialog(RoleDialog(self.ctx, user, self))

    def reset_password(self) -> PasswordDialog | None:
        user = self.selected()
        return None if user is None else self.open_dialog(PasswordDialog(self.ctx, user, self))

    def toggle_active(self) -> None:
        user = self.selected()
        if user is not None:
            self.ctx.spawn(self._set_active(user.username, not user.active))

    async def _set_active(self, username: str, active: bool) -> None:
        await self.ctx.ops.write(auth.set_user, username, active=active)
        message = f"{'enabled' if active else 'disabled'} user {username}"
        if not active:  # and take back every credential shared with them (team vault)
            taken = await self.ctx.ops.blocking(
                vault.revoke_member, self.ctx.db, self.ctx.secrets, username
            )
            message += f"; took back credential(s) {', '.join(taken)}" if taken else ""
        self.ctx.report(message)
        await self.refresh()

    def _name_toggle(self, *_: object) -> None:
        user = self.selected()
        self.active_button.setText(
            "&Enable" if user is not None and not user.active else "&Disable"
        )

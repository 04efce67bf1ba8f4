"""Credentials: who the engine logs in as, in the order it tries them. No secret shown."""

from __future__ import annotations

from collections.abc import Sequence

from ...core.db.models import Credential
from ...core.services import access, credentials
from ..context import AppContext
from ..dialogs.credential import CredentialDialog
from ..dialogs.credential_sharing import SharingDialog
from ..dialogs.login_check import LoginCheckDialog
from ..table_model import RowsModel
from .table_page import TablePage, confirm


class CredentialModel(RowsModel[Credential]):
    COL_NAME, COL_USERNAME, COL_KIND, COL_PRIORITY, COL_TAGS, COL_ENABLE = range(6)
    COLUMNS = (
        ("Name", lambda c: c.name),
        ("Username", lambda c: c.username),
        ("Kind", lambda c: c.kind),
        ("Priority", lambda c: c.priority),
        ("Tags", lambda c: ", ".join(sorted(tag.name for tag in c.tags))),
        ("Enable secret", lambda c: "yes" if c.has_enable_secret else "no"),
    )


class CredentialsPage(TablePage):
    title = "Credentials"
    icon = "credentials"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx, CredentialModel())
        self.model.setParent(self)
        self.add_button("&Add…", self.add, needs_row=False)
        self.add_button("&Edit…", self.edit)
        self.add_button("&Remove…", self.remove)
        self.add_button("&Test against a device…", self.test)
        if ctx.user is not None and access.may(ctx.role, "admin"):  # the team vault
            self.add_button("&Share…", lambda: self.open_sharing(share=True))
            self.add_button("&Unshare…", lambda: self.open_sharing(share=False))
        self.toolbar.addStretch()
        self.view.doubleClicked.connect(lambda _index: self.edit())

    async def fetch(self) -> Sequence[Credential]:
        return await self.read_rows(credentials.list_credentials)

    def add(self) -> CredentialDialog:
        return self.open_dialog(CredentialDialog(self.ctx, None, self))

    def edit(self) -> CredentialDialog | None:
        credential = self.selected()
        if credential is None:
            return None
        return self.open_dialog(CredentialDialog(self.ctx, credential, self))

    def changed(self) -> None:
        self.ctx.events.inventory_changed.emit()
        super().changed()

    def remove(self) -> None:
        credential = self.selected()
        if credential is None or not confirm(
            self,
            "Remove credential",
            f"Remove the credential {credential.name} and its secrets from the keyring?\n"
            "Devices bound to it fall back to credentials matched by tag.",
        ):
            return
        self.ctx.spawn(self._remove(credential.name))

    async def _remove(self, name: str) -> None:
        await self.ctx.ops.blocking(
            credentials.remove_credential, self.ctx.db, self.ctx.secrets, name
        )
        self.ctx.report(f"removed credential {name} and its keyring entry")
        self.changed()

    def open_sharing(self, *, share: bool) -> SharingDialog | None:
        credential = self.selected()
        if credential is None:
            return None
        dialog = self.open_dialog(SharingDialog(self.ctx, credential.name, self, share=share))
        self.ctx.spawn(dialog.load())
        return dialog

    def test(self) -> LoginCheckDialog | None:
        credential = self.selected()
        if credential is None:
            return None
        dialog = self.open_dialog(LoginCheckDialog(self.ctx, credential.name, self))
        self.ctx.spawn(dialog.load_devices())
        return dialog

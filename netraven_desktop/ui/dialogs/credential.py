"""Add or edit a credential. Secrets go from the password fields to the keyring only.

Editing never shows a stored secret: its field stays empty, and empty means "keep it".
"""

from __future__ import annotations

from ...core.db.models import Credential
from ...core.secrets import Secrets
from ...core.services import credentials
from ..context import AppContext
from ..forms import FormDialog, password_edit
from ..qt import QtWidgets


def split_tags(text: str) -> list[str]:
    return [tag.strip() for tag in text.split(",") if tag.strip()]


class CredentialDialog(FormDialog):
    def __init__(
        self, ctx: AppContext, credential: Credential | None, parent: QtWidgets.QWidget
    ) -> None:
        editing = credential is not None
        super().__init__(ctx, "Edit credential" if editing else "Add credential", parent)
        self.credential = credential
        keep = "unchanged when left empty" if editing else ""
        self.name = QtWidgets.QLineEdit()
        self.username = QtWidgets.QLineEdit()
        self.password = password_edit(keep or "required unless an SSH key is given")
        self.enable = password_edit(keep or "optional")
        self.key_path = QtWidgets.QLineEdit()
        self.key_path.setPlaceholderText("empty: log in with the password")
        self.passphrase = password_edit(keep or "if the key is encrypted")
        self.priority = QtWidgets.QSpinBox()
        self.priority.setRange(0, 1_000_000)
        self.priority.setValue(100)
        self.tags = QtWidgets.QLineEdit()
        self.tags.setPlaceholderText("comma-separated; empty: a default for every device")
        self.description = QtWidgets.QLineEdit()
        form = self.form
        form.add("name", "&Name:", self.name)
        form.add("username", "&Username:", self.username)
        form.add("password", "&Password:", self.password)
        form.add("enable", "&Enable secret:", self.enable)
        form.add("ssh_key", "SSH &key file:", self.key_path, aliases=("ssh_key_path",))
        form.add("passphrase", "Key pass&phrase:", self.passphrase)
        form.add("priority", "P&riority:", self.priority, hint="lower is tried first")
        form.add("tags", "&Tags:", self.tags, aliases=("tag",))
        form.add("description", "&Description:", self.description)
        if credential is not None:
            self.name.setText(credential.name)
            self.username.setText(credential.username)
            self.key_path.setText(credential.ssh_key_path or "")
            self.priority.setValue(credential.priority)
            self.tags.setText(", ".join(tag.name for tag in credential.tags))
            self.description.setText(credential.description or "")
        self.resize(460, self.sizeHint().height())

    def secrets(self) -> Secrets:
        return Secrets(
            password=self.password.text() or None,
            enable=self.enable.text() or None,
            passphrase=self.passphrase.text() or None,
        )

    async def submit(self) -> None:
        fields = {
            "username": self.username.text(),
            "priority": self.priority.value(),
            "tags": split_tags(self.tags.text()),
            "ssh_key_path": self.key_path.text().strip() or None,
            "description": self.description.text() or None,
        }
        # Keyring calls block on D-Bus: the services run in a worker thread.
        if self.credential is None:
            await self.ctx.ops.blocking(
                credentials.add_credential,
                self.ctx.db,
                self.ctx.secrets,
                name=self.name.text(),
                secrets=self.secrets(),
                **fields,
            )
        else:
            await self.ctx.ops.blocking(
                credentials.edit_credential,
                self.ctx.db,
                self.ctx.secrets,
                self.credential.name,
                secrets=self.secrets(),
                expected_version=self.credential.version,
                name=self.name.text(),
                **fields,
            )
        self.ctx.report(f"credential {self.name.text()} saved; its secrets are in the OS keyring")

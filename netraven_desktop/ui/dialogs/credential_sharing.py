"""Share a credential with a team member, or take it back (admins, team databases).

Sharing wraps the credential's data key for the member; taking it back seals its
secrets again under a new key (core.services.vault). The dialog lists who holds it.
"""

from __future__ import annotations

from ...core.services import vault
from ..context import AppContext
from ..forms import FormDialog
from ..qt import QtWidgets


class SharingDialog(FormDialog):
    """`share=True`: offer the members who do not hold it; False: those who do."""

    def __init__(
        self, ctx: AppContext, credential: str, parent: QtWidgets.QWidget, *, share: bool
    ) -> None:
        verb = "Share" if share else "Unshare"
        super().__init__(ctx, f"{verb} credential {credential}", parent)
        self.credential, self.sharing = credential, share
        self.holders = QtWidgets.QLabel("Loading…")
        self.holders.setWordWrap(True)
        self.form.add("holders", "Held by:", self.holders)
        self.member = self.form.add("user", "&Member:", QtWidgets.QComboBox())
        self.ok_button.setText(verb)

    async def load(self) -> None:
        holders, others = await self.ctx.ops.read(vault.sharing, self.credential)
        self.holders.setText(", ".join(holders) or "nobody yet (kept in an admin's keyring)")
        self.member.clear()
        self.member.addItems(others if self.sharing else holders)

    async def submit(self) -> None:
        member = self.member.currentText()
        if self.sharing:
            await self.ctx.ops.blocking(
                vault.share, self.ctx.db, self.ctx.secrets, self.credential, member
            )
            self.ctx.report(f"shared credential {self.credential} with {member}")
        else:
            await self.ctx.ops.blocking(
                vault.unshare, self.ctx.db, self.ctx.secrets, self.credential, member
            )
            self.ctx.report(
                f"took credential {self.credential} back from {member} (sealed again under "
                "a new key)"
            )

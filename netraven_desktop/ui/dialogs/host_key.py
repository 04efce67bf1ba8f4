"""A device's SSH host key: the stored and the offered fingerprint, and accepting a change.

Reading the offered key connects to the device (no credential is sent) and accepting
writes the key, so both run in a worker thread. Only an admin may accept: everyone
else sees the same fingerprints and the reason they cannot.
"""

from __future__ import annotations

from ...core.services import access, host_keys
from ...core.services.host_keys import HostKeyCheck
from ..context import AppContext
from ..forms import ERROR_STYLE
from ..qt import Qt, QtWidgets

OK_STYLE = "color: #2e7d32;"


class HostKeyDialog(QtWidgets.QDialog):
    def __init__(self, ctx: AppContext, device: str, parent: QtWidgets.QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.device = device
        self.check: HostKeyCheck | None = None
        self.setWindowTitle(f"Host key of {device}")
        self.setAccessibleName(self.windowTitle())
        self.stored = self._value("Stored fingerprint")
        self.offered = self._value("Offered fingerprint")
        self.message = QtWidgets.QLabel(f"Reading the key {device} presents now…")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Host key message")
        self.accept_button = QtWidgets.QPushButton("&Accept the offered key")
        self.accept_button.setEnabled(False)
        self.accept_button.clicked.connect(self._accept)
        close = QtWidgets.QPushButton("Close")
        close.clicked.connect(self.reject)
        form = QtWidgets.QFormLayout()
        form.addRow("Stored key:", self.stored)
        form.addRow("Offered key:", self.offered)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(640, self.sizeHint().height())

    @staticmethod
    def _value(name: str) -> QtWidgets.QLabel:
        label = QtWidgets.QLabel("…")
        label.setAccessibleName(name)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    async def load(self) -> None:
        """Read the stored and offered keys; offer Accept to an admin when they differ."""
        check = await self.ctx.ops.blocking(host_keys.check_host_key, self.ctx.db, self.device)
        self.check = check
        self.stored.setText("\n".join(check.stored) or "none yet (pinned at the first backup)")
        self.offered.setText(check.offered.fingerprint)
        if not check.changed:
            self._say("The device presents the stored key.", OK_STYLE)
            return
        warning = (
            f"{self.device} presents a different SSH host key. This can mean someone is in "
            "the path: accept it only if you expected the change and checked the offered "
            "fingerprint out of band (on the device's console)."
        )
        if not access.may(self.ctx.role, "admin"):
            self._say(warning + " Only an admin can accept a changed host key.", ERROR_STYLE)
            return
        self._say(warning, ERROR_STYLE)
        self.accept_button.setEnabled(True)

    def _accept(self) -> None:
        assert self.check is not None
        self.accept_button.setEnabled(False)
        self.ctx.spawn(self._accept_offered(self.check.offered.fingerprint), failed=self.failed)

    async def _accept_offered(self, fingerprint: str) -> None:
        """Trust the key only if the device still presents the one shown."""
        accepted = await self.ctx.ops.blocking(
            host_keys.accept_host_key, self.ctx.db, self.device, fingerprint
        )
        self.stored.setText(accepted["fingerprint"])
        self._say(f"Now trusting {accepted['key_type']} key {accepted['fingerprint']}.", OK_STYLE)
        self.ctx.events.inventory_changed.emit()

    def failed(self, error: BaseException) -> None:
        """Reading or accepting failed (unreachable, not allowed, the key moved on)."""
        self._say(str(error), ERROR_STYLE)

    def _say(self, text: str, style: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(style)
        self.adjustSize()

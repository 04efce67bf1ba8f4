"""Try one credential on one device, as a backup would log in, and show how it went."""

from __future__ import annotations

from ...core.services import credentials, devices
from ..context import AppContext
from ..forms import ERROR_STYLE, Form
from ..qt import QtWidgets

OK_STYLE = "color: #2e7d32;"
DEVICE_CHOICES = 500  # names offered in the list; any other can be typed


class LoginCheckDialog(QtWidgets.QDialog):
    def __init__(self, ctx: AppContext, credential: str, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.credential = credential
        self.setWindowTitle(f"Test credential {credential}")
        self.setAccessibleName(self.windowTitle())
        self.form = Form()
        self.device = QtWidgets.QComboBox()
        self.device.setEditable(True)
        self.device.setMinimumWidth(260)
        self.form.add("device", "&Device:", self.device, aliases=("name",))
        self.result = QtWidgets.QLabel("Choose a device and press Test.")
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Result")
        self.test_button = QtWidgets.QPushButton("&Test")
        self.test_button.setAccessibleName("Test")
        self.test_button.setDefault(True)
        self.test_button.clicked.connect(self._test)
        close = QtWidgets.QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QtWidgets.QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.test_button)
        buttons.addWidget(close)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.result)
        layout.addLayout(buttons)
        self.resize(520, self.sizeHint().height())

    async def load_devices(self) -> None:
        found = await self.ctx.ops.read(devices.list_devices, limit=DEVICE_CHOICES)
        current = self.device.currentText()
        self.device.clear()
        self.device.addItems([device.name for device in found])
        if current:
            self.device.setEditText(current)

    def _test(self) -> None:
        self.form.clear_errors()
        name = self.device.currentText().strip()
        self.test_button.setEnabled(False)
        self._show(f"Logging in to {name}…", "")
        self.ctx.spawn(self._run(name), failed=self._failed)

    async def _run(self, device: str) -> None:
        check = await credentials.check_login(
            self.ctx.db, self.ctx.secrets, self.credential, device
        )
        self.test_button.setEnabled(True)
        if check.ok:
            self._show(f"Success: {check.message}", OK_STYLE)
        else:
            self._show(f"Failed ({check.error_class}): {check.message}", ERROR_STYLE)

    def _failed(self, error: BaseException) -> None:
        self.test_button.setEnabled(True)
        self._show(f"Failed: {error}", ERROR_STYLE)

    def _show(self, text: str, style: str) -> None:
        self.result.setText(text)
        self.result.setStyleSheet(style)
        self.adjustSize()

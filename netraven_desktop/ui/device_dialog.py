"""The add/edit device dialog and the bulk "Tag…" dialog.

Input is checked with the core's own rules (`services.devices.clean_fields`) before anything
is sent, and every `InputError` — from those rules or from the service (a duplicate name,
a credential that vanished) — is shown in red under the field it names. The dialog stays
open and nothing is written until every field is good. Edits carry the version the
dialog was opened with, so a concurrent change is reported instead of overwritten.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from ..core.db.models import Device
from ..core.errors import InputError
from ..core.platforms import all_profiles
from ..core.services import access, credentials, devices, tags
from ..core.validation import validate_name
from .context import AppContext
from .forms import FormDialog, collect_problems
from .qt import Qt, QtWidgets
from .wording import plural


class DeviceDialog(FormDialog):
    """Add a device (`device is None`) or edit one at the version it was read."""

    def __init__(
        self,
        ctx: AppContext,
        credential_names: list[str],
        tag_names: list[str],
        device: Device | None = None,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(ctx, f"Edit {device.name}" if device else "Add device", parent)
        self.device = device
        self.name = QtWidgets.QLineEdit()
        self.host = QtWidgets.QLineEdit()
        self.host.setPlaceholderText("IP address or DNS name")
        self.port = QtWidgets.QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(22)
        self.platform = QtWidgets.QComboBox()
        for key, profile in sorted(all_profiles().items(), key=lambda kv: kv[1].name.lower()):
            mine = ", your file" if profile.origin == "user" else ""
            self.platform.addItem(f"{profile.name} ({key}{mine})", key)
        self.site = QtWidgets.QLineEdit()
        self.role = QtWidgets.QLineEdit()
        self.description = QtWidgets.QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(60)
        self.credential = QtWidgets.QComboBox()
        self.credential.addItem("(automatic)", "")
        self.credential.setToolTip("(automatic) tries every credential in priority order")
        for name in credential_names:
            self.credential.addItem(name, name)
        self.tags = QtWidgets.QListWidget()
        self.tags.setFixedHeight(90)
        self.new_tag = QtWidgets.QLineEdit()
        self.new_tag.setPlaceholderText("New tag, then Enter")
        self.new_tag.setAccessibleName("New tag")
        self.new_tag.returnPressed.connect(self._add_new_tag)
        for name in tag_names:
            self._add_tag_item(name, checked=False)
        self.legacy = QtWidgets.QCheckBox("Allow legacy SSH algorithms")
        self.timeout = QtWidgets.QSpinBox()
        self.timeout.setRange(0, 600)
        self.timeout.setSuffix(" s")
        self.timeout.setSpecialValueText("global setting")
        self.mask = QtWidgets.QCheckBox("Mask secrets in stored configurations")
        self.mask.setChecked(True)
        self.enabled = QtWidgets.QCheckBox("Enabled (included in backup runs)")
        self.enabled.setChecked(True)
        for box in (self.legacy, self.mask, self.enabled):
            box.setAccessibleName(box.text())

        form = self.form
        form.add("name", "&Name", self.name)
        form.add("host", "&Host", self.host)
        form.add("port", "&Port", self.port)
        form.add("platform", "P&latform", self.platform)
        form.add("site", "&Site", self.site)
        form.add("role", "&Role", self.role)
        form.add("description", "&Description", self.description)
        form.add("credential", "&Credential", self.credential)
        tag_box = QtWidgets.QWidget()
        tag_layout = QtWidgets.QVBoxLayout(tag_box)
        tag_layout.setContentsMargins(0, 0, 0, 0)
        tag_layout.addWidget(self.tags)
        tag_layout.addWidget(self.new_tag)
        form.add("tag", "&Tags", tag_box, aliases=("tags",))
        ssh = QtWidgets.QGroupBox("SSH and backup")
        ssh_form = QtWidgets.QFormLayout(ssh)
        ssh_form.addRow(self.legacy)
        form.add("connect_timeout", "Connect &timeout", self.timeout, into=ssh_form)
        ssh_form.addRow(self.mask)
        ssh_form.addRow(self.enabled)
        form.addRow(ssh)
        self.ok_button.setText("Save" if device else "Add device")
        if device is not None:
            self._fill(device)
        # The services check it again.
        if not access.may(ctx.role, "admin") and self.mask.isChecked():
            self.mask.setEnabled(False)
            self.mask.setToolTip("Only an admin may turn secret masking off")

    def _fill(self, device: Device) -> None:
        self.name.setText(device.name)
        self.host.setText(device.host)
        self.port.setValue(device.port)
        if self.platform.findData(device.platform) < 0:  # its profile file was removed
            self.platform.addItem(f"{device.platform} (no profile)", device.platform)
        self.platform.setCurrentIndex(self.platform.findData(device.platform))
        self.site.setText(device.site or "")
        self.role.setText(device.role or "")
        self.description.setPlainText(device.description or "")
        if device.credential is not None:
            self.credential.setCurrentIndex(
                max(0, self.credential.findData(device.credential.name))
            )
        for tag in device.tags:
            self._add_tag_item(tag.name, checked=True)
        self.legacy.setChecked(device.ssh_legacy_algorithms)
        self.timeout.setValue(device.connect_timeout or 0)
        self.mask.setChecked(device.mask_secrets)
        self.enabled.setChecked(device.enabled)

    def _add_tag_item(self, name: str, *, checked: bool) -> None:
        """Check the tag, adding it to the list unless a tag of that name is there."""
        for i in range(self.tags.count()):
            item = self.tags.item(i)
            if item.text().lower() == name.lower():
                break
        else:
            item = QtWidgets.QListWidgetItem(name, self.tags)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        if checked or item.checkState() != Qt.CheckState.Checked:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _add_new_tag(self) -> None:
        name = self.new_tag.text().strip()
        if name:
            self._add_tag_item(name, checked=True)
            self.new_tag.clear()

    def checked_tags(self) -> list[str]:
        return [
            self.tags.item(i).text()
            for i in range(self.tags.count())
            if self.tags.item(i).checkState() == Qt.CheckState.Checked
        ]

    def values(self) -> dict[str, Any]:
        """The device fields as the services take them."""
        return {
            "name": self.name.text(),
            "host": self.host.text(),
            "port": self.port.value(),
            "platform": self.platform.currentData(),
            "site": self.site.text(),
            "role": self.role.text(),
            "description": self.description.toPlainText(),
            "connect_timeout": self.timeout.value() or None,
            "ssh_legacy_algorithms": self.legacy.isChecked(),
            "mask_secrets": self.mask.isChecked(),
            "enabled": self.enabled.isChecked(),
        }

    def check(self) -> list[InputError]:
        return collect_problems(
            *(
                partial(devices.clean_fields, {field: value})
                for field, value in self.values().items()
            ),
            *(partial(validate_name, name, "tag") for name in self.checked_tags()),
        )

    async def submit(self) -> None:
        values = self.values()
        if self.device is None:
            device = await self.ctx.ops.write(
                devices.add_device,
                tags=self.checked_tags(),
                credential=self.credential.currentData() or None,
                **values,
            )
            self.ctx.report(f"Added {device.name}")
            return
        device = await self.ctx.ops.write(
            devices.edit_device,
            self.device.name,
            expected_version=self.device.version,
            tags=self.checked_tags(),
            credential=self.credential.currentData(),
            **values,
        )
        self.ctx.report(f"Saved {device.name}")


class TagDialog(FormDialog):
    """Add one tag to, or remove it from, every selected device."""

    def __init__(
        self,
        ctx: AppContext,
        device_names: list[str],
        tag_names: list[str],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        count = plural(len(device_names), "device")
        super().__init__(ctx, f"Tag {count}", parent)
        self.device_names = device_names
        self.tag = QtWidgets.QComboBox()
        self.tag.setEditable(True)
        self.tag.addItems(tag_names)
        self.tag.setCurrentText("")
        self.add = QtWidgets.QRadioButton("&Add the tag")
        self.add.setChecked(True)
        self.remove = QtWidgets.QRadioButton("&Remove the tag")
        for button in (self.add, self.remove):
            button.setAccessibleName(button.text().replace("&", ""))
        self.form.addRow(QtWidgets.QLabel(f"Tag to add or remove on {count} selected:"))
        self.form.add("tag", "T&ag", self.tag)
        self.form.addRow(self.add)
        self.form.addRow(self.remove)

    def check(self) -> list[InputError]:
        return collect_problems(partial(validate_name, self.tag.currentText(), "tag"))

    async def submit(self) -> None:
        tag = self.tag.currentText().strip()
        change = {"add": tag} if self.add.isChecked() else {"remove": tag}
        changed = await self.ctx.ops.write(devices.tag_devices, self.device_names, **change)
        verb = "Tagged" if self.add.isChecked() else "Untagged"
        self.ctx.report(f"{verb} {plural(len(changed), 'device')} with {tag}")


async def device_dialog(
    ctx: AppContext, name: str | None = None, parent: QtWidgets.QWidget | None = None
) -> DeviceDialog:
    """Read what the dialog offers (credentials, tags, the device) and build it."""
    credential_names, tag_names, device = await ctx.ops.read(_choices, name)
    return DeviceDialog(ctx, credential_names, tag_names, device, parent)


async def tag_dialog(
    ctx: AppContext, device_names: list[str], parent: QtWidgets.QWidget | None = None
) -> TagDialog:
    tag_names = [t.name for t, _ in await ctx.ops.read(tags.list_tags)]
    return TagDialog(ctx, device_names, tag_names, parent)


def _choices(session: Session, name: str | None) -> tuple[list[str], list[str], Device | None]:
    """What the device dialog offers: credential and tag names, and the device if any."""
    return (
        [c.name for c in credentials.list_credentials(session)],
        [t.name for t, _ in tags.list_tags(session)],
        devices.show_device(session, name) if name is not None else None,
    )

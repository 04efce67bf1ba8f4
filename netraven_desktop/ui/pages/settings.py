"""Settings: every typed setting of the core, checked by the core's own rules on Save.

Whole numbers are typed into a line edit rather than a clamping spin box, so a value
out of range is named at its field (with the allowed range) instead of silently changed.
Nothing is written unless every field is valid; all changes go in one transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ...core.errors import InputError
from ...core.services import settings
from ...core.services.settings import SPECS, SettingSpec
from ..context import AppContext
from ..forms import Form
from ..qt import QtWidgets
from .base import Page

SECTIONS = {"backup": "Backups", "retention": "Retention", "auth": "Logins"}


class SettingsPage(Page):
    title = "Settings"
    icon = "settings"
    admin_only = True

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.form = Form()
        self.fields: dict[str, QtWidgets.QLineEdit | QtWidgets.QCheckBox] = {}
        self.stored: dict[str, Any] = {}
        section = ""
        for spec in SPECS.values():
            prefix = spec.key.split(".", 1)[0]
            if prefix != section:
                section = prefix
                self.form.addRow(QtWidgets.QLabel(f"<b>{SECTIONS.get(prefix, prefix)}</b>"))
            self.fields[spec.key] = self.form.add(
                spec.key,
                f"{spec.description[0].upper()}{spec.description[1:]}:",
                _editor(spec),
                hint=f"{spec.key} (default {_show(spec.default)})",
            )
        self.save_button = QtWidgets.QPushButton("&Save")
        self.save_button.setAccessibleName("Save")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QtWidgets.QPushButton("Re&vert")
        self.revert_button.setAccessibleName("Revert")
        self.revert_button.clicked.connect(lambda: self.ctx.spawn(self.refresh()))
        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch()
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        layout.addStretch()

    async def refresh(self) -> None:
        values = await self.ctx.ops.read(settings.list_settings, kind=(self, "refresh"))
        self.form.clear_errors()
        self.stored = {value.key: value.value for value in values}
        for key, value in self.stored.items():
            field = self.fields[key]
            if isinstance(field, QtWidgets.QCheckBox):
                field.setChecked(bool(value))
            else:
                field.setText(str(value))

    def entered(self) -> tuple[dict[str, Any], list[InputError]]:
        """The values typed, parsed by each setting's spec, and the errors found."""
        values: dict[str, Any] = {}
        errors: list[InputError] = []
        for key, field in self.fields.items():
            raw = field.isChecked() if isinstance(field, QtWidgets.QCheckBox) else field.text()
            try:
                values[key] = SPECS[key].parse(raw)
            except InputError as error:
                errors.append(error)
        return values, errors

    def save(self) -> None:
        self.form.clear_errors()
        values, errors = self.entered()
        for error in errors:
            self.form.show_error(error)
        if errors:
            self.ctx.report(f"not saved: {len(errors)} setting(s) need a valid value")
            return
        changed = {k: v for k, v in values.items() if v != self.stored.get(k)}
        if changed:
            self.ctx.spawn(self._write(changed))
        else:
            self.ctx.report("no setting changed")

    async def _write(self, changed: dict[str, Any]) -> None:
        await self.ctx.ops.write(_set_all, changed)
        self.ctx.report(f"saved {len(changed)} setting(s)")
        await self.refresh()


def _editor(spec: SettingSpec) -> QtWidgets.QLineEdit | QtWidgets.QCheckBox:
    if spec.type is bool:
        return QtWidgets.QCheckBox()
    edit = QtWidgets.QLineEdit()
    edit.setPlaceholderText(f"{spec.low} to {spec.high}")
    edit.setMaximumWidth(160)
    return edit


def _show(value: Any) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)


def _set_all(session: Session, changed: dict[str, Any]) -> None:
    """Store every changed setting in the caller's one transaction."""
    for key, value in changed.items():
        settings.set_setting(session, key, value)

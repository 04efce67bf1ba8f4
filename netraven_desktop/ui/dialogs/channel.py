"""Add an e-mail or a webhook notification channel; its password or token goes to the
keyring (the core stores it exactly as it stores device credentials)."""

from __future__ import annotations

import asyncio

from ...core.crud.notifications import EVENTS
from ...core.services import notify
from ..context import AppContext
from ..forms import FormDialog, password_edit
from ..qt import QtWidgets


class _Events(QtWidgets.QWidget):
    """One check box per event, all on by default."""

    def __init__(self) -> None:
        super().__init__()
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes = {event: QtWidgets.QCheckBox(event.replace("_", " ")) for event in EVENTS}
        for box in self.boxes.values():
            box.setChecked(True)
            layout.addWidget(box)

    def chosen(self) -> list[str]:
        return [event for event, box in self.boxes.items() if box.isChecked()]


class _ChannelDialog(FormDialog):
    def __init__(self, ctx: AppContext, title: str, parent: QtWidgets.QWidget) -> None:
        super().__init__(ctx, title, parent)
        self.name = self.form.add("name", "&Name:", QtWidgets.QLineEdit())

    def add_events(self) -> None:
        self.events = self.form.add("events", "&Events:", _Events())


class EmailChannelDialog(_ChannelDialog):
    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget) -> None:
        super().__init__(ctx, "Add e-mail channel", parent)
        form = self.form
        self.host = form.add("host", "SMTP &server:", QtWidgets.QLineEdit())
        self.security = form.add("security", "S&ecurity:", QtWidgets.QComboBox())
        self.security.addItems(list(notify.SECURITY))
        self.port = form.add("port", "&Port:", QtWidgets.QLineEdit())
        self.port.setPlaceholderText("default: 587 starttls, 465 tls, 25 none")
        self.sender = form.add("sender", "&From:", QtWidgets.QLineEdit())
        self.recipients = form.add("recipients", "&To:", QtWidgets.QLineEdit())
        self.recipients.setPlaceholderText("comma-separated addresses")
        self.username = form.add("username", "SMTP &login:", QtWidgets.QLineEdit())
        self.password = form.add("password", "SMTP pass&word:", password_edit("optional"))
        self.add_events()

    async def submit(self) -> None:
        recipients = [r.strip() for r in self.recipients.text().split(",") if r.strip()]
        channel = await asyncio.to_thread(  # the keyring blocks on D-Bus
            notify.add_email_channel,
            self.ctx.db,
            self.ctx.secrets,
            name=self.name.text(),
            host=self.host.text(),
            port=self.port.text().strip() or None,
            sender=self.sender.text(),
            recipients=recipients,
            username=self.username.text().strip() or None,
            password=self.password.text() or None,
            security=self.security.currentText(),
            events=self.events.chosen(),
        )
        self.ctx.report(f"added e-mail channel {channel.name}")


class WebhookChannelDialog(_ChannelDialog):
    def __init__(self, ctx: AppContext, parent: QtWidgets.QWidget) -> None:
        super().__init__(ctx, "Add webhook channel", parent)
        self.url = self.form.add("url", "&URL:", QtWidgets.QLineEdit())
        self.url.setPlaceholderText("https://chat.example.net/hooks/…")
        self.token = self.form.add("token", "Bearer &token:", password_edit("optional"))
        self.add_events()

    async def submit(self) -> None:
        channel = await asyncio.to_thread(
            notify.add_webhook_channel,
            self.ctx.db,
            self.ctx.secrets,
            name=self.name.text(),
            url=self.url.text(),
            token=self.token.text() or None,
            events=self.events.chosen(),
        )
        self.ctx.report(f"added webhook channel {channel.name}")

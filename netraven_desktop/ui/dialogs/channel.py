"""Add or edit an e-mail or a webhook notification channel; its password or token goes to
the keyring (the core stores it exactly as it stores device credentials).

Editing never shows a stored secret: its field stays empty, and empty means "keep it".
A webhook's URL is such a secret: the field shows only its masked form, as a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ...core.db.models import NotificationChannel
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
        self.boxes = {
            event: QtWidgets.QCheckBox(event.replace("_", " ")) for event in notify.EVENTS
        }
        for box in self.boxes.values():
            box.setChecked(True)
            layout.addWidget(box)

    def chosen(self) -> list[str]:
        return [event for event, box in self.boxes.items() if box.isChecked()]

    def choose(self, events: Iterable[str]) -> None:
        wanted = set(events)
        for event, box in self.boxes.items():
            box.setChecked(event in wanted)


class _ChannelDialog(FormDialog):
    """The dialog both kinds share; `channel` given: edit it (OK saves against the version
    read), else add a new one. A kind adds its fields and fills them from a config."""

    kind_label = ""

    def __init__(
        self,
        ctx: AppContext,
        parent: QtWidgets.QWidget,
        channel: NotificationChannel | None = None,
    ) -> None:
        verb = "Edit" if channel else "Add"
        super().__init__(ctx, f"{verb} {self.kind_label} channel", parent)
        self.channel = channel
        self.name = self.form.add("name", "&Name:", QtWidgets.QLineEdit())
        keep = channel is not None and bool(channel.secret_ref)
        self.add_fields("unchanged when left empty" if keep else "optional")
        self.events = self.form.add("events", "&Events:", _Events())
        if channel is not None:
            self.name.setText(channel.name)
            self.events.choose(channel.events or ())
            self.fill(channel.config or {})

    def add_fields(self, secret_placeholder: str) -> None:
        """Add the kind's fields; the secret's placeholder says what empty means."""
        raise NotImplementedError

    def fill(self, config: dict[str, Any]) -> None:
        """Show a stored channel's config (it holds no secret)."""
        raise NotImplementedError

    async def save(
        self, add: Callable[..., NotificationChannel], **fields: Any
    ) -> NotificationChannel:
        """Add the channel with `add`, or edit it; a keyring call blocks on D-Bus, so the
        service runs in a worker thread."""
        fields |= {"name": self.name.text(), "events": self.events.chosen()}
        if self.channel is None:
            channel = await self.ctx.ops.blocking(add, self.ctx.db, self.ctx.secrets, **fields)
            self.ctx.report(f"added {self.kind_label} channel {channel.name}")
        else:
            channel = await self.ctx.ops.blocking(
                notify.edit_channel,
                self.ctx.db,
                self.ctx.secrets,
                self.channel.name,
                expected_version=self.channel.version,
                **fields,
            )
            self.ctx.report(f"saved {self.kind_label} channel {channel.name}")
        return channel


class EmailChannelDialog(_ChannelDialog):
    kind_label = "e-mail"

    def add_fields(self, secret_placeholder: str) -> None:
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
        self.password = form.add("password", "SMTP pass&word:", password_edit(secret_placeholder))

    def fill(self, config: dict[str, Any]) -> None:
        security = config.get("security", "starttls")
        self.host.setText(config.get("host", ""))
        self.security.setCurrentText(security)
        if config.get("port") != notify.DEFAULT_PORTS.get(security):
            self.port.setText(str(config.get("port", "")))
        self.sender.setText(config.get("sender", ""))
        self.recipients.setText(", ".join(config.get("recipients", ())))
        self.username.setText(config.get("username") or "")

    async def submit(self) -> None:
        security = self.security.currentText()
        await self.save(
            notify.add_email_channel,
            host=self.host.text(),
            port=self.port.text().strip() or notify.DEFAULT_PORTS[security],
            sender=self.sender.text(),
            recipients=[r.strip() for r in self.recipients.text().split(",") if r.strip()],
            username=self.username.text().strip(),  # "" when editing: remove the login
            password=self.password.text() or None,
            security=security,
        )


class WebhookChannelDialog(_ChannelDialog):
    kind_label = "webhook"

    def add_fields(self, secret_placeholder: str) -> None:
        self.url = self.form.add("url", "&URL:", QtWidgets.QLineEdit())
        self.url.setPlaceholderText("https://chat.example.net/hooks/…")
        self.token = self.form.add("token", "Bearer &token:", password_edit(secret_placeholder))

    def fill(self, config: dict[str, Any]) -> None:
        shown = notify.masked_url(config.get("url", ""))
        self.url.setPlaceholderText(f"{shown} (unchanged when left empty)")

    async def submit(self) -> None:
        await self.save(
            notify.add_webhook_channel,
            url=self.url.text().strip() or None,  # None when editing: keep the URL
            token=self.token.text() or None,
        )

"""Notification channels: where run digests go (e-mail, webhooks), and a test send."""

from __future__ import annotations

from collections.abc import Sequence

from ...core.db.models import NotificationChannel
from ...core.services import notify
from ...core.services.notify import DeliveryReport
from ..context import AppContext
from ..dialogs.channel import EmailChannelDialog, WebhookChannelDialog
from ..forms import ERROR_STYLE
from ..qt import QtWidgets
from ..table_model import RowsModel
from .table_page import TablePage, confirm

OK_STYLE = "color: #2e7d32;"


def target(channel: NotificationChannel) -> str:
    """Where a channel sends: recipients and server, or a webhook's URL masked."""
    config = notify.shown_config(channel)
    if channel.kind == "email":
        recipients = ", ".join(config.get("recipients", ()))
        return f"{recipients} via {config.get('host')}:{config.get('port')}"
    return str(config.get("url", ""))


class ChannelModel(RowsModel[NotificationChannel]):
    COL_NAME, COL_KIND, COL_TARGET, COL_EVENTS, COL_SECRET, COL_ENABLED = range(6)
    COLUMNS = (
        ("Name", lambda c: c.name),
        ("Kind", lambda c: c.kind),
        ("Target", target),
        ("Events", lambda c: ", ".join(c.events or ())),
        ("Secret in keyring", lambda c: "yes" if c.secret_ref else "no"),
        ("Enabled", lambda c: "yes" if c.enabled else "no"),
    )


class NotificationsPage(TablePage):
    title = "Notifications"
    icon = "notifications"
    admin_only = True

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx, ChannelModel())
        self.model.setParent(self)
        self.add_button("Add &e-mail…", self.add_email, needs_row=False)
        self.add_button("Add &webhook…", self.add_webhook, needs_row=False)
        self.add_button("E&dit…", self.edit)
        self.switch = self.add_button("Di&sable", self.toggle_enabled)
        self.add_button("&Remove…", self.remove)
        self.add_button("Send &test", self.send_test)
        self.toolbar.addStretch()
        self.delivery = QtWidgets.QLabel()
        self.delivery.setAccessibleName("Test result")
        self.delivery.setWordWrap(True)
        self.layout().addWidget(self.delivery)
        self.view.doubleClicked.connect(lambda _index: self.edit())
        self.view.selectionModel().selectionChanged.connect(self._name_switch)
        self.model.modelReset.connect(self._name_switch)

    async def fetch(self) -> Sequence[NotificationChannel]:
        """The channels, after moving webhook URLs an older version left in the database
        to the keyring (the page is an admin's; keyring calls block, so in a thread)."""
        await self.ctx.ops.blocking(notify.move_webhook_urls, self.ctx.db, self.ctx.secrets)
        return await self.read_rows(notify.list_channels)

    def add_email(self) -> EmailChannelDialog:
        return self.open_dialog(EmailChannelDialog(self.ctx, self))

    def add_webhook(self) -> WebhookChannelDialog:
        return self.open_dialog(WebhookChannelDialog(self.ctx, self))

    def edit(self) -> EmailChannelDialog | WebhookChannelDialog | None:
        """The dialog of the selected channel's kind, filled in (never with its secret)."""
        channel = self.selected()
        dialog = {"email": EmailChannelDialog, "webhook": WebhookChannelDialog}.get(
            channel.kind if channel else ""
        )
        return None if dialog is None else self.open_dialog(dialog(self.ctx, self, channel))

    def toggle_enabled(self) -> None:
        """Switch the selected channel off (kept, sent nothing) or on again."""
        channel = self.selected()
        if channel is not None:
            self.ctx.spawn(self._set_enabled(channel, not channel.enabled))

    async def _set_enabled(self, channel: NotificationChannel, enabled: bool) -> None:
        await self.ctx.ops.blocking(
            notify.edit_channel,
            self.ctx.db,
            self.ctx.secrets,
            channel.name,
            expected_version=channel.version,
            enabled=enabled,
        )
        self.ctx.report(f"{'enabled' if enabled else 'disabled'} channel {channel.name}")
        self.changed()

    def _name_switch(self, *_: object) -> None:
        channel = self.selected()
        self.switch.setText("E&nable" if channel and not channel.enabled else "Di&sable")
        self.switch.setAccessibleName(self.switch.text().replace("&", ""))

    def remove(self) -> None:
        channel = self.selected()
        if channel is None or not confirm(
            self, "Remove channel", f"Remove the notification channel {channel.name}?"
        ):
            return
        self.ctx.spawn(self._remove(channel.name))

    async def _remove(self, name: str) -> None:
        await self.ctx.ops.blocking(notify.remove_channel, self.ctx.db, self.ctx.secrets, name)
        self.ctx.report(f"removed notification channel {name}")
        self.changed()

    def send_test(self) -> None:
        channel = self.selected()
        if channel is None:
            return
        self.delivery.setStyleSheet("")
        self.delivery.setText(f"Sending a test through {channel.name}…")
        self.ctx.spawn(self._send_test(channel.name))

    async def _send_test(self, name: str) -> None:
        self.show_delivery(await notify.send_test(self.ctx.db, self.ctx.secrets, name))

    def show_delivery(self, report: DeliveryReport) -> None:
        if report.ok:
            self.delivery.setText(f"Delivered: a test notification went through {report.channel}.")
            self.delivery.setStyleSheet(OK_STYLE)
        else:
            self.delivery.setText(
                f"Not delivered through {report.channel} after {report.attempts} "
                f"attempt(s): {report.error}"
            )
            self.delivery.setStyleSheet(ERROR_STYLE)

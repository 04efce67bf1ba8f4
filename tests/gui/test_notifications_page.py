"""The Notifications page: channels added and edited through the dialogs (token to the
keyring, kept unless replaced), switched off and on, a test send that reaches a real local
SMTP or HTTP server, removal."""

from __future__ import annotations

import json

import pytest

from netraven_desktop.core.crud import notifications as channel_rows
from netraven_desktop.core.crud.notifications import EVENTS
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import notify
from netraven_desktop.ui.dialogs.channel import WebhookChannelDialog
from netraven_desktop.ui.pages.notifications import ChannelModel, NotificationsPage
from netraven_desktop.ui.qt import QtWidgets
from tests.gui.helpers import database_text

TOKEN = "Gui-h00k-T0ken-3a1f"


@pytest.fixture
def page(open_page, app_ctx, secret_store):
    page = open_page(NotificationsPage)
    yield page
    with app_ctx.db.read_session() as s:
        for channel in notify.list_channels(s):
            for reference in (channel.secret_ref, channel.url_ref):
                if reference:
                    secret_store.delete(reference)


def _cells(page, column):
    return [page.model.index(r, column).data() for r in range(page.model.rowCount())]


def _refused(qtbot, dialog, field):
    """Click OK and return the problem the dialog then shows at `field`."""
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.form.error_text(field) != "")
    return dialog.form.error_text(field)


def test_webhook_with_a_token_then_a_test_send_reaches_the_server(
    qtbot, qtmodeltester, app_ctx, page, secret_store, webhook_server
):
    hook = webhook_server()
    dialog = page.add_webhook()
    assert dialog.token.echoMode() == QtWidgets.QLineEdit.EchoMode.Password
    dialog.name.setText("chat")
    dialog.url.setText(hook.url)
    dialog.token.setText(TOKEN)
    dialog.events.boxes["job_finished"].setChecked(False)
    dialog.events.boxes["collector_silent"].setChecked(False)
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert _cells(page, ChannelModel.COL_EVENTS) == ["backup_failed, config_changed"]
    assert _cells(page, ChannelModel.COL_SECRET) == ["yes"]
    assert _cells(page, ChannelModel.COL_TARGET) == [f"http://127.0.0.1:{hook.port}/…"]
    qtmodeltester.check(page.model)
    assert TOKEN not in database_text(app_ctx.db)
    assert secret_store.get(page.model.rows[0].secret_ref).password == TOKEN

    page.select(lambda c: c.name == "chat")
    page.send_test()
    qtbot.waitUntil(lambda: page.delivery.text().startswith(("Delivered", "Not delivered")))
    assert page.delivery.text() == "Delivered: a test notification went through chat."
    _path, headers, body = hook.requests[0]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert json.loads(body)["event"] == "test"


def test_email_test_send_reaches_the_local_smtp_server(qtbot, app_ctx, page, smtp_server):
    inbox, port = smtp_server("none")
    dialog = page.add_email()
    dialog.name.setText("ops-mail")
    dialog.host.setText("127.0.0.1")
    dialog.security.setCurrentText("none")
    dialog.port.setText(str(port))
    dialog.sender.setText("netraven@example.net")
    dialog.recipients.setText("ops@example.net, noc@example.net")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert _cells(page, ChannelModel.COL_TARGET) == [
        f"ops@example.net, noc@example.net via 127.0.0.1:{port}"
    ]
    page.select(lambda c: c.name == "ops-mail")
    page.send_test()
    qtbot.waitUntil(lambda: page.delivery.text().startswith(("Delivered", "Not delivered")))
    assert page.delivery.text() == "Delivered: a test notification went through ops-mail."
    _sender, recipients, message = inbox.messages[0]
    assert recipients == ["ops@example.net", "noc@example.net"]
    assert message["Subject"] == "NetRaven: test notification"


def test_a_failed_send_shows_why(qtbot, run_async, app_ctx, page, webhook_server):
    hook = webhook_server(statuses=[404])
    notify.add_webhook_channel(app_ctx.db, app_ctx.secrets, name="gone", url=hook.url)
    run_async(page.refresh())
    page.select(lambda c: c.name == "gone")
    page.send_test()
    qtbot.waitUntil(lambda: page.delivery.text().startswith(("Delivered", "Not delivered")))
    assert page.delivery.text() == (
        "Not delivered through gone after 1 attempt(s): HTTP 404 Not Found"
    )


def test_bad_input_is_shown_at_the_field_and_nothing_is_written(qtbot, app_ctx, page):
    dialog = page.add_email()
    dialog.name.setText("mail")
    dialog.host.setText("smtp.example.net")
    dialog.sender.setText("not an address")
    dialog.recipients.setText("ops@example.net")
    assert _refused(qtbot, dialog, "sender") == "must be an e-mail address like ops@example.net"
    dialog.sender.setText("netraven@example.net")
    dialog.username.setText("bot")  # a login without a password
    assert _refused(qtbot, dialog, "password") == "a user name needs a password"
    with app_ctx.db.read_session() as s:
        assert notify.list_channels(s) == []


def test_remove_asks_first(qtbot, run_async, app_ctx, page, secret_store, monkeypatch):
    channel = notify.add_webhook_channel(
        app_ctx.db, secret_store, name="old", url="http://127.0.0.1:9/x", token=TOKEN
    )
    run_async(page.refresh())
    page.select(lambda c: c.name == "old")
    # The confirmation is a modal QMessageBox, which cannot be clicked headless.
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "question", lambda *a: QtWidgets.QMessageBox.StandardButton.Yes
    )
    page.remove()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert secret_store.get(channel.secret_ref).password is None


def test_edit_opens_the_dialog_filled_in_and_keeps_the_token(
    qtbot, run_async, app_ctx, page, secret_store
):
    hook = notify.add_webhook_channel(
        app_ctx.db, secret_store, name="chat", url="https://hooks.example.net/x", token=TOKEN
    )
    run_async(page.refresh())
    page.select(lambda c: c.name == "chat")
    page.view.doubleClicked.emit(page.model.index(0, 0))
    (dialog,) = page.findChildren(WebhookChannelDialog)
    assert dialog.windowTitle() == "Edit webhook channel"
    assert (dialog.name.text(), dialog.url.text()) == ("chat", "")  # the URL is a secret
    assert dialog.url.placeholderText() == (
        "https://hooks.example.net/… (unchanged when left empty)"
    )
    assert dialog.events.chosen() == list(EVENTS)
    assert dialog.token.text() == ""
    assert dialog.token.placeholderText() == "unchanged when left empty"
    dialog.name.setText("team-chat")
    dialog.events.boxes["job_finished"].setChecked(False)
    dialog.events.boxes["collector_silent"].setChecked(False)
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: _cells(page, ChannelModel.COL_NAME) == ["team-chat"])
    assert _cells(page, ChannelModel.COL_EVENTS) == ["backup_failed, config_changed"]
    assert secret_store.get(hook.secret_ref) == Secrets(password=TOKEN)
    url = Secrets(password="https://hooks.example.net/x")
    assert secret_store.get(page.model.rows[0].url_ref) == url  # kept

    page.select(lambda c: c.name == "team-chat")
    dialog = page.edit()
    dialog.token.setText("N3w-Gui-T0ken")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.model.rows[0].version == hook.version + 2)
    assert secret_store.get(page.model.rows[0].secret_ref) == Secrets(password="N3w-Gui-T0ken")
    assert secret_store.get(hook.secret_ref) == Secrets()
    assert "N3w-Gui-T0ken" not in database_text(app_ctx.db)


def test_an_edit_shows_errors_at_the_field_and_a_conflict(qtbot, run_async, app_ctx, page):
    notify.add_email_channel(
        app_ctx.db,
        app_ctx.secrets,
        name="mail",
        host="smtp.example.net",
        sender="nr@example.net",
        recipients=["ops@example.net", "noc@example.net"],
        port=2525,
        events=["backup_failed"],
    )
    run_async(page.refresh())
    page.select(lambda c: c.name == "mail")
    dialog = page.edit()
    assert dialog.windowTitle() == "Edit e-mail channel"
    assert (dialog.host.text(), dialog.port.text()) == ("smtp.example.net", "2525")
    assert dialog.recipients.text() == "ops@example.net, noc@example.net"
    assert dialog.events.chosen() == ["backup_failed"]
    assert dialog.password.placeholderText() == "optional"  # no password stored
    before = database_text(app_ctx.db)

    dialog.recipients.setText("ops@example.net, bob")
    problem = _refused(qtbot, dialog, "recipients")
    assert problem == "must be an e-mail address like ops@example.net"
    dialog.recipients.setText("ops@example.net")
    dialog.port.setText("70000")
    assert _refused(qtbot, dialog, "port") == "must be a whole number from 1 to 65535"
    assert database_text(app_ctx.db) == before

    notify.edit_channel(app_ctx.db, app_ctx.secrets, "mail", host="relay.example.net")
    dialog.port.setText("")
    dialog.ok_button.click()
    qtbot.waitUntil(dialog.problem.isVisible)
    assert "was changed by someone else" in dialog.problem.text()
    assert dialog.isVisible()


def test_disable_and_enable_a_channel(qtbot, run_async, app_ctx, page):
    notify.add_webhook_channel(app_ctx.db, app_ctx.secrets, name="chat", url="http://127.0.0.1:9/")
    run_async(page.refresh())
    page.select(lambda c: c.name == "chat")
    assert page.switch.text() == "Di&sable"
    page.switch.click()
    qtbot.waitUntil(lambda: _cells(page, ChannelModel.COL_ENABLED) == ["no"])
    page.select(lambda c: c.name == "chat")
    assert page.switch.text() == "E&nable"
    page.switch.click()
    qtbot.waitUntil(lambda: _cells(page, ChannelModel.COL_ENABLED) == ["yes"])
    with app_ctx.db.read_session() as s:
        (channel,) = notify.list_channels(s)
    assert (channel.enabled, channel.version) == (True, 3)


def test_opening_the_page_moves_an_old_webhook_url_to_the_keyring(
    run_async, app_ctx, page, secret_store
):
    """A row an older version wrote holds the whole URL: the admin's page moves it."""
    url = "https://hooks.slack.com/services/T04NRDSK2/B07WQ3HJ5LM/Gui0ldUrlSecret0000000000"
    with app_ctx.db.session() as s:
        channel_rows.create_channel(s, name="legacy", kind="webhook", config={"url": url})
    run_async(page.refresh())
    assert _cells(page, ChannelModel.COL_TARGET) == ["https://hooks.slack.com/…"]
    assert secret_store.get(page.model.rows[0].url_ref) == Secrets(password=url)
    with app_ctx.db.sync_engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM notification_channels").all()
    assert "Gui0ldUrlSecret" not in repr(rows)

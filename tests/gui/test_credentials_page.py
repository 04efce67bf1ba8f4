"""The Credentials page: secrets typed into the dialog reach the keyring and nothing else."""

from __future__ import annotations

import pytest

from netraven_desktop.core.crud import devices
from netraven_desktop.core.secrets import Secrets
from netraven_desktop.core.services import audit, credentials
from netraven_desktop.ui.pages.credentials import CredentialModel, CredentialsPage
from netraven_desktop.ui.qt import QtWidgets
from tests.gui.helpers import database_text
from tests.sim import SIM_ENABLE, SIM_PASSWORD


@pytest.fixture
def page(qtbot, run_async, app_ctx, secret_store):
    page = CredentialsPage(app_ctx)
    qtbot.addWidget(page)
    page.show()
    yield page
    with app_ctx.db.read_session() as s:  # leave no test secret in the keyring
        for credential in credentials.list_credentials(s):
            secret_store.delete(credential.keyring_ref)


def _cell(page, row, column):
    return page.model.index(row, column).data()


def test_model_passes_the_model_tester(qtmodeltester, page, run_async, app_ctx, secret_store):
    credentials.add_credential(
        app_ctx.db, secret_store, name="a", username="u", secrets=Secrets(password="p-1")
    )
    run_async(page.refresh())
    assert page.model.rowCount() == 1
    qtmodeltester.check(page.model)


def test_add_then_edit_through_the_dialog_keeps_secrets_in_the_keyring_only(
    qtbot, run_async, app_ctx, page, secret_store
):
    run_async(page.refresh())
    dialog = page.add()
    assert dialog.password.echoMode() == QtWidgets.QLineEdit.EchoMode.Password
    dialog.name.setText("lab")
    dialog.username.setText("admin")
    dialog.password.setText("Gui-Pa55-w0rd")
    dialog.enable.setText("Gui-En4ble")
    dialog.tags.setText("core, edge")
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert _cell(page, 0, CredentialModel.COL_NAME) == "lab"
    assert _cell(page, 0, CredentialModel.COL_TAGS) == "core, edge"
    assert _cell(page, 0, CredentialModel.COL_ENABLE) == "yes"
    reference = page.model.rows[0].keyring_ref
    assert secret_store.get(reference) == Secrets(password="Gui-Pa55-w0rd", enable="Gui-En4ble")

    page.select(lambda c: c.name == "lab")
    dialog = page.edit()
    assert dialog.password.text() == ""  # a stored secret is never shown again
    dialog.priority.setValue(7)
    dialog.enable.setText("Gui-En4ble-2")  # the password field stays empty: kept
    with qtbot.waitSignal(dialog.accepted):
        dialog.ok_button.click()
    qtbot.waitUntil(lambda: _cell(page, 0, CredentialModel.COL_PRIORITY) == "7")
    assert secret_store.get(reference) == Secrets(password="Gui-Pa55-w0rd", enable="Gui-En4ble-2")
    stored = database_text(app_ctx.db)
    assert reference in stored  # the database holds the reference ...
    for secret in ("Gui-Pa55-w0rd", "Gui-En4ble"):
        assert secret not in stored  # ... and no secret, in any column of any table
    with app_ctx.db.read_session() as s:
        events = audit.list_events(s, descending=False)
        actions = [e.action for e in events if not e.action.startswith("row.")]  # the server's
    assert actions == ["credential.create", "credential.update"]


def test_bad_input_is_shown_at_the_field_and_nothing_is_written(qtbot, run_async, app_ctx, page):
    dialog = page.add()
    dialog.name.setText("lab")
    dialog.username.setText("admin")  # no password and no key
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.form.error_text("password") != "")
    assert dialog.form.error_text("password") == "a password credential needs a password"
    assert dialog.isVisible()
    dialog.password.setText("pw-1")
    dialog.key_path.setText("/nonexistent/id_ed25519")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.form.error_text("ssh_key") != "")
    assert dialog.form.error_text("ssh_key") == "no such file"
    assert dialog.form.error_text("password") == ""
    with app_ctx.db.read_session() as s:
        assert credentials.list_credentials(s) == []
        assert audit.list_events(s) == []


def test_remove_asks_first(qtbot, run_async, app_ctx, page, secret_store, monkeypatch):
    credential = credentials.add_credential(
        app_ctx.db, secret_store, name="old", username="u", secrets=Secrets(password="Rm-Pw-1")
    )
    run_async(page.refresh())
    page.select(lambda c: c.name == "old")
    answers = []
    # The confirmation is a modal QMessageBox, which cannot be clicked headless.
    monkeypatch.setattr(
        QtWidgets.QMessageBox,
        "question",
        lambda *args: answers.append(args[2]) or QtWidgets.QMessageBox.StandardButton.No,
    )
    page.remove()
    assert "Remove the credential old" in answers[0]
    assert secret_store.get(credential.keyring_ref).password == "Rm-Pw-1"
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "question", lambda *a: QtWidgets.QMessageBox.StandardButton.Yes
    )
    page.remove()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert secret_store.get(credential.keyring_ref) == Secrets()


def test_against_a_device_shows_success_or_the_error_class(
    qtbot, run_async, app_ctx, page, secret_store, sim_devices
):
    db = app_ctx.db
    name, platform, port = sim_devices[0]
    with db.session() as s:
        devices.create_device(s, name=name, host="127.0.0.1", port=port, platform=platform)
    for credential, password in (("good", SIM_PASSWORD), ("bad", "Wr0ng-pw")):
        credentials.add_credential(
            db,
            secret_store,
            name=credential,
            username="admin",
            secrets=Secrets(password=password, enable=SIM_ENABLE),
        )
    run_async(page.refresh())
    results = {}
    for credential in ("good", "bad"):
        page.select(lambda c, wanted=credential: c.name == wanted)
        dialog = page.test()
        qtbot.waitUntil(lambda d=dialog: d.device.count() == 1)
        assert dialog.device.currentText() == name
        dialog.test_button.click()
        qtbot.waitUntil(
            lambda d=dialog: d.result.text().startswith(("Success", "Failed")), timeout=30_000
        )
        results[credential] = dialog.result.text()
        dialog.close()
    assert results["good"].startswith(f"Success: logged in to {name} as admin")
    assert results["bad"].startswith("Failed (auth_failed): the device refused the login")
    assert "Wr0ng-pw" not in results["bad"]

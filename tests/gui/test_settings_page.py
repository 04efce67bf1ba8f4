"""The Settings page: every setting editable; a bad value is named at its field and
nothing at all is written."""

from __future__ import annotations

from netraven_desktop.core.services import audit, settings
from netraven_desktop.core.services.settings import SPECS
from netraven_desktop.ui.pages.settings import SettingsPage
from netraven_desktop.ui.qt import QtWidgets


def _stored(db):
    with db.read_session() as s:
        return {v.key: v.value for v in settings.list_settings(s)}


def test_every_setting_has_a_field_of_its_type(open_page):
    page = open_page(SettingsPage)
    assert set(page.fields) == set(SPECS)
    assert isinstance(page.fields["backup.mask_secrets"], QtWidgets.QCheckBox)
    assert page.fields["backup.mask_secrets"].isChecked()
    assert page.fields["backup.concurrency"].text() == "50"
    assert page.fields["backup.concurrency"].accessibleName() == "Devices backed up at once"


def test_save_writes_the_changes_in_one_go(open_page, qtbot, app_ctx):
    page = open_page(SettingsPage)
    page.fields["backup.concurrency"].setText(" 80 ")
    page.fields["backup.mask_secrets"].setChecked(False)
    page.save_button.click()
    qtbot.waitUntil(lambda: _stored(app_ctx.db)["backup.concurrency"] == 80)
    assert _stored(app_ctx.db)["backup.mask_secrets"] is False
    qtbot.waitUntil(lambda: page.fields["backup.concurrency"].text() == "80")
    with app_ctx.db.read_session() as s:
        changes = [e for e in audit.list_events(s) if not e.action.startswith("row.")]
        assert sorted(e.entity_id for e in changes) == [
            "backup.concurrency",
            "backup.mask_secrets",
        ]


def test_a_bad_value_is_named_at_its_field_and_nothing_is_written(open_page, qtbot, app_ctx):
    page = open_page(SettingsPage)
    page.fields["backup.retries"].setText("2")  # valid, but must not be written either
    page.fields["backup.concurrency"].setText("5000")
    page.fields["auth.lockout_minutes"].setText("soon")
    reports = []
    app_ctx.report = reports.append
    page.save_button.click()
    assert reports == ["not saved: 2 setting(s) need a valid value"]
    assert page.form.error_text("backup.concurrency") == "must be a whole number from 1 to 1000"
    assert page.form.error_text("auth.lockout_minutes") == (
        "must be a whole number from 1 to 10080"
    )
    assert page.form.error_text("backup.retries") == ""
    assert _stored(app_ctx.db)["backup.retries"] == 1
    with app_ctx.db.read_session() as s:
        assert audit.list_events(s) == []
    page.revert_button.click()
    qtbot.waitUntil(lambda: page.fields["backup.concurrency"].text() == "50")
    assert page.form.error_text("backup.concurrency") == ""
    assert page.fields["backup.retries"].text() == "1"

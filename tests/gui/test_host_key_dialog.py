"""A changed host key in the window: both fingerprints shown, only an admin accepts.

The device is a hostile SSH server from tests/hostile_ssh.py presenting a new key;
the stored key is one it had "before" (generated here).
"""

from __future__ import annotations

import contextlib

import asyncssh
import pytest

from netraven_desktop.core.crud import audit as audit_rows
from netraven_desktop.core.crud import devices, host_keys
from netraven_desktop.ui.dialogs.host_key import HostKeyDialog
from netraven_desktop.ui.run_panel import RunPanel
from tests.hostile_ssh import serve

OLD_KEY = asyncssh.generate_private_key("ssh-ed25519")


@pytest.fixture
def server(run_async, app_ctx):
    """A device whose stored key is OLD_KEY, served by a host presenting another key."""
    stack = contextlib.AsyncExitStack()
    running = run_async(stack.enter_async_context(serve()))
    with app_ctx.db.session() as s:
        device = devices.create_device(
            s, name="edge-sw1", host="127.0.0.1", port=running.port, platform="cisco_ios"
        )
        host_keys.save_host_key(
            s,
            device_id=device.id,
            key_type="ssh-ed25519",
            public_key=OLD_KEY.export_public_key("openssh").decode().strip(),
            fingerprint=OLD_KEY.get_fingerprint("sha256"),
        )
    yield running
    run_async(stack.aclose())


def _pinned(db) -> list[str]:
    with db.read_session() as s:
        device = devices.get_device_by_name(s, "edge-sw1")
        return [k.fingerprint for k in host_keys.list_host_keys(s, device.id)]


def test_an_admin_compares_both_fingerprints_and_accepts_from_the_run(qtbot, app_ctx, server):
    panel = RunPanel(app_ctx)
    qtbot.addWidget(panel)
    panel.show()
    panel._receive(  # the engine's event for the device, as a run in the window gets it
        {
            "event": "device_finished",
            "device": "edge-sw1",
            "status": "failed",
            "error_class": "host_key_changed",
            "message": "the device's SSH host key changed",
            "duration_ms": 20,
            "snapshot_id": None,
            "lines_added": None,
            "lines_removed": None,
            "warnings": [],
        }
    )
    panel._apply()
    assert not panel.host_key_button.isEnabled()  # nothing selected yet
    panel.view.selectRow(0)
    assert panel.host_key_button.isEnabled()

    dialog = panel.open_host_key()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.check is not None)
    assert dialog.stored.text() == OLD_KEY.get_fingerprint("sha256")
    assert dialog.offered.text() == server.fingerprint
    assert dialog.offered.text().startswith("SHA256:")
    assert "different SSH host key" in dialog.message.text()
    assert dialog.accept_button.isEnabled()
    assert server.offered == []  # reading the key offered no credential

    dialog.accept_button.click()
    qtbot.waitUntil(lambda: dialog.stored.text() == server.fingerprint)
    assert _pinned(app_ctx.db) == [server.fingerprint]
    with app_ctx.db.read_session() as s:
        (accepted,) = [e for e in audit_rows.list_events(s) if e.action == "host_key.accept"]
    assert accepted.before == {"fingerprints": [OLD_KEY.get_fingerprint("sha256")]}
    assert accepted.after["fingerprint"] == server.fingerprint


def test_a_non_admin_sees_the_change_but_cannot_accept(qtbot, run_async, app_ctx, server):
    app_ctx.role = "operator"
    dialog = HostKeyDialog(app_ctx, "edge-sw1", None)
    qtbot.addWidget(dialog)
    run_async(dialog.load())
    assert dialog.offered.text() == server.fingerprint
    assert "Only an admin can accept" in dialog.message.text()
    assert not dialog.accept_button.isEnabled()
    assert _pinned(app_ctx.db) == [OLD_KEY.get_fingerprint("sha256")]

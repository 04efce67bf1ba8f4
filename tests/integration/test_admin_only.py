"""Turning a device's secret masking off and pruning history are admin-only, enforced in
the services like the admin-only settings they bypass (`backup.mask_secrets`,
`retention.*`): through the services, an import, an offline push and the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from netraven_desktop.core import offline
from netraven_desktop.core.db.models import AuditEvent, ConfigSnapshot, Device
from netraven_desktop.core.errors import PermissionDeniedError
from netraven_desktop.core.importers import ImportRow
from netraven_desktop.core.services import auth, device_import, devices, retention, settings
from tests.clitools import Cli, one_line_error
from tests.integration.test_auth import team  # noqa: F401  (the team-mode fixture)
from tests.snapshots import device_with_configs

UNMASK = "oscar is operator and may not turn off secret masking"


def _masked(db, name):
    with db.read_session() as s:
        return s.scalar(select(Device.mask_secrets).where(Device.name == name))


def _events(db):
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def _denied(db, work, message=UNMASK):
    """`work(session)` is refused with `message` and writes nothing."""
    before = _events(db)
    with pytest.raises(PermissionDeniedError, match=message), db.session() as s:
        work(s)
    assert _events(db) == before


def test_an_operator_may_not_turn_masking_off_but_may_leave_or_turn_it_on(team):  # noqa: F811
    team.act_as("oscar", "operator")
    _denied(
        team,
        lambda s: devices.add_device(s, name="r2", host="h", platform="linux", mask_secrets=False),
    )
    _denied(team, lambda s: devices.edit_device(s, "r1", mask_secrets=False))
    with team.session() as s:  # the device dialog sends every field, changed or not
        devices.edit_device(s, "r1", description="core", mask_secrets=True)
    team.act_as("alice", "admin")
    with team.session() as s:
        devices.edit_device(s, "r1", mask_secrets=False)
    team.act_as("oscar", "operator")
    with team.session() as s:  # already off: an edit that leaves it off is no bypass
        devices.edit_device(s, "r1", description="edge", mask_secrets=False)
    with team.session() as s:
        devices.edit_device(s, "r1", mask_secrets=True)
    assert _masked(team, "r1") is True


def test_the_admins_default_is_no_bypass(team):  # noqa: F811
    with team.session() as s:
        settings.set_setting(s, "backup.mask_secrets", "false")
    team.act_as("oscar", "operator")
    with team.session() as s:
        devices.add_device(s, name="r2", host="h", platform="linux")
        devices.add_device(s, name="r3", host="h", platform="linux", mask_secrets=False)
    assert (_masked(team, "r2"), _masked(team, "r3")) == (False, False)


def test_an_import_turning_masking_off_needs_an_admin(team):  # noqa: F811
    new = ImportRow(
        "line 2", {"name": "r2", "host": "10.0.0.2", "platform": "linux", "mask_secrets": "no"}
    )
    existing = ImportRow("line 3", {"name": "r1", "mask_secrets": "no"})
    team.act_as("oscar", "operator")
    for rows, options in (([new], {}), ([existing], {"on_conflict": "update"})):
        _denied(
            team,
            lambda s, rows=rows, options=options: device_import.import_devices(s, rows, **options),
        )
    # A dry run shows the refusal too, before anyone tries the real import.
    with pytest.raises(PermissionDeniedError, match=UNMASK), team.read_session() as s:
        device_import.import_devices(s, [new], dry_run=True)
    team.act_as("alice", "admin")
    with team.session() as s:
        device_import.import_devices(s, [new, existing], on_conflict="update")
    assert (_masked(team, "r1"), _masked(team, "r2")) == (False, False)


def test_pruning_on_demand_needs_an_admin_retention_after_a_run_does_not(team):  # noqa: F811
    device_with_configs(team, "edge", ["hostname a\n", "hostname b\n", "hostname c\n"])
    with team.session() as s:
        settings.set_setting(s, "retention.keep_last", "2")
    team.act_as("oscar", "operator")
    _denied(
        team,
        lambda s: retention.prune(s, keep_last=1),
        "oscar is operator and may not prune history",
    )
    _denied(team, lambda s: retention.prune(s), "oscar is operator and may not prune history")
    with team.session() as s:
        assert retention.apply_retention(s).snapshots == 1
    team.act_as("alice", "admin")
    with team.session() as s:
        assert retention.prune(s, keep_last=1).snapshots == 1
    with team.read_session() as s:
        assert s.scalar(select(func.count()).select_from(ConfigSnapshot)) == 1


def test_a_push_turns_masking_off_only_for_an_admin(make_db, tmp_path: Path):
    """Alice turned masking off while offline as an admin, and was made an operator on
    the team before she pushed: the team refuses the edit (a conflict she sees) and keeps
    masking on."""
    db = make_db("postgresql")
    with db.session() as s:
        auth.set_mode(s, "team", first_admin=("alice", "alice-password"))
    db.act_as("alice", "admin")
    with db.session() as s:
        auth.add_user(s, username="bob", password="bob-password", role="admin")
        devices.add_device(s, name="r1", host="10.0.0.1", platform="linux")
    replica = offline.open_replica(db.url, tmp_path / "replica.db")
    try:
        offline.pull(db, replica)
        replica.act_as("alice", "admin")
        with replica.session() as s:
            devices.edit_device(s, "r1", mask_secrets=False)
        db.act_as("bob", "admin")
        with db.session() as s:
            auth.set_user(s, "alice", role="operator")
        db.act_as("alice", "operator")
        (conflict,) = offline.push(replica, db).conflicts
        assert conflict.reason == (
            "not allowed: alice is operator and may not turn off secret masking"
        )
        assert _masked(db, "r1") is True
    finally:
        replica.close()


def _as(cli, name):
    """Run the CLI as `name` (password in the environment, as cron would give it)."""
    user = Cli(cli.url, cli.env | {"NETRAVEN_PASSWORD": f"{name}-password"})
    return lambda *args: user("--user", name, *args)


def test_the_command_line_exits_5_for_what_only_an_admin_may_do(cli):
    cli.ok("db", "mode", "team", "--admin", "alice", "--password-stdin", stdin="alice-password\n")
    admin = Cli(cli.url, cli.env | {"NETRAVEN_PASSWORD": "alice-password"})
    for user, role in (("oscar", "operator"), ("vera", "viewer")):
        admin.ok(
            *("--user", "alice", "user", "add", user, "--role", role, "--password-stdin"),
            stdin=f"{user}-password\n",
        )
    alice = _as(cli, "alice")
    assert alice("device", "add", "r1", "--host", "10.0.0.1", "--platform", "linux").returncode == 0
    add_r2 = ["device", "add", "r2", "--host", "h", "--platform", "linux", "--no-mask-secrets"]
    refused = [
        ("oscar", ["device", "edit", "r1", "--no-mask-secrets"], UNMASK),
        ("oscar", add_r2, UNMASK),
        ("oscar", ["backup", "prune"], "oscar is operator and may not prune history"),
        ("oscar", ["backup", "prune", "--keep-last", "1"], "may not prune history"),
        ("oscar", ["backup", "redact"], "oscar is operator and may not redact stored history"),
        ("vera", ["backup", "redact", "--dry-run"], "vera is viewer and may not redact"),
    ]
    for user, args, message in refused:
        result = _as(cli, user)(*args)
        assert result.returncode == 5, (args, result.stderr)
        one_line_error(result, message)
    listing = alice("device", "list", "--json").stdout
    assert '"mask_secrets": true' in listing
    assert '"r2"' not in listing  # nothing was written
    for args in (
        ["device", "edit", "r1", "--no-mask-secrets"],
        add_r2,
        ["backup", "prune", "--keep-last", "1"],
        ["backup", "redact"],
    ):
        result = alice(*args)
        assert result.returncode == 0, (args, result.stderr)

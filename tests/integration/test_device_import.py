"""Importing and exporting the inventory: every format, all or nothing, on both backends."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from netraven_desktop.core.crud import credentials as credential_rows
from netraven_desktop.core.db.models import AuditEvent, Device, Tag
from netraven_desktop.core.importers import ImportRejected, parse_file
from netraven_desktop.core.platforms import PLATFORMS
from netraven_desktop.core.services import audit, device_import, devices
from tests.clitools import Cli

DATA = Path(__file__).parent.parent / "data" / "import"


def _import(face, name, *, format=None, **options):
    """Parse a sample file and import it through the face's session."""
    parser_options = {k: options.pop(k) for k in ("separator", "columns") if k in options}
    _, parsed = parse_file(str(DATA / name), format, **parser_options)
    return face.service(
        device_import.import_devices, parsed.rows, problems=parsed.problems, **options
    )


def _count(face, model) -> int:
    return face(lambda s: s.scalar(select(func.count()).select_from(model)))


def _by_name(face) -> dict[str, dict]:
    return {d["name"]: d for d in face.service(device_import.export_devices)}


def test_our_csv(face):
    result = _import(face, "devices.csv")
    assert (result.count("create"), result.count("update"), result.count("skip")) == (4, 0, 0)
    found = _by_name(face)
    assert found["core-sw1"] == {
        "name": "core-sw1",
        "host": "10.0.0.1",
        "port": 22,
        "platform": "cisco_ios",
        "site": "dc1",
        "role": "core",
        "description": "Core switch, rack A1",
        "tags": ["core", "dc1"],
        "credential": None,
        "enabled": True,
        "legacy_ssh": False,
        "connect_timeout": None,
        "mask_secrets": True,
    }
    assert found["core-sw2"]["tags"] == ["core", "dc1"]  # `|` separates tags too
    assert found["core-sw2"]["connect_timeout"] == 30
    assert (found["edge-fw1"]["port"], found["edge-fw1"]["legacy_ssh"]) == (2222, True)
    assert found["edge-fw1"]["mask_secrets"] is False
    assert (found["branch-rtr1"]["host"], found["branch-rtr1"]["enabled"]) == ("2001:db8::1", False)
    # One audit event per device, in an intact chain.
    assert _count(face, AuditEvent) == 4
    assert face.service(audit.verify_chain).ok


def test_oxidized_router_db_maps_every_platform(face):
    result = _import(
        face,
        "router-full.db",
        separator=",",
        columns="name,ip,model,group,username,password",
    )
    assert result.count("create") == 14
    found = _by_name(face)
    mapped = {d["platform"] for d in found.values()}
    assert len(mapped) == 14  # one device per platform the file names
    assert mapped <= set(PLATFORMS)
    assert (found["xr-pe1"]["host"], found["xr-pe1"]["tags"]) == ("10.1.0.3", ["pe"])
    # The router.db's passwords went nowhere.
    assert "s3cr3t" not in json.dumps(face.service(audit.list_events, limit=None), default=str)


def test_oxidized_default_map_uses_the_name_as_host(face):
    assert _import(face, "router.db").count("create") == 8
    found = _by_name(face)
    assert (found["core-rtr2"]["host"], found["core-rtr2"]["platform"]) == ("core-rtr2", "cisco_xr")
    assert found["branch-mt1"]["platform"] == "mikrotik_routeros"


def test_netbox_export(face):
    assert _import(face, "netbox-devices.csv").count("create") == 4  # guessed from the header
    found = _by_name(face)
    core = found["ams1-core-01"]
    assert (core["host"], core["platform"], core["site"], core["role"]) == (
        "10.20.0.1",
        "cisco_xe",
        "AMS1",
        "Core Switch",
    )
    assert core["tags"] == ["ams1", "core"]
    firewall = found["ams1-fw-01"]
    assert (firewall["host"], firewall["enabled"]) == ("2001:db8:20::1", False)  # planned
    assert found["ams1-oob-01"]["host"] == "ams1-oob-01"  # no primary IP: the name


def test_ansible_inventory(face):
    assert _import(face, "ansible-inventory.yml").count("create") == 5
    found = _by_name(face)
    assert (found["dc-spine1"]["host"], found["dc-spine1"]["platform"]) == (
        "10.40.0.1",
        "arista_eos",
    )
    assert found["dc-spine1"]["tags"] == ["datacenter", "spines", "wan"]
    assert (found["dc-leaf1"]["port"], found["dc-leaf1"]["platform"]) == (2222, "cisco_nxos")
    assert found["wan-pe1"]["platform"] == "juniper_junos"
    assert found["wan-ce1"]["platform"] == "cisco_ios"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "devices-malformed.csv",
            [
                "line 3: host: is neither a valid IP address nor a valid DNS name "
                "(got '300.1.1.1')",
                "line 4: port: must be a whole number from 1 to 65535 (got '70000')",
                "line 5: platform: unknown platform; did you mean cisco_ios, cisco_asa, "
                "cisco_s300? (got 'cisco_iso')",
                "line 6: enabled: must be true or false (yes/no, on/off, 1/0) (got 'maybe')",
                "line 7: name: repeats line 2 (got 'good-1')",
                "line 8: name: must not be empty (got '')",
                "line 9: host: required for a new device (got '')",
            ],
        ),
        (
            "router-malformed.db",
            [
                "line 2: row: has 1 fields separated by ':', the map needs 2 (name,model) "
                "(got 'only-a-name')",
                "line 3: platform: unknown platform; `netraven-desktop platform list` shows the "
                "known ones (got 'sonicwall')",
                "line 4: host: is neither a valid IP address nor a valid DNS name "
                "(got 'bad host name')",
            ],
        ),
        (
            "netbox-malformed.csv",
            [
                "line 3: platform: unknown platform; did you mean cisco_ios, cisco_asa, "
                "cisco_s300? (got 'cisco-iso')",
                "line 4: host: is neither a valid IP address nor a valid DNS name "
                "(got '10.30.0.999')",
                "line 5: platform: required for a new device (got '')",
            ],
        ),
        (
            "ansible-malformed.yml",
            [
                "line 8: platform: unknown platform; `netraven-desktop platform list` "
                "shows the known ones (got 'acme.widgetos.widgetos')",
                "line 11: port: must be a whole number from 1 to 65535 (got 'ssh')",
                "line 15: platform: required for a new device (got '')",
            ],
        ),
    ],
)
def test_malformed_rows_are_all_reported_and_nothing_is_written(face, name, expected):
    with pytest.raises(ImportRejected) as caught:
        _import(face, name)
    assert caught.value.lines() == expected
    assert (_count(face, Device), _count(face, Tag), _count(face, AuditEvent)) == (0, 0, 0)


def test_dry_run_writes_nothing(face):
    result = _import(face, "devices.csv", dry_run=True)
    first = result.rows[0]
    assert (first.where, first.name, first.action) == ("line 2", "core-sw1", "create")
    assert result.to_dict()["created"] == 4
    assert (_count(face, Device), _count(face, Tag), _count(face, AuditEvent)) == (0, 0, 0)


def test_on_conflict_modes(face):
    face.service(
        devices.add_device, name="CORE-SW1", host="10.9.9.9", platform="cisco_ios", tags=["old"]
    )
    with pytest.raises(ImportRejected) as caught:
        _import(face, "devices.csv")
    assert caught.value.lines() == [
        "line 2: name: a device with this name exists (--on-conflict skip or update) "
        "(got 'core-sw1')"
    ]
    assert _count(face, Device) == 1

    skipped = _import(face, "devices.csv", on_conflict="skip")
    assert (skipped.count("create"), skipped.count("skip")) == (3, 1)
    assert _by_name(face)["CORE-SW1"]["host"] == "10.9.9.9"

    updated = _import(face, "devices.csv", on_conflict="update")
    assert (updated.count("update"), updated.count("skip")) == (1, 3)  # 3 unchanged
    device = face.service(devices.show_device, "core-sw1")
    assert (device.name, device.host, device.site, device.version) == (
        "core-sw1",
        "10.0.0.1",
        "dc1",
        2,
    )
    assert [t.name for t in device.tags] == ["core", "dc1"]
    event = face.service(audit.list_events, entity_id=str(device.id), limit=1)[0]
    assert event.action == "device.update"
    assert event.before["host"] == "10.9.9.9"
    assert event.after["tags"] == ["core", "dc1"]
    assert "port" not in event.after  # unchanged fields are not recorded
    assert face.service(audit.verify_chain).ok


def test_update_keeps_the_address_a_format_only_defaults(face):
    _import(face, "ansible-inventory.yml")
    # dc-spine1 and dc-leaf1 again, with the same platform and no address of their own.
    result = _import(face, "router.db", on_conflict="update")
    assert [(r.name, r.reason) for r in result.rows if r.action == "skip"] == [
        ("dc-leaf1", "unchanged"),
        ("dc-spine1", "unchanged"),
    ]
    found = _by_name(face)
    assert found["dc-spine1"]["host"] == "10.40.0.1"
    assert found["dc-leaf1"]["platform"] == "cisco_nxos"


def test_a_database_error_half_way_writes_nothing(face, monkeypatch):
    def broken(session, events):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record_many", broken)
    with pytest.raises(RuntimeError):
        _import(face, "devices.csv")
    assert (_count(face, Device), _count(face, Tag)) == (0, 0)


def test_unknown_credential_is_a_row_problem_and_known_one_binds(face):
    face(credential_rows.create_credential, name="lab-login", username="admin", keyring_ref="ref-1")
    rows = parse_file(str(DATA / "devices.csv"))[1].rows
    rows[0].values["credential"] = "LAB-LOGIN"
    rows[1].values["credential"] = "nope"
    with pytest.raises(ImportRejected) as caught:
        face.service(device_import.import_devices, rows)
    assert caught.value.lines() == ["line 3: credential: no credential by that name (got 'nope')"]
    del rows[1].values["credential"]
    face.service(device_import.import_devices, rows)
    exported = _by_name(face)
    assert exported["core-sw1"]["credential"] == "lab-login"
    assert "ref-1" not in json.dumps(exported)


def test_problems_are_capped():
    problems = [device_import.RowProblem(f"line {n}", "host", "x y", "bad") for n in range(60)]
    lines = ImportRejected(problems).lines()
    assert len(lines) == 51
    assert lines[-1] == "... and 10 more problems"


# The CLI, as users run it.


def _comparable(listing):
    drop = {"id", "created_at", "updated_at"}
    return [{k: v for k, v in d.items() if k not in drop} for d in listing]


def _tag_counts(cli):
    return [(t["name"], t["devices"]) for t in cli.json("tag", "list")]


def test_cli_round_trip_into_an_empty_database(cli, env, tmp_path):
    cli.ok("device", "import", str(DATA / "devices.csv"))
    cli.ok("device", "import", str(DATA / "ansible-inventory.yml"))
    for format in ("csv", "json"):
        exported = tmp_path / f"inventory.{format}"
        assert "exported 9 devices" in cli.ok("device", "export", str(exported))
        fresh = Cli(f"sqlite:///{tmp_path}/fresh-{format}.db", env)
        fresh.ok("device", "import", str(exported))
        assert _comparable(fresh.json("device", "list")) == _comparable(cli.json("device", "list"))
        assert _tag_counts(fresh) == _tag_counts(cli)
    rows = list(csv.DictReader(io.StringIO(cli.ok("device", "export", "-"))))
    assert [row["name"] for row in rows[:2]] == ["branch-rtr1", "core-sw1"]
    assert rows[1]["tags"] == "core;dc1"


def test_cli_malformed_file_exits_2_with_a_line_per_problem(cli):
    result = cli("device", "import", str(DATA / "devices-malformed.csv"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 7
    assert lines[0] == (
        "netraven-desktop: line 3: host: is neither a valid IP address nor a valid DNS name "
        "(got '300.1.1.1')"
    )
    assert "did you mean cisco_ios" in lines[2]
    assert "Traceback" not in result.stderr
    assert cli.json("device", "list") == []

    unknown = cli("device", "import", str(DATA / "devices-unknown-column.csv"))
    assert unknown.returncode == 2
    assert "line 1: header: unknown column" in unknown.stderr
    assert "'password'" in unknown.stderr
    assert "hunter2" not in unknown.stderr


def test_cli_dry_run_and_on_conflict(cli):
    out = cli.ok("device", "import", str(DATA / "router.db"), "--dry-run")
    assert "would create 8, update 0, skip 0 devices (oxidized); nothing was written" in out
    assert "core-rtr1" in out
    assert cli.json("device", "list") == []

    assert json.loads(cli.ok("device", "import", str(DATA / "router.db"), "--json")) | {
        "rows": []
    } == {
        "format": "oxidized",
        "dry_run": False,
        "created": 8,
        "updated": 0,
        "skipped": 0,
        "rows": [],
    }
    again = cli("device", "import", str(DATA / "router.db"))
    assert again.returncode == 2
    assert len(again.stderr.strip().splitlines()) == 8
    assert "line 2: name: a device with this name exists" in again.stderr
    out = cli.ok("device", "import", str(DATA / "router.db"), "--on-conflict", "skip")
    assert "created 0, updated 0, skipped 8 devices" in out


def test_cli_export_never_holds_a_secret(cli, secret_store, tmp_path):
    cli.ok(
        "credential",
        "add",
        "lab",
        "--username",
        "netops",
        "--password-stdin",
        stdin="Sup3r-S3cret\n",
    )
    cli.ok(
        "device",
        "add",
        "sw1",
        "--host",
        "10.0.0.1",
        "--platform",
        "cisco_ios",
        "--credential",
        "lab",
    )
    for format in ("csv", "json"):
        text = cli.ok("device", "export", "-", "--format", format)
        assert "lab" in text
        assert "Sup3r-S3cret" not in text
        assert "netraven-desktop" not in text  # no keyring reference either


FORMULAS = {  # fields as a hostile inventory sets them, and the one name that starts with '
    "=cmd|' /C calc'!A0": {"site": "+SUM(1,2)", "role": "@SUM(A1)", "description": "-2+3"},
    "'=quoted": {"site": "'+not a formula", "description": "'plain note"},
}


def test_cli_csv_export_neutralises_formulas_and_imports_them_back(cli, env, tmp_path):
    source = tmp_path / "hostile.json"
    source.write_text(
        json.dumps(
            [
                {"name": name, "host": "10.0.0.9", "platform": "cisco_ios", **fields}
                | {"tags": ["=HYPERLINK(x)", "core"]}
                for name, fields in FORMULAS.items()
            ]
        )
    )
    cli.ok("device", "import", str(source))
    exported = tmp_path / "inventory.csv"
    cli.ok("device", "export", str(exported))
    if os.name == "posix":  # the inventory is only its owner's to read
        assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(exported.read_text()))}
    hostile = rows["'=cmd|' /C calc'!A0"]
    assert (hostile["site"], hostile["role"], hostile["description"], hostile["tags"]) == (
        "'+SUM(1,2)",
        "'@SUM(A1)",
        "'-2+3",
        "'=HYPERLINK(x);core",
    )
    quoted = rows["''=quoted"]  # one more ' in front of a ' that precedes a formula sign
    assert (quoted["site"], quoted["description"]) == ("''+not a formula", "'plain note")
    fresh = Cli(f"sqlite:///{tmp_path}/fresh.db", env)
    fresh.ok("device", "import", str(exported))
    assert _comparable(fresh.json("device", "list")) == _comparable(cli.json("device", "list"))
    names = {d["name"] for d in fresh.json("device", "list")}
    assert names == set(FORMULAS)


def test_cli_a_10_mb_value_is_refused_in_one_short_line(cli, tmp_path):
    source = tmp_path / "big.json"
    source.write_text(
        json.dumps(
            [
                {
                    "name": "sw1",
                    "host": "10.0.0.1",
                    "platform": "cisco_ios",
                    "description": "x" * 10_000_000,
                }
            ]
        )
    )
    result = cli("device", "import", str(source))
    assert result.returncode == 2
    assert result.stderr == (
        "netraven-desktop: item 1: description: must be at most 4000 characters "
        f"(got {'x' * 80!r}…)\n"
    )
    assert cli.json("device", "list") == []

"""`device` and `tag` commands."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

from ..core import importers
from ..core.db import Database
from ..core.errors import InputError
from ..core.importers import csv_format
from ..core.private_files import write_private_file
from ..core.services import device_import, devices, tags
from .output import print_fields, print_json, print_table


def _device_changes(args: argparse.Namespace) -> dict[str, Any]:
    """The options the user actually gave, as service keyword arguments."""
    mapping = {
        "host": "host",
        "port": "port",
        "platform": "platform",
        "description": "description",
        "site": "site",
        "role": "role",
        "connect_timeout": "connect_timeout",
        "legacy_ssh": "ssh_legacy_algorithms",
        "enabled": "enabled",
        "credential": "credential",
        "tags": "tags",
        "new_name": "name",
        "mask_secrets": "mask_secrets",
        "collector_label": "collector_label",
    }
    changes = {
        key: getattr(args, opt)
        for opt, key in mapping.items()
        if getattr(args, opt, None) is not None
    }
    if getattr(args, "no_tags", False):
        changes["tags"] = []
    return changes


def device_add(db: Database, args: argparse.Namespace) -> int:
    fields = _device_changes(args)
    with db.session() as session:
        device = devices.add_device(session, **fields | {"name": args.name})
    print(f"added device {device.name} ({device.host}:{device.port}, {device.platform})")
    return 0


def device_edit(db: Database, args: argparse.Namespace) -> int:
    changes = _device_changes(args)
    if not changes:
        print(f"nothing to change on {args.name}")
        return 0
    with db.session() as session:
        device = devices.edit_device(
            session, args.name, expected_version=args.expect_version, **changes
        )
    print(f"updated device {device.name} (version {device.version})")
    return 0


def device_list(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        found = devices.list_devices(
            session, tag=args.tag, platform=args.platform, site=args.site, search=args.search
        )
        rows = [devices.device_to_dict(d) for d in found]
    if args.json:
        print_json(rows)
        return 0
    print_table(
        ("NAME", "HOST", "PORT", "PLATFORM", "SITE", "TAGS", "LAST BACKUP"),
        [
            (
                r["name"],
                r["host"],
                r["port"],
                r["platform"],
                r["site"],
                r["tags"],
                r["last_backup"]["status"],
            )
            for r in rows
        ],
    )
    return 0


def device_show(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        data = devices.device_to_dict(devices.show_device(session, args.name))
    if args.json:
        print_json(data)
        return 0
    print_fields(
        [
            ("name", data["name"]),
            ("host", data["host"]),
            ("port", data["port"]),
            ("platform", data["platform"]),
            ("site", data["site"]),
            ("role", data["role"]),
            ("description", data["description"]),
            ("tags", data["tags"]),
            ("credential", data["credential"]),
            ("enabled", data["enabled"]),
            ("legacy ssh", data["ssh"]["legacy_algorithms"]),
            ("connect timeout", data["ssh"]["connect_timeout"] or "default"),
            ("mask secrets", data["mask_secrets"]),
            ("vendor", data["vendor"]),
            ("model", data["model"]),
            ("serial", data["serial"]),
            ("os version", data["os_version"]),
            ("last backup", data["last_backup"]["status"]),
            ("last backup at", data["last_backup"]["at"]),
            ("id", data["id"]),
            ("version", data["version"]),
        ]
    )
    return 0


def device_remove(db: Database, args: argparse.Namespace) -> int:
    with db.session() as session:
        device = devices.remove_device(session, args.name, purge=args.purge)
    if args.purge:
        print(f"deleted device {device.name} and its backup history for good")
    else:
        print(
            f"moved device {device.name} to the trash; "
            f"`netraven-desktop device restore {device.name}` brings it back"
        )
    return 0


def device_restore(db: Database, args: argparse.Namespace) -> int:
    with db.session() as session:
        device = devices.restore_device(session, args.name)
    print(f"restored device {device.name}")
    return 0


def device_trash(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        rows = [devices.device_to_dict(d) for d in devices.list_trash(session)]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ("NAME", "HOST", "PLATFORM", "DELETED AT"),
            [(r["name"], r["host"], r["platform"], r["deleted_at"]) for r in rows],
        )
    return 0


def device_accept_host_key(db: Database, args: argparse.Namespace) -> int:
    # The SSH stack (asyncssh, ~0.2 s to import) only for the one device command that connects.
    from ..core.services import host_keys

    accepted = host_keys.accept_host_key(db, args.name, args.fingerprint)
    print(
        f"{accepted['device']}: now trusting {accepted['key_type']} key {accepted['fingerprint']}"
    )
    for old in accepted["replaced"]:
        print(f"  (replaced {old})")
    return 0


def device_import_file(db: Database, args: argparse.Namespace) -> int:
    """Parse, validate every row, then write all or nothing (or, with --dry-run, nothing)."""
    format, parsed = importers.parse_file(
        args.file, args.format, separator=args.separator, columns=args.columns
    )
    with db.session(write=not args.dry_run) as session:
        result = device_import.import_devices(
            session,
            parsed.rows,
            on_conflict=args.on_conflict,
            dry_run=args.dry_run,
            problems=parsed.problems,
        )
    if args.json:
        print_json({"format": format} | result.to_dict())
        return 0
    if args.dry_run:
        print_table(
            ("WHERE", "NAME", "ACTION"),
            [
                (r.where, r.name, r.action + (f" ({r.reason})" if r.reason else ""))
                for r in result.rows
            ],
        )
    verbs = (
        ("would create", "update", "skip") if args.dry_run else ("created", "updated", "skipped")
    )
    counts = (result.count(a) for a in ("create", "update", "skip"))
    summary = ", ".join(f"{verb} {n}" for verb, n in zip(verbs, counts, strict=True))
    print(f"{summary} devices ({format})" + ("; nothing was written" if args.dry_run else ""))
    return 0


def device_export(db: Database, args: argparse.Namespace) -> int:
    """Every live device as our CSV or JSON; credentials by name, never a secret."""
    format = args.format or ("json" if args.file.lower().endswith(".json") else "csv")
    with db.read_session() as session:
        rows = device_import.export_devices(session)
    out = io.StringIO()
    if format == "json":
        json.dump(rows, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        csv_format.write(rows, out)
    if args.file == "-":
        sys.stdout.write(out.getvalue())
        return 0
    try:
        write_private_file(Path(args.file), out.getvalue().encode("utf-8"))
    except OSError as exc:
        raise InputError("FILE", Path(args.file), exc.strerror or "cannot be written") from None
    print(f"exported {len(rows)} devices to {args.file} ({format})")
    return 0


def tag_add(db: Database, args: argparse.Namespace) -> int:
    with db.session() as session:
        tag = tags.add_tag(session, args.name)
    print(f"added tag {tag.name}")
    return 0


def tag_list(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        rows = [tags.tag_to_dict(tag, count) for tag, count in tags.list_tags(session)]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ("TAG", "DEVICES", "COLLECTOR LABEL"),
            [(r["name"], r["devices"], r["collector_label"] or "") for r in rows],
        )
    return 0


def tag_edit(db: Database, args: argparse.Namespace) -> int:
    changes = {
        field: value
        for field, value in (
            ("name", args.new_name),
            ("description", args.description),
            ("collector_label", args.collector_label),
        )
        if value is not None
    }
    if not changes:
        raise InputError(
            "tag", args.name, "say what to change: --name, --description or --collector-label"
        )
    with db.session() as session:
        tag = tags.edit_tag(session, args.name, **changes)
    print(f"changed tag {tag.name}")
    return 0


def tag_remove(db: Database, args: argparse.Namespace) -> int:
    with db.session() as session:
        tag = tags.remove_tag(session, args.name)
    print(f"removed tag {tag.name}")
    return 0


COMMANDS = {
    ("device", "add"): device_add,
    ("device", "edit"): device_edit,
    ("device", "list"): device_list,
    ("device", "show"): device_show,
    ("device", "remove"): device_remove,
    ("device", "restore"): device_restore,
    ("device", "trash"): device_trash,
    ("device", "accept-host-key"): device_accept_host_key,
    ("device", "import"): device_import_file,
    ("device", "export"): device_export,
    ("tag", "add"): tag_add,
    ("tag", "list"): tag_list,
    ("tag", "edit"): tag_edit,
    ("tag", "remove"): tag_remove,
}

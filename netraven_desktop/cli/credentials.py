"""`credential` commands. Secrets come from stdin or a no-echo prompt, never from argv."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from ..core.db import Database
from ..core.errors import InputError
from ..core.secrets import Secrets, SecretStore
from ..core.services import credentials, vault
from ..core.services.access import team_mode
from .output import print_json, print_table


def read_secrets(args: argparse.Namespace) -> Secrets:
    """With --password-stdin: line 1 the password (or key passphrase), line 2 the enable
    secret when --enable-secret is given. Otherwise prompt on the terminal without echo."""
    what = "SSH key passphrase" if args.ssh_key else "password"
    if args.password_stdin:
        lines = sys.stdin.read().splitlines()
        first = lines[0] if lines else ""
        enable = lines[1] if args.enable_secret and len(lines) > 1 else None
        if args.enable_secret and not enable:
            raise InputError("--enable-secret", "", "the second line of stdin must hold it")
    elif sys.stdin.isatty():
        prompt = f"{what.capitalize()}{' (empty for none)' if args.ssh_key else ''}: "
        first = getpass.getpass(prompt)
        enable = getpass.getpass("Enable secret: ") if args.enable_secret else None
    else:
        raise InputError(
            "--password-stdin",
            "",
            f"no terminal to ask for the {what}; pass it on stdin with --password-stdin",
        )
    if args.ssh_key:
        return Secrets(passphrase=first or None, enable=enable)
    if not first:
        raise InputError("password", "", "must not be empty")
    return Secrets(password=first, enable=enable)


def credential_add(db: Database, args: argparse.Namespace) -> int:
    if args.ssh_key and not Path(args.ssh_key).expanduser().is_file():
        raise InputError("--ssh-key", args.ssh_key, "no such file")  # before asking for input
    secrets = read_secrets(args)
    credential = credentials.add_credential(
        db,
        SecretStore(),
        name=args.name,
        username=args.username,
        secrets=secrets,
        priority=args.priority,
        tags=args.tags or (),
        ssh_key_path=args.ssh_key,
        description=args.description,
    )
    with db.read_session() as session:
        where = "the team vault, shared with you" if team_mode(session) else "the OS keyring"
    print(
        f"added credential {credential.name} ({credential.kind}, user {credential.username});"
        f" its secrets are in {where}"
    )
    return 0


def credential_list(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        rows = [
            credentials.credential_to_dict(c)
            for c in credentials.list_credentials(session, tag=args.tag)
        ]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ("NAME", "USERNAME", "KIND", "PRIORITY", "TAGS", "ENABLE SECRET"),
            [
                (
                    r["name"],
                    r["username"],
                    r["kind"],
                    r["priority"],
                    r["tags"],
                    r["has_enable_secret"],
                )
                for r in rows
            ],
        )
    return 0


def credential_remove(db: Database, args: argparse.Namespace) -> int:
    credential = credentials.remove_credential(db, SecretStore(), args.name)
    print(f"removed credential {credential.name} and its keyring entry")
    return 0


def credential_share(db: Database, args: argparse.Namespace) -> int:
    credential = vault.share(db, SecretStore(), args.name, args.user_name)
    print(f"shared credential {credential.name} with {args.user_name}")
    return 0


def credential_unshare(db: Database, args: argparse.Namespace) -> int:
    credential = vault.unshare(db, SecretStore(), args.name, args.user_name)
    print(
        f"took credential {credential.name} back from {args.user_name}; its secrets are "
        "sealed again under a new data key"
    )
    return 0


COMMANDS = {
    ("credential", "add"): credential_add,
    ("credential", "list"): credential_list,
    ("credential", "remove"): credential_remove,
    ("credential", "share"): credential_share,
    ("credential", "unshare"): credential_unshare,
}

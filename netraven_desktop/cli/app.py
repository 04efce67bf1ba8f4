"""Dispatch a parsed command and turn every failure into the contract's exit codes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import sys
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..core.db import Database, resolve_database_url
from ..core.db.schema import prepare
from ..core.db_logins import with_stored_password
from ..core.errors import InputError, NetRavenError
from ..core.log_masking import mask_text
from ..core.logs import FILE_ONLY, log_path, setup_logging
from ..core.secrets import SecretStore
from . import users
from .parser import parse
from .stdin_control import watch_stdin

# The module whose COMMANDS runs each command. Only the chosen one is imported: importing
# them all (the SSH engine, git) would cost every start, `device list` included.
MODULES = {
    "audit": "audit",
    "backup": "backups",
    "collector": "collector",
    "credential": "credentials",
    "db": "system",
    "device": "inventory",
    "job": "backups",
    "login": "users",
    "logout": "users",
    "notify": "notify",
    "platform": "platforms",
    "settings": "system",
    "sync": "sync",
    "tag": "inventory",
    "user": "users",
}
# Commands that run on a database without a current schema: `collector password` touches
# only the keyring (it runs before the login it stores a password for can connect).
SCHEMA_FREE = {("db", "upgrade"), ("db", "status"), ("collector", "password")}
INTERNAL_ERROR = 4
log = logging.getLogger("netraven_desktop")


def run_command(args: argparse.Namespace) -> int:
    """Run one headless command; errors become one line on stderr and an exit code."""
    db: Database | None = None
    log.info("%s %s (pid %d)", args.command, getattr(args, "action", "") or "", os.getpid())
    try:
        if args.command == "sim":
            return _module("transcripts").replay(args) if args.replay else run_simulator(args)
        if args.command == "platform" and args.action == "test":  # needs no database
            return _module("transcripts").platform_test(args)
        key = (args.command, getattr(args, "action", None))
        command = _module(MODULES[args.command]).COMMANDS[key]
        if args.command == "platform":  # needs no database
            return command(args)
        url = resolve_database_url(args.db)
        if key == ("collector", None):  # a service: its password is kept, never typed
            url = with_stored_password(SecretStore(), url)
        db = Database(url)
        if args.offline:  # the team database is not touched
            db = _module("sync").open_offline(db, args)
        else:
            service = key == ("collector", None)  # it acts as its database login allows
            if not service:
                db = users.member_database(db, args)
            # A member's logout works without the database (their password may be stale).
            leaving = key == ("logout", None) and db.login_of is not None
            if (
                key not in SCHEMA_FREE
                and not leaving
                and not getattr(args, "offline_status", False)
            ):
                prepare(db)
                if not service:
                    users.log_in(db, args)
        return command(db, args)
    except NetRavenError as exc:  # one line per problem (an import lists every bad row)
        for line in str(exc).splitlines():
            print(f"netraven-desktop: {line}", file=sys.stderr)
        return exc.exit_code
    except SQLAlchemyError as exc:
        # Anything the database refused that our checks did not foresee.
        print(
            f"netraven-desktop: database error: {str(exc.__cause__ or exc).splitlines()[0]}",
            file=sys.stderr,
        )
        return 3
    except Exception as exc:  # the last line of defence: a bug, said plainly
        if os.environ.get("NETRAVEN_DEBUG"):
            raise
        log.error("internal error in %s", args.command, exc_info=exc, extra=FILE_ONLY)
        print(
            mask_text(
                f"netraven-desktop: internal error: {type(exc).__name__}: {exc} "
                f"(the traceback is in {log_path()}; NETRAVEN_DEBUG=1 prints it)"
            ),
            file=sys.stderr,
        )
        return INTERNAL_ERROR
    finally:
        if db is not None:
            db.close()


def _module(name: str) -> Any:
    """The command module `name` of this package, imported on first use."""
    return importlib.import_module(f"{__package__}.{name}")


def run_simulator(args: argparse.Namespace) -> int:
    """Serve simulated devices until interrupted; needs no database."""
    from ..sim import FAULTS
    from ..sim.cli import serve

    if not 1 <= args.devices <= 5000:
        raise InputError("--devices", args.devices, "must be from 1 to 5000")
    if args.base_port and not 1024 <= args.base_port <= 65535 - args.devices:
        raise InputError("--base-port", args.base_port, "leaves no room for the devices")
    if args.drift is not None and not args.drift > 0:
        raise InputError("--drift", args.drift, "must be a number of seconds above 0")
    if not 0 <= args.command_delay <= 60:
        raise InputError("--command-delay", args.command_delay, "must be from 0 to 60 seconds")
    for fault in args.faults:
        if fault not in FAULTS:
            raise InputError("--fault", fault, f"must be one of {', '.join(FAULTS)}")

    async def run() -> None:
        task = asyncio.current_task()
        assert task is not None
        if args.stop_on_stdin:
            watch_stdin(asyncio.get_running_loop(), task.cancel)
        await serve(
            args.devices,
            args.base_port,
            args.platforms,
            args.config_kb,
            "admin" if args.password is None else args.password,
            "enable" if args.enable_secret is None else args.enable_secret,
            args.host,
            drift=args.drift,
            faults=set(args.faults),
            command_delay=args.command_delay,
        )

    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(run())
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: a sub-command runs headless, none opens the window."""
    args = parse(argv)
    setup_logging(args.log_level, verbose=args.verbose)
    if args.self_test:
        from ..ui.self_test import run_self_test  # its Qt check imports Qt itself

        return run_self_test(sys.stdout)
    if args.command is None and args.offline:
        print("netraven-desktop: --offline: works with a command (got no command)", file=sys.stderr)
        return 2
    if args.command is None:
        from ..ui.app import run_gui  # Qt only when a window is wanted

        return run_gui(args.db, demo=args.demo)
    return run_command(args)

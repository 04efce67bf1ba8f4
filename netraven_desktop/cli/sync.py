"""`sync` and `--offline`: work on a team database's local replica, and sync it.

`--offline` runs any command on the replica instead of the team database (explicitly:
there is no silent fallback, so nobody edits a replica thinking they are online). On a
team-mode database it acts as the user who last synced, provided their `login` session
token is still in this machine's keyring; the team checks their role again on push.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from ..core import offline
from ..core.db import Database
from ..core.errors import EnvironmentProblem, InputError
from ..core.secrets import SecretStore
from .output import print_fields, print_json, print_table


def open_offline(team: Database, args: argparse.Namespace) -> Database:
    """The replica to run a command on instead of `team` (`--offline`)."""
    if args.command == "sync":
        raise InputError("--offline", "sync", "sync needs the team database; drop --offline")
    replica = offline.open_replica(team.url)
    state = offline.replica_state(replica)
    if state.pulled_at is None:
        replica.close()
        raise EnvironmentProblem(
            f"no local replica of {team.url} yet: run `netraven-desktop sync` once while online"
        )
    if state.actor is not None:
        wanted = args.user or os.environ.get("NETRAVEN_USER") or state.actor
        if not offline.may_work_offline(state, team, SecretStore(), wanted):
            replica.close()
            raise InputError(
                "--user",
                wanted,
                f"offline work is open to {state.actor}, who last synced and whose login "
                "session is in this keyring",
            )
        replica.act_as(state.actor, state.role or "viewer")
    return replica


def sync(team: Database, args: argparse.Namespace) -> int:
    """Exit 1 while conflicts wait for a choice."""
    replica = offline.open_replica(team.login_of or team.url)  # one per team database
    try:
        if args.offline_status:
            return _status(replica, args)
        if args.resolve:
            choice = _choice(args)
            offline.resolve(replica, args.resolve, choice)
            what = args.take or f"your {', '.join(choice)}"
            print(f"edit {args.resolve}: {what} wins; run `netraven-desktop sync` to apply")
            return 0
        report = offline.sync(team, replica)
    finally:
        replica.close()
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.describe())
        _print_conflicts(report.conflicts)
    return 1 if report.conflicts else 0


def _choice(args: argparse.Namespace) -> str | dict[str, Any]:
    """`--take mine|theirs`, or the `--set FIELD=VALUE` values that fix the edit."""
    if args.take is not None and args.fix:
        raise InputError("--set", args.fix[0], "use --take or --set, not both")
    if args.take is not None:
        return str(args.take)
    if not args.fix:
        raise InputError(
            "--take", "", "say which side wins: --take mine|theirs, or fix it with --set F=V"
        )
    values: dict[str, Any] = {}
    for item in args.fix:
        name, equals, text = item.partition("=")
        if not equals or not name:
            raise InputError("--set", item, "must be FIELD=VALUE")
        values[name] = _literal(text)
    return values


def _literal(text: str) -> Any:
    """A JSON number, true/false, null or "quoted text" as JSON reads it; anything else is
    the text itself (so `port=22` is a number, `host=10.0.0.9` text)."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if value is None or isinstance(value, int | float | bool | str) else text


def _status(replica: Database, args: argparse.Namespace) -> int:
    status = offline.offline_status(replica)
    waiting = offline.conflicts(replica)
    if args.json:
        print_json(status.to_dict() | {"conflict_list": [c.to_dict() for c in waiting]})
    else:
        print_fields(
            [
                ("replica", status.replica),
                ("last synced", status.pulled_at.isoformat() if status.pulled_at else "never"),
                ("queued edits", status.queued),
                ("conflicts", status.conflicts),
            ]
        )
        _print_conflicts(waiting)
    return 1 if waiting else 0


def _print_conflicts(conflicts: list[offline.Conflict]) -> None:
    if not conflicts:
        return
    print_table(
        ("EDIT", "ENTITY", "BY", "REASON", "FIELD", "BASE", "MINE", "THEIRS"),
        [
            (
                c.edit_id,
                f"{c.entity_type} {c.entity_id}",
                c.actor,
                c.reason,
                name,
                values.get("base"),
                values.get("mine"),
                values.get("theirs"),
            )
            for c in conflicts
            for name, values in (c.fields or {"": {}}).items()
        ],
    )


COMMANDS = {("sync", None): sync}

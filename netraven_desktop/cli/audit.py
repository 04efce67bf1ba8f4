"""`audit` commands: read the log and verify its chain."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta

from ..core.db import Database
from ..core.errors import InputError
from ..core.services import audit
from .output import print_json, print_table

_RELATIVE = re.compile(r"(\d+)\s*([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_since(text: str) -> datetime:
    """`--since`: an ISO date or time (UTC unless it says otherwise), or `30m`/`24h`/`7d` ago."""
    match = _RELATIVE.fullmatch(text.strip().lower())
    if match:
        return datetime.now(UTC) - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError("--since", text, "use an ISO date/time or 30m, 24h, 7d") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def audit_list(db: Database, args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    with db.read_session() as session:
        events = [
            audit.event_to_dict(e)
            for e in audit.list_events(
                session, entity_type=args.entity, actor=args.actor, since=since, limit=args.limit
            )
        ]
    if args.json:
        print_json(events)
    else:
        print_table(
            ("ID", "TIME (UTC)", "ACTOR", "ACTION", "ENTITY"),
            [
                (
                    e["id"],
                    e["occurred_at"][:19].replace("T", " "),
                    audit.shown_actor(e["actor"], e["claimed_actor"]),
                    e["action"],
                    f"{e['entity_type']} {e['entity_id'] or ''}".strip(),
                )
                for e in events
            ],
        )
    return 0


def audit_verify(db: Database, _args: argparse.Namespace) -> int:
    """Exit 0 for an intact chain, 1 naming the first event that breaks it."""
    with db.read_session() as session:
        check = audit.verify_chain(session)
    if check.ok:
        print(f"audit log intact: {check.checked} events")
        return 0
    where = f"event {check.first_bad}" if check.first_bad is not None else "the log"
    print(
        f"audit log TAMPERED: {where} {check.problem} ({check.checked} events check out before it)"
    )
    return 1


COMMANDS = {("audit", "list"): audit_list, ("audit", "verify"): audit_verify}

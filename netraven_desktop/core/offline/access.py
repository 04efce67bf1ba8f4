"""Who may work on a team database's replica: the rule for the CLI's `--offline` and the
window alike, so the two cannot disagree.

Offline work on a team database's replica is open to the user who last synced, while this
keyring keeps their sign-in; the team checks their role again on push. A replica that
names no user (a personal database's) is open to whoever runs the program.
"""

from __future__ import annotations

from ..db import Database
from ..secrets import SecretStore
from ..session_tokens import stored_password, stored_token
from .replica import ReplicaState


def may_work_offline(
    state: ReplicaState, team: Database, store: SecretStore, wanted: str | None = None
) -> bool:
    """Whether `wanted` (default: who last synced) may work on the replica in `state`."""
    if state.actor is None:
        return True
    wanted = wanted or state.actor
    return wanted.lower() == state.actor.lower() and _signed_in_here(store, team, state.actor)


def _signed_in_here(store: SecretStore, team: Database, username: str) -> bool:
    """Whether this keyring keeps `username`'s sign-in: a session token (SQLite's team
    mode) or their database password (PostgreSQL's member logins)."""
    return (
        stored_token(store, team, username) is not None
        or stored_password(store, team.url, username) is not None
    )

"""Offline work against a team database (issue 7): a local replica, an outbox, sync.

    replica = open_replica(team.url)   # SQLite next to the embedded database, same schema
    pull(team, replica)                # refresh: inventory, settings, latest configs
    ... edit through the usual services on `replica`: every edit is queued ...
    sync(team, replica)                # push (merge / conflicts), upload backups, pull
    for c in conflicts(replica): resolve(replica, c.edit_id, "mine" | "theirs" | {f: v})

A `Database` opened by `open_replica` has `replica_of` set; the audit service then
queues each audited edit in the outbox (crud/outbox.py) in the same transaction, and a
backup stored there queues its snapshot for upload. Nothing else changes for callers.
"""

from .access import may_work_offline
from .push import Conflict, PushReport, conflict_labels, conflicts, push, resolve
from .replica import PullReport, ReplicaState, open_replica, pull, replica_path, replica_state
from .sync import OfflineStatus, SyncReport, offline_status, sync

__all__ = [
    "Conflict",
    "OfflineStatus",
    "PullReport",
    "PushReport",
    "ReplicaState",
    "SyncReport",
    "conflict_labels",
    "conflicts",
    "may_work_offline",
    "offline_status",
    "open_replica",
    "pull",
    "push",
    "replica_path",
    "replica_state",
    "resolve",
    "sync",
]

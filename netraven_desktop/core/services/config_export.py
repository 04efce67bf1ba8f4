"""Stored configurations out as files: the latest per device, or the whole history as git.

Both stream from the database in batches (one query each), so memory stays flat however
long the history. They write files, so they take a sync `Session`: a window runs them
in a worker thread with its own session (or runs `backup export --json` as a child
process, as it does for backups), never on its event loop.

Nothing secret is written: configurations are stored with secrets masked (unless a
device opts out), and credentials never leave the keyring.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..crud import configs, tags
from ..crud import devices as device_rows
from ..crud.configs import ExportRow
from ..db.base import utcnow
from ..errors import InputError, NotFoundError
from ..export_paths import check_targets, device_paths, write_export_file
from ..git_history import STATE_FILE, STATE_FORMAT, HistoryRepository, state_bytes
from ..private_files import private_file_mode
from .access import authorize
from .audit import current_actor
from .export_events import CommitsAdded, DeviceSkipped, ExportProgress, ExportSummary, FilesWritten

Progress = Callable[[ExportProgress], None]
BATCH = 200
UNKNOWN_ACTOR = "netraven"  # the author of snapshots whose run is gone or had no actor


def _ignore(event: ExportProgress) -> None:
    """The default progress callback: nobody is listening."""


def _check_tag(session: Session, tag: str | None) -> None:
    if tag is None:
        return
    try:
        tags.get_tag_by_name(session, tag)
    except NotFoundError:
        raise InputError("--tag", tag, "no tag by that name") from None


def export_latest(
    session: Session,
    directory: Path,
    *,
    tag: str | None = None,
    progress: Progress = _ignore,
    batch_size: int = BATCH,
) -> ExportSummary:
    """Write each live device's latest configuration to `directory` (see export_paths).

    Each file is replaced atomically; other files in the folder are left alone. Devices
    with no snapshot yet are skipped and named in the summary. Every target is checked
    before the first write: a link on the way refuses the whole export. What the export
    creates is private (0600 files, 0700 folders on POSIX).
    """
    authorize(session, "read")
    _check_tag(session, tag)
    if directory.exists() and not directory.is_dir():
        raise InputError("DIR", directory, "is a file, not a folder")
    paths = device_paths(device_rows.device_locations(session, tag=tag))
    check_targets(directory, paths.values())
    summary = ExportSummary(str(directory), git=False)
    after: uuid.UUID | None = None
    while rows := configs.latest_configs(session, after, tag=tag, limit=batch_size):
        for row in rows:
            path = paths.get(row.device_id)
            if path is None:  # added since the export began: the next export has it
                continue
            if row.data is None:
                summary.skipped.append(row.device_name)
                progress(DeviceSkipped(row.device_name))
                continue
            write_export_file(directory, path, configs.decompress(row.data).encode("utf-8"))
            summary.files += 1
        after = rows[-1].device_id
        progress(FilesWritten(summary.files))
    return summary


def export_history(
    session: Session,
    directory: Path,
    *,
    tag: str | None = None,
    progress: Progress = _ignore,
    batch_size: int = BATCH,
) -> ExportSummary:
    """Append every snapshot not yet in the git repository at `directory`, one commit each.

    Commits follow capture time across all devices, authored by the run's actor at the
    capture time. The selection (every device, or those with `tag` when the export
    began) is fixed by the repository's first export. Devices renamed or moved to
    another site since the last export have their files moved first, in one commit.
    Trashed and purged devices keep their files and history.
    """
    authorize(session, "read")
    _check_tag(session, tag)
    with private_file_mode():  # the repository's files are its owner's only (POSIX)
        repo = HistoryRepository.open(directory)
        try:
            state = repo.state or {"format": STATE_FORMAT, "tag": tag, "last": None, "devices": {}}
            if (state["tag"] or "").casefold() != (tag or "").casefold():
                exported = f"--tag {state['tag']}" if state["tag"] else "no --tag"
                raise InputError("--tag", tag, f"this repository was exported with {exported}")
            until = utcnow()  # snapshots stored during the export wait for the next one
            locations = device_rows.device_locations(session, tag=tag, include_trashed=True)
            paths = device_paths(locations)
            # Every file a commit may change, checked out later: refused before any commit.
            known = (entry["path"] for entry in state["devices"].values())
            check_targets(directory, {STATE_FILE, *paths.values(), *known})
            summary = ExportSummary(str(directory), git=True)
            _move_files(session, repo, state, paths, until, summary)
            _append_snapshots(
                session, repo, state, paths, until, tag, batch_size, progress, summary
            )
            repo.check_out()
            summary.head = repo.head
            return summary
        finally:
            repo.close()


def _move_files(
    session: Session,
    repo: HistoryRepository,
    state: dict[str, Any],
    paths: dict[uuid.UUID, str],
    when: datetime,
    summary: ExportSummary,
) -> None:
    """One commit moving the files of devices renamed or moved to another site (git mv).

    All files leave before any arrives, so devices that swapped names swap files.
    """
    known = state["devices"]
    moves = [
        (key, entry["path"], paths[uuid.UUID(key)])
        for key, entry in sorted(known.items())
        if uuid.UUID(key) in paths and paths[uuid.UUID(key)] != entry["path"]
    ]
    if not moves:
        return
    files: dict[str, bytes | None] = {old: None for _, old, _ in moves if repo.read(old)}
    for key, old, new in moves:
        content = repo.read(old)
        if content is not None:  # else the user removed it: the next snapshot brings it back
            files[new] = content
        known[key]["path"] = new
    files[STATE_FILE] = state_bytes(state)
    lines = "\n".join(f"{old} -> {new}" for _, old, new in moves)
    repo.commit(
        files,
        author=current_actor(session),
        when=when,
        message=f"Move {len(moves)} device file(s) after renames or site changes\n\n{lines}\n",
    )
    repo.publish()
    summary.commits += 1
    summary.moved = len(moves)


def _append_snapshots(
    session: Session,
    repo: HistoryRepository,
    state: dict[str, Any],
    paths: dict[uuid.UUID, str],
    until: datetime,
    tag: str | None,
    batch_size: int,
    progress: Progress,
    summary: ExportSummary,
) -> None:
    """A commit per snapshot after the state's cursor; the branch moves once per batch,
    with the state file updated in that batch's last commit."""
    last = state["last"]
    after = None
    if last:
        after = (datetime.fromisoformat(last["captured_at"]), uuid.UUID(last["snapshot"]))
    changed: set[uuid.UUID] = set()
    while rows := configs.snapshots_after(session, after, until=until, tag=tag, limit=batch_size):
        after = (rows[-1].captured_at, rows[-1].snapshot_id)
        # A device that got the tag after the export began waits for the next export.
        selected = [row for row in rows if row.device_id in paths]
        for number, row in enumerate(selected, 1):
            path = paths[row.device_id]
            state["devices"][str(row.device_id)] = {"path": path, "snapshot": str(row.snapshot_id)}
            state["last"] = {
                "captured_at": row.captured_at.isoformat(),
                "snapshot": str(row.snapshot_id),
            }
            files: dict[str, bytes | None] = {path: configs.decompress(row.data).encode("utf-8")}
            if number == len(selected):
                files[STATE_FILE] = state_bytes(state)
            repo.commit(
                files,
                author=row.actor or UNKNOWN_ACTOR,
                when=row.captured_at,
                message=commit_message(row),
            )
            changed.add(row.device_id)
        repo.publish()
        summary.commits += len(selected)
        progress(CommitsAdded(summary.commits, after[0]))
    summary.files = len(changed)


def commit_message(row: ExportRow) -> str:
    """`sim-1: +3 -1 lines (job nightly)`, and the snapshot's id as a trailer."""
    run = f"job {row.job}" if row.job else row.trigger
    subject = f"{row.device_name}: +{row.lines_added} -{row.lines_removed} lines"
    if run:
        subject += f" ({run})"
    return f"{subject}\n\nNetRaven-Snapshot: {row.snapshot_id}\n"

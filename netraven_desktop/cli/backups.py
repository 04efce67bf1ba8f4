"""`backup` commands: run the engine, and read back what it stored."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from ..core.db import Database
from ..core.db.models import RunStatus
from ..core.errors import InputError
from ..core.secrets import SecretStore
from ..core.services import (
    backups,
    config_export,
    config_search,
    jobs,
    post_run,
    redaction,
    retention,
    runs,
)
from ..core.services.engine import BackupEngine, EngineOptions
from ..core.services.events import DeviceFinished, RunEvent, RunSkipped, RunSummary, WireEvent
from ..core.services.export_events import (
    CommitsAdded,
    ExportFinished,
    ExportProgress,
    FilesWritten,
)
from .output import print_json, print_table
from .stdin_control import watch_stdin


def backup_run(db: Database, args: argparse.Namespace) -> int:
    """Exit 0 when every device was backed up, 1 when any failed or the run was cancelled."""
    selection = runs.Selection(names=tuple(args.names), tags=tuple(args.tags or ()), all=args.all)
    with db.read_session() as session:
        runs.select_devices(session, selection)  # bad names fail here, before any work
    summary = _execute(db, args, [post_run.Work(selection, None, "cli", None)])
    return 0 if summary and summary[0].status == RunStatus.SUCCEEDED else 1


def job_run(db: Database, args: argparse.Namespace) -> int:
    """Run named jobs now, or with --due the scheduled jobs (all, or those named) whose
    time has come: for cron and the window's scheduler. A due run records its schedule
    slot, so a slot runs once however many laptops and collectors find it due."""
    if not args.names and not args.due:
        raise InputError("job", "", "name jobs to run, or use --due")
    with db.read_session() as session:
        named = [jobs.get_job(session, name) for name in args.names]
        if args.due:
            wanted = {job.id for job in named}
            work = [
                post_run.Work(
                    runs.Selection.from_target(due.job.target),
                    due.job.id,
                    "schedule",
                    due.job.name,
                    due.slot,
                )
                for due in jobs.due_runs(session)
                if not wanted or due.job.id in wanted
            ]
        else:
            work = [
                post_run.Work(runs.Selection.from_target(job.target), job.id, "cli", job.name)
                for job in named
            ]
    if not work:
        print("no job is due")
        return 0
    summaries = _execute(db, args, work)
    return 0 if all(s.status == RunStatus.SUCCEEDED for s in summaries) else 1


def _execute(db: Database, args: argparse.Namespace, work: list[post_run.Work]) -> list[RunSummary]:
    if args.concurrency is not None and not 1 <= args.concurrency <= 1000:
        raise InputError("--concurrency", args.concurrency, "must be from 1 to 1000")
    record = getattr(args, "record", None)
    if record is not None and Path(record).exists() and not Path(record).is_dir():
        raise InputError("--record", record, "must be a folder (it is created if missing)")
    with db.read_session() as session:
        options = EngineOptions.from_settings(
            session, concurrency=args.concurrency, record_dir=Path(record) if record else None
        )
    emit = _print_json_event if args.json else _print_human_event
    summaries = asyncio.run(_run(db, work, options, emit, cancel_on_stdin=args.cancel_on_stdin))
    if not args.json:
        for summary in summaries:
            print(summary.describe())
    return summaries


async def _run(
    db: Database,
    work: list[post_run.Work],
    options: EngineOptions,
    emit: Callable[[RunEvent], None],
    *,
    cancel_on_stdin: bool = False,
) -> list[RunSummary]:
    """The runs and their after-steps, cancelled cleanly (results kept) by SIGINT, SIGTERM
    or, with `cancel_on_stdin`, a line on standard input."""
    loop = asyncio.get_running_loop()

    def wire_cancel(engine: BackupEngine) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C interrupts
                loop.add_signal_handler(signum, engine.cancel)
        if cancel_on_stdin:
            watch_stdin(loop, engine.cancel)

    try:
        return await post_run.run_with_after_steps(
            db, SecretStore(), options, work, emit, actor=getpass.getuser(), started=wire_cancel
        )
    finally:
        await db.aclose()


def job_add(db: Database, args: argparse.Namespace) -> int:
    selection = runs.Selection(
        names=tuple(args.devices or ()), tags=tuple(args.tags or ()), all=args.all
    )
    if sum(map(bool, (selection.names, selection.tags, selection.all))) != 1:
        raise InputError(
            "job", args.name, "choose devices with exactly one of --all, --tag or --device"
        )
    with db.session() as session:
        job = jobs.add_job(
            session,
            name=args.name,
            selection=selection,
            schedule=args.schedule,
            timezone=args.timezone,
            description=args.description,
        )
    when = f" ({job.schedule}" + (f", {job.timezone}" if job.timezone else "") + ")"
    print(f"added job {job.name}" + (when if job.schedule else ""))
    return 0


def job_list(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        rows = [s.to_dict() for s in jobs.job_statuses(session)]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ("JOB", "TARGET", "SCHEDULE", "LAST RUN", "NEXT RUN"),
            [
                (
                    r["name"],
                    json.dumps(r["target"]),
                    r["schedule"],
                    (r["last_run_at"] or "")[:16],
                    (r["next_run_at"] or "")[:16],
                )
                for r in rows
            ],
        )
    return 0


def job_remove(db: Database, args: argparse.Namespace) -> int:
    with db.session() as session:
        job = jobs.remove_job(session, args.name)
    print(f"removed job {job.name}; its past runs stay in the history")
    return 0


def _print_json_event(event: WireEvent) -> None:
    sys.stdout.write(json.dumps(event.to_json()) + "\n")
    sys.stdout.flush()


def _print_human_event(event: RunEvent) -> None:
    match event:
        case RunSkipped(job=job, reason=reason):
            print(f"job {job}: skipped, {reason}", flush=True)
        case DeviceFinished():
            detail = f"  {event.error_class}: {event.message}" if event.error_class else ""
            if event.warnings:  # set-up commands the device rejected; the backup went on
                detail = "  warning: " + "; ".join(event.warnings)
            print(f"{event.device:<30} {event.status}{detail}", flush=True)


def backup_show(db: Database, args: argparse.Namespace) -> int:
    """The text on stdout as stored; a snapshot kept with secrets in clear says so on stderr."""
    with db.read_session() as session:
        snapshot, text = backups.snapshot_text(session, args.name, args.snapshot)
    if snapshot.masked is False:
        print(
            f"netraven-desktop: snapshot {snapshot.id} was {backups.CLEAR_WARNING}",
            file=sys.stderr,
        )
    sys.stdout.write(text)
    return 0


MASKED_COLUMN = {True: "yes", False: "NO (secrets in clear)", None: "unknown"}


def backup_history(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        rows = [backups.snapshot_to_dict(s) for s in backups.history(session, args.name)]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ("SNAPSHOT", "CAPTURED (UTC)", "ADDED", "REMOVED", "MASKED"),
            [
                (
                    r["id"],
                    r["captured_at"][:19].replace("T", " "),
                    r["lines_added"],
                    r["lines_removed"],
                    MASKED_COLUMN[r["masked"]],
                )
                for r in rows
            ],
        )
    return 0


def backup_diff(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        sys.stdout.write(backups.diff(session, args.name, args.from_id, args.to_id))
    return 0


def backup_search(db: Database, args: argparse.Namespace) -> int:
    """Matching lines per snapshot; exit 0 whether or not anything matched."""
    with db.read_session() as session:
        result = config_search.search(
            session,
            args.pattern,
            regex=args.regex,
            ignore_case=args.ignore_case,
            devices=tuple(args.devices or ()),
            tags=tuple(args.tags or ()),
            all_snapshots=args.all_snapshots,
            limit=args.limit,
        )
    if args.json:
        print_json([hit.to_dict() for hit in result.hits])
    else:
        for hit in result.hits:
            print(f"{hit.device}  {hit.captured_at:%Y-%m-%d %H:%M:%S}  {hit.snapshot_id}")
            width = len(str(hit.lines[-1].number))
            for line in hit.lines:
                print(f"  {line.number:>{width}}: {line.text}")
        if not result.hits:
            print("no match")
    if result.truncated:
        print(
            f"netraven-desktop: more snapshots match; showing the first {args.limit} (--limit)",
            file=sys.stderr,
        )
    return 0


def backup_runs(db: Database, args: argparse.Namespace) -> int:
    with db.read_session() as session:
        rows = [runs.run_to_dict(r) for r in runs.latest_runs(session, limit=args.limit)]
    if args.json:
        print_json(rows)
    else:
        print_table(
            ("RUN", "STARTED (UTC)", "STATUS", "DEVICES", "CHANGED", "FAILED"),
            [
                (
                    r["id"],
                    r["started_at"][:19].replace("T", " "),
                    r["status"],
                    r["devices"],
                    r["changed"],
                    r["failed"],
                )
                for r in rows
            ],
        )
    return 0


def backup_export(db: Database, args: argparse.Namespace) -> int:
    """Latest configurations as files, or with --git the history as a git repository."""
    export = config_export.export_history if args.git else config_export.export_latest
    emit = _print_json_event if args.json else _print_human_progress
    with db.read_session() as session:
        summary = export(session, Path(args.directory).expanduser(), tag=args.tag, progress=emit)
    if args.json:
        _print_json_event(ExportFinished(summary))
    elif args.git:
        moved = f", {summary.moved} device files moved" if summary.moved else ""
        print(
            f"{summary.commits} commits added for {summary.files} devices{moved} "
            f"in {summary.directory}" + (f" (HEAD {summary.head[:12]})" if summary.head else "")
        )
    else:
        print(f"{summary.files} configurations written to {summary.directory}")
        if summary.skipped:
            print(f"skipped, no backup yet: {', '.join(summary.skipped)}")
    return 0


def _print_human_progress(event: ExportProgress) -> None:
    """Big exports only: a line on stderr after each full batch."""
    match event:
        case FilesWritten(files=done):
            what = "files"
        case CommitsAdded(commits=done):
            what = "commits"
        case _:  # a skipped device is named in the summary
            return
    if done >= config_export.BATCH:
        print(f"... {done} {what}", file=sys.stderr, flush=True)


def backup_prune(db: Database, args: argparse.Namespace) -> int:
    for flag, value in (("--keep-last", args.keep_last), ("--keep-days", args.keep_days)):
        if value is not None and value < 0:
            raise InputError(flag, value, "must not be negative")
    with db.session() as session:
        report = retention.prune(session, keep_last=args.keep_last, keep_days=args.keep_days)
    print(
        f"pruned {report.snapshots} snapshots of {len(report.devices)} devices "
        f"({report.blobs} stored configurations freed)"
    )
    return 0


def backup_redact(db: Database, args: argparse.Namespace) -> int:
    """Re-mask the stored history; progress on stderr, the summary on stdout."""
    report = redaction.redact(db, dry_run=args.dry_run, progress=_print_redact_progress)
    if args.json:
        print_json(report.to_dict())
        return 0
    would = "would be " if report.dry_run else ""
    print(
        f"{report.examined} snapshots examined: {report.changed} {would}re-masked, "
        f"{report.marked} {would}recorded as masked, "
        f"{report.blobs_removed} stored configurations {would}removed"
    )
    return 0


def _print_redact_progress(report: redaction.RedactReport) -> None:
    """After each batch, for long runs only (from the first full batch on)."""
    if report.examined < redaction.BATCH:
        return
    print(
        f"... {report.examined} snapshots examined, {report.changed} re-masked",
        file=sys.stderr,
        flush=True,
    )


COMMANDS = {
    ("backup", "run"): backup_run,
    ("backup", "show"): backup_show,
    ("backup", "history"): backup_history,
    ("backup", "diff"): backup_diff,
    ("backup", "runs"): backup_runs,
    ("backup", "search"): backup_search,
    ("backup", "prune"): backup_prune,
    ("backup", "redact"): backup_redact,
    ("backup", "export"): backup_export,
    ("job", "add"): job_add,
    ("job", "list"): job_list,
    ("job", "remove"): job_remove,
    ("job", "run"): job_run,
}

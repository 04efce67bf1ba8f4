"""The argument parser: sub-commands and the one-line usage errors the contract promises."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from .. import __version__
from ..core.importers import FORMATS
from ..core.logs import LEVELS, log_path
from ..core.platforms import user_platforms_dir
from .options import add_enable_options
from .parser_notify import add_notify_parsers
from .parser_team import (
    add_collector_parser,
    add_db_mode_parser,
    add_login_parsers,
    add_sync_parser,
    add_user_parsers,
)


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _device_fields(parser: argparse.ArgumentParser, *, editing: bool) -> None:
    """The options `device add` and `device edit` share."""
    if editing:
        parser.add_argument("--name", dest="new_name", help="rename the device")
        parser.add_argument("--host", help="IP address or DNS name")
        parser.add_argument("--platform", help="platform key, e.g. cisco_ios")
    else:
        parser.add_argument("--host", required=True, help="IP address or DNS name")
        parser.add_argument(
            "--platform", required=True, help="platform key, e.g. cisco_ios (see `platform list`)"
        )
    parser.add_argument("--port", help="SSH port, 1-65535 (default 22)")
    parser.add_argument(
        "--tag",
        action="append",
        dest="tags",
        metavar="TAG",
        help="tag (repeatable; created if new)"
        + ("; replaces the device's tags" if editing else ""),
    )
    parser.add_argument("--credential", help="bind a credential by name ('' to unbind)")
    parser.add_argument("--description")
    parser.add_argument("--site")
    parser.add_argument("--role")
    parser.add_argument("--connect-timeout", help="SSH connect timeout in seconds (1-600)")
    parser.add_argument(
        "--collector-label",
        metavar="LABEL",
        help="back up only from collectors with this label ('' for any collector)",
    )
    legacy = parser.add_mutually_exclusive_group()
    legacy.add_argument(
        "--legacy-ssh",
        action="store_const",
        const=True,
        dest="legacy_ssh",
        help="allow old key-exchange and cipher algorithms for old gear",
    )
    legacy.add_argument("--no-legacy-ssh", action="store_const", const=False, dest="legacy_ssh")
    mask = parser.add_mutually_exclusive_group()
    mask.add_argument(
        "--mask-secrets",
        action="store_const",
        const=True,
        dest="mask_secrets",
        help="mask passwords and keys in stored configs (the default)",
    )
    mask.add_argument(
        "--no-mask-secrets",
        action="store_const",
        const=False,
        dest="mask_secrets",
        help="store configs with secrets as they are",
    )
    add_enable_options(parser, "keep the device but skip it in backups")
    if editing:
        parser.add_argument("--no-tags", action="store_true", help="remove every tag")
        parser.add_argument(
            "--expect-version",
            type=int,
            metavar="N",
            help="fail (exit 1) if the device changed since you read version N",
        )


def build_parser() -> argparse.ArgumentParser:
    root = OneLineParser(
        prog="netraven-desktop",
        description="Configuration backup and device inventory. With no command, opens the window.",
    )
    root.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    root.add_argument(
        "--db",
        metavar="URL",
        help="sqlite:///PATH, postgresql://USER@HOST/DB or a file path "
        "(default: $NETRAVEN_DB_URL, else the embedded database)",
    )
    root.add_argument(
        "--demo",
        action="store_true",
        help="open the window on a throwaway database with simulated devices being backed up",
    )
    root.add_argument(
        "--user",
        metavar="NAME",
        help="who you are on a team-mode database (password: $NETRAVEN_PASSWORD or a prompt)",
    )
    root.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation (Qt, database drivers, migrations, keyring, one "
        "simulated backup), one line per check; exit 1 if any fails",
    )
    root.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also print the log on stderr (otherwise only warnings and errors)",
    )
    root.add_argument(
        "--log-level",
        choices=LEVELS,
        default="info",
        type=str.lower,
        help=f"what the log records (default info); the log file is {log_path()}",
    )
    root.add_argument(
        "--offline",
        action="store_true",
        help="work on the local replica of the team database (edits are queued for `sync`)",
    )
    commands = root.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)

    db = commands.add_parser("db", help="database schema").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    db.add_parser("upgrade", help="create or migrate the schema")
    db.add_parser("status", help="where the database is and its schema revision")
    add_db_mode_parser(db)

    device = commands.add_parser("device", help="the device inventory").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    add = device.add_parser("add", help="add a device")
    add.add_argument("name")
    _device_fields(add, editing=False)
    listing = device.add_parser("list", help="list devices")
    listing.add_argument("--tag")
    listing.add_argument("--platform")
    listing.add_argument("--site")
    listing.add_argument("--search", help="text in name, host, site, role or description")
    listing.add_argument("--json", action="store_true")
    show = device.add_parser("show", help="one device in full")
    show.add_argument("name")
    show.add_argument("--json", action="store_true")
    edit = device.add_parser("edit", help="change a device")
    edit.add_argument("name")
    _device_fields(edit, editing=True)
    remove = device.add_parser("remove", help="move a device to the trash")
    remove.add_argument("name")
    remove.add_argument(
        "--purge", action="store_true", help="delete for good, with its backup history"
    )
    restore = device.add_parser("restore", help="bring a device back from the trash")
    restore.add_argument("name")
    trash = device.add_parser("trash", help="list devices in the trash")
    trash.add_argument("--json", action="store_true")

    accept = device.add_parser(
        "accept-host-key", help="trust the SSH host key the device presents now"
    )
    accept.add_argument("name")
    accept.add_argument(
        "--fingerprint",
        metavar="SHA256:...",
        help="refuse unless the key has this fingerprint (check it out of band)",
    )

    _import_export(device)

    tag = commands.add_parser("tag", help="tags").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    tag.add_parser("add", help="add a tag").add_argument("name")
    tag.add_parser("list", help="list tags with device counts").add_argument(
        "--json", action="store_true"
    )
    tag_edit = tag.add_parser("edit", help="rename a tag, or set its description or label")
    tag_edit.add_argument("name")
    tag_edit.add_argument("--name", dest="new_name", metavar="NEW", help="rename the tag")
    tag_edit.add_argument("--description")
    tag_edit.add_argument(
        "--collector-label",
        metavar="LABEL",
        help="its devices go only to collectors with this label ('' for any collector)",
    )
    tag.add_parser("remove", help="remove a tag from everything").add_argument("name")

    credential = commands.add_parser(
        "credential", help="logins for devices (secrets in the OS keyring)"
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    cred_add = credential.add_parser("add", help="add a credential")
    cred_add.add_argument("name")
    cred_add.add_argument("--username", required=True)
    cred_add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password (or key passphrase) from the first line of stdin",
    )
    cred_add.add_argument(
        "--enable-secret",
        action="store_true",
        help="also store an enable secret (second line of stdin, or a prompt)",
    )
    cred_add.add_argument("--priority", type=int, default=100, help="lower is tried first")
    cred_add.add_argument(
        "--tag",
        action="append",
        dest="tags",
        metavar="TAG",
        help="try on devices with this tag (repeatable)",
    )
    cred_add.add_argument("--ssh-key", metavar="PATH", help="log in with this private key")
    cred_add.add_argument("--description")
    cred_list = credential.add_parser("list", help="list credentials (never their secrets)")
    cred_list.add_argument("--tag")
    cred_list.add_argument("--json", action="store_true")
    credential.add_parser("remove", help="remove a credential and its keyring entry").add_argument(
        "name"
    )
    for verb, help_text in (
        ("share", "let a team member use a credential (admins; team vault)"),
        ("unshare", "take a credential back from a member (sealed again under a new key)"),
    ):
        sharing = credential.add_parser(verb, help=help_text)
        sharing.add_argument("name")
        sharing.add_argument("--user", dest="user_name", required=True, metavar="USER")

    backup = commands.add_parser("backup", help="back up configurations").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    run = backup.add_parser("run", help="back up devices now")
    run.add_argument("names", nargs="*", metavar="NAME", help="devices to back up")
    run.add_argument("--all", action="store_true", help="every enabled device")
    run.add_argument(
        "--tag",
        action="append",
        dest="tags",
        metavar="TAG",
        help="enabled devices with this tag (repeatable)",
    )
    run.add_argument("--concurrency", type=int, help="devices at once (default: setting)")
    run.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per line for each event, then a summary",
    )
    run.add_argument(
        "--record",
        metavar="DIR",
        help="write each device's SSH session to DIR/NAME.transcript.jsonl (secrets masked)",
    )
    _cancel_on_stdin(run)
    show_cfg = backup.add_parser("show", help="print a stored configuration")
    show_cfg.add_argument("name")
    show_cfg.add_argument("--snapshot", metavar="ID", help="default: the latest")
    hist = backup.add_parser("history", help="a device's snapshots, newest first")
    hist.add_argument("name")
    hist.add_argument("--json", action="store_true")
    diff = backup.add_parser("diff", help="unified diff between two snapshots")
    diff.add_argument("name")
    diff.add_argument("--from", dest="from_id", metavar="ID", help="default: the previous")
    diff.add_argument("--to", dest="to_id", metavar="ID", help="default: the latest")
    prune = backup.add_parser("prune", help="apply the retention settings now")
    prune.add_argument("--keep-last", type=int, metavar="N", help="override retention.keep_last")
    prune.add_argument("--keep-days", type=int, metavar="N", help="override retention.keep_days")
    redact = backup.add_parser(
        "redact", help="re-mask every stored snapshot with today's masking rules (admin)"
    )
    redact.add_argument(
        "--dry-run", action="store_true", help="count what would change; change nothing"
    )
    redact.add_argument("--json", action="store_true", help="the summary as one JSON object")
    export = backup.add_parser(
        "export", help="latest configurations as files, or the history as a git repository"
    )
    export.add_argument("directory", metavar="DIR", help="folder to write (created if missing)")
    export.add_argument(
        "--git",
        action="store_true",
        help="one commit per snapshot; again on the same DIR appends only what is new",
    )
    export.add_argument("--tag", metavar="T", help="only devices with this tag")
    export.add_argument(
        "--json", action="store_true", help="progress as JSON lines, then a summary"
    )
    find = backup.add_parser(
        "search",
        help="find lines in stored configurations (each device's latest by default), like grep",
    )
    find.add_argument("pattern", metavar="PATTERN", help="a fixed string, or with --regex a regex")
    find.add_argument(
        "--regex", action="store_true", help="PATTERN is a regular expression (as grep -E)"
    )
    find.add_argument("-i", "--ignore-case", action="store_true")
    find.add_argument("--tag", dest="tags", action="append", metavar="T", help="devices tagged T")
    find.add_argument("--device", dest="devices", action="append", metavar="NAME")
    find.add_argument(
        "--all-snapshots", action="store_true", help="search every stored snapshot, not the latest"
    )
    find.add_argument("--limit", type=int, metavar="N", help="at most N matching snapshots")
    find.add_argument("--json", action="store_true")
    runs_cmd = backup.add_parser("runs", help="recent backup runs")
    runs_cmd.add_argument("--limit", type=int, default=20)
    runs_cmd.add_argument("--json", action="store_true")

    job = commands.add_parser("job", help="named, scheduled backup jobs").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    job_add = job.add_parser("add", help="add a job")
    job_add.add_argument("name")
    job_add.add_argument("--all", action="store_true", help="every enabled device")
    job_add.add_argument("--tag", action="append", dest="tags", metavar="TAG")
    job_add.add_argument("--device", action="append", dest="devices", metavar="NAME")
    job_add.add_argument("--schedule", help='"every 6h", "@daily" or cron like "0 2 * * *"')
    job_add.add_argument(
        "--timezone", help="the schedule's IANA time zone, e.g. Europe/Berlin (default: local)"
    )
    job_add.add_argument("--description")
    job.add_parser("list", help="jobs with their last and next run").add_argument(
        "--json", action="store_true"
    )
    job.add_parser("remove", help="remove a job (its runs stay)").add_argument("name")
    job_run = job.add_parser("run", help="run jobs now, or every due job (for cron)")
    job_run.add_argument("names", nargs="*", metavar="NAME")
    job_run.add_argument(
        "--due",
        action="store_true",
        help="run the scheduled jobs (every one, or those named) whose time has come",
    )
    job_run.add_argument("--concurrency", type=int, help="devices at once (default: setting)")
    job_run.add_argument(
        "--json", action="store_true", help="progress as JSON lines (as backup run --json)"
    )
    _cancel_on_stdin(job_run)

    sim = commands.add_parser(
        "sim", help="simulate network devices over SSH on this machine (demo, tests)"
    )
    sim.add_argument("--devices", type=int, default=10, help="how many (default 10)")
    sim.add_argument(
        "--base-port",
        type=int,
        default=0,
        help="first port; devices take consecutive ports (default: any free)",
    )
    sim.add_argument(
        "--platform",
        action="append",
        dest="platforms",
        metavar="P",
        help="platforms to play, round-robin (default: all)",
    )
    sim.add_argument("--config-kb", type=int, default=8, help="configuration size in KB")
    sim.add_argument(
        "--password", help="login password (user admin; default admin, with --replay any)"
    )
    sim.add_argument("--enable-secret", help="default enable, with --replay any")
    sim.add_argument(
        "--replay",
        nargs="+",
        metavar="TRANSCRIPT",
        help="serve recorded session transcripts as devices instead (one port each)",
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on")
    sim.add_argument(
        "--drift",
        type=float,
        metavar="SECONDS",
        help="change one device's configuration every SECONDS (round-robin)",
    )
    sim.add_argument(
        "--command-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="every device answers each command after SECONDS (a busy fleet; default 0)",
    )
    sim.add_argument(
        "--fault",
        action="append",
        dest="faults",
        default=[],
        metavar="FAULT",
        help="misbehave on every device (repeatable): slow, hang, disconnect, ...",
    )
    sim.add_argument(
        "--stop-on-stdin",
        action="store_true",
        help="stop when stdin closes or reads 'cancel' (for a parent that may die)",
    )

    audit = commands.add_parser("audit", help="the tamper-evident audit log").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    audit_list = audit.add_parser("list", help="recorded changes, newest first")
    audit_list.add_argument("--entity", metavar="TYPE", help="device, tag, credential, ...")
    audit_list.add_argument("--actor", metavar="NAME")
    audit_list.add_argument("--since", metavar="TIME", help="ISO date/time, or 30m, 24h, 7d")
    audit_list.add_argument("--limit", type=int, default=1000)
    audit_list.add_argument("--json", action="store_true")
    audit.add_parser("verify", help="check the hash chain; exit 1 if anything was altered")

    add_notify_parsers(commands)
    _add_platform_parsers(commands)
    add_user_parsers(commands)
    add_login_parsers(commands)
    add_sync_parser(commands)
    add_collector_parser(commands)

    settings = commands.add_parser("settings", help="global settings").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    settings.add_parser("list", help="every setting, its value and default").add_argument(
        "--json", action="store_true"
    )
    settings.add_parser("get", help="one setting's value").add_argument("key")
    put = settings.add_parser("set", help="change a setting (validated)")
    put.add_argument("key")
    put.add_argument("value")
    return root


def _import_export(device: argparse._SubParsersAction) -> None:
    """`device import` and `device export`."""
    imp = device.add_parser("import", help="add devices from a file (all rows or none)")
    imp.add_argument("file", metavar="FILE", help="the file to read ('-' for stdin)")
    imp.add_argument(
        "--format",
        choices=FORMATS,
        help="default: from the extension (.csv, .db oxidized, .yml ansible, .json)",
    )
    imp.add_argument(
        "--on-conflict",
        choices=("skip", "update", "fail"),
        default="fail",
        help="when a device of that name exists: leave it, set the file's fields, "
        "or refuse the import (default)",
    )
    imp.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
    imp.add_argument("--separator", default=":", help="oxidized: the field separator (default :)")
    imp.add_argument(
        "--columns",
        metavar="FIELD,...",
        help="oxidized: what each field is, like its map (default name,model)",
    )
    imp.add_argument(
        "--json", action="store_true", help="the outcome per row and the totals as JSON"
    )
    exp = device.add_parser("export", help="write every device to a file (never a secret)")
    exp.add_argument("file", metavar="FILE", help="the file to write ('-' for stdout)")
    exp.add_argument("--format", choices=("csv", "json"), help="default: from the extension")


def _add_platform_parsers(commands: Any) -> None:
    """`platform ...`: list, show and check profiles, and test one on a transcript."""
    platform = commands.add_parser(
        "platform",
        help=f"device platforms: built-in ones and your profile files in {user_platforms_dir()}",
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = platform.add_parser(
        "list", help="every platform with its vendor and where its profile comes from"
    )
    listing.add_argument("--json", action="store_true")
    show = platform.add_parser(
        "show", help="one platform's profile as the engine uses it (a valid profile file)"
    )
    show.add_argument("name", metavar="NAME")
    platform.add_parser(
        "check", help="validate a profile file; exit 2 with the problem if it has one"
    ).add_argument("file", metavar="FILE", type=Path)
    test = platform.add_parser(
        "test", help="back up a recorded session transcript with a platform profile"
    )
    test.add_argument("profile", metavar="PROFILE", help="platform key, e.g. cisco_ios")
    test.add_argument("transcript", metavar="TRANSCRIPT", help="a .transcript.jsonl file")
    test.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="wait this long for a prompt (default 10); the whole test gets 6 times that",
    )


def _cancel_on_stdin(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--cancel-on-stdin",
        action="store_true",
        help='cancel cleanly on a "cancel" line or end of input (how the window cancels)',
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(sys.argv[1:] if argv is None else argv)

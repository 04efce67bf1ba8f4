"""What a notification says: a run's digests and a collector gone silent.

Three events of a run, each one digest per run (never one message per device):
`backup_failed`, `config_changed` (devices and lines added/removed) and `job_finished`;
and `collector_silent` (a collector stopped sending heartbeats). Long listings are cut
(`TEXT_LIMIT`, `DATA_LIMIT`), so one run of thousands of devices stays one readable
message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ...db.models import ResultStatus

if TYPE_CHECKING:
    from ..events import DeviceFinished, RunSummary

TEXT_LIMIT = 50  # devices listed in a message body; the rest are counted
DATA_LIMIT = 1000  # devices listed in the structured data of a notification


@dataclass(frozen=True)
class Notification:
    """One message: `text` is the plain-text body, `data` the structured form."""

    event: str
    subject: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        """The webhook's JSON body."""
        return {"event": self.event, "subject": self.subject, "text": self.text, "data": self.data}


def notifications_for_run(
    summary: RunSummary,
    finished: Iterable[DeviceFinished],
    *,
    job: str | None = None,
) -> list[Notification]:
    """The run's digests: `backup_failed` if any device failed, `config_changed` if any
    changed, and always `job_finished`. `finished` are the run's `DeviceFinished` events,
    which carry a change's `lines_added` / `lines_removed`."""
    results = list(finished)
    failed = [r for r in results if r.status == ResultStatus.FAILED]
    changed = [r for r in results if r.status == ResultStatus.CHANGED]
    run_id = str(summary.run_id)
    where = f"job {job}" if job else f"run {run_id[:8]}"
    totals = (
        f"{_count(summary.devices, 'device')}: {summary.changed} changed, "
        f"{summary.unchanged} unchanged, {summary.failed} failed"
        + (f", {summary.cancelled} cancelled" if summary.cancelled else "")
    )
    head = f"Backup {where} (run {run_id}) finished: {summary.status}.\n{totals}.\n"
    base = {"run_id": run_id, "job": job, "status": summary.status}
    found: list[Notification] = []
    listing: list[dict[str, Any]]
    if failed:
        listing = [
            {
                "device": r.device,
                "error_class": r.error_class,
                "message": one_line(r.message),
            }
            for r in failed
        ]
        lines = [
            f"  {d['device']}: {d['error_class'] or 'failed'}"
            + (f" - {d['message']}" if d["message"] else "")
            for d in listing
        ]
        found.append(
            Notification(
                "backup_failed",
                f"NetRaven: {len(failed)} of {_count(summary.devices, 'device')} "
                f"failed to back up ({where})",
                f"{head}\nFailed:\n{_lines(lines)}",
                base | {"failed": len(failed), "devices": _capped(listing)},
            )
        )
    if changed:
        listing = [
            {
                "device": r.device,
                "lines_added": r.lines_added,
                "lines_removed": r.lines_removed,
                "snapshot_id": str(r.snapshot_id) if r.snapshot_id else None,
            }
            for r in changed
        ]
        lines = [
            f"  {d['device']}"
            + (
                f": +{d['lines_added']} -{d['lines_removed']} lines"
                if d["lines_added"] is not None
                else ""
            )
            for d in listing
        ]
        found.append(
            Notification(
                "config_changed",
                f"NetRaven: configuration changed on {_count(len(changed), 'device')} ({where})",
                f"{head}\nChanged:\n{_lines(lines)}\n\n"
                "See the differences with: netraven-desktop backup diff DEVICE",
                base | {"changed": len(changed), "devices": _capped(listing)},
            )
        )
    found.append(
        Notification(
            "job_finished",
            f"NetRaven: backup {where} {summary.status}: {totals}",
            head,
            base
            | {
                "devices": summary.devices,
                "changed": summary.changed,
                "unchanged": summary.unchanged,
                "failed": summary.failed,
                "cancelled": summary.cancelled,
                "failures": dict(sorted(summary.failures.items())),
            },
        )
    )
    return found


def collector_silent_notification(name: str, host: str, heartbeat_at: datetime) -> Notification:
    """A collector stopped sending heartbeats without stopping: its host is down, cut
    off, or the process hangs. Its devices are taken over once its leases lapse."""
    seen = heartbeat_at.isoformat(timespec="seconds")
    return Notification(
        "collector_silent",
        f"NetRaven: collector {name} has gone silent",
        f"Collector {name} on {host} has sent no heartbeat since {seen}.\n"
        "Devices it held are backed up by other collectors once their leases lapse; "
        "devices pinned to its labels wait for a collector with those labels.\n",
        {"collector": name, "host": host, "last_heartbeat": seen},
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _lines(lines: list[str]) -> str:
    shown = lines[:TEXT_LIMIT]
    if len(lines) > TEXT_LIMIT:
        shown.append(f"  ... and {len(lines) - TEXT_LIMIT} more")
    return "\n".join(shown)


def _capped(listing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(listing) <= DATA_LIMIT:
        return listing
    return [*listing[:DATA_LIMIT], {"omitted": len(listing) - DATA_LIMIT}]


def one_line(value: object, limit: int = 300) -> str | None:
    """The first line of `value`, cut at `limit` characters: what a message or a delivery
    report quotes of an error; None for None."""
    if value is None:
        return None
    lines = str(value).strip().splitlines()
    text = lines[0].strip() if lines else ""
    return text[:limit] + ("…" if len(text) > limit else "")

"""Job schedules: "every 6h" intervals and 5-field cron expressions, in a named time zone.

Cron is what network engineers already write ("0 2 * * *": 02:00 every night); an
interval is what they mean when they don't care about the minute. Cron is evaluated by
cronsim (maintained, matches Debian cron, DST included): a time the spring change skips
runs once just after it, an hour the autumn change repeats runs once. A schedule without
a time zone follows the machine's local zone; a collector on a server should name one
(`job add ... --timezone Europe/Berlin`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from .errors import InputError, quote_value

_UNITS = {"m": 60, "h": 3600, "d": 86400}
# (name as cronsim's errors say it, low, high) of the five fields.
_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day-of-month", 1, 31),
    ("month", 1, 12),
    ("day-of-week", 0, 7),
)
_ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}


@dataclass(frozen=True)
class Interval:
    seconds: int

    def next_after(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.seconds)

    def latest_due(self, anchor: datetime, now: datetime) -> datetime | None:
        """The last slot of the grid anchor + k*interval that is not after `now` (k >= 1)."""
        periods = int((now - anchor).total_seconds() // self.seconds)
        return anchor + timedelta(seconds=periods * self.seconds) if periods >= 1 else None


@dataclass(frozen=True)
class Cron:
    expression: str
    zone: tzinfo | None  # None: the machine's local zone

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone) if self.zone else moment.astimezone()

    def next_after(self, moment: datetime) -> datetime:
        """The first matching minute after `moment` (in UTC: a time in a repeated hour
        compares equal to no time of another zone, so nothing leaves here zoned)."""
        try:
            return next(CronSim(self.expression, self._local(moment))).astimezone(UTC)
        except StopIteration:
            raise InputError("schedule", self.expression, "never matches a date") from None

    def latest_due(self, anchor: datetime, now: datetime) -> datetime | None:
        """The newest matching minute after `anchor` and not after `now`: after downtime
        a job runs once for everything it missed, not once per missed slot."""
        # cronsim's reverse iteration starts strictly before its start: step a second past.
        try:
            latest = next(
                CronSim(self.expression, self._local(now) + timedelta(seconds=1), reverse=True)
            ).astimezone(UTC)
        except StopIteration:
            return None
        return latest if latest > anchor else None


Schedule = Interval | Cron


def parse_timezone(name: str | None, field: str = "--timezone") -> tzinfo | None:
    """An IANA zone ("Europe/Berlin"); None or "" for the machine's local zone."""
    if not name or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(field, name, "is not a known time zone (e.g. Europe/Berlin)") from None


def parse_schedule(text: str, field: str = "schedule", timezone: str | None = None) -> Schedule:
    """ "every 30m" / "every 6h" / "every 1d", "@daily"-style aliases, or 5-field cron."""
    raw = text.strip().lower()
    match = re.fullmatch(r"every\s+(\d+)\s*([mhd])", raw)
    if match:
        seconds = int(match.group(1)) * _UNITS[match.group(2)]
        if seconds < 60:
            raise InputError(field, text, "must be at least every 1m")
        return Interval(seconds)
    expression = _ALIASES.get(raw, raw)
    if len(expression.split()) != 5:
        raise InputError(
            field, text, 'use "every 6h", "@daily" or five cron fields like "0 2 * * *"'
        )
    try:
        CronSim(expression, datetime(2000, 1, 1))
    except CronSimError as exc:
        raise InputError(field, text, _cron_problem(expression, str(exc))) from None
    return Cron(expression, parse_timezone(timezone))


def _cron_problem(expression: str, message: str) -> str:
    """cronsim says "Bad minute"; say which text, and what the field takes."""
    for part, (name, low, high) in zip(expression.split(), _FIELDS, strict=True):
        if message.lower() == f"bad {name}":
            if part.isdigit():
                return f"{quote_value(part)} is outside {low}-{high}"
            return f"{quote_value(part)} is not a valid {name} ({low}-{high})"
    return message.lower()

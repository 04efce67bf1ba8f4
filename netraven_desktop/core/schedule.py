"""Job schedules: "every 6h" intervals and 5-field cron expressions, in local time.

Cron is what network engineers already write ("0 2 * * *": 02:00 every night); an
interval is what they mean when they don't care about the minute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import InputError, quote_value

_UNITS = {"m": 60, "h": 3600, "d": 86400}
_ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
# (low, high, names) for minute, hour, day of month, month, day of week
_FIELDS = ((0, 59, None), (0, 23, None), (1, 31, None), (1, 12, _MONTHS), (0, 7, _DAYS))


@dataclass(frozen=True)
class Interval:
    seconds: int

    def next_after(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    def next_after(self, moment: datetime) -> datetime:
        """The first matching minute after `moment`, in the machine's local time."""
        local = moment.astimezone()
        candidate = local.replace(second=0, microsecond=0, tzinfo=None) + timedelta(minutes=1)
        limit = candidate + timedelta(days=366 * 5)
        while candidate < limit:
            if candidate.month not in self.months or not self._day_matches(candidate):
                candidate = candidate.replace(hour=0, minute=0) + timedelta(days=1)
            elif candidate.hour not in self.hours:
                candidate = candidate.replace(minute=0) + timedelta(hours=1)
            elif candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1)
            else:
                return candidate.astimezone()
        raise InputError("schedule", str(self), "never matches a date")

    def _day_matches(self, day: datetime) -> bool:
        # Cron's rule: when both day fields are restricted, either may match.
        by_date = day.day in self.days
        by_weekday = (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return by_date and by_weekday
        return by_date or by_weekday


Schedule = Interval | Cron


def parse_schedule(text: str, field: str = "schedule") -> Schedule:
    """ "every 30m" / "every 6h" / "every 1d", "@daily"-style aliases, or 5-field cron."""
    raw = text.strip().lower()
    match = re.fullmatch(r"every\s+(\d+)\s*([mhd])", raw)
    if match:
        seconds = int(match.group(1)) * _UNITS[match.group(2)]
        if seconds < 60:
            raise InputError(field, text, "must be at least every 1m")
        return Interval(seconds)
    parts = _ALIASES.get(raw, raw).split()
    if len(parts) != 5:
        raise InputError(
            field, text, 'use "every 6h", "@daily" or five cron fields like "0 2 * * *"'
        )
    sets = [
        _parse_field(part, *spec, field=field, text=text)
        for part, spec in zip(parts, _FIELDS, strict=True)
    ]
    weekdays = frozenset(d % 7 for d in sets[4])
    minutes, hours, days, months, _ = sets
    return Cron(
        minutes, hours, days, months, weekdays, any_day=parts[2] == "*", any_weekday=parts[4] == "*"
    )


def _parse_field(
    part: str, low: int, high: int, names: list[str] | None, *, field: str, text: str
) -> frozenset[int]:
    values: set[int] = set()
    for item in part.split(","):
        body, _, step_text = item.partition("/")
        step = _number(step_text, None, field, text) if step_text else 1
        if body == "*":
            start, end = low, high
        else:
            first, _, last = body.partition("-")
            start = _number(first, names, field, text)
            end = _number(last, names, field, text) if last else (high if step_text else start)
        if not (low <= start <= end <= high) or step < 1:
            raise InputError(field, text, f"{quote_value(item)} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _number(token: str, names: list[str] | None, field: str, text: str) -> int:
    if names and token in names:
        return names.index(token) + (1 if names is _MONTHS else 0)
    if not token.isdigit():
        raise InputError(field, text, f"{quote_value(token)} is not a number")
    return int(token)

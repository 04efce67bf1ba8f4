"""Schedules as a user relies on them: a nightly job runs once a night in its own time
zone across DST changes, once after downtime, and a bad zone is a clear error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from netraven_desktop.core.errors import InputError
from netraven_desktop.core.schedule import Interval, parse_schedule

BERLIN = ZoneInfo("Europe/Berlin")


def _runs(schedule, start: datetime, end: datetime) -> list[datetime]:
    found, moment = [], start
    while (moment := schedule.next_after(moment)) < end:
        found.append(moment)
    return found


@pytest.mark.parametrize(
    ("day", "expected_utc"),
    [
        # 29 March 2026: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that night.
        (datetime(2026, 3, 29, tzinfo=BERLIN), [datetime(2026, 3, 29, 1, 0, tzinfo=UTC)]),
        # 25 October 2026: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
        (datetime(2026, 10, 25, tzinfo=BERLIN), [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]),
    ],
)
def test_a_nightly_job_runs_exactly_once_on_a_dst_night(day, expected_utc):
    nightly = parse_schedule("30 2 * * *", timezone="Europe/Berlin")
    runs = _runs(nightly, day - timedelta(minutes=1), day + timedelta(days=1))
    assert runs == expected_utc


def test_the_wall_clock_time_holds_across_the_change():
    nightly = parse_schedule("0 2 * * *", timezone="Europe/Berlin")
    runs = _runs(
        nightly, datetime(2026, 10, 19, 12, tzinfo=UTC), datetime(2026, 10, 29, 12, tzinfo=UTC)
    )
    assert {r.astimezone(BERLIN).hour for r in runs} == {2}
    assert len(runs) == 10  # one a night, the long night too
    offsets = {r.astimezone(BERLIN).utcoffset() for r in runs}
    assert offsets == {timedelta(hours=2), timedelta(hours=1)}


def test_the_zone_decides_when_utc_midnight_is_not_berlin_midnight():
    daily = parse_schedule("@daily", timezone="Europe/Berlin")
    utc_daily = parse_schedule("@daily", timezone="UTC")
    start = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert daily.next_after(start) == datetime(2026, 7, 1, 22, tzinfo=UTC)
    assert utc_daily.next_after(start) == datetime(2026, 7, 2, 0, tzinfo=UTC)


def test_after_downtime_the_missed_nights_are_one_run_at_the_newest_slot():
    nightly = parse_schedule("0 2 * * *", timezone="Europe/Berlin")
    last = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)  # ran on 1 March
    back = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # the server is back on the 10th
    assert nightly.latest_due(last, back) == datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    # Once that slot ran, nothing more is due until the next night.
    assert nightly.latest_due(datetime(2026, 3, 10, 1, 0, tzinfo=UTC), back) is None


def test_an_interval_folds_missed_periods_into_one_slot_on_its_grid():
    every_6h = parse_schedule("every 6h")
    assert isinstance(every_6h, Interval)
    last = datetime(2026, 1, 1, tzinfo=UTC)
    assert every_6h.latest_due(last, last + timedelta(hours=5)) is None
    assert every_6h.latest_due(last, last + timedelta(hours=20)) == last + timedelta(hours=18)


@pytest.mark.parametrize(
    ("text", "zone", "field", "fragment"),
    [
        ("0 2 * * *", "Mars/Olympus", "--timezone", "Mars/Olympus"),
        ("61 * * * *", None, "schedule", "'61' is outside 0-59"),
        ("0 x * * *", None, "schedule", "'x' is not a valid hour (0-23)"),
        ("0 2 * *", None, "schedule", "five cron fields"),
        ("every 0m", None, "schedule", "at least every 1m"),
    ],
)
def test_bad_schedules_and_zones_are_one_clear_error(text, zone, field, fragment):
    with pytest.raises(InputError) as caught:
        parse_schedule(text, timezone=zone)
    assert caught.value.field == field
    assert fragment in str(caught.value)

"""When a weekly digest is due and which week it covers, in the manager's own time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from coaching.schedule import covered_week, latest_slot
from reminders.policy import parse_clock

MONDAY = 0
FRIDAY = 4


def test_a_monday_digest_is_due_at_eight_local_and_covers_last_week() -> None:
    # Monday 2026-11-23, Shanghai is UTC+8: 08:00 local is 00:00 UTC.
    slot = latest_slot(MONDAY, "08:00", "Asia/Shanghai", datetime(2026, 11, 23, 0, 0, tzinfo=UTC))
    assert slot.due_at == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    assert slot.week == "2026-W47"


def test_a_minute_before_the_time_the_previous_slot_still_counts() -> None:
    now = datetime(2026, 11, 22, 23, 59, tzinfo=UTC)  # Monday 07:59 in Shanghai
    slot = latest_slot(MONDAY, "08:00", "Asia/Shanghai", now)
    assert slot.due_at == datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
    assert slot.week == "2026-W46"


def test_a_friday_digest_covers_the_week_that_is_ending() -> None:
    now = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # Friday 16:30 in Berlin (UTC+1)
    slot = latest_slot(FRIDAY, "16:00", "Europe/Berlin", now)
    assert slot.due_at == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert slot.week == "2026-W48"


def test_the_local_time_holds_across_daylight_saving() -> None:
    # Berlin: summer time ends on Sunday 2026-10-25, so 08:00 is 06:00 UTC before, 07:00 after.
    before = latest_slot(MONDAY, "08:00", "Europe/Berlin", datetime(2026, 10, 19, 12, tzinfo=UTC))
    after = latest_slot(MONDAY, "08:00", "Europe/Berlin", datetime(2026, 10, 26, 12, tzinfo=UTC))
    assert before.due_at == datetime(2026, 10, 19, 6, 0, tzinfo=UTC)
    assert after.due_at == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)


def test_after_a_long_downtime_only_the_latest_slot_counts() -> None:
    now = datetime(2026, 12, 9, 12, tzinfo=UTC)  # a Wednesday, two Mondays after W47 ended
    assert latest_slot(MONDAY, "08:00", "UTC", now).week == "2026-W49"


@pytest.mark.parametrize(
    ("sent_on", "week"),
    [
        (date(2026, 11, 23), "2026-W47"),  # Monday
        (date(2026, 11, 26), "2026-W47"),  # Thursday
        (date(2026, 11, 27), "2026-W48"),  # Friday
        (date(2026, 11, 29), "2026-W48"),  # Sunday
        (date(2027, 1, 4), "2026-W53"),  # the first Monday of 2027 looks back at 2026's W53
    ],
)
def test_covered_week(sent_on: date, week: str) -> None:
    assert covered_week(sent_on) == week


def test_clock_times_parse_or_refuse() -> None:
    assert parse_clock("8:30") == time(8, 30)
    assert parse_clock("25:00") is None
    assert parse_clock("8") is None


def test_a_stored_time_that_does_not_read_falls_back_to_eight() -> None:
    slot = latest_slot(MONDAY, "soon", "UTC", datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert slot.due_at == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

"""The time rules a rep notices: nudges at their local hour, never at night, never twice."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.policy import (
    Policy,
    at_local,
    debrief_nudges,
    is_late,
    is_quiet,
    next_weekly,
    overdue_for_revisit,
    release,
    revisit_times,
    snooze_until,
    to_local,
    week_of,
)

BERLIN = "Europe/Berlin"
_BERLIN = ZoneInfo(BERLIN)
POLICY = Policy()


def berlin(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    """A Berlin wall time as an aware datetime (compares by instant with UTC ones)."""
    return datetime(year, month, day, hour, minute, tzinfo=_BERLIN, fold=fold)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def weekly_run(kind: str, start: datetime, count: int, policy: Policy = POLICY) -> list[datetime]:
    """``count`` nudges in a row, each computed from the one before, as the scheduler does."""
    nudges: list[datetime] = []
    moment = start
    for _ in range(count):
        moment = next_weekly(kind, moment, BERLIN, policy)  # type: ignore[arg-type]
        nudges.append(moment)
    return nudges


# --- zones and wall times -------------------------------------------------------------------------


def test_at_local_reads_a_spring_gap_with_the_offset_before_and_autumn_twice_as_the_first() -> None:
    assert at_local(date(2027, 3, 28), time(2, 30), BERLIN) == utc(2027, 3, 28, 1, 30)
    assert to_local(utc(2027, 3, 28, 1, 30), BERLIN).time() == time(3, 30)
    assert at_local(date(2026, 10, 25), time(2, 30), BERLIN) == utc(2026, 10, 25, 0, 30)


def test_an_unknown_zone_is_utc_and_results_are_in_utc() -> None:
    found = at_local(date(2026, 11, 16), time(9, 0), "Mars/Olympus")
    assert found == utc(2026, 11, 16, 9, 0)
    assert found.tzinfo is UTC


# --- weekly nudges across DST ---------------------------------------------------------------------


def test_the_weekly_plan_stays_at_nine_local_across_the_spring_change() -> None:
    nudges = weekly_run("week_plan", utc(2027, 3, 15, 8, 0), 3)  # from the nudge of 15 March
    assert nudges == [
        utc(2027, 3, 22, 8, 0),  # 09:00 CET
        utc(2027, 3, 29, 7, 0),  # 09:00 CEST: an hour earlier in UTC
        utc(2027, 4, 5, 7, 0),
    ]
    assert {(to_local(n, BERLIN).weekday(), to_local(n, BERLIN).time()) for n in nudges} == {
        (0, time(9, 0))
    }


def test_the_weekly_plan_stays_at_nine_local_across_the_autumn_change() -> None:
    nudges = weekly_run("week_plan", utc(2026, 10, 12, 7, 0), 3)
    assert nudges == [
        utc(2026, 10, 19, 7, 0),  # 09:00 CEST
        utc(2026, 10, 26, 8, 0),  # 09:00 CET: an hour later in UTC
        utc(2026, 11, 2, 8, 0),
    ]


def test_the_weekly_review_is_friday_at_four_local() -> None:
    nudges = weekly_run("week_review", utc(2027, 3, 20, 12, 0), 2)
    assert nudges == [berlin(2027, 3, 26, 16, 0), berlin(2027, 4, 2, 16, 0)]
    assert nudges[0] == utc(2027, 3, 26, 15, 0)
    assert nudges[1] == utc(2027, 4, 2, 14, 0)


def test_a_weekly_nudge_is_strictly_after_and_due_the_same_day_when_still_ahead() -> None:
    assert next_weekly("week_plan", berlin(2026, 11, 16, 8, 59), BERLIN, POLICY) == berlin(
        2026, 11, 16, 9, 0
    )
    assert next_weekly("week_plan", berlin(2026, 11, 16, 9, 0), BERLIN, POLICY) == berlin(
        2026, 11, 23, 9, 0
    )


def test_a_sunday_0230_nudge_happens_once_in_the_repeated_autumn_hour() -> None:
    policy = Policy(week_plan_at=(6, time(2, 30)))
    nudges = weekly_run("week_plan", utc(2026, 10, 18, 1, 0), 2, policy)
    assert nudges == [
        utc(2026, 10, 25, 0, 30),  # the first 02:30 (CEST); not again at 01:30 UTC (CET)
        utc(2026, 11, 1, 1, 30),
    ]


def test_a_sunday_0230_nudge_is_0330_on_the_spring_change_and_no_week_is_skipped() -> None:
    policy = Policy(week_plan_at=(6, time(2, 30)))
    nudges = weekly_run("week_plan", utc(2027, 3, 14, 2, 0), 3, policy)
    assert nudges == [utc(2027, 3, 21, 1, 30), utc(2027, 3, 28, 1, 30), utc(2027, 4, 4, 0, 30)]
    assert [to_local(n, BERLIN).time() for n in nudges] == [time(2, 30), time(3, 30), time(2, 30)]


# --- quiet time -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(7, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
    ],
)
def test_the_nightly_quiet_span_on_a_weekday(clock: time, quiet: bool) -> None:
    moment = datetime.combine(date(2026, 11, 17), clock, tzinfo=_BERLIN)  # a Tuesday
    assert is_quiet(moment, BERLIN, POLICY) is quiet


def test_weekends_and_holidays_are_quiet_all_day_unless_the_team_says_otherwise() -> None:
    saturday_noon = berlin(2026, 11, 21, 12, 0)
    assert is_quiet(saturday_noon, BERLIN, POLICY)
    assert not is_quiet(saturday_noon, BERLIN, Policy(quiet_weekends=False))
    holiday = Policy(holidays=frozenset({date(2026, 11, 17)}))
    assert is_quiet(berlin(2026, 11, 17, 12, 0), BERLIN, holiday)
    assert not is_quiet(berlin(2026, 11, 18, 12, 0), BERLIN, holiday)


def test_quiet_is_judged_on_the_reps_clock_not_utc() -> None:
    moment = utc(2026, 11, 17, 12, 0)  # noon in London, 20:00 in Shanghai, 21:00 in Tokyo
    assert not is_quiet(moment, "Asia/Shanghai", POLICY)
    assert is_quiet(moment, "Asia/Tokyo", POLICY)


def test_a_quiet_span_inside_the_day_and_an_empty_one() -> None:
    lunch = Policy(quiet_start=time(13, 0), quiet_end=time(14, 0))
    tuesday = date(2026, 11, 17)
    expected = {time(12, 59): False, time(13, 0): True, time(13, 59): True, time(14, 0): False}
    expected |= {time(23, 0): False, time(3, 0): False}
    for clock, quiet in expected.items():
        moment = datetime.combine(tuesday, clock, tzinfo=_BERLIN)
        assert is_quiet(moment, BERLIN, lunch) is quiet, clock
    assert release(berlin(2026, 11, 17, 13, 30), BERLIN, lunch) == berlin(2026, 11, 17, 14, 0)
    assert release(berlin(2026, 11, 21, 13, 30), BERLIN, lunch) == berlin(2026, 11, 23, 0, 0)
    never = Policy(quiet_start=time(8, 0), quiet_end=time(8, 0))
    assert not is_quiet(berlin(2026, 11, 17, 3, 0), BERLIN, never)
    assert release(berlin(2026, 11, 22, 3, 0), BERLIN, never) == berlin(2026, 11, 23, 0, 0)


@pytest.mark.parametrize(
    ("moment", "released"),
    [
        (berlin(2026, 11, 17, 12, 0), berlin(2026, 11, 17, 12, 0)),  # not quiet: as it is
        (berlin(2026, 11, 17, 22, 30), berlin(2026, 11, 18, 8, 0)),  # night: next morning
        (berlin(2026, 11, 17, 3, 0), berlin(2026, 11, 17, 8, 0)),  # small hours: same morning
        (berlin(2026, 11, 20, 21, 30), berlin(2026, 11, 23, 8, 0)),  # Friday night: Monday
        (berlin(2026, 11, 22, 12, 0), berlin(2026, 11, 23, 8, 0)),  # Sunday noon: Monday
    ],
)
def test_release_moves_a_quiet_moment_to_the_next_working_morning(
    moment: datetime, released: datetime
) -> None:
    found = release(moment, BERLIN, POLICY)
    assert found == released
    assert found.tzinfo is UTC


def test_release_skips_a_holiday_monday() -> None:
    policy = Policy(holidays=frozenset({date(2026, 11, 23)}))
    assert release(berlin(2026, 11, 20, 21, 30), BERLIN, policy) == berlin(2026, 11, 24, 8, 0)
    assert release(berlin(2026, 11, 23, 10, 0), BERLIN, policy) == berlin(2026, 11, 24, 8, 0)


def test_release_on_dst_days_uses_the_new_offset() -> None:
    # Saturday night before the spring change: Monday 08:00 CEST
    assert release(berlin(2027, 3, 27, 22, 0), BERLIN, POLICY) == utc(2027, 3, 29, 6, 0)
    weekends_open = Policy(quiet_weekends=False)
    # on the change night itself: 08:00 CEST, the clock having jumped from 02:00 to 03:00
    assert release(utc(2027, 3, 28, 0, 30), BERLIN, weekends_open) == utc(2027, 3, 28, 6, 0)
    # the second 02:30 of the autumn night: 08:00 CET
    autumn = berlin(2026, 10, 25, 2, 30, fold=1)
    assert release(autumn, BERLIN, weekends_open) == utc(2026, 10, 25, 7, 0)


def test_release_gives_up_on_a_year_of_holidays() -> None:
    start = date(2026, 11, 17)
    every_day = frozenset(start + timedelta(days=n) for n in range(800))
    moment = berlin(2026, 11, 17, 12, 0)
    assert release(moment, BERLIN, Policy(holidays=every_day)) == moment


# --- debrief nudges, revisits, snoozes ------------------------------------------------------------


def test_a_monday_morning_visit_is_nudged_after_lunch_and_on_tuesday_morning() -> None:
    first, second = debrief_nudges(berlin(2026, 11, 16, 10, 0), BERLIN, POLICY)
    assert (first, second) == (berlin(2026, 11, 16, 13, 0), berlin(2026, 11, 17, 9, 0))


def test_a_friday_evening_visit_is_nudged_on_monday_then_tuesday() -> None:
    first, second = debrief_nudges(berlin(2026, 11, 20, 19, 0), BERLIN, POLICY)
    assert (first, second) == (berlin(2026, 11, 23, 8, 0), berlin(2026, 11, 24, 9, 0))


def test_the_next_morning_nudge_skips_a_holiday() -> None:
    policy = Policy(holidays=frozenset({date(2026, 11, 20)}))  # a Friday
    first, second = debrief_nudges(berlin(2026, 11, 19, 10, 0), BERLIN, policy)
    assert (first, second) == (berlin(2026, 11, 19, 13, 0), berlin(2026, 11, 23, 9, 0))


def test_revisits_land_on_working_day_mornings() -> None:
    won = berlin(2026, 11, 19, 18, 0)  # a Thursday
    assert revisit_times(won, BERLIN, POLICY) == (
        berlin(2026, 11, 26, 9, 0),  # a week on, Thursday
        berlin(2026, 12, 21, 8, 0),  # 30 days on is Saturday 19 Dec: released to Monday
        berlin(2027, 2, 17, 9, 0),  # 90 days on, Wednesday
    )


def test_revisits_count_the_reps_local_days() -> None:
    won = utc(2026, 11, 18, 23, 0)  # Thursday 19 Nov already in Shanghai
    first = revisit_times(won, "Asia/Shanghai", Policy(revisit_after_days=(7,)))
    assert first == (datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),)


def test_snooze_an_hour_is_to_the_minute() -> None:
    now = utc(2026, 11, 17, 10, 17, 42)
    assert snooze_until("hour", now, BERLIN, POLICY) == utc(2026, 11, 17, 11, 17)


def test_snooze_until_tomorrow_is_not_released_even_on_a_sunday() -> None:
    now = berlin(2026, 11, 21, 20, 0)  # Saturday evening
    assert snooze_until("tomorrow", now, BERLIN, POLICY) == berlin(2026, 11, 22, 9, 0)


def test_snooze_until_tomorrow_is_the_reps_tomorrow() -> None:
    now = utc(2026, 11, 16, 23, 30)  # Tuesday 08:30 in Tokyo
    tokyo = ZoneInfo("Asia/Tokyo")
    assert snooze_until("tomorrow", now, "Asia/Tokyo", POLICY) == datetime(
        2026, 11, 18, 9, 0, tzinfo=tokyo
    )


def test_snooze_until_tomorrow_across_the_spring_change() -> None:
    now = berlin(2027, 3, 27, 20, 0)
    assert snooze_until("tomorrow", now, BERLIN, POLICY) == utc(2027, 3, 28, 7, 0)


@pytest.mark.parametrize(
    ("now", "monday"),
    [
        (berlin(2027, 3, 28, 11, 0), utc(2027, 3, 29, 7, 0)),  # Sunday: tomorrow, in CEST
        (berlin(2027, 3, 25, 11, 0), utc(2027, 3, 29, 7, 0)),  # Thursday before the change
        (berlin(2027, 3, 22, 11, 0), utc(2027, 3, 29, 7, 0)),  # a Monday: the next one
        (berlin(2027, 3, 22, 0, 30), utc(2027, 3, 29, 7, 0)),
    ],
)
def test_snooze_until_next_week_is_monday_morning(now: datetime, monday: datetime) -> None:
    assert snooze_until("next_week", now, BERLIN, POLICY) == monday


def test_a_reminder_is_late_after_three_hours() -> None:
    due = utc(2026, 11, 17, 10, 0)
    assert not is_late(due, due + timedelta(hours=3), POLICY)
    assert is_late(due, due + timedelta(hours=3, minutes=1), POLICY)
    assert not is_late(due, due + timedelta(hours=3, minutes=1), Policy(late_after=timedelta(1)))


@pytest.mark.parametrize(
    ("moment", "tz", "week"),
    [
        (berlin(2026, 11, 23, 9, 0), BERLIN, "2026-W48"),
        (berlin(2026, 12, 31, 12, 0), BERLIN, "2026-W53"),
        (berlin(2027, 1, 3, 12, 0), BERLIN, "2026-W53"),
        (berlin(2027, 1, 4, 0, 0), BERLIN, "2027-W01"),
        (utc(2027, 1, 3, 23, 30), "UTC", "2026-W53"),
        (utc(2027, 1, 3, 23, 30), "Asia/Shanghai", "2027-W01"),  # already Monday there
    ],
)
def test_week_of_is_the_local_iso_week(moment: datetime, tz: str, week: str) -> None:
    assert week_of(moment, tz) == week


@pytest.mark.parametrize(
    ("days", "customer_class", "overdue"),
    [
        (14, "A", False),
        (15, "A", True),
        (30, "B", False),
        (31, "B", True),
        (31, "C", False),
        (91, "C", True),
        (15, "a", True),
        (400, None, False),
        (400, "Z", False),
    ],
)
def test_overdue_for_revisit_by_class(days: int, customer_class: str | None, overdue: bool) -> None:
    now = utc(2026, 11, 17, 12, 0)
    last = now - timedelta(days=days)
    assert overdue_for_revisit(last, customer_class, now, POLICY) is overdue


def test_a_team_may_set_its_own_classes_and_the_policy_stays_hashable() -> None:
    policy = Policy(class_max_days={"VIP": 7})
    now = utc(2026, 11, 17, 12, 0)
    assert overdue_for_revisit(now - timedelta(days=8), "VIP", now, policy)
    assert not overdue_for_revisit(now - timedelta(days=8), "A", now, policy)
    assert hash(policy) == hash(Policy(class_max_days={"VIP": 7}))
    assert hash(Policy()) == hash(Policy())
    with pytest.raises(AttributeError):
        POLICY.quiet_start = time(22, 0)  # type: ignore[misc]


def test_a_weekday_out_of_range_is_refused_when_the_policy_is_made() -> None:
    with pytest.raises(ValueError, match="week_review_at"):
        Policy(week_review_at=(7, time(16, 0)))


# --- properties over zones with odd daylight saving -----------------------------------------------

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "America/Santiago",  # changes at midnight: 00:00 does not exist on its spring day
    "America/Havana",  # changes at midnight too
    "Australia/Sydney",  # southern hemisphere
    "Australia/Lord_Howe",  # a half-hour change
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30 / -02:30
    "Asia/Kolkata",
    "Asia/Shanghai",
    "UTC",
)
moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
clocks = st.times().map(lambda clock: clock.replace(second=0, microsecond=0))


@settings(max_examples=150, deadline=None)
@given(tz=st.sampled_from(ZONES), start=moments, weekday=st.integers(0, 6), clock=clocks)
def test_a_weekly_nudge_comes_once_a_week_at_its_local_time_in_any_zone(
    tz: str, start: datetime, weekday: int, clock: time
) -> None:
    policy = Policy(week_plan_at=(weekday, clock))
    nudges = [start]
    for _ in range(60):  # over a year: through both changes
        nudges.append(next_weekly("week_plan", nudges[-1], tz, policy))
    assert start < nudges[1] <= start + timedelta(days=7, hours=3)
    for before, after in itertools.pairwise(nudges[1:]):
        # a week apart, give or take one change of the clock: never twice, never skipped
        assert timedelta(days=6, hours=21) <= after - before <= timedelta(days=7, hours=3)
    for nudge in nudges[1:]:
        local = to_local(nudge, tz)
        assert local.weekday() == weekday
        assert nudge == at_local(local.date(), clock, tz)  # its wall time, or the gap's reading


@settings(max_examples=300, deadline=None)
@given(
    tz=st.sampled_from(ZONES),
    moment=moments,
    start=clocks,
    end=clocks,
    weekends=st.booleans(),
)
def test_release_is_the_first_moment_that_is_not_quiet(
    tz: str, moment: datetime, start: time, end: time, weekends: bool
) -> None:
    policy = Policy(quiet_start=start, quiet_end=end, quiet_weekends=weekends)
    released = release(moment, tz, policy)
    assert released >= moment
    assert not is_quiet(released, tz, policy)
    if released == moment:
        return
    assert released - moment <= timedelta(days=3)
    if to_local(released, tz).time() in (end, time(0, 0)):  # not moved on by a DST gap
        # the minute before was still quiet: no earlier moment was missed
        assert is_quiet(released - timedelta(minutes=1), tz, policy)

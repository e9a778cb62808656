"""Dates and times in plain words (dialogs/when.py), Chinese and English, against a fixed clock.

``NOW`` is Sunday 22 Nov 2026 10:00 UTC: 18:00 in Shanghai (UTC+8), 11:00 in Berlin (UTC+1). Each
case gives the expected wall time in the rep's zone; relative words are about that local calendar.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.when import When, describe_when, parse_when

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # Sun 22 Nov: Shanghai 18:00, Berlin 11:00
SH = "Asia/Shanghai"
BER = "Europe/Berlin"

# (what the rep typed, their zone, expected local wall time, has_time)
ENGLISH = [
    ("today", SH, "2026-11-22 09:00", False),
    ("tonight", SH, "2026-11-22 20:00", True),
    ("tomorrow", SH, "2026-11-23 09:00", False),
    ("tomorrow 3pm", SH, "2026-11-23 15:00", True),
    ("Tomorrow 3 PM", BER, "2026-11-23 15:00", True),
    ("tomorrow at 15:00", SH, "2026-11-23 15:00", True),
    ("tomorrow, 9am", BER, "2026-11-23 09:00", True),
    ("3pm tomorrow", BER, "2026-11-23 15:00", True),
    ("tomorrow at 3", SH, "2026-11-23 15:00", True),  # 1-6 without am/pm: the afternoon
    ("tomorrow morning at 10", BER, "2026-11-23 10:00", True),
    ("tomorrow evening", SH, "2026-11-23 19:00", True),
    ("tonight at 8", BER, "2026-11-22 20:00", True),
    ("day after tomorrow", SH, "2026-11-24 09:00", False),
    ("the day after tomorrow", BER, "2026-11-24 09:00", False),
    ("yesterday", SH, "2026-11-21 09:00", False),  # the past is returned; the engine asks
    # weekdays: weeks start on Monday, and today is a Sunday
    ("next Tuesday", SH, "2026-11-24 09:00", False),  # Tuesday of next calendar week
    ("next Tuesday", BER, "2026-11-24 09:00", False),
    ("next tuesday 3pm", BER, "2026-11-24 15:00", True),
    ("Tuesday", SH, "2026-11-24 09:00", False),
    ("tue", BER, "2026-11-24 09:00", False),
    ("this Friday", SH, "2026-11-20 09:00", False),  # this week's, though past
    ("last friday", BER, "2026-11-20 09:00", False),
    ("friday next week", BER, "2026-11-27 09:00", False),
    ("next Sunday", BER, "2026-11-29 09:00", False),
    ("Sunday", BER, "2026-11-29 09:00", False),  # today, but no time: the next one
    ("Sunday 3pm", BER, "2026-11-22 15:00", True),  # today, still ahead
    ("Sunday 9am", BER, "2026-11-29 09:00", True),  # today, but already past
    ("Friday morning", SH, "2026-11-27 09:00", True),
    ("Friday afternoon", BER, "2026-11-27 14:00", True),
    ("Friday evening", SH, "2026-11-27 19:00", True),
    ("friday at noon", BER, "2026-11-27 12:00", True),
    ("at 10 on friday", SH, "2026-11-27 10:00", True),
    # counted from now
    ("in 2 weeks", SH, "2026-12-06 09:00", False),
    ("in two weeks", BER, "2026-12-06 09:00", False),
    ("in 3 days", BER, "2026-11-25 09:00", False),
    ("3 days ago", SH, "2026-11-19 09:00", False),
    ("in a month", BER, "2026-12-22 09:00", False),
    ("in 2 hours", SH, "2026-11-22 20:00", True),
    ("in 2 hours", BER, "2026-11-22 13:00", True),
    ("in 30 minutes", SH, "2026-11-22 18:30", True),
    ("in half an hour", BER, "2026-11-22 11:30", True),
    ("next week", SH, "2026-11-23 09:00", False),  # Monday of next week
    ("next month", BER, "2026-12-01 09:00", False),  # the 1st of next month
    ("end of week", SH, "2026-11-27 09:00", False),  # this week's Friday has passed: next
    ("end of the week", BER, "2026-11-27 09:00", False),
    ("end of the month", SH, "2026-11-30 09:00", False),
    # dates
    ("2026-11-25", SH, "2026-11-25 09:00", False),
    ("2026-11-25 15:00", BER, "2026-11-25 15:00", True),
    ("2026-11-25T15:00", SH, "2026-11-25 15:00", True),
    ("2020-01-01", BER, "2020-01-01 09:00", False),
    ("25 Nov", SH, "2026-11-25 09:00", False),
    ("November 25th", BER, "2026-11-25 09:00", False),
    ("Nov 25 3pm", SH, "2026-11-25 15:00", True),
    ("Nov 25, 2026 at 10:30", BER, "2026-11-25 10:30", True),
    ("25/11", SH, "2026-11-25 09:00", False),  # day first
    ("11/25", BER, "2026-11-25 09:00", False),  # impossible day first: month first
    ("25.11.2026", BER, "2026-11-25 09:00", False),
    ("the 25th", SH, "2026-11-25 09:00", False),
    ("20 Nov", BER, "2026-11-20 09:00", False),  # two days ago: this year's, past
    ("5 Jan", SH, "2027-01-05 09:00", False),  # year boundary: next January
    ("1 Oct", BER, "2027-10-01 09:00", False),  # over a month ago: next year's
    # a time alone: today when still ahead, else tomorrow
    ("3pm", SH, "2026-11-23 15:00", True),  # 18:00 in Shanghai: passed
    ("3pm", BER, "2026-11-22 15:00", True),  # 11:00 in Berlin: ahead
    ("15:00", SH, "2026-11-23 15:00", True),
    ("15:00", BER, "2026-11-22 15:00", True),
    ("9am", BER, "2026-11-23 09:00", True),
    ("10:30pm", SH, "2026-11-22 22:30", True),
    ("noon", BER, "2026-11-22 12:00", True),
]

CHINESE = [
    ("今天", SH, "2026-11-22 09:00", False),
    ("今晚", SH, "2026-11-22 20:00", True),
    ("今晚8点", BER, "2026-11-22 20:00", True),
    ("明天", SH, "2026-11-23 09:00", False),
    ("后天", BER, "2026-11-24 09:00", False),
    ("大后天", SH, "2026-11-25 09:00", False),
    ("昨天", SH, "2026-11-21 09:00", False),
    ("明天下午3点", SH, "2026-11-23 15:00", True),
    ("明天 下午 3 点", BER, "2026-11-23 15:00", True),
    ("明天上午10点半", SH, "2026-11-23 10:30", True),
    ("明天下午三点半", BER, "2026-11-23 15:30", True),
    ("明天3点", SH, "2026-11-23 15:00", True),  # 1-6 without 上午/下午: the afternoon
    ("明早", SH, "2026-11-23 09:00", True),
    ("明天早上", BER, "2026-11-23 09:00", True),
    ("明晚", SH, "2026-11-23 20:00", True),
    ("下周二", SH, "2026-11-24 09:00", False),  # Tuesday of next calendar week
    ("下星期二", BER, "2026-11-24 09:00", False),
    ("下礼拜二", SH, "2026-11-24 09:00", False),
    ("下周五下午3点", BER, "2026-11-27 15:00", True),
    ("下下周一", SH, "2026-11-30 09:00", False),
    ("上周二", SH, "2026-11-10 09:00", False),
    ("本周五", SH, "2026-11-20 09:00", False),  # this week's, though past
    ("这周五", BER, "2026-11-20 09:00", False),
    ("周五", SH, "2026-11-27 09:00", False),
    ("星期天", BER, "2026-11-29 09:00", False),  # today, but no time: the next one
    ("周日下午3点", BER, "2026-11-22 15:00", True),  # today, still ahead
    ("周五上午", SH, "2026-11-27 09:00", True),
    ("周五下午", BER, "2026-11-27 14:00", True),
    ("两周后", SH, "2026-12-06 09:00", False),
    ("2周后", BER, "2026-12-06 09:00", False),
    ("三天后", SH, "2026-11-25 09:00", False),
    ("3天后", BER, "2026-11-25 09:00", False),
    ("一个月后", SH, "2026-12-22 09:00", False),
    ("2小时后", SH, "2026-11-22 20:00", True),
    ("半小时后", BER, "2026-11-22 11:30", True),
    ("下周", SH, "2026-11-23 09:00", False),  # Monday of next week
    ("下个月", BER, "2026-12-01 09:00", False),  # the 1st of next month
    ("月底", SH, "2026-11-30 09:00", False),
    ("11月25日", SH, "2026-11-25 09:00", False),
    ("11月25号下午3点", BER, "2026-11-25 15:00", True),
    ("2026年11月25日", SH, "2026-11-25 09:00", False),
    ("十一月二十五日", BER, "2026-11-25 09:00", False),
    ("十二月三十一号", SH, "2026-12-31 09:00", False),
    ("二十五号", SH, "2026-11-25 09:00", False),
    ("三十一号", BER, "2026-12-31 09:00", False),  # November has no 31st
    ("1月5日", SH, "2027-01-05 09:00", False),  # year boundary
    ("晚上8点", SH, "2026-11-22 20:00", True),
    ("中午", SH, "2026-11-23 12:00", True),  # 18:00 in Shanghai: noon has passed
    ("中午", BER, "2026-11-22 12:00", True),
    ("下午三点十五", SH, "2026-11-23 15:15", True),
    ("下午三点十五", BER, "2026-11-22 15:15", True),
    ("三点一刻", BER, "2026-11-22 15:15", True),
    ("15:30", SH, "2026-11-23 15:30", True),
    ("15：30", BER, "2026-11-22 15:30", True),  # full-width colon
    ("晚上12点", SH, "2026-11-23 00:00", True),  # midnight
    # Traditional characters
    ("下週二", SH, "2026-11-24 09:00", False),
    ("後天", BER, "2026-11-24 09:00", False),
    ("明天下午3點", SH, "2026-11-23 15:00", True),
    ("兩週後", SH, "2026-12-06 09:00", False),
    ("下個月", BER, "2026-12-01 09:00", False),
]


def _local(when: When | None, tz: str) -> tuple[str, bool]:
    assert when is not None
    assert when.at.tzinfo is UTC
    return when.at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M"), when.has_time


@pytest.mark.parametrize("lang", ["en", "zh"])  # only a hint: both languages are always read
@pytest.mark.parametrize(("text", "tz", "local", "has_time"), ENGLISH + CHINESE)
def test_reads_the_phrase_in_the_reps_zone(
    text: str, tz: str, local: str, has_time: bool, lang: str
) -> None:
    assert _local(parse_when(text, now=NOW, tz=tz, lang=lang), tz) == (local, has_time)


@pytest.mark.parametrize(
    ("lang", "local"),
    [("en", "2026-12-11 09:00"), ("zh", "2026-11-12 09:00")],  # Chinese reps write month first
)
def test_an_ambiguous_numeric_date_follows_the_reps_language(lang: str, local: str) -> None:
    assert _local(parse_when("11/12", now=NOW, tz=SH, lang=lang), SH) == (local, False)


NEW_YEARS_EVE = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # Shanghai: Fri 1 Jan 2027 04:00


@pytest.mark.parametrize(
    ("text", "tz", "local", "has_time"),
    [
        ("明天", SH, "2027-01-02 09:00", False),  # it is already 2027 in Shanghai
        ("tomorrow", BER, "2027-01-01 09:00", False),  # Berlin is still in 2026
        ("下周一", SH, "2027-01-04 09:00", False),
        ("next month", BER, "2027-01-01 09:00", False),
        ("in 3 days", BER, "2027-01-03 09:00", False),
        ("12月30日", SH, "2026-12-30 09:00", False),  # two days ago, last year
        ("10pm", BER, "2026-12-31 22:00", True),
        ("1am", BER, "2027-01-01 01:00", True),
    ],
)
def test_year_boundary(text: str, tz: str, local: str, has_time: bool) -> None:
    assert _local(parse_when(text, now=NEW_YEARS_EVE, tz=tz, lang="en"), tz) == (local, has_time)


def test_a_time_that_does_not_exist_moves_forward_through_utc() -> None:
    """Berlin springs forward at 02:00 on 28 Mar 2027: 02:30 does not exist (fold=0, +01:00)."""
    when = parse_when("2027-03-28 02:30", now=NOW, tz=BER, lang="en")
    assert when is not None
    assert when.at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert _local(when, BER) == ("2027-03-28 03:30", True)
    assert parse_when("28 Mar 2027 2:30am", now=NOW, tz=BER, lang="en") == when


def test_a_time_that_happens_twice_is_the_first() -> None:
    """Berlin falls back at 03:00 on 31 Oct 2027: 02:30 happens twice; fold=0 is the summer one."""
    when = parse_when("2027-10-31 02:30", now=NOW, tz=BER, lang="en")
    assert when is not None
    assert when.at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


GARBAGE = [
    "",
    "   ",
    "asdf",
    "hello",
    "hello?",
    "hi",
    "yes",
    "no",
    "ok",
    "maybe",
    "gibberish",
    "whatever",
    "是",
    "好的",
    "不错",
    "他们嫌贵",
    "5",  # a bare number is not a date
    "2026",
    "123456789",
    "12,500",
    "-3",
    "2.5",
    "13.5",
    "a",
    "may",  # a month alone names no day
    "13/13",
    "25:00",
    "2026-13-45",
    "下午25点",
    "hello 3pm",
    "x" * 10_000,
    "明天" * 5_000,
    "tomorrow " * 40,
]


@pytest.mark.parametrize("text", GARBAGE, ids=lambda text: text[:20])
def test_garbage_is_not_a_date(text: str) -> None:
    assert parse_when(text, now=NOW, tz=SH, lang="en") is None
    assert parse_when(text, now=NOW, tz=BER, lang="zh") is None


def test_a_long_text_is_refused_at_once() -> None:
    start = time.perf_counter()
    for _ in range(100):
        assert parse_when("x" * 10_000, now=NOW, tz=SH, lang="en") is None
    assert time.perf_counter() - start < 0.5


def test_dateparser_fallback_is_reasonably_fast_once_warm() -> None:
    phrases = ["Friday 27 November 2026 3pm", "in a fortnight", "asdf", "hello"]
    for text in phrases:  # the first call loads dateparser's language data
        parse_when(text, now=NOW, tz=SH, lang="en")
    start = time.perf_counter()
    for _ in range(25):
        for text in phrases:
            parse_when(text, now=NOW, tz=SH, lang="en")
    assert (time.perf_counter() - start) / 100 < 0.05  # ~1.5 ms each measured; generous bound


def test_dateparser_reads_what_the_rules_do_not() -> None:
    assert _local(parse_when("Friday 27 November 2026 3pm", now=NOW, tz=SH, lang="en"), SH) == (
        "2026-11-27 15:00",
        True,
    )
    assert _local(parse_when("in a fortnight", now=NOW, tz=BER, lang="en"), BER) == (
        "2026-12-06 09:00",
        False,
    )
    utc = parse_when("2026-11-25T15:00:00Z", now=NOW, tz=SH, lang="en")
    assert utc is not None
    assert utc.at == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_relative_times_count_from_now_to_the_minute() -> None:
    now = datetime(2026, 11, 22, 10, 7, 42, 123456, tzinfo=UTC)
    when = parse_when("in 30 minutes", now=now, tz=SH, lang="en")
    assert when == When(datetime(2026, 11, 22, 10, 37, tzinfo=UTC), True)


def test_unknown_zone_and_naive_now_are_read_as_utc() -> None:
    when = parse_when("tomorrow 3pm", now=NOW.replace(tzinfo=None), tz="Not/AZone", lang="en")
    assert when == When(datetime(2026, 11, 23, 15, 0, tzinfo=UTC), True)


# --- describe_when ------------------------------------------------------------------------------

TUESDAY_3PM_SHANGHAI = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "tz", "lang", "now", "text"),
    [
        (When(TUESDAY_3PM_SHANGHAI, True), SH, "en", None, "Tue 24 Nov, 15:00"),
        (When(TUESDAY_3PM_SHANGHAI, True), SH, "zh", None, "11月24日(周二) 15:00"),
        (When(TUESDAY_3PM_SHANGHAI, False), SH, "en", NOW, "Tue 24 Nov"),
        (When(TUESDAY_3PM_SHANGHAI, False), SH, "zh", NOW, "11月24日(周二)"),
        (When(TUESDAY_3PM_SHANGHAI, True), BER, "en", NOW, "Tue 24 Nov, 08:00"),
        (
            When(datetime(2027, 1, 5, 1, 0, tzinfo=UTC), True),
            SH,
            "en",
            NOW,
            "Tue 5 Jan 2027, 09:00",
        ),
        (When(datetime(2027, 1, 5, 1, 0, tzinfo=UTC), False), SH, "zh", NOW, "2027年1月5日(周二)"),
        (When(datetime(2027, 1, 5, 1, 0, tzinfo=UTC), True), SH, "zh", None, "1月5日(周二) 09:00"),
        (When(datetime(2020, 1, 1, 1, 0, tzinfo=UTC), False), SH, "en", NOW, "Wed 1 Jan 2020"),
        # the year is the rep's: New Year's Eve in Berlin is already 2027 in Shanghai
        (When(NEW_YEARS_EVE, True), SH, "en", NOW, "Fri 1 Jan 2027, 04:00"),
        (When(NEW_YEARS_EVE, True), BER, "en", NOW, "Thu 31 Dec, 21:00"),
        (When(NEW_YEARS_EVE, True), SH, "zh", NEW_YEARS_EVE, "1月1日(周五) 04:00"),
    ],
)
def test_describe_when(when: When, tz: str, lang: str, now: datetime | None, text: str) -> None:
    assert describe_when(when, tz=tz, lang=lang, now=now) == text


@pytest.mark.parametrize(
    ("text", "lang", "said"),
    [
        ("tomorrow 3pm", "en", "Mon 23 Nov, 15:00"),
        ("明天下午3点", "zh", "11月23日(周一) 15:00"),
        ("next Tuesday", "en", "Tue 24 Nov"),
        ("下周二", "zh", "11月24日(周二)"),
        ("5 Jan", "en", "Tue 5 Jan 2027"),
        ("1月5日下午3点", "zh", "2027年1月5日(周二) 15:00"),
    ],
)
def test_what_is_read_is_confirmed_in_words(text: str, lang: str, said: str) -> None:
    when = parse_when(text, now=NOW, tz=SH, lang=lang)
    assert when is not None
    assert describe_when(when, tz=SH, lang=lang, now=NOW) == said


# --- properties ---------------------------------------------------------------------------------

ZONES = st.sampled_from([SH, BER, "UTC", "America/New_York", "Pacific/Kiritimati"])
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
TOKENS = [
    "明天", "下午", "3", "点", "半", "十", "二", "周", "下", "后", "天", "个", "月", "日", "号",
    "年", "晚上", "中午", "两", "一刻", "2026", "-", "/", ".", ":", "11", "25", "15", "00", "31",
    "12", "0", "9999", " ", ",", "pm", "am", "at", "on", "in", "next", "this", "last", "tuesday",
    "weeks", "hours", "tomorrow", "ago", "the", "nov", "end of", "week", "month", "t", "z",
]  # fmt: skip


def _assert_sane(when: When | None) -> None:
    if when is not None:
        assert when.at.tzinfo is UTC
        assert when.at.utcoffset() == timedelta(0)
        assert isinstance(when.has_time, bool)


@settings(max_examples=300, deadline=None)  # deadline: dateparser's first call loads its data
@given(text=st.text(), tz=ZONES)
def test_never_raises_on_any_text(text: str, tz: str) -> None:
    _assert_sane(parse_when(text, now=NOW, tz=tz, lang="en"))


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=7), now=MOMENTS, tz=ZONES)
def test_never_raises_on_date_like_text(tokens: list[str], now: datetime, tz: str) -> None:
    when = parse_when("".join(tokens), now=now, tz=tz, lang="zh")
    _assert_sane(when)
    if when is not None:
        assert describe_when(when, tz=tz, lang="zh", now=now)
        assert describe_when(when, tz=tz, lang="en", now=now)

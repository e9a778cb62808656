"""Dates and times in plain words, Chinese and English: "明天下午3点", "friday after next".

Pure: the current moment is always passed in (``now``, aware) and the rep's IANA zone says what
"tomorrow" means; relative words are about the rep's local calendar, results are aware UTC.

How it reads: ``when_words.canonical`` first rewrites number words and clock idioms into digits
("half past three pm" -> "3:30 pm", "twenty first of march" -> "21st of march", "早8点" ->
"早上8点"), then table-driven rules here read the phrase; ``when_holidays`` and ``when_lunar``
turn holidays, lunar dates and festivals into days; dateparser reads the rest (odd formats:
"2019/aug/01", "wed oct 26 15:50:06 2016", "2 weeks and 2 days ago").

Why this mix, measured (bench/dates_corpus.py, figures in bench/README.md): on the DateTime specs of
Microsoft Recognizers-Text (every point-in-time phrase, 639 English, 122 Chinese) dateparser alone
reads 43 % / 30 %, Recognizers-Text's Python port 64 % / 82 % at 7-22 ms a phrase (p99 30-100 ms,
1-2 s to load, needs emoji<1), jionlp 65 % of the Chinese (and 220 MB installed); Duckling's Python
binding (pyduckling-native) ships no wheel for Python 3.11 and its source build fails. The rules
plus dateparser read 91.5 % / 91.0 % read as the corpus' own reps (US English in New York,
Chinese in Shanghai; before the rules: 49.5 % / 66.4 %), at p50 0.05 ms and ~1 ms CPU at p99 with
dateparser's fallback (0.10 ms p99 on the 739 phrases of testkit/dates). cn2an was
not needed: the Chinese numbers of dates ("二十五", "两千零四", "廿三") are read here.

The choices, in one place:

- Weeks start on Monday. "Tuesday"/"周二" alone is the next Tuesday on or after today (today only
  with a time that is still ahead, so never in the past). "next Tuesday"/"下周二" is the Tuesday of
  the next calendar week: said on a Sunday that is two days away, said on a Monday eight;
  "下下周二" the week after. "friday after next" is the Friday after the coming one.
  "this Friday"/"本周五"/"这周五" is the Friday of the current week, even when it has passed (the
  engine questions past dates). "last Friday" is the latest Friday before today, "上周五" and
  "previous Friday" the Friday of the previous calendar week. "monday 9" is Monday at nine (a
  number up to 12 after a weekday is an hour); "sunday 31", "tue the 4th" a day of the month
  falling on that weekday.
- A day without a time is that day at 09:00 local with ``has_time`` False. A part of the day is a
  time: morning/上午/明早 09:00, noon/中午 12:00, afternoon/下午 14:00, evening/晚上 19:00,
  tonight/今晚/明晚 20:00, midnight 00:00.
- A clock time alone ("3pm", "15:30", "下午3点", "half past 3", "15h") is today when still ahead,
  else tomorrow; "at three am" is the next 03:00.
- An hour from 1 to 6 with neither am/pm nor a part of the day ("明天3点", "tomorrow at 3",
  "quarter to 5") is in the afternoon: nobody books a customer at three in the morning. "03:00"
  stays 03:00. A bare number ("5", "15") is no date at all.
- A date without a year ("25 Nov", "11月25日", "春节") is the first one that is at most 31 days
  ago: a visit two days back ("20 Nov" on 22 Nov) is that past one, "1 Oct" said on 22 Nov is next
  year's. A day of the month alone ("25号", "the 25th") is the next such day.
- "d/m" is read day first ("25/11") unless impossible ("11/25"); a Chinese rep (``lang`` "zh")
  writes the month first ("3/7" is 7 March) and the year first ("27-3-7", "27年3月7日"), and so
  does, month first, a rep whose zone is in the US or a country that writes like it
  (``when_order``: "5/3" is 3 May in New York). Two-digit years below 40 are 20xx, else 19xx.
- "next week"/"下周" is Monday of next week and "next month"/"下个月" the 1st of next month, both
  days without a time.
- Deadlines are their last day: "by Friday"/"周五之前"/"下周一之前" that day, "end of the week"/
  "this week"/"本周内" this week's Friday (or next week's once it has passed), "end of next week"
  next week's Friday, "end of the month"/"月底前" the month's last day, "年底" 31 Dec, "by end of
  day"/"eod"/"下班前" today. "weekend"/"周末" is its Saturday.
- "in 2 hours"/"2小时后"/"in a couple hours" count from now (to the minute); "in 3 days"/"三天后"
  and "3 years from today" count calendar days forward, never back; "in 3 working days"/
  "3个工作日内" skip Saturdays and Sundays (public holidays are not known here).
- Daylight saving: a wall time is put in the zone with ``fold=0`` and normalised through UTC. A
  time in the spring-forward gap is read with the offset before the change (Berlin 2027-03-28
  02:30 becomes 03:30 CEST, 01:30 UTC); a time that happens twice in autumn is the first one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from dialogs.when_holidays import FIXED_HOLIDAYS, MOVING_HOLIDAYS, holiday_in
from dialogs.when_lunar import FESTIVALS, MONTHS, lunar_day_number, next_lunar
from dialogs.when_order import writes_month_first
from dialogs.when_words import canonical
from dialogs.zones import zone_of


@dataclass(frozen=True, slots=True)
class When:
    at: datetime  # aware, in UTC
    has_time: bool  # False when the rep gave only a day: ``at`` is that day 09:00 local


def parse_when(text: str, *, now: datetime, tz: str, lang: str) -> When | None:
    """The moment ``text`` names, or None when it is not a date/time.

    ``now`` is aware (naive is taken as UTC); ``tz`` is the rep's IANA zone (an unknown one is
    read as UTC); ``lang`` is only a hint: both languages are understood whatever it says.
    """
    if len(text) > _MAX_INPUT:
        return None
    phrase = _normalise(text)
    if not phrase or len(phrase) > _MAX_PHRASE:
        return None
    phrase = canonical(phrase, month_first=lang == "zh")
    zone = zone_of(tz)
    now = _aware(now).astimezone(UTC)
    try:
        when = _by_rules(phrase, now, zone)
        if when is None and (deadline := _without_deadline_words(phrase)):
            when = _by_rules(deadline, now, zone)
        if when is None and not _NTH_WEEKDAY_ALONE.fullmatch(phrase):  # "fifth sunday": none
            when = _by_dateparser(phrase, now, zone)
    except (ValueError, OverflowError):  # beyond datetime's range: "9999-12-31 23:00" in +14
        return None
    return when if when is not None and when.at.year in _YEARS else None


def describe_when(when: When, *, tz: str, lang: str, now: datetime | None = None) -> str:
    """``when`` in words in the rep's zone: en "Tue 25 Nov, 15:00", zh "11月25日(周二) 15:00".

    Without a time: "Tue 25 Nov" / "11月25日(周二)". The year is added ("Tue 5 Jan 2027",
    "2027年1月5日(周二)") only when ``now`` is given and its year in ``tz`` differs.
    """
    zone = zone_of(tz)
    local = _aware(when.at).astimezone(zone)
    other_year = now is not None and _aware(now).astimezone(zone).year != local.year
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if lang == "zh":
        year = f"{local.year}年" if other_year else ""
        day = f"{year}{local.month}月{local.day}日(周{_ZH_WEEKDAY_NAMES[local.weekday()]})"
        return f"{day} {clock}" if when.has_time else day
    year = f" {local.year}" if other_year else ""
    day = f"{_EN_WEEKDAY_NAMES[local.weekday()]} {local.day} {_EN_MONTH_NAMES[local.month - 1]}"
    return f"{day}{year}, {clock}" if when.has_time else f"{day}{year}"


# --- words ----------------------------------------------------------------------------------------

_MAX_INPUT = 500  # longer text is never a date: refuse it before any work
_MAX_PHRASE = 80
_DAY_START = (9, 0)  # a day without a time
_RECENT_PAST = timedelta(days=31)  # a year-less date this far back is still this year's
_SOON = timedelta(days=62)  # "friday the 26th": the coming one when it is within two months
_YEARS = range(1000, 2200)  # the years a rep may mean (not 0001 nor 9999: beyond some zones)

_EN_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTH_NAMES = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_ZH_WEEKDAY_NAMES = "一二三四五六日"

# Traditional characters that differ from the Simplified ones the rules are written in.
_TRADITIONAL = str.maketrans(
    "週後點號禮個時鐘兩這臺〇節勞動婦兒聖誕軍際國慶農曆陰陽晚間內從現會",
    "周后点号礼个时钟两这台零节劳动妇儿圣诞军际国庆农历阴阳晚间内从现会",
)


@dataclass(frozen=True, slots=True)
class _Period:
    """A part of the day: its default time, and how an hour said with it is read."""

    default: tuple[int, int]
    kind: Literal["am", "noon", "pm", "night"]

    def hour(self, hour: int) -> int | None:
        """The hour of the day (24 and more run into the next day: 晚上12点 is midnight)."""
        if self.kind == "am":
            return hour if hour <= 12 else None
        if self.kind == "noon":
            return hour + 12 if 1 <= hour <= 5 else hour if hour in (11, 12) else None
        if self.kind == "pm":
            return hour + 12 if 1 <= hour <= 11 else hour if hour <= 23 else None
        # night: 晚上8点 20:00, 晚上12点 midnight, 晚上1点 01:00 the next morning
        if 5 <= hour <= 12:
            return hour + 12
        return hour + 24 if hour < 5 else hour if hour <= 23 else None


_MORNING = _Period((9, 0), "am")
_NOON = _Period((12, 0), "noon")
_AFTERNOON = _Period((14, 0), "pm")
_EVENING = _Period((19, 0), "night")
_NIGHT = _Period((20, 0), "night")
_DAWN = _Period((6, 0), "am")

_PERIODS = {
    "morning": _MORNING,
    "noon": _NOON,
    "midday": _NOON,
    "afternoon": _AFTERNOON,
    "evening": _EVENING,
    "night": _NIGHT,
    "凌晨": _DAWN,
    "早上": _MORNING,
    "早晨": _MORNING,
    "上午": _MORNING,
    "中午": _NOON,
    "下午": _AFTERNOON,
    "傍晚": _EVENING,
    "晚上": _EVENING,
    "夜里": _NIGHT,
    "夜间": _NIGHT,
    "at night": _NIGHT,
    "midnight": _Period((0, 0), "am"),
    "midmorning": _Period((10, 0), "am"),
    "midafternoon": _AFTERNOON,
    "早": _MORNING,
    "晚": _EVENING,
}

# A day word: (days from today, part of the day it implies).
_DAY_WORDS: dict[str, tuple[int, _Period | None]] = {
    "today": (0, None),
    "tonight": (0, _NIGHT),
    "this morning": (0, _MORNING),
    "this afternoon": (0, _AFTERNOON),
    "this evening": (0, _EVENING),
    "tomorrow": (1, None),
    "tmr": (1, None),
    "tmrw": (1, None),
    "tomorow": (1, None),
    "tommorow": (1, None),
    "tommorrow": (1, None),
    "2morrow": (1, None),
    "next day": (1, None),
    "the next day": (1, None),
    "tomorrow morning": (1, _MORNING),
    "tomorrow afternoon": (1, _AFTERNOON),
    "tomorrow evening": (1, _EVENING),
    "tomorrow night": (1, _NIGHT),
    "this night": (0, _NIGHT),
    "day after tomorrow": (2, None),
    "the day after tomorrow": (2, None),
    "day after tmrw": (2, None),
    "the day after tmrw": (2, None),
    "last night": (-1, _NIGHT),
    "yesterday": (-1, None),
    "day before yesterday": (-2, None),
    "the day before yesterday": (-2, None),
    "今天": (0, None),
    "今日": (0, None),
    "今早": (0, _MORNING),
    "今晚": (0, _NIGHT),
    "今天晚上": (0, _EVENING),
    "今夜": (0, _NIGHT),
    "明儿": (1, None),
    "明夜": (1, _NIGHT),
    "明天": (1, None),
    "明日": (1, None),
    "明早": (1, _MORNING),
    "明晚": (1, _NIGHT),
    "后天": (2, None),
    "大后天": (3, None),
    "昨天": (-1, None),
    "昨日": (-1, None),
    "昨晚": (-1, _NIGHT),
    "前天": (-2, None),
    "大前天": (-3, None),
}

_EN_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_ZH_WEEKDAYS |= {str(n + 1): n for n in range(7)}

_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip

_EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "a couple of": 2, "couple of": 2, "a couple": 2, "couple": 2,
    "a few": 3, "few": 3, "several": 3, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_QUARTERS = {"一刻": 15, "三刻": 45}
_ZH_DIGITS = {char: n for n, char in enumerate("零一二三四五六七八九")} | {"两": 2}

# How many weeks (or months) on: "下周二" is the Tuesday of the week after this one.
_SHIFT = {
    "next": 1, "下": 1, "下个": 1, "下下": 2, "下下个": 2, "last": -1, "上": -1, "上个": -1,
    "上上": -2, "上上个": -2, "this": 0, "本": 0, "这": 0, "这个": 0, "previous": -1,
    "following": 1, "the following": 1, "next next": 2, "the week after next": 2,
}  # fmt: skip


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so "tuesday" wins over "tue"."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _zh_number(text: str) -> int | None:
    """A number in digits or Chinese: "25", "二十五", "十一", "两", "二零二六" (None: malformed)."""
    if text.isascii():
        return int(text) if text.isdigit() else None
    if "千" in text or "百" in text:  # "两千零四", "两千"
        upper, _, lower = text.partition("千" if "千" in text else "百")
        scale = 1000 if "千" in text else 100
        head = _zh_number(upper) if upper else 1
        tail = _zh_number(lower.lstrip("零")) if lower.lstrip("零") else 0
        if head is None or tail is None or not 0 < head < 10 or tail >= scale:
            return None
        return head * scale + tail
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        high = _ZH_DIGITS.get(tens, -100) if tens else 1
        low = _ZH_DIGITS.get(ones, -100) if ones else 0
        return high * 10 + low if high >= 0 and low >= 0 else None
    value = 0
    for char in text:
        if char not in _ZH_DIGITS:
            return None
        value = value * 10 + _ZH_DIGITS[char]
    return value


def _count(text: str) -> float | None:
    """A count in either language: "2", "two", "a", "两", "十", "半" (a half)."""
    if text == "半":
        return 0.5
    if text in _EN_NUMBERS:
        return _EN_NUMBERS[text]
    return _zh_number(text)


# --- patterns -------------------------------------------------------------------------------------

_ZH_NUM = "[0-9]{1,2}|[零一二两三四五六七八九十]{1,3}"
_COUNT = rf"[0-9]{{1,3}}|{_alternatives(_EN_NUMBERS)}|[零一二两三四五六七八九十]{{1,3}}"
_END = "(?![a-z])"  # an English word ends here ("mon" is not "month")
_PERIOD = _alternatives(_PERIODS)
_ORDINAL = "(?:st|nd|rd|th)"
_EN_MONTH = rf"(?P<mon>{_alternatives(_EN_MONTHS)}){_END}\.?"
_YEAR = r"(?:,?\s*[-/]?\s*(?P<y>[0-9]{4}|(?<=of )[0-9]{2}))?(?![0-9:])"

_TIME = re.compile(
    rf"""
    (?P<at>(?:at|around|about|approximately|by|for)\s*|@\s*)?
    (?:(?:in\s+the\s+)?(?P<p1>{_PERIOD})\s*,?\s*(?:at\s*|@\s*|around\s*|for\s*)?)?
    (?:
        (?P<h>[0-9]{{1,2}})(?:(?P<sep>[:.])(?P<m>[0-9]{{2}}))?\s*(?P<ampm>am|pm)?{_END}
      | (?P<zh>{_ZH_NUM})\s*[点时](?:(?P<half>半)|(?P<quarter>一刻|三刻)|(?P<zm>{_ZH_NUM})分?)?钟?
    )?
    (?:\s*(?:in\s+the\s+|at\s+)?(?P<p2>{_PERIOD}))?
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Day:
    """A day a phrase names; ``roll`` days are added when it is today and nothing is left of it."""

    day: date
    period: _Period | None = None
    roll: int = 0


_DayRule = Callable[[re.Match[str], date], _Day | None]
_ExactRule = Callable[[re.Match[str], datetime], datetime | None]


def _day_word(match: re.Match[str], today: date) -> _Day:
    offset, period = _DAY_WORDS[match["word"]]
    return _Day(today + timedelta(days=offset), period)


def _weekday(match: re.Match[str], today: date) -> _Day:
    names = match.groupdict()
    weekday = _EN_WEEKDAYS[names["wd"]] if names.get("wd") else _ZH_WEEKDAYS[names["zwd"]]
    which = names.get("suffix") or names.get("wk") or names.get("which")  # "friday next week"
    if names.get("wafter"):
        which = "next next"
    elif names.get("after"):
        which = "after next"
    if which in ("last", "past", "this past") and which == names.get("which"):
        # "last Friday": the latest before today
        return _Day(today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1))
    coming = today + timedelta(days=(weekday - today.weekday()) % 7)
    if which == "after next":  # "friday after next": the one after the coming one
        return _Day(coming + timedelta(weeks=1 if coming > today else 2))
    if which is None or which in ("coming", "this coming", "upcoming", "this upcoming"):
        # the next one on or after today: today only with a time still ahead, else in a week
        return _Day(coming, roll=7)
    monday = today - timedelta(days=today.weekday())
    return _Day(monday + timedelta(weeks=_SHIFT[which], days=weekday))


def _weekday_the(match: re.Match[str], today: date) -> _Day | None:
    """A weekday and a day of the month ("tue the 4th", "sunday 31", "friday 23"): the coming
    such day, or a recent one (a month ago at most) when the coming one is months away. "monday 9"
    is Monday at nine unless the coming Monday is the 9th: a number up to 12 is an hour."""
    weekday, day = _EN_WEEKDAYS[match["wd"]], int(match["d"])
    coming = today + timedelta(days=(weekday - today.weekday()) % 7)
    if not (match["the"] or match["ord"]) and day <= 12 and coming.day != day:
        return None
    start = _add_months(today.replace(day=1), -1)
    recent: date | None = None
    for months in range(60):
        first = _add_months(start, months)
        found = _date(first.year, first.month, day)
        if not found or found.weekday() != weekday or found < today - _RECENT_PAST:
            continue
        if found < today:
            recent = found
            continue
        # the coming one, unless it is months away and a recent one is there
        return _Day(recent if recent and found - today > _SOON else found)
    return _Day(recent) if recent else None


def _zh_nth_weekday(match: re.Match[str], today: date) -> _Day | None:
    """ "十月第一个星期一", "下个月第二个周五", "本月最后一个周五"."""
    weekday = _ZH_WEEKDAYS[match["zwd"]]
    if match["m"]:
        month = _zh_number(match["m"])
        if month is None or not 1 <= month <= 12:
            return None
        first = date(today.year + (month < today.month), month, 1)
    else:
        shift = {"下个": 1, "下": 1, "上个": -1, "上": -1}.get(match["which"] or "", 0)
        first = _add_months(today.replace(day=1), shift)
    if match["n"].startswith("最后"):
        last = _add_months(first, 1) - timedelta(days=1)
        return _Day(last - timedelta(days=(last.weekday() - weekday) % 7))
    nth = _zh_number(match["n"])
    if nth is None or not 1 <= nth <= 5:
        return None
    found = first + timedelta(days=(weekday - first.weekday()) % 7, weeks=nth - 1)
    return _Day(found) if found.month == first.month else None


def _nth_weekday(match: re.Match[str], today: date) -> _Day | None:
    """ "the first friday of july", "second monday of next month", "third tuesday" (this month)."""
    weekday = _EN_WEEKDAYS[match["wd"]]
    month_said = match["mon"]
    if month_said:
        month = _EN_MONTHS[month_said]
        first = date(today.year + (month < today.month), month, 1)
    else:
        shift = {"next": 1, "following": 1, "last": -1, "previous": -1}.get(match["which"] or "", 0)
        first = _add_months(today.replace(day=1), shift)
    if match["n"] == "last":
        if not match["of"]:
            return None  # "last friday": a weekday, not the last of a month
        last = _add_months(first, 1) - timedelta(days=1)
        return _Day(last - timedelta(days=(last.weekday() - weekday) % 7))
    nth = int(match["n"][:-2])
    found = first + timedelta(days=(weekday - first.weekday()) % 7, weeks=nth - 1)
    return _Day(found) if found.month == first.month else None


def _week(match: re.Match[str], today: date) -> _Day:
    monday = today - timedelta(days=today.weekday())
    which = "next next" if match.groupdict().get("after") else match["which"]
    return _Day(monday + timedelta(weeks=_SHIFT[which]))


def _month(match: re.Match[str], today: date) -> _Day:
    return _Day(_add_months(today.replace(day=1), _SHIFT[match["which"]]))


def _end_of_week(match: re.Match[str], today: date) -> _Day:
    """The end of a week is its Friday (reps work weeks): this week's, or next week's once this
    one's has passed; "end of next week"/"下周末前" the next week's."""
    friday = today + timedelta(days=4 - today.weekday())
    which = match.groupdict().get("which")
    if which:
        return _Day(friday + timedelta(weeks=_SHIFT[which.strip()]))
    return _Day(friday if friday >= today else friday + timedelta(weeks=1))


def _weekend(match: re.Match[str], today: date) -> _Day:
    """A weekend is its Saturday; this weekend's Sunday when today is that Sunday."""
    saturday = today + timedelta(days=5 - today.weekday())
    which = match.groupdict().get("which")
    if which and _SHIFT[which.strip()]:
        return _Day(saturday + timedelta(weeks=_SHIFT[which.strip()]))
    return _Day(today if today.weekday() == 6 else saturday)


def _end_of_year(match: re.Match[str], today: date) -> _Day:
    which = match.groupdict().get("which")
    return _Day(date(today.year + (1 if which else 0), 12, 31))


def _part_of_month(match: re.Match[str], today: date) -> _Day:
    """ "月初"/"beginning of next month" the 1st, "月中"/"mid next month" the 15th: this month's
    while not past, else the next month's; "下个月初" the next month's."""
    day = 1 if match["part"] in ("初", "beginning", "start", "early") else 15
    which = match.groupdict().get("which")
    first = _add_months(today.replace(day=1), 1 if which else 0)
    found = first.replace(day=day)
    return _Day(found if found >= today else _add_months(found, 1))


def _day_of_shifted_month(match: re.Match[str], today: date) -> _Day | None:
    """ "本月十日", "下个月5号", "the 15th of next month"."""
    day = _zh_number(match["d"])
    which = (match["which"] or "").strip()
    shifts = {"next": 1, "下": 1, "下个": 1, "following": 1, "previous": -1, "last": -1}
    shift = shifts.get(which, 0)
    first = _add_months(today.replace(day=1), shift)
    found = _date(first.year, first.month, day) if day else None
    return _Day(found) if found else None


def _holiday(match: re.Match[str], today: date) -> _Day | None:
    """A holiday: this year's unless over a month ago; "next"/"last" one, or of a year said."""
    name = match["h"]
    which = match["which"]
    year = match["y"] or match["y2"]
    if year:
        return _Day(holiday_in(name, int(year)))
    if which in ("next", "following", "last", "previous") or name in MOVING_HOLIDAYS:
        this_year = holiday_in(name, today.year)
        if which in ("last", "previous"):
            found = this_year if this_year < today else holiday_in(name, today.year - 1)
        elif which in ("next", "following") or this_year < today - _RECENT_PAST:
            found = this_year if this_year > today else holiday_in(name, today.year + 1)
        else:
            found = this_year
        return _Day(found)
    month, day = FIXED_HOLIDAYS[name]
    return _month_day(today, month, day, None)


_YEAR_WORDS = {
    "去年": -1,
    "今年": 0,
    "本年": 0,
    "明年": 1,
    "后年": 2,
    "next year": 1,
    "this year": 0,
}


def _festival(match: re.Match[str], today: date) -> _Day | None:
    """A lunar festival ("春节", "中秋节"): the coming one, or that of the year said."""
    month, day = FESTIVALS[match["fest"]]
    shift = _YEAR_WORDS.get(match["yw"] or "")
    found = next_lunar(month, day, today, year=today.year + shift if shift is not None else None)
    return _Day(found) if found else None


def _lunar_date(match: re.Match[str], today: date) -> _Day | None:
    """ "农历八月十五", "正月初八", "腊月二十三": a date of the lunar calendar."""
    if not (match["lunar"] or match["lm"] in ("正", "腊", "冬") or match["ld"][0] in "初廿"):
        return None  # "十月十五" is the Gregorian 15 October
    day = lunar_day_number(match["ld"])
    if day is None:
        return None
    said = match["y"] or match["y2"]
    year = int(said) if said else None
    found = next_lunar(MONTHS[match["lm"]], day, today, year=year)
    return _Day(found) if found else None


def _compact_date(match: re.Match[str], today: date) -> _Day | None:
    found = _date(int(match["y"]), int(match["m"]), int(match["d"]))
    return _Day(found) if found else None


def _end_of_month(match: re.Match[str], today: date) -> _Day:
    first_of_next = _add_months(today.replace(day=1), 1 + (match["which"] is not None))
    return _Day(first_of_next - timedelta(days=1))


def _in_days(match: re.Match[str], today: date) -> _Day | None:
    count = _count(match["n"])
    if count is None:
        return None
    sign = -1 if match.groupdict().get("dir") in ("ago", "前") else 1
    unit = match["unit"].rstrip("s")
    if unit in ("year", "yr", "年"):
        if count != int(count):
            return None
        return _Day(_add_months(today, sign * 12 * int(count)))
    if unit in ("month", "个月", "月"):
        if count == 0.5:
            return _Day(today + timedelta(days=sign * 15))
        return _Day(_add_months(today, sign * int(count)))
    if count != int(count):
        return None
    if "work" in unit or "business" in unit or "工作日" in unit:
        return _Day(_add_working_days(today, sign * int(count)))
    weeks = unit in ("week", "周", "星期", "礼拜", "个星期", "个礼拜")
    return _Day(today + timedelta(days=sign * int(count) * (7 if weeks else 1)))


def _iso_date(match: re.Match[str], today: date) -> _Day | None:
    found = _date(int(match["y"]), int(match["m"]), int(match["d"]))
    return _Day(found) if found else None


def _numeric_date(match: re.Match[str], today: date) -> _Day | None:
    """25/11, 25.11, 25.11.2026: day first unless that is impossible (11/25).

    With dots and no year the month needs two digits: "25.11" is a date, "13.5" a number.
    """
    return _day_month(match, today, month_first=False)


def _numeric_date_month_first(match: re.Match[str], today: date) -> _Day | None:
    """5/3, 5.12, 3-7-2017 where the month comes first (the US): 3 May, unless impossible."""
    return _day_month(match, today, month_first=True)


def _day_month(match: re.Match[str], today: date, *, month_first: bool) -> _Day | None:
    if match["sep"] == "." and match["y"] is None and len(match["b"]) < 2:
        return None
    first, second = int(match["a"]), int(match["b"])
    if month_first:
        month, day = (first, second) if first <= 12 else (second, first)
    else:
        day, month = (first, second) if second <= 12 else (second, first)
    return _month_day(today, month, day, match["y"])


def _en_date(match: re.Match[str], today: date) -> _Day | None:
    return _month_day(today, _EN_MONTHS[match["mon"]], int(match["d"]), match["y"])


def _zh_date(match: re.Match[str], today: date) -> _Day | None:
    month = today.month if match["m"] in ("本", "这个", "这") else _zh_number(match["m"])
    day = _zh_number(match["d"])
    if month is None or day is None:
        return None
    if match["yw"]:  # "明年3月1日", "去年本月十日"
        found = _date(today.year + _YEAR_WORDS[match["yw"]], month, day)
        return _Day(found) if found else None
    return _month_day(today, month, day, match["y"])


def _day_of_month(match: re.Match[str], today: date) -> _Day | None:
    """A day of the month alone ("25号", "the 25th"): the next one, this month's when not past."""
    day = _zh_number(match["d"])
    if day is None or not 1 <= day <= 31:
        return None
    start = today.replace(day=1)
    for months in range(3):
        first = _add_months(start, months)
        found = _date(first.year, first.month, day)
        if found and found >= today:
            return _Day(found)
    return None


def _in_time(match: re.Match[str], now: datetime) -> datetime | None:
    count = _count(match["n"])
    if count is None:
        return None
    minutes = count * (1 if match["unit"].startswith(("m", "分")) else 60)
    if minutes != int(minutes):
        return None
    sign = -1 if match.groupdict().get("dir") in ("ago", "前") else 1
    return now + timedelta(minutes=sign * int(minutes))


def _in_half_an_hour(match: re.Match[str], now: datetime) -> datetime:
    return now + timedelta(minutes=30)


def _in_fraction(match: re.Match[str], now: datetime) -> datetime | None:
    """ "in an hour and a half", "in 2 and a half hours", "in a quarter of an hour"."""
    if match["quarters"]:
        return now + timedelta(minutes=15 * (3 if match["quarters"].startswith("3") else 1))
    count = _count(match["n"] or match["n2"])
    if count is None:
        return None
    return now + timedelta(minutes=int(count) * 60 + 30)


def _weekdays_from_now(match: re.Match[str], today: date) -> _Day | None:
    """ "2 sundays from now" (the coming Sunday and the one after), "2 thursdays ago"."""
    count = _count(match["n"])
    if count is None or count != int(count) or count < 1:
        return None
    weekday = _EN_WEEKDAYS[match["wd"].removesuffix("s")]
    if match["dir"] in ("ago", "back"):
        latest = today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
        return _Day(latest - timedelta(weeks=int(count) - 1))
    coming = today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    return _Day(coming + timedelta(weeks=int(count) - 1))


def _exact_now(match: re.Match[str], now: datetime) -> datetime:
    return now


_EN_DAY_UNIT = r"(?P<unit>(?:business|working|work)\s+days?|days?|weeks?|months?|years?|yrs?)"
_ZH_DAY_UNIT = "(?P<unit>个?工作日|天|日|周|个星期|星期|个礼拜|礼拜|个月|月|年)"
_EN_TIME_UNIT = r"(?P<unit>hours?|hrs?|minutes?|mins?)"
_ZH_TIME_UNIT = "(?P<unit>个小时|小时|个钟头|钟头|分钟|分)"
_ZH_WHICH = "(?P<which>下下个|下下|下个|下|上上个|上上|上个|上|本|这个|这)"
_WEEK_WORD = "(?:周|星期|礼拜)"
_EN_WD = rf"(?P<wd>{_alternatives(_EN_WEEKDAYS)}){_END}\.?"
_EN_WHICH = (
    r"(?P<which>next next|this coming|this upcoming|this past|next|coming|upcoming|this|last"
    r"|previous|past|following|the following)"
)


# Phrases that name a day, each matched at the start; a time may follow ("明天" + "下午3点").
_DAY_RULES: list[tuple[re.Pattern[str], _DayRule]] = [
    (re.compile(rf"(?P<word>{_alternatives(_DAY_WORDS)}){_END}"), _day_word),
    (re.compile(rf"(?:with)?in\s+(?P<n>{_COUNT})\s+{_EN_DAY_UNIT}{_END}"), _in_days),
    (
        re.compile(
            rf"(?P<n>{_COUNT})\s+{_EN_DAY_UNIT}\s+(?P<dir>from now|from today|after today|"
            rf"later|ago|from now on|hence){_END}"
        ),
        _in_days,
    ),
    (re.compile(rf"(?P<n>{_COUNT}|半){_ZH_DAY_UNIT}(?:以|之)?(?P<dir>后|前|内)"), _in_days),
    (
        re.compile(
            rf"(?P<n>{_COUNT})\s+(?P<wd>{_alternatives(_EN_WEEKDAYS)})s?\s+"
            r"(?P<dir>from now|from today|later|ago|back)"
        ),
        _weekdays_from_now,
    ),
    (
        re.compile(
            rf"(?:on\s+)?(?:the\s+)?(?P<n>[1-5](?:st|nd|rd|th)|last)\s+{_EN_WD}"
            rf"(?P<of>\s+(?:of|in)\s+(?:(?:the\s+|this\s+)?(?:(?P<which>next|following|last|previous)\s+)?"
            rf"month|{_EN_MONTH}))?"
        ),
        _nth_weekday,
    ),
    (
        re.compile(
            rf"(?:on\s+)?{_EN_WD},?\s+(?P<the>the\s+)?(?P<d>[0-9]{{1,2}})(?P<ord>st|nd|rd|th)?"
            rf"(?![0-9:])(?!\s*(?:am|pm|{_alternatives(_EN_MONTHS)}){_END})"
        ),
        _weekday_the,
    ),
    (
        re.compile(
            rf"(?:on\s+)?(?:{_EN_WHICH}\s+)?{_EN_WD}"
            rf"(?:\s+(?:of\s+)?(?P<suffix>next|this|last|the following|following)\s+week{_END}"
            rf"|\s+(?P<after>after next){_END})?"
        ),
        _weekday,
    ),
    (
        re.compile(
            rf"(?:(?:the\s+)?(?P<wk>next|this|last|previous|following)\s+week|"
            rf"the\s+week\s+(?P<wafter>after\s+next))\s*(?:-\s*)?(?:on\s+)?{_EN_WD}"
        ),
        _weekday,
    ),
    (
        re.compile(
            rf"{_ZH_WHICH}?{_WEEK_WORD}(?:的{_WEEK_WORD}?)?(?P<zwd>[一二三四五六日天七1-7])"
        ),
        _weekday,
    ),
    (
        re.compile(
            rf"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<which>next\s+)?week{_END}"
        ),
        _end_of_week,
    ),
    (
        re.compile(rf"(?:(?P<which>this|next)\s+)?week\s*-?\s*end{_END}|(?P<w2>weekend){_END}"),
        _weekend,
    ),
    (re.compile(rf"(?:{_ZH_WHICH})?{_WEEK_WORD}末"), _weekend),
    (re.compile(rf"(?:本|这)(?:周|星期|礼拜)(?:内|之内|以内)?|this\s+week{_END}"), _end_of_week),
    (re.compile(r"(?P<which>下)(?:周|星期|礼拜)(?:内|之内|以内)"), _end_of_week),
    (
        re.compile(
            rf"(?P<which>next next|next|last|previous|following) week{_END}"
            rf"|the week (?P<after>after next){_END}"
        ),
        _week,
    ),
    (
        re.compile(rf"(?P<which>下下个|下下|下个|下|上上个|上上|上个|上){_WEEK_WORD}(?![末内])"),
        _week,
    ),
    (re.compile(rf"(?P<which>next|last|previous|following) month{_END}"), _month),
    (re.compile("(?P<which>下下个|下下|下个|下|上个|上)月(?![底末初中内])"), _month),
    (
        re.compile(
            rf"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<which>next\s+)?month{_END}"
        ),
        _end_of_month,
    ),
    (re.compile("(?:本|这个|这)?(?P<which>下个|下)?月(?:[底末]|内|之内)"), _end_of_month),
    (
        re.compile(
            rf"(?:by\s+)?(?:the\s+)?(?:end\s+of\s+(?:the\s+|this\s+)?(?P<which>next\s+)?year"
            rf"|year[\s-]?end){_END}"
        ),
        _end_of_year,
    ),
    (re.compile("(?:今年|本年)?(?P<which>明年)?(?:年底|年末|年内)"), _end_of_year),
    (
        re.compile(
            rf"(?:at\s+|in\s+)?(?:the\s+)?(?P<part>beginning|start|early|mid|middle)"
            rf"(?:\s+of)?\s+(?:the\s+|this\s+)?(?P<which>next\s+)?month{_END}"
        ),
        _part_of_month,
    ),
    (re.compile("(?:本|这个|这)?(?P<which>下个|下)?月(?P<part>初|中)(?:旬)?"), _part_of_month),
    (
        re.compile(
            rf"(?:(?P<which>next|this|last|previous|following)\s+)?"
            rf"(?P<h>{_alternatives(FIXED_HOLIDAYS.keys() | MOVING_HOLIDAYS.keys())}){_END}"
            rf"(?:\s+(?:of\s+)?(?:this\s+year|(?:in\s+)?(?P<y2>[0-9]{{4}})))?{_YEAR}"
        ),
        _holiday,
    ),
    (re.compile(rf"(?P<yw>去年|今年|明年)?(?P<fest>{_alternatives(FESTIVALS)})"), _festival),
    (
        re.compile(
            rf"(?:(?P<m>{_ZH_NUM})月|(?P<which>本|这个|这|下个|下|上个|上)月)的?"
            rf"第?(?P<n>[1-5一二三四五]|最后一?)个?{_WEEK_WORD}(?P<zwd>[一二三四五六日天])"
        ),
        _zh_nth_weekday,
    ),
    (
        re.compile(r"(?P<y>(?:19|20)[0-9]{2})(?P<m>[01][0-9])(?P<d>[0-3][0-9])(?![0-9])"),
        _compact_date,
    ),
    (
        re.compile(
            r"(?P<y>[0-9]{4})(?:[-/.]|\s)(?P<m>[0-9]{1,2})(?:[-/.]|\s)(?P<d>[0-9]{1,2})(?![0-9])t?"
        ),
        _iso_date,
    ),
    (
        re.compile(
            r"(?P<a>[0-9]{1,2})(?P<sep>[/.\-])(?P<b>[0-9]{1,2})"
            r"(?:(?:(?P=sep)|,\s*)(?P<y>[0-9]{4}|[0-9]{2}))?(?![0-9])"
        ),
        _numeric_date,
    ),
    (
        re.compile(
            rf"(?:on\s+)?(?:the\s+)?(?P<d>[0-9]{{1,2}}){_ORDINAL}?(?:\s+of)?\s*[-/]?\s*"
            rf"{_EN_MONTH}(?:\s+of(?=\s+[0-9]{{2}}))?{_YEAR}"
        ),
        _en_date,
    ),
    (
        re.compile(
            rf"(?:on\s+)?{_EN_MONTH}\s*[/.\-]?\s*(?:the\s+)?(?P<d>[0-9]{{1,2}}){_ORDINAL}?{_YEAR}"
        ),
        _en_date,
    ),
    (
        re.compile(
            r"(?:(?P<y>[0-9]{4})年)?(?P<lunar>农历|阴历)?(?:(?P<y2>[0-9]{4})年)?"
            r"(?P<lm>正|腊|冬|十二|十一|十|[一二三四五六七八九])月"
            r"(?P<ld>初[一二三四五六七八九十]|廿[一二三四五六七八九]|二十[一二三四五六七八九]?|三十"
            r"|十[一二三四五六七八九]?|[一二三四五六七八九])(?![0-9零一二两三四五六七八九十])"
        ),
        _lunar_date,
    ),
    (
        re.compile(
            rf"(?:(?P<yw>去年|今年|本年|明年|后年)"
            rf"|(?P<y>[0-9]{{4}}|[0-9]{{2}}|[零一二三四五六七八九]{{4}}|[零一二三四五六七八九]{{2}}"
            rf"|[一两二][千][零一二三四五六七八九十]{{0,4}})年)?"
            rf"(?P<m>{_ZH_NUM}|本|这个|这)月(?P<d>{_ZH_NUM})(?:日|号)?"
        ),
        _zh_date,
    ),
    (
        re.compile(rf"(?P<which>本|这个|这|下个|下)月(?:的)?(?P<d>{_ZH_NUM})(?:日|号)"),
        _day_of_shifted_month,
    ),
    (
        re.compile(
            rf"(?:on\s+)?(?:the\s+)?(?P<d>[0-9]{{1,2}}){_ORDINAL}?\s+of\s+(?:the\s+)?"
            rf"(?P<which>this|next|following|current|previous|last)\s+month{_END}"
        ),
        _day_of_shifted_month,
    ),
    (re.compile(rf"(?P<d>{_ZH_NUM})(?:日|号)"), _day_of_month),
    (re.compile(rf"(?:on\s+)?the\s+(?P<d>[0-9]{{1,2}}){_ORDINAL}?{_END}"), _day_of_month),
    (re.compile(rf"(?P<d>[0-9]{{1,2}}){_ORDINAL}{_END}"), _day_of_month),
]

# The same rules for reps who write the month first ("5/3" is 3 May).
_DAY_RULES_MONTH_FIRST: list[tuple[re.Pattern[str], _DayRule]] = [
    (pattern, _numeric_date_month_first if rule is _numeric_date else rule)
    for pattern, rule in _DAY_RULES
]

# Phrases that name a moment counted from now: the whole phrase, nothing may follow.
_EXACT_RULES: list[tuple[re.Pattern[str], _ExactRule]] = [
    (
        re.compile(
            rf"(?:with)?in\s+(?:about\s+|around\s+|roughly\s+|less\s+than\s+|under\s+|no\s+more\s+than\s+)?"
            rf"(?:the\s+next\s+)?"
            rf"(?P<n>{_COUNT})\s*{_EN_TIME_UNIT}"
        ),
        _in_time,
    ),
    (
        re.compile(
            rf"(?:in\s+)?(?:about\s+)?(?:(?P<n>{_COUNT})\s+hours?\s+and\s+a\s+half"
            rf"|(?P<n2>{_COUNT})\s+and\s+a\s+half\s+hours?"
            r"|(?P<quarters>an?\s+quarter|3\s+quarters|three\s+quarters)\s+of\s+an\s+hour)"
            r"(?:\s+from\s+now|\s+later)?"
        ),
        _in_fraction,
    ),
    (
        re.compile(
            r"(?:in\s+)?(?:about\s+|around\s+)?(?:half\s+an?\s+hour|an?\s+half\s+hour|30\s+mins?)"
            r"(?:\s+from\s+now|\s+later)?"
        ),
        _in_half_an_hour,
    ),
    (
        re.compile(
            rf"(?P<n>{_COUNT})\s+{_EN_TIME_UNIT}\s+(?P<dir>from now|from now on|later|ago|hence)"
        ),
        _in_time,
    ),
    (re.compile(rf"(?P<n>{_COUNT}|半){_ZH_TIME_UNIT}(?:以|之)?(?P<dir>后|前|内)"), _in_time),
    (
        re.compile(
            "now|right now|right away|asap|as soon as possible|at the moment|at present|"
            "at the present time|at this time|at the minute|现在|马上|立刻|此刻|目前|当前|此时"
        ),
        _exact_now,
    ),
]

# "by Friday", "before the end of the month", "周五之前", "月底前": the deadline's last day.
_DEADLINE = re.compile(
    r"^(?:(?:at the )?latest by|not later than|no later than|by|before|until|till|up to|"
    r"最晚|最迟|截止到|截止|截至|在)\s*"
    r"|\s*(?:at the latest|latest|之前|以前|为止|前|之内|以内|内)$"
)


def _without_deadline_words(phrase: str) -> str | None:
    stripped = _DEADLINE.sub("", phrase).strip(" ,")
    return stripped if stripped and stripped != phrase else None


_ANCHORED = re.compile(
    rf"(?P<n>{_COUNT})\s+(?P<unit>days?|weeks?|months?|years?)\s+"
    r"(?P<dir>from|after|before)\s+(?P<anchor>(?!now|today).+)"
)
_WEEKDAY_BEFORE_DATE = re.compile(
    rf"(?:(?:on\s+)?(?:this\s+|next\s+)?{_EN_WD}|(?:周|星期|礼拜)(?P<zwd>[一二三四五六日天]))"
    rf"\s*[,(\-]?\s*(?=(?:the\s+)?[0-9]{{1,4}}[/.\-]|(?:{_ZH_NUM})月|[0-9]{{4}}年"
    rf"|(?:the\s+)?[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_alternatives(_EN_MONTHS)}){_END}"
    rf"|{_EN_MONTH})"
)

_AMBIGUOUS_NUMERIC = re.compile(r"^(0?[1-9]|1[0-2])([/.\-])(0?[1-9]|1[0-2])(?![0-9])")
_NEXT_DATE = re.compile(
    rf"(?:next|this coming)\s+(?=(?:the\s+)?[0-9]|(?:{_alternatives(_EN_MONTHS)}){_END})"
)
_NTH_WEEKDAY_ALONE = re.compile(rf"(?:the\s+)?[1-5](?:st|nd|rd|th)\s+{_EN_WD}")


def _local_weekday(when: When, zone: ZoneInfo) -> int:
    return when.at.astimezone(zone).weekday()


_WEEKDAY_FIRST = re.compile(rf"(?:on\s+)?{_EN_WD},?\s+(?P<rel>.+)")
_WEEKDAY_LAST = re.compile(rf"(?P<rel>.+?),?\s+on\s+{_EN_WD}")
_COUNTED = re.compile(r"(?<![a-z])(?:from now|from today|later|after|before|ago|hence|in)(?![a-z])")

# "10月12号,星期一", "Nov 25 (Wed)": a weekday after a date only repeats it.
_WEEKDAY_AFTER_DATE = re.compile(
    rf"^\s*(?:[,(]?\s*(?:周|星期|礼拜)[一二三四五六日天]|\s*[,(]\s*(?:{_alternatives(_EN_WEEKDAYS)}){_END})\)?"
)

# --- reading --------------------------------------------------------------------------------------


def _by_rules(phrase: str, now: datetime, zone: ZoneInfo, depth: int = 0) -> When | None:
    for pattern, exact in _EXACT_RULES:
        if (match := pattern.fullmatch(phrase)) and (moment := exact(match, now)):
            return When(_to_minute(moment), True)
    local_now = now.astimezone(zone).replace(tzinfo=None)
    today = local_now.date()
    if depth == 0 and (anchored := _ANCHORED.fullmatch(phrase)):
        return _from_anchor(anchored, now, zone)
    if depth == 0 and (weekday := _WEEKDAY_BEFORE_DATE.match(phrase)):
        # "Sunday, Feb 10", "monday, jan 22, 2018": the date says which day; for "friday 7/6" the
        # weekday says which of 7 June and 6 July is meant
        the_date = phrase[weekday.end() :]
        dated = _by_rules(the_date, now, zone, depth + 1)
        named = _EN_WEEKDAYS[weekday["wd"]] if weekday["wd"] else _ZH_WEEKDAYS[weekday["zwd"]]
        if dated is not None and _local_weekday(dated, zone) != named:
            other = _AMBIGUOUS_NUMERIC.sub(r"\3\2\1", the_date, count=1)
            swapped = _by_rules(other, now, zone, depth + 1)
            if swapped is not None and _local_weekday(swapped, zone) == named:
                return swapped
        if dated is not None:
            return dated
    if depth == 0 and (coming := _NEXT_DATE.match(phrase)):
        # "next 6th of april", "next 25/12": the date's next one, next year's once this one is past
        dated = _by_rules(phrase[coming.end() :], now, zone, depth + 1)
        if dated is not None and not dated.has_time:
            upcoming = dated.at.astimezone(zone).date()
            while upcoming <= now.astimezone(zone).date():
                upcoming = _add_months(upcoming, 12)
            return _when(_Day(upcoming), None, now.astimezone(zone).replace(tzinfo=None), zone)
    rules = _DAY_RULES_MONTH_FIRST if writes_month_first(zone.key) else _DAY_RULES
    # a day, then maybe a time: "明天下午3点", "Nov 25 3pm", "friday"
    for pattern, rule in rules:
        if (match := pattern.match(phrase)) and (day := rule(match, today)):
            rest = _WEEKDAY_AFTER_DATE.sub("", phrase[match.end() :]).strip(" ,的-()")
            clock = _clock(rest, day.period, after_day=True) if rest else None
            if not rest or clock:
                return _when(day, clock, local_now, zone)
    # a time, then a day: "3pm tomorrow", "at 10 on friday", "5:20 tomorrow morning"
    for split in re.finditer(r",?\s*(?:\s(?:on|for)\s+|,\s*)|\s+", phrase):
        said = phrase[: split.start()]
        if _clock(said, None, after_day=True) is None:
            continue
        for pattern, rule in rules:
            match = pattern.match(phrase, split.end())
            if match is None or (day := rule(match, today)) is None:
                continue
            rest = phrase[match.end() :].strip(" ,")
            period = _PERIODS.get(re.sub(r"^in the ", "", rest)) if rest else day.period
            if rest and period is None:
                continue
            clock = _clock(said, period, after_day=True)
            if clock is not None:
                return _when(replace(day, period=period), clock, local_now, zone)
    # a time alone: today when still ahead, else tomorrow
    clock = _clock(phrase, None)
    if clock:
        return _when(_Day(today, roll=1), clock, local_now, zone)
    if depth == 0:
        return _weekday_of_week(phrase, now, zone)
    return None


def _weekday_of_week(phrase: str, now: datetime, zone: ZoneInfo) -> When | None:
    """ "monday two weeks from now", "in 3 days on friday": that weekday in the week of the day
    counted from now (weeks start on Monday)."""
    match = _WEEKDAY_FIRST.fullmatch(phrase) or _WEEKDAY_LAST.fullmatch(phrase)
    if match is None or not _COUNTED.search(match["rel"]):
        return None
    counted = _by_rules(match["rel"], now, zone, depth=1)
    if counted is None or counted.has_time:
        return None
    day = counted.at.astimezone(zone).date()
    monday = day - timedelta(days=day.weekday())
    local_now = now.astimezone(zone).replace(tzinfo=None)
    return _when(_Day(monday + timedelta(days=_EN_WEEKDAYS[match["wd"]])), None, local_now, zone)


def _from_anchor(match: re.Match[str], now: datetime, zone: ZoneInfo) -> When | None:
    """ "3 days after january 12th", "2 weeks before christmas", "three weeks from tomorrow"."""
    anchor = _by_rules(match["anchor"], now, zone, depth=1)
    count = _count(match["n"])
    if anchor is None or count is None or count != int(count):
        return None
    sign = -1 if match["dir"] == "before" else 1
    unit = match["unit"].rstrip("s")
    local = anchor.at.astimezone(zone).replace(tzinfo=None)
    if unit in ("year", "yr", "month"):
        months = int(count) * (12 if unit != "month" else 1)
        day = _add_months(local.date(), sign * months)
    else:
        day = local.date() + timedelta(days=sign * int(count) * (7 if unit == "week" else 1))
    wall = datetime.combine(day, local.time())
    return When(_to_utc(wall, zone), anchor.has_time)


def _clock(text: str, period: _Period | None, *, after_day: bool = False) -> tuple[int, int] | None:
    """A time of day (hours may pass 23 into the next day), or None when ``text`` is none.

    A bare number is an hour only ``after_day`` ("monday 9", "明天 3"), never alone."""
    match = _TIME.fullmatch(text)
    if match is None or not (match["p1"] or match["p2"] or match["h"] or match["zh"]):
        return None
    if match["p1"] and match["p2"]:
        return None
    said = match["p1"] or match["p2"]
    period = _PERIODS[said] if said else period
    if match["h"]:
        hour, minute = int(match["h"]), int(match["m"] or 0)
        if match["sep"] == "." and not match["ampm"]:
            return None  # "15.30" is a date as much as a time
        if not (match["m"] or match["ampm"] or match["at"] or period or after_day):
            return None  # a bare number is not a time
        padded = match["h"].startswith("0")
    elif match["zh"]:
        number = _zh_number(match["zh"])
        minutes = _zh_number(match["zm"]) if match["zm"] else 0
        if number is None or minutes is None:
            return None
        hour, padded = number, False
        minute = (
            30 if match["half"] else _QUARTERS[match["quarter"]] if match["quarter"] else minutes
        )
    else:
        return period.default if period else None
    if minute > 59:
        return None
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"] == "pm" else 0)
    elif period:
        read = period.hour(hour)
        if read is None:
            return None
        hour = read
    elif 1 <= hour <= 6 and not padded:
        hour += 12  # "明天3点", "at 3": the afternoon (see the module's docstring)
    elif hour > 23:
        return None
    return hour, minute


def _when(day: _Day, clock: tuple[int, int] | None, local_now: datetime, zone: ZoneInfo) -> When:
    if clock is None and day.period is not None:
        clock = day.period.default
    hour, minute = clock or _DAY_START
    start = datetime.combine(day.day, time())
    wall = start + timedelta(hours=hour, minutes=minute)
    if day.roll and day.day == local_now.date() and (clock is None or wall <= local_now):
        wall += timedelta(days=day.roll)
    return When(_to_utc(wall, zone), clock is not None)


# dateparser: ~1.5 ms a call once warm (its parser is built per call, as RELATIVE_BASE changes);
# the first call loads its language data (~0.2 s).
_DATEPARSER_PERIODS = ("time", "day", "week")  # "month"/"year" ("May", "2026") name no day
_WORDY = re.compile(r"[a-z\u3400-\u9fff]")  # letters: dateparser reads bare numbers as dates


def _by_dateparser(phrase: str, now: datetime, zone: ZoneInfo) -> When | None:
    if not _WORDY.search(phrase):
        return None
    local_now = now.astimezone(zone).replace(tzinfo=None)
    settings: dict[str, Any] = {
        "RELATIVE_BASE": local_now,
        "PREFER_DATES_FROM": "future",
        "TIMEZONE": zone.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RETURN_TIME_AS_PERIOD": True,
        # not "timestamp" ("123456789" is 1973) nor "no-spaces-time" ("1125" is a date)
        "PARSERS": ["relative-time", "custom-formats", "absolute-time"],
    }
    try:
        parser = DateDataParser(languages=["en", "zh"], settings=settings)
        data = parser.get_date_data(phrase)
    except Exception:  # a third-party parser on arbitrary text: never let it break a turn
        return None
    moment = data.date_obj
    if moment is None or data.period not in _DATEPARSER_PERIODS:
        return None
    if moment.tzinfo is None:
        moment = _to_utc(moment, zone)
    if data.period == "time":
        return When(_to_minute(moment), True)
    day = moment.astimezone(zone).date()
    return _when(_Day(day), None, local_now, zone)


# --- helpers --------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Lower case, half-width, Simplified; no space around Chinese; no trailing punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_TRADITIONAL)
    text = text.replace("a.m.", "am").replace("p.m.", "pm")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*([\u3400-\u9fff])\s*", r"\1", text)
    return text.strip(" .,;:!?。，、；！？~")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """A local wall time in UTC: fold=0 for times that do not exist or exist twice."""
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _to_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add_working_days(day: date, count: int) -> date:
    """``count`` days from Monday to Friday away (public holidays are not known here)."""
    step = 1 if count >= 0 else -1
    for _ in range(abs(count)):
        day += timedelta(days=step)
        while day.weekday() >= 5:
            day += timedelta(days=step)
    return day


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (31 Jan + 1 month: 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (day.day, 30, 29, 28):
        found = _date(year, month + 1, min(day.day, last))
        if found:
            return found
    raise ValueError(f"no month {year}-{month + 1}")


def _month_day(today: date, month: int, day: int, year: str | None) -> _Day | None:
    """A date; without a year the first one that is not over a month ago (30 Dec on 1 Jan: the
    one two days ago; 1 Oct on 22 Nov: next year's)."""
    if year is not None:
        number = _zh_number(year)
        if number is None:
            return None
        if len(year) == 2 and "千" not in year:  # below 40 is 20xx ("3-7-27", "二六年"), else 19xx
            number += 2000 if number < 40 else 1900
        found = _date(number, month, day)
        return _Day(found) if found else None
    for guess in range(today.year - 1, today.year + 9):  # 29 Feb: the next leap year
        found = _date(guess, month, day)
        if found and found >= today - _RECENT_PAST:
            return _Day(found)
    return None

"""Dates and times in plain words, Chinese and English: "明天下午3点", "next Tuesday", "25/11".

Pure: the current moment is always passed in (``now``, aware) and the rep's IANA zone says what
"tomorrow" means; relative words are about the rep's local calendar, results are aware UTC.
Hand-written, table-driven rules read the phrases reps type (dateparser 1.5 reads none of
"明天下午3点", "下周二", "两周后", "周五上午"); dateparser is the fallback for everything else.

The choices, in one place:

- Weeks start on Monday. "Tuesday"/"周二" alone is the next Tuesday on or after today (today only
  with a time that is still ahead, so never in the past). "next Tuesday"/"下周二" is the Tuesday of
  the next calendar week: said on a Sunday that is two days away, said on a Monday eight.
  "this Friday"/"本周五"/"这周五" is the Friday of the current week, even when it has passed (the
  engine questions past dates). "last Friday" is the latest Friday before today, "上周五" the
  Friday of the previous calendar week.
- A day without a time is that day at 09:00 local with ``has_time`` False. A part of the day is a
  time: morning/上午 09:00, noon/中午 12:00, afternoon/下午 14:00, evening/晚上 19:00,
  tonight/今晚/明晚 20:00.
- A clock time alone ("3pm", "15:30", "下午3点") is today when still ahead, else tomorrow.
- An hour from 1 to 6 with neither am/pm nor a part of the day ("明天3点", "tomorrow at 3") is in
  the afternoon: nobody books a customer at three in the morning. "03:00" stays 03:00.
- A date without a year ("25 Nov", "11月25日") is the first one that is at most 31 days ago: a
  visit two days back ("20 Nov" on 22 Nov, "12月30日" on 1 Jan) is that past one, "1 Oct" said on
  22 Nov is next year's. A day of the month alone ("25号", "the 25th") is the next such day.
- "d/m" is read day first ("25/11") unless impossible ("11/25").
- "next week"/"下周" is Monday of next week and "next month"/"下个月" the 1st of next month, both
  days without a time. "end of the week" is this week's Friday, or next week's once this one's
  has passed; "end of the month"/"月底" the month's last day.
- "in 2 hours"/"2小时后" count from now (to the minute); "in 3 days"/"三天后" count calendar days.
- Daylight saving: a wall time is put in the zone with ``fold=0`` and normalised through UTC. A
  time in the spring-forward gap is read with the offset before the change (Berlin 2027-03-28
  02:30 becomes 03:30 CEST, 01:30 UTC); a time that happens twice in autumn is the first one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser


@dataclass(frozen=True, slots=True)
class When:
    at: datetime  # aware, in UTC
    has_time: bool  # False when the rep gave only a day: ``at`` is that day 09:00 local


def parse_when(text: str, *, now: datetime, tz: str, lang: str) -> When | None:
    """The moment ``text`` names, or None when it is not a date/time.

    ``now`` is aware (naive is taken as UTC); ``tz`` is the rep's IANA zone (an unknown one is
    read as UTC); ``lang`` is only a hint: both languages are understood whatever it says.
    """
    del lang  # both languages are always read: reps mix them ("明天 3pm")
    if len(text) > _MAX_INPUT:
        return None
    phrase = _normalise(text)
    if not phrase or len(phrase) > _MAX_PHRASE:
        return None
    zone = _zone(tz)
    now = _aware(now).astimezone(UTC)
    try:
        when = _by_rules(phrase, now, zone) or _by_dateparser(phrase, now, zone)
    except (ValueError, OverflowError):  # beyond datetime's range: "9999-12-31 23:00" in +14
        return None
    return when if when is not None and when.at.year in _YEARS else None


def describe_when(when: When, *, tz: str, lang: str, now: datetime | None = None) -> str:
    """``when`` in words in the rep's zone: en "Tue 25 Nov, 15:00", zh "11月25日(周二) 15:00".

    Without a time: "Tue 25 Nov" / "11月25日(周二)". The year is added ("Tue 5 Jan 2027",
    "2027年1月5日(周二)") only when ``now`` is given and its year in ``tz`` differs.
    """
    zone = _zone(tz)
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
_YEARS = range(1900, 2200)  # the years a rep may mean (not 0001 nor 9999: beyond some zones)

_EN_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTH_NAMES = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
_ZH_WEEKDAY_NAMES = "一二三四五六日"

# Traditional characters that differ from the Simplified ones the rules are written in.
_TRADITIONAL = str.maketrans("週後點號禮個時鐘兩這臺〇", "周后点号礼个时钟两这台零")


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
    "day after tomorrow": (2, None),
    "the day after tomorrow": (2, None),
    "yesterday": (-1, None),
    "day before yesterday": (-2, None),
    "the day before yesterday": (-2, None),
    "今天": (0, None),
    "今日": (0, None),
    "今早": (0, _MORNING),
    "今晚": (0, _NIGHT),
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
    "a": 1, "an": 1, "one": 1, "a couple of": 2, "couple of": 2, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_QUARTERS = {"一刻": 15, "三刻": 45}
_ZH_DIGITS = {char: n for n, char in enumerate("零一二三四五六七八九")} | {"两": 2}

# How many weeks (or months) on: "下周二" is the Tuesday of the week after this one.
_SHIFT = {
    "next": 1, "下": 1, "下个": 1, "下下": 2, "下下个": 2, "last": -1, "上": -1, "上个": -1,
    "this": 0, "本": 0, "这": 0, "这个": 0,
}  # fmt: skip


def _alternatives(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first so "tuesday" wins over "tue"."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _zh_number(text: str) -> int | None:
    """A number in digits or Chinese: "25", "二十五", "十一", "两", "二零二六" (None: malformed)."""
    if text.isascii():
        return int(text) if text.isdigit() else None
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
_YEAR = r"(?:,?\s*(?P<y>[0-9]{4}))?(?![0-9:])"

_TIME = re.compile(
    rf"""
    (?P<at>(?:at|around|about|by)\s*|@\s*)?
    (?:(?P<p1>{_PERIOD})\s*(?:at\s*|@\s*)?)?
    (?:
        (?P<h>[0-9]{{1,2}})(?:(?P<sep>[:.])(?P<m>[0-9]{{2}}))?\s*(?P<ampm>am|pm)?{_END}
      | (?P<zh>{_ZH_NUM})\s*[点时](?:(?P<half>半)|(?P<quarter>一刻|三刻)|(?P<zm>{_ZH_NUM})分?)?钟?
    )?
    (?:\s*(?:in\s+the\s+)?(?P<p2>{_PERIOD}))?
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
    which = names.get("suffix") or names.get("which")  # "friday next week", "下周五"
    if which == "last" and not names.get("suffix"):  # "last Friday": the latest before today
        return _Day(today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1))
    if which is None or which in ("coming", "this coming"):
        # the next one on or after today: today only with a time still ahead, else in a week
        return _Day(today + timedelta(days=(weekday - today.weekday()) % 7), roll=7)
    monday = today - timedelta(days=today.weekday())
    return _Day(monday + timedelta(weeks=_SHIFT[which], days=weekday))


def _week(match: re.Match[str], today: date) -> _Day:
    monday = today - timedelta(days=today.weekday())
    return _Day(monday + timedelta(weeks=_SHIFT[match["which"]]))


def _month(match: re.Match[str], today: date) -> _Day:
    return _Day(_add_months(today.replace(day=1), _SHIFT[match["which"]]))


def _end_of_week(match: re.Match[str], today: date) -> _Day:
    friday = today + timedelta(days=4 - today.weekday())
    return _Day(friday if friday >= today else friday + timedelta(weeks=1))


def _end_of_month(match: re.Match[str], today: date) -> _Day:
    first_of_next = _add_months(today.replace(day=1), 1 + (match["which"] is not None))
    return _Day(first_of_next - timedelta(days=1))


def _in_days(match: re.Match[str], today: date) -> _Day | None:
    count = _count(match["n"])
    if count is None:
        return None
    sign = -1 if match.groupdict().get("dir") in ("ago", "前") else 1
    unit = match["unit"].rstrip("s")
    if unit in ("month", "个月", "月"):
        if count == 0.5:
            return _Day(today + timedelta(days=sign * 15))
        return _Day(_add_months(today, sign * int(count)))
    if count != int(count):
        return None
    weeks = unit in ("week", "周", "星期", "礼拜", "个星期", "个礼拜")
    return _Day(today + timedelta(days=sign * int(count) * (7 if weeks else 1)))


def _iso_date(match: re.Match[str], today: date) -> _Day | None:
    found = _date(int(match["y"]), int(match["m"]), int(match["d"]))
    return _Day(found) if found else None


def _numeric_date(match: re.Match[str], today: date) -> _Day | None:
    """25/11, 25.11, 25.11.2026: day first unless that is impossible (11/25).

    With dots and no year the month needs two digits: "25.11" is a date, "13.5" a number.
    """
    if match["sep"] == "." and match["y"] is None and len(match["b"]) < 2:
        return None
    first, second = int(match["a"]), int(match["b"])
    day, month = (first, second) if second <= 12 else (second, first)
    return _month_day(today, month, day, match["y"])


def _en_date(match: re.Match[str], today: date) -> _Day | None:
    return _month_day(today, _EN_MONTHS[match["mon"]], int(match["d"]), match["y"])


def _zh_date(match: re.Match[str], today: date) -> _Day | None:
    month, day = _zh_number(match["m"]), _zh_number(match["d"])
    if month is None or day is None:
        return None
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


def _exact_now(match: re.Match[str], now: datetime) -> datetime:
    return now


_EN_DAY_UNIT = r"(?P<unit>days?|weeks?|months?)"
_ZH_DAY_UNIT = "(?P<unit>天|日|周|个星期|星期|个礼拜|礼拜|个月|月)"
_EN_TIME_UNIT = r"(?P<unit>hours?|hrs?|minutes?|mins?)"
_ZH_TIME_UNIT = "(?P<unit>个小时|小时|个钟头|钟头|分钟|分)"
_ZH_WHICH = "(?P<which>下下个|下下|下个|下|上个|上|本|这个|这)"
_WEEK_WORD = "(?:周|星期|礼拜)"

# Phrases that name a day, each matched at the start; a time may follow ("明天" + "下午3点").
_DAY_RULES: list[tuple[re.Pattern[str], _DayRule]] = [
    (re.compile(rf"(?P<word>{_alternatives(_DAY_WORDS)}){_END}"), _day_word),
    (re.compile(rf"in\s+(?P<n>{_COUNT})\s+{_EN_DAY_UNIT}{_END}"), _in_days),
    (
        re.compile(
            rf"(?P<n>{_COUNT})\s+{_EN_DAY_UNIT}\s+(?P<dir>from now|from today|later|ago){_END}"
        ),
        _in_days,
    ),
    (re.compile(rf"(?P<n>{_COUNT}|半){_ZH_DAY_UNIT}(?:以|之)?(?P<dir>后|前)"), _in_days),
    (
        re.compile(
            rf"(?:on\s+)?(?:(?P<which>next|this coming|this|coming|last)\s+)?"
            rf"(?P<wd>{_alternatives(_EN_WEEKDAYS)}){_END}\.?"
            rf"(?:\s+(?P<suffix>next|this|last)\s+week{_END})?"
        ),
        _weekday,
    ),
    (re.compile(rf"{_ZH_WHICH}?{_WEEK_WORD}(?P<zwd>[一二三四五六日天七1-7])"), _weekday),
    (re.compile(rf"(?P<which>next|last) week{_END}"), _week),
    (re.compile(rf"(?P<which>下下个|下下|下个|下|上个|上){_WEEK_WORD}(?![末])"), _week),
    (re.compile(rf"(?P<which>next|last) month{_END}"), _month),
    (re.compile("(?P<which>下个|下|上个|上)月(?![底末初])"), _month),
    (re.compile(rf"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week{_END}"), _end_of_week),
    (
        re.compile(
            rf"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<which>next\s+)?month{_END}"
        ),
        _end_of_month,
    ),
    (re.compile("(?:本|这个|这)?(?P<which>下个|下)?月[底末]"), _end_of_month),
    (
        re.compile(r"(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})(?![0-9])t?"),
        _iso_date,
    ),
    (
        re.compile(
            r"(?P<a>[0-9]{1,2})(?P<sep>[/.])(?P<b>[0-9]{1,2})"
            r"(?:(?P=sep)(?P<y>[0-9]{4}|[0-9]{2}))?(?![0-9])"
        ),
        _numeric_date,
    ),
    (
        re.compile(
            rf"(?:on\s+)?(?:the\s+)?(?P<d>[0-9]{{1,2}}){_ORDINAL}?(?:\s+of)?\s*{_EN_MONTH}{_YEAR}"
        ),
        _en_date,
    ),
    (
        re.compile(rf"(?:on\s+)?{_EN_MONTH}\s*(?:the\s+)?(?P<d>[0-9]{{1,2}}){_ORDINAL}?{_YEAR}"),
        _en_date,
    ),
    (
        re.compile(
            rf"(?:(?P<y>[0-9]{{4}}|[零一二三四五六七八九]{{4}})年)?"
            rf"(?P<m>{_ZH_NUM})月(?P<d>{_ZH_NUM})(?:日|号)?"
        ),
        _zh_date,
    ),
    (re.compile(rf"(?P<d>{_ZH_NUM})(?:日|号)"), _day_of_month),
    (re.compile(rf"(?:on\s+)?the\s+(?P<d>[0-9]{{1,2}}){_ORDINAL}{_END}"), _day_of_month),
    (re.compile(rf"(?P<d>[0-9]{{1,2}}){_ORDINAL}{_END}"), _day_of_month),
]

# Phrases that name a moment counted from now: the whole phrase, nothing may follow.
_EXACT_RULES: list[tuple[re.Pattern[str], _ExactRule]] = [
    (re.compile(rf"in\s+(?P<n>{_COUNT})\s+{_EN_TIME_UNIT}"), _in_time),
    (re.compile(r"in\s+half\s+an\s+hour"), _in_half_an_hour),
    (re.compile(rf"(?P<n>{_COUNT})\s+{_EN_TIME_UNIT}\s+(?P<dir>from now|later|ago)"), _in_time),
    (re.compile(rf"(?P<n>{_COUNT}|半){_ZH_TIME_UNIT}(?:以|之)?(?P<dir>后|前)"), _in_time),
    (re.compile("now|right now|现在|马上"), _exact_now),
]


# --- reading --------------------------------------------------------------------------------------


def _by_rules(phrase: str, now: datetime, zone: ZoneInfo) -> When | None:
    for pattern, exact in _EXACT_RULES:
        if (match := pattern.fullmatch(phrase)) and (moment := exact(match, now)):
            return When(_to_minute(moment), True)
    local_now = now.astimezone(zone).replace(tzinfo=None)
    today = local_now.date()
    # a day, then maybe a time: "明天下午3点", "Nov 25 3pm", "friday"
    for pattern, rule in _DAY_RULES:
        if (match := pattern.match(phrase)) and (day := rule(match, today)):
            rest = phrase[match.end() :].lstrip(" ,的")
            clock = _clock(rest, day.period) if rest else None
            if not rest or clock:
                return _when(day, clock, local_now, zone)
    # a time, then a day: "3pm tomorrow", "at 10 on friday"
    for split in re.finditer(r"\s+(?:on\s+)?", phrase):
        clock = _clock(phrase[: split.start()], None)
        if clock is None:
            continue
        for pattern, rule in _DAY_RULES:
            if (match := pattern.fullmatch(phrase, split.end())) and (day := rule(match, today)):
                return _when(day, clock, local_now, zone)
    # a time alone: today when still ahead, else tomorrow
    clock = _clock(phrase, None)
    if clock:
        return _when(_Day(today, roll=1), clock, local_now, zone)
    return None


def _clock(text: str, period: _Period | None) -> tuple[int, int] | None:
    """A time of day (hours may pass 23 into the next day), or None when ``text`` is none."""
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
        if not (match["m"] or match["ampm"] or match["at"] or period):
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


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo("UTC")


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
        if len(year) == 2:
            number += 2000
        found = _date(number, month, day)
        return _Day(found) if found else None
    for guess in range(today.year - 1, today.year + 9):  # 29 Feb: the next leap year
        found = _date(guess, month, day)
        if found and found >= today - _RECENT_PAST:
            return _Day(found)
    return None

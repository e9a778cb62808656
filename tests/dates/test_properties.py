"""Properties of parse_when over the forms added for tests/dates: whatever the words, the clock
and the zone, it never raises, and what it returns is aware UTC to the minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.when import describe_when, parse_when

TOKENS = [
    "friday", "after", "next", "half", "past", "quarter", "to", "3", "pm", "am", "15h", "h",
    "at", "the", "first", "of", "march", "end", "week", "month", "by", "in", "a", "couple",
    "hours", "years", "from", "today", "ish", "o'clock", "noon", "midnight", "eod", "christmas",
    "easter", "2 fridays", "ago", "monday", "9", "31st", "/", "-", ".", ",", " ", "2027",
    "下下周五", "下午", "三点半", "明早", "明晚", "月底前", "周五之前", "下周一之前", "差一刻",
    "五点", "农历", "正月", "腊月", "廿三", "初一", "春节", "中秋节", "除夕", "两千零四年",
    "本月", "第一个", "最后一个", "星期一", "下班前", "年底", "内", "半个月后", "两小时后",
]  # fmt: skip
ZONES = st.sampled_from(
    ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati", "UTC"]
)
MOMENTS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2110, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=400, deadline=None)
@given(
    tokens=st.lists(st.sampled_from(TOKENS), max_size=6),
    joiner=st.sampled_from(["", " "]),
    now=MOMENTS,
    tz=ZONES,
    lang=st.sampled_from(["en", "zh"]),
)
def test_never_raises_and_answers_in_utc(
    tokens: list[str], joiner: str, now: datetime, tz: str, lang: str
) -> None:
    when = parse_when(joiner.join(tokens), now=now, tz=tz, lang=lang)
    if when is None:
        return
    assert when.at.tzinfo is UTC
    assert when.at.utcoffset() == timedelta(0)
    assert when.at.second == 0
    assert when.at.microsecond == 0
    assert describe_when(when, tz=tz, lang=lang, now=now)

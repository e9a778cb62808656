"""The Chinese lunar calendar: "春节", "中秋节", "正月十五", "农历八月初三" as Gregorian days.

Chinese reps plan around the lunar festivals ("春节前", "中秋节前后"); the conversion comes from
``lunardate`` (pure Python, 20 KB, 1900–2099), imported on first use.
"""

from __future__ import annotations

from datetime import date, timedelta

# A festival: (lunar month, lunar day); 0 as the day is the month's last day (除夕).
FESTIVALS = {
    "春节": (1, 1), "大年初一": (1, 1), "农历新年": (1, 1), "元宵节": (1, 15), "元宵": (1, 15),
    "端午节": (5, 5), "端午": (5, 5), "七夕节": (7, 7), "七夕": (7, 7), "中秋节": (8, 15),
    "中秋": (8, 15), "重阳节": (9, 9), "重阳": (9, 9), "腊八节": (12, 8), "腊八": (12, 8),
    "小年": (12, 23), "除夕": (12, 0), "大年三十": (12, 0), "年三十": (12, 0),
    "chinese new year": (1, 1), "lunar new year": (1, 1), "spring festival": (1, 1),
    "lantern festival": (1, 15), "dragon boat festival": (5, 5), "mid-autumn festival": (8, 15),
    "mid autumn festival": (8, 15), "moon festival": (8, 15),
}  # fmt: skip

MONTHS = {
    "正": 1, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "十": 10, "十一": 11, "冬": 11, "十二": 12, "腊": 12,
}  # fmt: skip

_DAY_DIGITS = "一二三四五六七八九"


def lunar_day_number(text: str) -> int | None:
    """ "初一" 1, "初十" 10, "十五" 15, "廿三" 23, "二十三" 23, "三十" 30."""
    if text.startswith("初"):
        rest = text[1:]
        if rest == "十":
            return 10
        return _DAY_DIGITS.index(rest) + 1 if len(rest) == 1 and rest in _DAY_DIGITS else None
    whole = {"十": 10, "二十": 20, "廿": 20, "三十": 30}.get(text)
    if whole is not None:
        return whole
    for prefix, tens in (("二十", 20), ("廿", 20), ("十", 10)):
        last = text[len(prefix) :]
        if text.startswith(prefix) and len(last) == 1 and last in _DAY_DIGITS:
            return tens + _DAY_DIGITS.index(last) + 1
    return None


def to_gregorian(year: int, month: int, day: int) -> date | None:
    """The Gregorian day of a lunar date (day 0: the month's last day), None when there is none."""
    from lunardate import LunarDate  # 18 ms to import: only for the reps who say one

    try:
        if day == 0:
            following = LunarDate(year + month // 12, month % 12 + 1, 1)
            solar: date = following.to_solar_date()
            return solar - timedelta(days=1)
        found: date = LunarDate(year, month, day).to_solar_date()
        return found
    except ValueError:
        return None


def next_lunar(month: int, day: int, today: date, *, year: int | None = None) -> date | None:
    """A lunar date of the given lunar year, or else the first one not over a month ago."""
    if year is not None:
        return to_gregorian(year, month, day)
    for lunar_year in range(today.year - 1, today.year + 2):
        found = to_gregorian(lunar_year, month, day)
        if found is not None and found >= today - timedelta(days=31):
            return found
    return None

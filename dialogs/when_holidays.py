"""Holidays by name, in any year: "christmas", "easter", "thanksgiving", "国庆节", "双十一".

A fixed holiday is a month and day; a moving one is computed for its year (Easter by the
Gregorian computus, Thanksgiving as the 4th Thursday of November). The lunar festivals (春节,
中秋节) are in ``when_lunar``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

FIXED_HOLIDAYS = {
    "christmas": (12, 25), "christmas day": (12, 25), "xmas": (12, 25), "christmas eve": (12, 24),
    "new year": (1, 1), "new year's day": (1, 1), "new year day": (1, 1), "new years day": (1, 1),
    "new year's": (1, 1),
    "new year's eve": (12, 31), "new years eve": (12, 31), "valentine's day": (2, 14),
    "valentines day": (2, 14), "halloween": (10, 31), "元旦": (1, 1), "圣诞节": (12, 25),
    "圣诞": (12, 25), "平安夜": (12, 24), "国庆节": (10, 1), "国庆": (10, 1), "劳动节": (5, 1),
    "五一": (5, 1), "情人节": (2, 14), "儿童节": (6, 1), "妇女节": (3, 8), "教师节": (9, 10),
    "independence day": (7, 4), "fourth of july": (7, 4), "4th of july": (7, 4),
    "st patrick's day": (3, 17), "st. patrick's day": (3, 17), "saint patrick's day": (3, 17),
    "st patricks day": (3, 17), "saint patrick": (3, 17), "earth day": (4, 22),
    "juneteenth": (6, 19), "may day": (5, 1), "labour day": (5, 1), "valentine day": (2, 14),
    "saint patricks day": (3, 17), "st paddy's day": (3, 17), "saint paddy's day": (3, 17),
    "元旦节": (1, 1), "愚人节": (4, 1), "建军节": (8, 1), "国际儿童节": (6, 1), "植树节": (3, 12),
    "五一劳动节": (5, 1), "国际劳动节": (5, 1), "三八妇女节": (3, 8),
    "international workers' day": (5, 1), "boxing day": (12, 26), "双十一": (11, 11),
    "光棍节": (11, 11), "双十二": (12, 12), "万圣节": (10, 31), "跨年": (12, 31),
}  # fmt: skip


def holiday_in(name: str, year: int) -> date:
    """The day of the holiday ``name`` (a key of either table) in ``year``."""
    if name in MOVING_HOLIDAYS:
        return MOVING_HOLIDAYS[name](year)
    month, day = FIXED_HOLIDAYS[name]
    return date(year, month, day)


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l_) // 433
    month = (h + l_ - 7 * m + 90) // 25
    return date(year, month, (h + l_ - 7 * m + 33 * month + 19) % 32)


def nth_weekday_of(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` weekday (0 Monday) of a month: Thanksgiving is (year, 11, 3, 4)."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7, weeks=nth - 1)


def after_easter(days: int) -> Callable[[int], date]:
    """A holiday a fixed number of days from Easter (Good Friday -2, Pentecost +49)."""
    return lambda year: easter(year) + timedelta(days=days)


MOVING_HOLIDAYS: dict[str, Callable[[int], date]] = {
    "palm sunday": after_easter(-7),
    "maundy thursday": after_easter(-3),
    "ash wednesday": after_easter(-46),
    "shrove tuesday": after_easter(-47),
    "mardi gras": after_easter(-47),
    "pancake day": after_easter(-47),
    "ascension day": after_easter(39),
    "pentecost": after_easter(49),
    "whit sunday": after_easter(49),
    "whit monday": after_easter(50),
    "mlk day": lambda year: nth_weekday_of(year, 1, 0, 3),
    "martin luther king day": lambda year: nth_weekday_of(year, 1, 0, 3),
    "presidents day": lambda year: nth_weekday_of(year, 2, 0, 3),
    "presidents' day": lambda year: nth_weekday_of(year, 2, 0, 3),
    "memorial day": lambda year: nth_weekday_of(year, 6, 0, 1) - timedelta(days=7),
    "labor day": lambda year: nth_weekday_of(year, 9, 0, 1),
    "easter": easter,
    "easter sunday": easter,
    "easter monday": lambda year: easter(year) + timedelta(days=1),
    "good friday": lambda year: easter(year) - timedelta(days=2),
    "thanksgiving": lambda year: nth_weekday_of(year, 11, 3, 4),
    "thanksgiving day": lambda year: nth_weekday_of(year, 11, 3, 4),
    "black friday": lambda year: nth_weekday_of(year, 11, 3, 4) + timedelta(days=1),
    "mother's day": lambda year: nth_weekday_of(year, 5, 6, 2),
    "mothers day": lambda year: nth_weekday_of(year, 5, 6, 2),
    "father's day": lambda year: nth_weekday_of(year, 6, 6, 3),
    "fathers day": lambda year: nth_weekday_of(year, 6, 6, 3),
    "母亲节": lambda year: nth_weekday_of(year, 5, 6, 2),
    "父亲节": lambda year: nth_weekday_of(year, 6, 6, 3),
    "感恩节": lambda year: nth_weekday_of(year, 11, 3, 4),
    "复活节": easter,
}

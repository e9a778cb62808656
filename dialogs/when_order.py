"""Which reps write the month before the day ("5/3" for 3 May), known from their time zone.

The rep's zone is the one thing the bot knows about where they work (Telegram's language code is
"en" for London and New York alike). The zones are those the tz database's country table
(``zone.tab``) puts in the countries that write the month first: the United States and its
territories, the Philippines and the Pacific states in compact with the US. Everyone else, and
every Chinese rep, is read day first or year first. The list is data, not read from the tz
database at run time (the engine stays pure); tests/dates/test_month_first.py checks it against
the installed ``tzdata``.
"""

from __future__ import annotations

MONTH_FIRST_COUNTRIES = frozenset(
    {"US", "AS", "GU", "MP", "PR", "VI", "UM", "PH", "FM", "MH", "PW"}
)

MONTH_FIRST_ZONES = frozenset(
    {
        "America/Adak", "America/Anchorage", "America/Boise", "America/Chicago", "America/Denver",
        "America/Detroit", "America/Indiana/Indianapolis", "America/Indiana/Knox",
        "America/Indiana/Marengo", "America/Indiana/Petersburg", "America/Indiana/Tell_City",
        "America/Indiana/Vevay", "America/Indiana/Vincennes", "America/Indiana/Winamac",
        "America/Juneau", "America/Kentucky/Louisville", "America/Kentucky/Monticello",
        "America/Los_Angeles", "America/Menominee", "America/Metlakatla", "America/New_York",
        "America/Nome", "America/North_Dakota/Beulah", "America/North_Dakota/Center",
        "America/North_Dakota/New_Salem", "America/Phoenix", "America/Puerto_Rico", "America/Sitka",
        "America/St_Thomas", "America/Yakutat", "Asia/Manila", "Pacific/Chuuk", "Pacific/Guam",
        "Pacific/Honolulu", "Pacific/Kosrae", "Pacific/Kwajalein", "Pacific/Majuro",
        "Pacific/Midway", "Pacific/Pago_Pago", "Pacific/Palau", "Pacific/Pohnpei", "Pacific/Saipan",
        "Pacific/Wake",
    }
)  # fmt: skip


def writes_month_first(zone: str) -> bool:
    """True for a zone such as "America/Chicago", "US/Eastern" or "Asia/Manila"."""
    return zone in MONTH_FIRST_ZONES or zone.startswith("US/")

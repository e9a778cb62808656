"""Which reps write the month before the day ("5/3" for 3 May), known from their time zone.

The rep's zone is the one thing the bot knows about where they work (Telegram's language code is
"en" for London and New York alike). The tz database's own table of zones by country says which
zones are in the countries that write month first: the United States and its territories, the
Philippines and the Pacific states in compact with the US. Everyone else, and every Chinese rep,
is read day first or year first.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

_MONTH_FIRST_COUNTRIES = frozenset(
    {"US", "AS", "GU", "MP", "PR", "VI", "UM", "PH", "FM", "MH", "PW"}
)


def writes_month_first(zone: str) -> bool:
    """True for a zone such as "America/Chicago", "US/Eastern" or "Asia/Manila"."""
    return zone in _month_first_zones() or zone.startswith("US/")


@cache
def _month_first_zones() -> frozenset[str]:
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    zones: set[str] = set()
    for line in table.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        country, _coordinates, zone, *_comment = line.split("\t")
        if country in _MONTH_FIRST_COUNTRIES:
            zones.add(zone)
    return frozenset(zones)

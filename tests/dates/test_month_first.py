"""A rep in the US writes the month first ("5/3" is 3 May); everyone else the day first, and a
Chinese rep the month (or the year) first wherever they are. Told apart by the rep's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from dialogs.when import parse_when
from dialogs.when_order import MONTH_FIRST_COUNTRIES, MONTH_FIRST_ZONES, writes_month_first

NOW = datetime(2027, 3, 10, 6, 20, tzinfo=UTC)  # Wed 10 Mar 2027


def _day(text: str, zone: str, lang: str = "en") -> str | None:
    when = parse_when(text, now=NOW, tz=zone, lang=lang)
    return None if when is None else when.at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d")


@pytest.mark.parametrize(
    ("text", "new_york", "london"),
    [
        ("5/3", "2027-05-03", "2027-03-05"),
        ("5/3/27", "2027-05-03", "2027-03-05"),
        ("3-7-2027", "2027-03-07", "2027-07-03"),
        ("05.12.2027", "2027-05-12", "2027-12-05"),
        ("8/12, 2027", "2027-08-12", "2027-12-08"),
        ("12/25", "2027-12-25", "2027-12-25"),  # only one reading is a date
        ("25/12", "2027-12-25", "2027-12-25"),
        ("thursday 4/3", "2027-03-04", "2027-03-04"),  # the weekday says which
        ("next 4/6", "2027-04-06", "2027-06-04"),
    ],
)
def test_the_order_of_day_and_month_follows_where_the_rep_works(
    text: str, new_york: str, london: str
) -> None:
    assert _day(text, "America/New_York") == new_york
    assert _day(text, "Europe/London") == london


def test_chinese_reps_write_the_month_first_wherever_they_are() -> None:
    assert _day("3/7", "Europe/Berlin", "zh") == "2027-03-07"
    assert _day("3/7", "America/Chicago", "zh") == "2027-03-07"
    assert _day("27-3-7", "Asia/Shanghai", "zh") == "2027-03-07"


@pytest.mark.parametrize(
    ("zone", "month_first"),
    [
        ("America/New_York", True),
        ("America/Los_Angeles", True),
        ("America/Indiana/Indianapolis", True),
        ("Pacific/Honolulu", True),
        ("US/Eastern", True),
        ("Asia/Manila", True),
        ("America/Toronto", False),
        ("America/Mexico_City", False),
        ("Europe/London", False),
        ("Asia/Shanghai", False),
        ("UTC", False),
        ("Not/AZone", False),
    ],
)
def test_month_first_zones_come_from_the_tz_database(zone: str, month_first: bool) -> None:
    assert writes_month_first(zone) is month_first


def test_the_month_first_zones_are_the_tz_databases_zones_of_those_countries() -> None:
    table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    assert {row[2] for row in rows if row[0] in MONTH_FIRST_COUNTRIES} == MONTH_FIRST_ZONES


def test_a_decimal_stays_a_number_whichever_comes_first() -> None:
    for zone in ("America/New_York", "Europe/London"):
        assert _day("3.5", zone) is None
        assert _day("13.5", zone) is None

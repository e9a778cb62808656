"""/tz: the zone a rep means, however they type it, and what the bot says back."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reminders.zones import describe_zone, parse_zone


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        # IANA names and their last part, any case and spacing
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("Asia/Shanghai", "Asia/Shanghai"),
        ("Berlin", "Europe/Berlin"),
        ("  NEW   york ", "America/New_York"),
        ("Los Angeles", "America/Los_Angeles"),
        ("ho chi minh", "Asia/Ho_Chi_Minh"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        # cities the tz database does not name, in English and Chinese
        ("Beijing", "Asia/Shanghai"),
        ("北京", "Asia/Shanghai"),
        ("深圳", "Asia/Shanghai"),
        ("成都市", "Asia/Shanghai"),
        ("北京时间", "Asia/Shanghai"),
        ("香港", "Asia/Hong_Kong"),
        ("Hong Kong", "Asia/Hong_Kong"),
        ("东京", "Asia/Tokyo"),
        ("胡志明市", "Asia/Ho_Chi_Minh"),
        ("悉尼", "Australia/Sydney"),
        ("慕尼黑", "Europe/Berlin"),
        ("Munich", "Europe/Berlin"),
        ("Frankfurt", "Europe/Berlin"),
        ("Mumbai", "Asia/Kolkata"),
        ("Bangalore", "Asia/Kolkata"),
        ("San Francisco", "America/Los_Angeles"),
        ("旧金山", "America/Los_Angeles"),
        ("Washington", "America/New_York"),
        ("Tokyo time", "Asia/Tokyo"),
        # offsets: Etc zones for whole hours (sign inverted), real zones for the others
        ("UTC+8", "Etc/GMT-8"),
        ("utc +8", "Etc/GMT-8"),
        ("GMT-5", "Etc/GMT+5"),
        ("+8", "Etc/GMT-8"),
        ("+08:00", "Etc/GMT-8"),
        ("ＵＴＣ＋８", "Etc/GMT-8"),
        ("UTC+14", "Etc/GMT-14"),
        ("UTC-12", "Etc/GMT+12"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("+05:45", "Asia/Kathmandu"),
        ("UTC-3:30", "America/St_Johns"),
        ("UTC", "UTC"),
        ("GMT", "UTC"),
        ("Z", "UTC"),
        ("UTC+0", "UTC"),
        ("东八区", "Etc/GMT-8"),
        ("东8区", "Etc/GMT-8"),
        ("西五区", "Etc/GMT+5"),
        ("东十二区", "Etc/GMT-12"),
        # nobody's zone
        ("hello", None),
        ("", None),
        ("   ", None),
        ("UTC+15", None),
        ("+25:00", None),
        ("UTC+4:15", None),
        ("UTC+5:60", None),
        ("西十三区", None),
        ("明天下午3点", None),
        ("Berlin" * 50, None),
    ],
)
def test_parse_zone(text: str, zone: str | None) -> None:
    assert parse_zone(text) == zone


def test_every_zone_found_is_one_the_bot_can_use() -> None:
    for text in ("UTC+8", "UTC-12", "UTC+14", "+12:45", "-09:30", "东八区", "北京", "Kathmandu"):
        found = parse_zone(text)
        assert found is not None
        ZoneInfo(found)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30) | st.from_regex(r"(UTC|GMT|东|西)?[+-]?[0-9]{1,4}(:[0-9]{2})?区?"))
def test_whatever_a_rep_types_is_a_usable_zone_or_none(text: str) -> None:
    found = parse_zone(text)
    if found is not None:
        ZoneInfo(found)


def test_an_offset_zone_keeps_the_offset_the_rep_typed() -> None:
    now = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    for text, hours in (("UTC+8", 8), ("GMT-5", -5), ("东八区", 8), ("西五区", -5)):
        found = parse_zone(text)
        assert found is not None
        assert now.astimezone(ZoneInfo(found)).hour == 12 + hours  # UTC+8 is 20:00 at 12:00 UTC


NOW_WINTER = datetime(2026, 11, 17, 9, 43, tzinfo=UTC)
NOW_SUMMER = datetime(2026, 7, 17, 8, 43, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "now", "lang", "said"),
    [
        ("Europe/Berlin", NOW_WINTER, "en", "Europe/Berlin (UTC+01:00), it is 10:43 there now"),
        ("Europe/Berlin", NOW_WINTER, "zh", "Europe/Berlin（UTC+01:00），当地现在 10:43"),
        ("Europe/Berlin", NOW_SUMMER, "en", "Europe/Berlin (UTC+02:00), it is 10:43 there now"),
        ("Asia/Kolkata", NOW_WINTER, "en", "Asia/Kolkata (UTC+05:30), it is 15:13 there now"),
        ("America/St_Johns", NOW_WINTER, "zh", "America/St_Johns（UTC-03:30），当地现在 06:13"),
        ("Etc/GMT-8", NOW_WINTER, "en", "UTC+08:00, it is 17:43 there now"),
        ("Etc/GMT-8", NOW_WINTER, "zh", "UTC+08:00，当地现在 17:43"),
        ("Etc/GMT+5", NOW_WINTER, "en", "UTC-05:00, it is 04:43 there now"),
        ("UTC", NOW_WINTER, "zh", "UTC+00:00，当地现在 09:43"),
    ],
)
def test_describe_zone(tz: str, now: datetime, lang: str, said: str) -> None:
    assert describe_zone(tz, now, lang) == said  # type: ignore[arg-type]


def test_what_the_bot_says_back_for_a_parsed_offset() -> None:
    zone = parse_zone("东八区")
    assert zone is not None
    assert describe_zone(zone, NOW_WINTER, "zh") == "UTC+08:00，当地现在 17:43"

"""The examples the date questions show are never in the past, whenever they are read."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.when import parse_when

MESSAGES = yaml.safe_load(
    (Path(__file__).parents[2] / "coaching_scripts" / "messages.yaml").read_text(encoding="utf-8")
)
KEYS = ("not_a_date", "hint_datetime")
ZONES = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])
MOMENTS = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)


def _examples(lang: str) -> list[str]:
    return [example for key in KEYS for example in re.findall("“([^”]+)”", MESSAGES[key][lang])]


def test_the_hints_show_examples() -> None:
    assert len(_examples("en")) >= 4
    assert len(_examples("zh")) >= 4


@settings(max_examples=200, deadline=None)
@given(now=MOMENTS, tz=ZONES, lang=st.sampled_from(["en", "zh"]))
def test_every_example_reads_as_a_date_not_in_the_past(now: datetime, tz: str, lang: str) -> None:
    for example in _examples(lang):
        when = parse_when(example, now=now, tz=tz, lang=lang)
        assert when is not None, example
        if when.has_time:
            assert when.at >= now.replace(second=0, microsecond=0), example
        else:  # a day: today at the earliest
            zone = ZoneInfo(tz)
            assert when.at.astimezone(zone).date() >= now.astimezone(zone).date(), example


def _pause_examples(lang: str) -> list[str]:
    said = re.findall(
        r"/pause ([^,、。.]+?)(?= or |、| 或 |[,。.]|$)", MESSAGES["pause_usage"][lang]
    )
    return [
        text.removeprefix("until ").removeprefix("到")
        for text in said
        if not text.startswith("off")
    ]


def test_the_pause_hint_shows_examples() -> None:
    assert len(_pause_examples("en")) == 3
    assert len(_pause_examples("zh")) == 3


@settings(max_examples=200, deadline=None)
@given(now=MOMENTS, tz=ZONES, lang=st.sampled_from(["en", "zh"]))
def test_every_pause_example_is_a_day_after_today(now: datetime, tz: str, lang: str) -> None:
    """/pause needs a day after today (a pause until today would end before it began)."""
    zone = ZoneInfo(tz)
    for example in _pause_examples(lang):
        when = parse_when(example, now=now, tz=tz, lang=lang)
        assert when is not None, example
        assert when.at.astimezone(zone).date() > now.astimezone(zone).date(), example

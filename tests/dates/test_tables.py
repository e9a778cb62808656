"""Every phrase of the English and Chinese tables read as written there (testkit/dates/*.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dialogs.when import parse_when
from testkit.dates.chinese import CHINESE
from testkit.dates.english import ENGLISH

NOW = datetime(2027, 3, 10, 6, 20, tzinfo=UTC)  # Wed 10 Mar 2027, 14:20 in Shanghai
ZONE = "Asia/Shanghai"


def _read(text: str, lang: str) -> tuple[str | None, bool]:
    when = parse_when(text, now=NOW, tz=ZONE, lang=lang)
    if when is None:
        return None, False
    assert when.at.tzinfo is UTC
    return when.at.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M"), when.has_time


def test_each_table_has_over_300_phrases_and_no_repeats() -> None:
    for table in (ENGLISH, CHINESE):
        phrases = [text for text, _, _ in table]
        assert len(phrases) >= 300
        assert len(set(phrases)) == len(phrases)


@pytest.mark.parametrize(("text", "local", "has_time"), ENGLISH, ids=[r[0] for r in ENGLISH])
def test_english(text: str, local: str | None, has_time: bool) -> None:
    assert _read(text, "en") == (local, has_time)


@pytest.mark.parametrize(("text", "local", "has_time"), CHINESE, ids=[r[0] for r in CHINESE])
def test_chinese(text: str, local: str | None, has_time: bool) -> None:
    assert _read(text, "zh") == (local, has_time)

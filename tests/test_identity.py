"""The three small things every layer shares: who a user is (the stored ``tg:123``), which zone a
stored zone name means, and which language to speak."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coaching.users import TELEGRAM_KEYS, UserRef, telegram_chat
from dialogs.types import lang_named, lang_of
from dialogs.zones import zone_of


def test_a_stored_key_reads_back_as_the_user_it_names() -> None:
    rep = UserRef.telegram(123456789)
    assert str(rep) == "tg:123456789"
    assert UserRef.parse("tg:123456789") == rep
    assert rep.chat_id == 123456789
    assert str(rep).startswith(TELEGRAM_KEYS)
    console = UserRef.parse("console:anna")
    assert console == UserRef("console", "anna")
    assert console is not None
    assert console.chat_id is None  # a console user has no Telegram chat to answer in


@pytest.mark.parametrize("key", ["", "tg", "tg:", ":42", "anna"])
def test_a_key_naming_no_platform_or_no_id_is_nobody(key: str) -> None:
    assert UserRef.parse(key) is None
    assert telegram_chat(key) is None


@pytest.mark.parametrize("key", ["tg:-5", "tg:12a", "tg:²", "console:42"])
def test_only_a_telegram_user_with_a_numeric_id_has_a_chat(key: str) -> None:
    assert telegram_chat(key) is None


def test_an_unknown_zone_name_is_utc_not_an_error() -> None:
    assert zone_of("Asia/Shanghai").key == "Asia/Shanghai"
    for name in ("Mars/Olympus", "", "../etc/passwd", "America"):
        assert zone_of(name) == zone_of("UTC")
    noon = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert noon.astimezone(zone_of("Europe/Berlin")).hour == 14


@pytest.mark.parametrize(
    ("value", "lang"),
    [("zh", "zh"), ("zh-hans", "zh"), ("ZH-TW", "zh"), ("en", "en"), ("de", "en"), ("", "en"),
     (None, "en")],
)  # fmt: skip
def test_one_place_picks_the_language(value: object, lang: str) -> None:
    assert lang_of(value) == lang


@pytest.mark.parametrize(
    ("words", "lang"),
    [("zh", "zh"), (" 中文", "zh"), ("English", "en"), ("en", "en"), ("fr", None), ("", None)],
)
def test_a_language_asked_for_in_words(words: str, lang: str | None) -> None:
    assert lang_named(words) == lang

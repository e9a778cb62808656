"""A team's settings typed in words: what is understood, and a clear refusal for the rest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coaching.team_settings import SettingRefused, describe, parse_change
from coaching_scripts import load_catalog
from reminders.policy import Policy
from storage.teams import TeamSettings

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
BLANK = TeamSettings()


def test_weekly_times_are_normalised_and_move_the_nudges() -> None:
    change = parse_change("plan tuesday 8:30", BLANK)
    assert change.settings.week_plan_at == "Tue 08:30"
    assert change.moves_weekly
    review = parse_change("review Fri 15:00", change.settings)
    assert review.settings.week_plan_at == "Tue 08:30"
    assert review.settings.week_review_at == "Fri 15:00"
    assert parse_change("plan default", review.settings).settings.week_plan_at is None


def test_classes_merge_over_what_the_team_had() -> None:
    first = parse_change("classes A=10, B=30", BLANK).settings
    assert first.class_days == {"A": 10, "B": 30}
    second = parse_change("classes c：60", first).settings  # a full-width colon too
    assert second.class_days == {"A": 10, "B": 30, "C": 60}
    assert parse_change("classes default", second).settings.class_days == {}


def test_holidays_are_added_removed_and_cleared() -> None:
    added = parse_change("holiday 2026-12-31 2026-12-24", BLANK).settings
    assert added.holidays == ("2026-12-24", "2026-12-31")
    removed = parse_change("holiday remove 2026-12-24", added).settings
    assert removed.holidays == ("2026-12-31",)
    assert parse_change("holidays clear", removed).settings.holidays == ()


def test_zone_and_approval() -> None:
    assert parse_change("tz 上海", BLANK).settings.tz == "Asia/Shanghai"
    assert parse_change("approval on", BLANK).settings.approval
    assert not parse_change("approval off", TeamSettings(approval=True)).settings.approval


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ("plan someday", "ts_bad_weekly"),
        ("review Fri 25:00", "ts_bad_weekly"),
        ("classes A=ten", "ts_bad_classes"),
        ("classes A=0", "ts_bad_classes"),
        ("classes A=10 and more", "ts_bad_classes"),
        ("holiday 24 Dec", "ts_bad_date"),
        ("holiday", "ts_bad_date"),
        ("tz Atlantis", "ts_bad_zone"),
        ("approval maybe", "ts_usage"),
        ("colour blue", "ts_usage"),
    ],
)
def test_what_is_not_understood_is_refused_with_its_reason(words: str, reason: str) -> None:
    with pytest.raises(SettingRefused) as refused:
        parse_change(words, BLANK)
    assert refused.value.reason == reason


def test_too_many_holidays_are_refused() -> None:
    many = TeamSettings(
        holidays=tuple(sorted({f"2027-{m:02d}-{d:02d}" for m in range(1, 5) for d in range(1, 26)}))
    )
    with pytest.raises(SettingRefused) as refused:
        parse_change("holiday 2028-01-01", many)
    assert refused.value.reason == "ts_too_many_holidays"


def test_the_description_says_what_the_team_set_and_what_is_the_default() -> None:
    messages = load_catalog().messages
    settings = TeamSettings(
        week_plan_at="Tue 08:30", class_days={"A": 10}, holidays=("2026-11-01", "2026-12-24")
    )
    text = describe("North", settings, Policy(), messages, "en", NOW)
    assert "Weekly plan nudge: Tue 08:30\n" in text
    assert "Weekly review nudge: Fri 16:00 (the default)" in text
    assert "A 10, B 30, C 90" in text
    assert "2026-12-24" in text
    assert "2026-11-01" not in text  # past holidays are not worth reading
    zh = describe("North", settings, Policy(), messages, "zh", NOW)
    assert "周计划提醒：周二 08:30" in zh
    assert "周回顾提醒：周五 16:00（默认）" in zh

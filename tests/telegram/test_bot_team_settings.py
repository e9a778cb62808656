"""/teamsettings end to end: a manager moves the team's weekly nudges, declares a holiday, and
nobody else can change anything."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.telegram.runner import CoachBot
from testkit.fake_telegram import FakeTelegram
from tests.telegram.test_bot_polling import MANAGER, START, running, say, settings_for, text_of
from tests.telegram.test_bot_reminders import Dial

BOSS = int(MANAGER.removeprefix("tg:"))


def week_plans(app: CoachBot, key: str) -> list[datetime]:
    return [
        r.due_at
        for r in app.reminders.listing(user_key=key)
        if r.kind == "week_plan" and r.status == "pending"
    ]


async def test_a_manager_moves_the_weekly_plan_nudge_of_the_team(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    boss, anna = fake.user(BOSS, "Bo"), fake.user(42, "Anna")
    async with running(settings_for(fake, tmp_path), dial, reps=[anna]) as app:
        app.desk.keep_weekly_ahead(dial.now)  # as the ticks do every few minutes
        # Monday 23 Nov 09:00 in Shanghai (the team's and Anna's zone)
        assert week_plans(app, "tg:42") == [datetime(2026, 11, 23, 1, 0, tzinfo=UTC)]

        shown = await say(fake, boss, "/teamsettings")
        assert "Weekly plan nudge: Mon 09:00 (the default)" in text_of(shown)
        changed = await say(fake, boss, "/teamsettings plan Tue 08:30")
        assert "Saved." in text_of(changed)
        assert "Weekly plan nudge: Tue 08:30" in text_of(changed)
        assert week_plans(app, "tg:42") == [datetime(2026, 11, 24, 0, 30, tzinfo=UTC)]

        holiday = await say(fake, boss, "/teamsettings holiday 2026-11-24")
        assert "Holidays (no nudges): 2026-11-24" in text_of(holiday)
        dial.now = datetime(2026, 11, 24, 0, 31, tzinfo=UTC)  # Tuesday 08:31: a team holiday
        before = len(fake.messages_to(42))
        await app.remind()
        await app.sender.idle()
        assert len(fake.messages_to(42)) == before  # held for the holiday

        unclear = await say(fake, boss, "/teamsettings plan someday")
        assert "Tue 08:30" in text_of(unclear)  # how to write it
        assert week_plans(app, "tg:42")  # nothing lost

        refused = await say(fake, anna, "/teamsettings plan Wed 10:00")
        assert "Only a team’s manager" in text_of(refused)
        team = app.teams.find("Test team")
        assert team is not None
        assert team.settings.week_plan_at == "Tue 08:30"


async def test_teamsettings_in_chinese(fake_api: FakeTelegram, tmp_path: Path) -> None:
    fake = fake_api
    boss = fake.user(BOSS, "薄", language_code="zh-hans")
    anna = fake.user(42, "Anna")
    async with running(settings_for(fake, tmp_path), reps=[anna]) as app:
        app.store.set_language(MANAGER, "zh")
        shown = await say(fake, boss, "/teamsettings classes A=7")
        assert "已保存" in text_of(shown)
        assert "A 7, B 30, C 90" in text_of(shown)
        bad = await say(fake, boss, "/teamsettings holiday 圣诞节")
        assert "无法把“圣诞节”识别为日期" in text_of(bad)

"""The weekly digest end to end: the real bot against the fake Bot API, on an injected clock.

A manager gets the chart as a photo with the headline figures, then the per-rep detail, at
their own weekday and hour, once; ``/digest`` gives it on demand and sets its schedule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.digests import Digests
from storage.teams import ManagerPrefs
from testkit.fake_telegram import FakeTelegram, Message
from tests.telegram.test_bot_polling import MANAGER, START, WAIT, running, say, settings_for
from tests.telegram.test_bot_reminders import Dial, debrief

BOSS = int(MANAGER.removeprefix("tg:"))
MONDAY_8 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai (the bot's zone)
PNG = b"\x89PNG\r\n\x1a\n"


def photo_bytes(fake: FakeTelegram, message: Message) -> bytes:
    sizes = message.media.get("photo") or []
    assert sizes, f"not a photo: {message}"
    data = fake.files[sizes[-1]["file_id"]].data
    assert data is not None
    return data


async def test_the_digest_comes_at_the_managers_hour_once_with_its_chart(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    fake.user(BOSS, "Bo")
    anna = fake.user(42, "Anna")
    async with running(settings_for(fake, tmp_path), dial, reps=[anna]) as app:
        await debrief(fake, anna)
        await app.sender.idle()
        before = len(fake.messages_to(BOSS))

        dial.now = MONDAY_8 - timedelta(minutes=1)
        await app.digests.tick()
        await app.sender.idle()
        assert len(fake.messages_to(BOSS)) == before  # not yet
        dial.now = MONDAY_8
        await app.digests.tick()  # (or the bot's own tick, whichever comes first)
        await app.sender.idle()
        sent = fake.messages_to(BOSS)[before:]
        photo, *details = sent
        assert photo.kind == "photo"
        assert photo_bytes(fake, photo).startswith(PNG)
        assert photo.caption is not None
        assert "2026-W47" in photo.caption
        assert details, "the per-rep detail follows the chart"
        assert any("Anna" in (m.text or "") for m in details)

        dial.now = MONDAY_8 + timedelta(hours=3)
        await app.digests.tick()
        await app.sender.idle()
        team = app.teams.find("Test team")
        assert team is not None
        manager_id = app.teams.scope(MANAGER).manager_id
        assert Digests(app.store.engine).status((team.id, manager_id, "2026-W47")) == "sent"
        assert len(fake.messages_to(BOSS)) == before + len(sent)


async def test_a_digest_due_while_the_bot_was_down_comes_when_it_is_back(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(MONDAY_8 + timedelta(hours=30))  # Tuesday: it was down Monday
    fake.user(BOSS, "Bo")
    anna = fake.user(42, "Anna")
    settings = settings_for(fake, tmp_path)
    async with running(settings, dial, reps=[anna]) as app:
        # the manager joined on the Sunday before: Monday's digest is theirs
        await app.digests.tick()
        await app.sender.idle()
        photos = [m for m in fake.messages_to(BOSS) if m.kind == "photo"]
        assert len(photos) == 1
        assert "2026-W47" in (photos[0].caption or "")
        count = len(fake.messages_to(BOSS))
    async with running(settings, dial, reps=[anna]) as app:  # restarted: not again
        await app.digests.tick()
        await app.sender.idle()
        assert len(fake.messages_to(BOSS)) == count


async def test_digest_on_demand_and_its_schedule(fake_api: FakeTelegram, tmp_path: Path) -> None:
    fake, dial = fake_api, Dial(MONDAY_8 + timedelta(hours=2))
    boss, anna = fake.user(BOSS, "Bo"), fake.user(42, "Anna")
    async with running(settings_for(fake, tmp_path), dial, reps=[anna]) as app:
        before = len(fake.messages_to(BOSS))
        fake.send_text(boss, "/digest")
        await fake.wait_for_messages(BOSS, before + 2, timeout=WAIT)
        photo = fake.messages_to(BOSS)[before]
        assert photo.kind == "photo"
        assert "2026-W47" in (photo.caption or "")

        changed = await say(fake, boss, "/digest at Fri 16:30")
        assert "every Friday at 16:30" in (changed.text or "")
        team = app.teams.find("Test team")
        assert team is not None
        prefs = app.teams.scope(MANAGER).prefs(team.id)
        assert (prefs.digest_day, prefs.digest_at) == (4, "16:30")

        unclear = await say(fake, boss, "/digest at someday")
        assert "Fri 16:00" in (unclear.text or "")
        assert app.teams.scope(MANAGER).prefs(team.id) == prefs  # unchanged
        bad_week = await say(fake, boss, "/digest 2031-W02")
        assert "2026-W47" in (bad_week.text or "")  # the usage shows how to write a week

        refused = await say(fake, anna, "/digest")
        assert "for team managers" in (refused.text or "")


async def test_a_chinese_manager_reads_the_digest_in_chinese(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    fake.user(BOSS, "薄", language_code="zh-hans")
    anna = fake.user(42, "Anna")
    async with running(settings_for(fake, tmp_path), dial, reps=[anna]) as app:
        app.store.set_language(MANAGER, "zh")
        team = app.teams.find("Test team")
        assert team is not None
        scope = app.teams.scope(MANAGER)
        scope.set_prefs(team.id, ManagerPrefs(digest_day=0, digest_at="09:00"), now=START)
        before = len(fake.messages_to(BOSS))
        dial.now = MONDAY_8 + timedelta(hours=1)
        await app.digests.tick()
        await app.sender.idle()
        photo = fake.messages_to(BOSS)[before]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in photo.caption or "")


async def test_a_managers_help_lists_the_team_commands(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    boss, anna = fake.user(BOSS, "Bo"), fake.user(42, "Anna")
    async with running(settings_for(fake, tmp_path), reps=[anna]):
        before = len(fake.messages_to(BOSS))
        fake.send_text(boss, "/help")
        await fake.wait_for_messages(BOSS, before + 2, timeout=WAIT)
        managers, coach = fake.messages_to(BOSS)[before : before + 2]
        assert "For you as a manager" in (managers.text or "")
        assert "/digest" in (managers.text or "")
        assert "/teamsettings" in (managers.text or "")
        assert "/back" in (coach.text or "")  # the coach's own help still comes
        rep_help = await say(fake, anna, "/help")
        assert "/back" in (rep_help.text or "")
        assert not any("For you as a manager" in (m.text or "") for m in fake.messages_to(42))

"""Reminders end to end: the real bot, its scheduler tick, the fake Telegram and a rep's taps.

The bot's clock is a dial the test turns (no sleeping for time to pass): a follow-up named in a
debrief comes at its local time, once; its buttons snooze it, finish it or start the debrief.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from config import Settings
from testkit.fake_telegram import FakeTelegram, Message, User
from tests.telegram.test_bot_polling import (
    GOLDEN_INPUTS,
    WAIT,
    running,
    say,
    settings_for,
    text_of,
)

START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # Sunday 10:00 in Shanghai
FOLLOW_UP = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # "1 Dec 9:30" in Shanghai


class Dial:
    """The bot's clock: stands still until the test turns it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def reminder_settings(fake: FakeTelegram, tmp_path: Path) -> Settings:
    return settings_for(fake, tmp_path, COACHBOT_REMINDER_TICK="0.05")


async def debrief(fake: FakeTelegram, rep: User, name: str = "debrief.short.en.txt") -> None:
    lines = (GOLDEN_INPUTS / name).read_text(encoding="utf-8").splitlines()
    for line in ["/debrief", *lines]:
        await say(fake, rep, line)


async def next_message(fake: FakeTelegram, rep: User, before: int) -> Message:
    await fake.wait_for_messages(rep.id, before + 1, timeout=WAIT)
    return fake.messages_to(rep.id)[-1]


async def followups(fake: FakeTelegram, rep: User) -> Message:
    """/followups with one open reminder: the title, then the reminder with its buttons."""
    before = len(fake.messages_to(rep.id))
    fake.send_text(rep, "/followups")
    await fake.wait_for_messages(rep.id, before + 2, timeout=WAIT)
    return fake.messages_to(rep.id)[-1]


async def tap(fake: FakeTelegram, rep: User, message: Message, label: str) -> None:
    edits = len(fake.calls("editMessageText", chat_id=rep.id))
    fake.tap(rep, message, label=label)
    await fake.wait_for_call("editMessageText", count=edits + 1, chat_id=rep.id, timeout=WAIT)


async def test_a_follow_up_comes_on_time_once_and_its_buttons_work(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    anna = fake.user(42, language_code="en")
    async with running(reminder_settings(fake, tmp_path), dial, reps=[anna]) as app:
        await debrief(fake, anna)
        before = len(fake.messages_to(42))
        dial.now = FOLLOW_UP - timedelta(minutes=1)
        await app.remind()
        assert len(fake.messages_to(42)) == before  # not yet

        dial.now = FOLLOW_UP
        reminder = await next_message(fake, anna, before)
        assert "Follow-up" in text_of(reminder)
        assert "Call her on the 1st" in text_of(reminder)
        assert "Tue 1 Dec, 09:30" in text_of(reminder)  # the rep's own local time
        assert reminder.labels == ["✓ Done", "⏰ Snooze", "✕ Cancel"]
        await app.remind()
        await app.remind()
        assert len(fake.messages_to(42)) == before + 1  # once

        await tap(fake, anna, reminder, "⏰ Snooze")
        assert reminder.labels[:3] == ["In 1 hour", "Tomorrow morning", "Next week"]
        await tap(fake, anna, reminder, "In 1 hour")
        assert "remind you again Tue 1 Dec, 10:30" in text_of(reminder)
        assert reminder.keyboard == []

        dial.now = FOLLOW_UP + timedelta(hours=1)
        again = await next_message(fake, anna, before + 1)
        assert "Call her on the 1st" in text_of(again)
        await tap(fake, anna, again, "✓ Done")
        assert text_of(again).startswith("✓ Done")

        listing = await say(fake, anna, "/followups")
        assert "no open follow-ups" in text_of(listing)


async def test_a_button_of_a_reminder_already_done_changes_nothing(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    anna = fake.user(42, language_code="en")
    async with running(reminder_settings(fake, tmp_path), dial, reps=[anna]) as app:
        await debrief(fake, anna)
        before = len(fake.messages_to(42))
        dial.now = FOLLOW_UP
        first = await next_message(fake, anna, before)
        copy = await followups(fake, anna)  # the same reminder again, with its own buttons
        assert "Call her on the 1st" in text_of(copy)
        await tap(fake, anna, copy, "✓ Done")
        await tap(fake, anna, first, "⏰ Snooze")  # the first message still shows its buttons
        assert "no longer open" in text_of(first)
        assert first.keyboard == []
        [done] = app.reminders.listing(user_key="tg:42", statuses=("done",))
        assert done.snoozes == 0
        assert done.closed_at == FOLLOW_UP


async def test_another_time_in_words_by_replying(fake_api: FakeTelegram, tmp_path: Path) -> None:
    fake, dial = fake_api, Dial(START)
    chen = fake.user(43, "陈", language_code="zh-hans")
    async with running(reminder_settings(fake, tmp_path), dial, reps=[chen]) as app:
        await debrief(fake, chen, "debrief.short.zh.txt")
        before = len(fake.messages_to(43))
        answers = app.store.answers("tg:43")
        due = datetime.fromisoformat(answers["next_date"]["at"])
        dial.now = due
        # the follow-up (a weekly-plan nudge from the first tick may come before it)
        reminder = await fake.wait_for(
            lambda: next(
                (m for m in fake.messages_to(43)[before:] if "跟进提醒" in (m.text or "")), None
            ),
            WAIT,
        )
        await tap(fake, chen, reminder, "⏰ 稍后提醒")
        before = len(fake.messages_to(43))
        fake.tap(chen, reminder, label="其他时间……")
        question = await next_message(fake, chen, before)
        assert "什么时候再提醒你" in text_of(question)
        fake.send_text(chen, "明天下午3点", reply_to=question)
        answer = await next_message(fake, chen, before + 1)
        assert "我会在" in text_of(answer)
        assert "15:00" in text_of(answer)
        assert app.store.conversation("tg:43").active is None  # not taken as a dialog answer


async def test_tz_settings_and_pause(fake_api: FakeTelegram, tmp_path: Path) -> None:
    fake, dial = fake_api, Dial(START)
    anna = fake.user(42, language_code="en")
    async with running(reminder_settings(fake, tmp_path), dial, reps=[anna]) as app:
        assert "Berlin" in text_of(await say(fake, anna, "/tz Berlin"))
        assert app.store.user("tg:42").tz == "Europe/Berlin"  # type: ignore[union-attr]
        assert "don't know" in text_of(await say(fake, anna, "/tz Atlantis"))
        settings = await say(fake, anna, "/settings")
        assert "✅ Weekly plan (Mon 09:00): on" in settings.labels
        await tap(fake, anna, settings, "✅ Weekly plan (Mon 09:00): on")
        assert "⬜ Weekly plan (Mon 09:00): off" in settings.labels
        assert "✅ Weekly review (Fri 16:00): on" in settings.labels
        paused = await say(fake, anna, "/pause until next Monday")
        assert "Paused until Mon 23 Nov" in text_of(paused)  # "next Monday" said on a Sunday
        assert "Welcome back" in text_of(await say(fake, anna, "/pause off"))

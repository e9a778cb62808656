"""A rep's words leave the bot with /deleteme, end to end: debriefed in Telegram, summarised to
the manager, then deleted — and found in no file of the database. Delivered messages leave the
outbox after the retention period, by the bot's own hourly job (the clock is the test's)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.telegram.runner import MARK_SENT_EVERY
from storage.schema import outbox_table
from testkit.fake_telegram import FakeTelegram
from tests.storage.test_forgotten import found_in_files, found_in_tables
from tests.telegram.test_bot_manage import ANNA, BOSS, START, arrives, seed
from tests.telegram.test_bot_polling import WAIT, running, say, text_of
from tests.telegram.test_bot_reminders import Dial, reminder_settings

MARKER = "Yh5kTelegramMarkerPp2"
"""Typed only by Anna: her customer's name and an answer."""
LINES = (
    (Path(__file__).resolve().parent.parent / "golden" / "inputs" / "debrief.short.en.txt")
    .read_text(encoding="utf-8")
    .splitlines()
)


async def test_deleteme_leaves_nothing_of_the_reps_words_in_the_database_files(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    boss, anna = fake.user(BOSS, "Boss", language_code="en"), fake.user(ANNA, "Anna")
    settings = reminder_settings(fake, tmp_path)
    async with running(settings, dial) as app:
        seed(app, BOSS, [ANNA], "Alpha")
        lines = list(LINES)
        lines[lines.index("Baker & Sons")] = f"Baker {MARKER}"  # the customer
        why = lines.index("no") + 1  # the answer after "goal reached? no": the buyer's why
        lines[why] = f"She said {MARKER} twice."
        for line in ["/debrief", *lines]:
            await say(fake, anna, line)
        summary = await arrives(fake, boss, 0)
        assert MARKER in text_of(summary)  # the manager's copy
        assert found_in_files(settings.database_url, MARKER)

        asked = await say(fake, anna, "/deleteme")
        assert "cannot be undone" in text_of(asked)
        before = len(fake.messages_to(ANNA))
        fake.tap(anna, asked, label="Yes, delete everything")
        done = await arrives(fake, anna, before)
        assert "everything I kept about you is deleted" in text_of(done)

        assert found_in_tables(app.store.engine, MARKER) == []
        assert found_in_files(settings.database_url, MARKER) == []


async def test_the_bot_purges_delivered_messages_after_the_retention_period(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial = fake_api, Dial(START)
    anna = fake.user(ANNA, "Anna")
    settings = reminder_settings(fake, tmp_path)
    assert settings.outbox_retention_days == 3
    async with running(settings, dial, reps=[anna]) as app:
        await say(fake, anna, "/debrief")
        await say(fake, anna, "4")
        engine = app.store.engine

        def sent(done: bool = True) -> int:
            o = outbox_table
            sent_at = o.c.sent_at.is_not(None) if done else o.c.sent_at.is_(None)
            query = sa.select(sa.func.count()).where(sent_at)
            with engine.connect() as conn:
                return int(conn.execute(query).scalar_one())

        for _ in range(int(WAIT / MARK_SENT_EVERY)):  # the bot records deliveries in batches
            if sent() >= 2 and sent(done=False) == 0:  # all of both turns' replies
                break
            await asyncio.sleep(MARK_SENT_EVERY)
        kept = sent()
        dial.now = START + timedelta(days=2, hours=23)
        assert await app.purge_outbox() == 0  # not yet three days
        dial.now = START + timedelta(days=3, minutes=1)
        assert await app.purge_outbox() == kept
        assert sent() == 0
        assert app.scheduler.get_job("outbox-retention") is not None  # the bot runs it itself

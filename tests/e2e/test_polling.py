"""The real bot (aiogram, HTTP) by long polling against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.telegram.runner import CoachBot, run
from config import Settings, load_settings
from tests.e2e.fake_bot_api import ChatMessage, FakeTelegram, Rep

START = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def settings_for(fake: FakeTelegram, tmp_path: Path, **extra: str) -> Settings:
    return load_settings(
        {
            "COACHBOT_TELEGRAM_TOKEN": fake.token,
            "COACHBOT_TELEGRAM_API_URL": fake.url,
            "COACHBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "COACHBOT_TIMEZONE": "Asia/Shanghai",
            "COACHBOT_SEND_RATE": "0",
            "COACHBOT_SEND_CHAT_RATE": "0",
            **extra,
        },
        env_file=None,
    )


def ticking() -> Callable[[], datetime]:
    moments = (START + timedelta(minutes=n) for n in range(10**6))
    return lambda: next(moments)


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[CoachBot]:
    loop = asyncio.get_running_loop()
    started: asyncio.Future[CoachBot] = loop.create_future()
    task = asyncio.create_task(
        run(settings, clock=ticking(), install_signals=False, ready=started.set_result)
    )
    done, _ = await asyncio.wait({task, started}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        task.result()
    app = started.result()
    try:
        yield app
    finally:
        app.stopping.set()
        await asyncio.wait_for(task, 30)


async def say(fake: FakeTelegram, rep: Rep, text: str) -> ChatMessage:
    before = len(fake.messages_to(rep.id))
    fake.send_text(rep, text)
    await fake.wait_for_messages(rep.id, before + 1)
    return fake.messages_to(rep.id)[-1]


async def test_a_debrief_by_long_polling(fake: FakeTelegram, tmp_path: Path) -> None:
    rep = fake.rep(42)
    async with running(settings_for(fake, tmp_path)):
        question = await say(fake, rep, "/debrief")
        assert "How do you feel about this visit" in question.text
        assert [b["text"] for b in question.buttons()] == ["1", "2", "3", "4", "5"]
        before = len(fake.messages_to(42))
        fake.tap(rep, question, "4")
        await fake.wait_for_messages(42, before + 1)
        await fake.wait_until(lambda: "✓ 4" in fake.messages_to(42)[before - 1].text)
        assert fake.messages_to(42)[before - 1].keyboard == []
        assert "In a few words" in fake.messages_to(42)[-1].text

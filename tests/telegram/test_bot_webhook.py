"""The bot in webhook mode: Telegram (the fake) posts updates; the 200 waits for the commit."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from testkit.fake_telegram import FakeTelegram
from tests.telegram.test_bot_polling import (
    GOLDEN_INPUTS,
    converse,
    finished_runs,
    running,
    say,
    settings_for,
    text_of,
)

SECRET = "s3cret-Token_42"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(port: int) -> dict[str, str]:
    return {
        "COACHBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/tg/hook",
        "COACHBOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "COACHBOT_WEBHOOK_SECRET": SECRET,
    }


async def test_whole_debriefs_by_webhook_in_english_and_chinese(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    port = free_port()
    settings = settings_for(fake, tmp_path, **webhook_settings(port))
    anna = fake.user(42, language_code="en")
    chen = fake.user(43, "陈", language_code="zh-hans")
    english = (GOLDEN_INPUTS / "debrief.en.txt").read_text(encoding="utf-8").splitlines()
    chinese = (GOLDEN_INPUTS / "debrief.zh.txt").read_text(encoding="utf-8").splitlines()
    async with running(settings, reps=[anna, chen]) as app:
        assert fake.webhook_url == f"http://127.0.0.1:{port}/tg/hook"
        await asyncio.gather(
            converse(fake, anna, ["/debrief", *english]),
            converse(fake, chen, ["/debrief", *chinese]),
        )
        english_texts = [text_of(message) for message in fake.messages_to(42)]
        chinese_texts = [text_of(message) for message in fake.messages_to(43)]
        assert any("Your debrief: Huaxin Logistics" in text for text in english_texts)
        assert any("拜访复盘：鼎盛建材" in text for text in chinese_texts)
        # on into the practice, which starts by recalling the moment of the debriefed objection
        assert "回想客户说" in chinese_texts[-1]
        assert finished_runs(app, "tg:42") == ["debrief"]
        assert finished_runs(app, "tg:43") == ["debrief"]
    assert [call.params.get("secret_token") for call in fake.calls("setWebhook")] == [SECRET]
    assert fake.webhook_deliveries
    assert all(d.status == 200 and d.secret_token == SECRET for d in fake.webhook_deliveries)


async def test_a_wrong_or_missing_secret_gets_401_and_changes_nothing(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    port = free_port()
    settings = settings_for(fake, tmp_path, **webhook_settings(port))
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "Mallory"},
            "text": "/debrief",
        },
    }
    async with running(settings) as app, aiohttp.ClientSession() as client:
        url = f"http://127.0.0.1:{port}/tg/hook"
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
            async with client.post(url, json=update, headers=headers) as response:
                assert response.status == 401
        assert app.store.user("tg:42") is None
        assert fake.messages_to(42) == []


async def test_a_redelivered_webhook_update_is_answered_once(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    port = free_port()
    settings = settings_for(fake, tmp_path, **webhook_settings(port))
    anna = fake.user(42)
    async with running(settings, reps=[anna]) as app:
        update = fake.send_text(anna, "/debrief")
        await fake.wait_for_messages(42, 1)
        fake.redeliver(update)
        await say(fake, anna, "4")
        assert len(fake.messages_to(42)) == 2
        assert [d.status for d in fake.webhook_deliveries] == [200, 200, 200]
        assert len(app.store.inbox("tg:42")) == 2

"""The bot in webhook mode: Telegram (the fake) posts updates; the 200 waits for the commit."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp

from tests.e2e.fake_bot_api import FakeTelegram, Rep
from tests.e2e.test_polling import GOLDEN_INPUTS, finished_runs, running, say, settings_for

SECRET = "s3cret-Token_42"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def webhook_settings(fake: FakeTelegram, tmp_path: Path, port: int) -> dict[str, str]:
    return {
        "COACHBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}/tg/hook",
        "COACHBOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
        "COACHBOT_WEBHOOK_SECRET": SECRET,
    }


async def test_a_whole_debrief_by_webhook_in_chinese(fake: FakeTelegram, tmp_path: Path) -> None:
    port = free_port()
    settings = settings_for(fake, tmp_path, **webhook_settings(fake, tmp_path, port))
    rep: Rep = fake.rep(43, "zh-hans", "陈")
    lines = (GOLDEN_INPUTS / "debrief.zh.txt").read_text(encoding="utf-8").splitlines()
    async with running(settings) as app:
        assert fake.webhook == {"url": f"http://127.0.0.1:{port}/tg/hook", "secret": SECRET}
        for line in ["/debrief", *lines]:
            await say(fake, rep, line)
        texts = [message.text for message in fake.messages_to(43)]
        assert any("拜访复盘：鼎盛建材" in text for text in texts)
        assert "这里面哪一点对你自己的拜访影响最大" in texts[-1]  # on into the role-play
        assert finished_runs(app, "tg:43") == ["debrief"]
    assert all(status == 200 for _, status in fake.webhook_deliveries)


async def test_a_wrong_or_missing_secret_gets_401_and_changes_nothing(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    settings = settings_for(fake, tmp_path, **webhook_settings(fake, tmp_path, port))
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
    fake: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    settings = settings_for(fake, tmp_path, **webhook_settings(fake, tmp_path, port))
    rep = fake.rep(42)
    async with running(settings) as app:
        update = fake.send_text(rep, "/debrief")
        await fake.wait_for_messages(42, 1)
        fake.redeliver(update)
        await say(fake, rep, "4")
        assert len(fake.messages_to(42)) == 2
        assert [status for _, status in fake.webhook_deliveries] == [200, 200, 200]
        assert len(app.store.inbox("tg:42")) == 2

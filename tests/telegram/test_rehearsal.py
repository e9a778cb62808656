"""The compose file's local try (tests/telegram/rehearsal.py) passes against a real bot in
webhook mode configured as deploy/try.env configures the workers (an admin rep, no team)."""

from __future__ import annotations

from pathlib import Path

from testkit.fake_telegram import FakeTelegram
from tests.telegram.rehearsal import REP_ID, rehearse
from tests.telegram.test_bot_polling import running, settings_for
from tests.telegram.test_bot_webhook import free_port, webhook_settings


async def test_the_rehearsal_debriefs_through_the_webhook(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    settings = settings_for(
        fake_api, tmp_path, COACHBOT_ADMIN_IDS=str(REP_ID), **webhook_settings(port)
    )
    rep = fake_api.user(REP_ID, "Rehearsal", language_code="en")
    said: list[str] = []
    async with running(settings):
        assert await rehearse(fake_api, rep, say=said.append, webhook_wait=5)
    assert said[0] == f"bot registered its webhook: http://127.0.0.1:{port}/tg/hook"
    assert "bot> " in said[-1]

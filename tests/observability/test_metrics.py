"""/metrics of a real bot (webhook mode) after a debrief through the fake Telegram: what an
operator's dashboard shows moves as reps talk, updates come again, Telegram says 429, a reply
cannot be delivered and a reminder comes late."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import aiohttp

from testkit.fake_telegram import FakeTelegram
from tests.observability.conftest import Scrape, scrape
from tests.telegram.test_bot_polling import GOLDEN_INPUTS, WAIT, running, say, settings_for
from tests.telegram.test_bot_reminders import START, Dial
from tests.telegram.test_bot_webhook import free_port, webhook_settings

DEBRIEF = ["/debrief", *(GOLDEN_INPUTS / "debrief.short.en.txt").read_text().splitlines()]


async def eventually(
    client: aiohttp.ClientSession, url: str, condition: Callable[[Scrape], bool]
) -> Scrape:
    """Scrape until ``condition`` holds (the bot marks deliveries in batches), WAIT at most."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        page = await scrape(client, url)
        if condition(page) or loop.time() > deadline:
            return page
        await asyncio.sleep(0.02)


async def test_metrics_follow_a_debrief_a_redelivery_a_429_an_undelivered_reply_and_a_reminder(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake, dial, port = fake_api, Dial(START), free_port()
    settings = settings_for(
        fake, tmp_path, COACHBOT_REMINDER_TICK="300", **webhook_settings(port)
    )  # the scheduler looks once, at start: the test claims reminders itself
    anna = fake.user(42, language_code="en")
    url = f"http://127.0.0.1:{port}/metrics"
    async with running(settings, dial, reps=[anna]) as app, aiohttp.ClientSession() as client:
        idle = await scrape(client, url)
        assert idle["coachbot_turns_total"] == 0
        assert idle["coachbot_dialogs_active"] == 0
        assert idle["coachbot_database_up"] == 1

        await say(fake, anna, DEBRIEF[0])
        assert (await scrape(client, url))["coachbot_dialogs_active"] == 1
        for line in DEBRIEF[1:]:
            await say(fake, anna, line)
        page = await eventually(client, url, lambda p: p["coachbot_outbox_depth"] == 0)
        turns = len(DEBRIEF)
        assert page["coachbot_turns_total"] == turns
        assert page["coachbot_turn_duration_seconds_count"] == turns
        assert page["coachbot_turn_duration_seconds_sum"] > 0
        assert page.bucket("coachbot_turn_duration_seconds", "+Inf") == turns
        assert page.value("coachbot_updates_total", kind="message", outcome="ok") == turns
        assert page.value("coachbot_update_duration_seconds_count", kind="message") == turns
        assert page["coachbot_telegram_sent_total"] >= turns
        assert page["coachbot_outbox_depth"] == 0
        assert page["coachbot_updates_deduplicated_total"] == 0

        # Telegram delivers the last update again: recognised, not answered twice.
        delivered = len(fake.webhook_deliveries)
        fake.redeliver(fake.updates[-1]["update_id"])
        await fake.wait_for(lambda: len(fake.webhook_deliveries) > delivered, WAIT)
        page = await scrape(client, url)
        assert page["coachbot_updates_deduplicated_total"] == 1
        assert page.value("coachbot_updates_total", kind="message", outcome="duplicate") == 1
        assert page["coachbot_turns_total"] == turns

        # Posts to the webhook by status: Telegram's, and one without the secret.
        async with client.post(
            f"http://127.0.0.1:{port}/tg/hook", json={"update_id": 1}
        ) as refused:
            assert refused.status == 401
        page = await scrape(client, url)
        assert page.value("coachbot_webhook_requests_total", status="401") == 1
        assert page.value("coachbot_webhook_requests_total", status="200") == len(
            fake.webhook_deliveries
        )

        # A 429: waited out and counted.
        fake.fail_next("sendMessage", 429, retry_after=1, chat_id=42)  # the least it says
        await say(fake, anna, "/help")
        assert (await scrape(client, url))["coachbot_telegram_rate_limited_total"] == 1

        # A reply Telegram refuses stays in the outbox: depth 1, as old as the clock says.
        fake.fail_next("sendMessage", 400, "Bad Request: message is too long", chat_id=42)
        fake.send_text(anna, "/help")
        page = await eventually(
            client,
            url,
            lambda p: p["coachbot_telegram_failed_total"] == 1 and p["coachbot_outbox_depth"] == 1,
        )
        assert page["coachbot_telegram_failed_total"] == 1
        assert page["coachbot_outbox_depth"] == 1
        dial.now = START + timedelta(minutes=10)
        assert (await scrape(client, url))["coachbot_outbox_oldest_age_seconds"] == 600

        # The first reminder due (Monday's weekly plan), claimed 90 s late: due and late, then
        # sent, its lag in the histogram.
        await app.remind()  # plans the debrief's follow-up and the weekly nudges
        first = min(r.due_at for r in app.reminders.listing(statuses=("pending",), limit=100))
        dial.now = first + timedelta(seconds=90)
        assert len(app.reminders.listing(statuses=("pending",), due_before=dial.now)) == 1
        page = await scrape(client, url)
        assert page["coachbot_reminders_due"] == 1
        assert page["coachbot_reminders_late"] == 1
        assert page["coachbot_reminders_sent_total"] == 0
        assert await app.remind() == 1
        page = await scrape(client, url)
        assert page["coachbot_reminders_due"] == 0
        assert page["coachbot_reminders_sent_total"] == 1
        assert page["coachbot_reminder_lag_seconds_count"] == 1
        assert page["coachbot_reminder_lag_seconds_sum"] == 90
        assert page.bucket("coachbot_reminder_lag_seconds", "60.0") == 0
        assert page.bucket("coachbot_reminder_lag_seconds", "120.0") == 1

"""Two bot processes' senders sharing Telegram's limits through shared buckets (in PostgreSQL in
production: ``storage.send_slots``; here the same token buckets in memory), on fake time."""

from __future__ import annotations

import asyncio

from aiogram.methods import SendMessage

from bot.telegram.sender import Sender, TokenBucket
from tests.telegram_sender.test_sender import FakeBot, FakeClock, now, virtual_time


class SharedBuckets:
    """What ``SendSlots`` does, in memory: one bucket per key, whoever asks."""

    def __init__(self) -> None:
        self.buckets: dict[int, TokenBucket] = {}

    async def reserve(self, key: int, rate: float, burst: float) -> float:
        bucket = self.buckets.setdefault(key, TokenBucket(rate, burst))
        return bucket.reserve(now())

    async def hold(self, key: int, seconds: float, rate: float, burst: float) -> None:
        self.buckets.setdefault(key, TokenBucket(rate, burst)).hold(now() + seconds)


def worker(bot: FakeBot, shared: SharedBuckets) -> Sender:
    clock = FakeClock()
    return Sender(bot, global_rate=30, chat_rate=1, clock=clock, sleep=clock.sleep, shared=shared)


def most_in_a_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


@virtual_time
async def test_two_workers_stay_under_the_overall_limit_together() -> None:
    bot, shared = FakeBot(), SharedBuckets()
    a, b = worker(bot, shared), worker(bot, shared)
    calls = [
        (a if n % 2 else b).submit(1000 + n, SendMessage(chat_id=1000 + n, text=f"m{n}"))
        for n in range(300)
    ]
    await asyncio.gather(*calls)
    assert len(bot.delivered) == 300
    assert most_in_a_second(bot.times()) <= 30  # each alone would allow 30: together too
    assert bot.times()[-1] < 300 / 30 * 1.1  # and the shared rate is nearly all used


@virtual_time
async def test_a_chat_gets_its_burst_then_one_a_second_whichever_worker_sends() -> None:
    bot, shared = FakeBot(), SharedBuckets()
    a, b = worker(bot, shared), worker(bot, shared)
    chat = 42
    first = [a.submit(chat, SendMessage(chat_id=chat, text=f"a{n}")) for n in range(3)]
    await asyncio.gather(*first)
    assert bot.times(chat)[-1] < 0.1  # a turn's three messages at once (the overall pace)
    await b.call(chat, SendMessage(chat_id=chat, text="b0"))
    assert bot.times(chat)[-1] >= 1.0  # the other worker's next one waits for the chat's rate

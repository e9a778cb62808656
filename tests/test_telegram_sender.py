"""The sender keeps Telegram's limits and never loses a message quietly, on a fake clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.methods import SendMessage, TelegramMethod

from bot.telegram.sender import Sender


@dataclass
class FakeTime:
    """A clock whose sleep moves time on at once, so limits are tested without waiting."""

    now: float = 0.0
    horizon: float = 600.0
    """A wait longer than this outlasts the test: it never ends."""

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds > self.horizon:
            await asyncio.Event().wait()
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


@dataclass
class FakeBot:
    time: FakeTime
    script: dict[int, list[Callable[[TelegramMethod[Any]], Exception]]] = field(
        default_factory=dict
    )
    delivered: list[tuple[float, int, str]] = field(default_factory=list)

    async def __call__(self, method: TelegramMethod[Any]) -> Any:
        assert isinstance(method, SendMessage)
        chat = int(method.chat_id)
        failures = self.script.get(chat, [])
        if failures:
            raise failures.pop(0)(method)
        self.delivered.append((self.time.now, chat, method.text))
        return method.text


def message(chat: int, text: str = "hi") -> SendMessage:
    return SendMessage(chat_id=chat, text=text)


def retry_after(seconds: int) -> Callable[[TelegramMethod[Any]], Exception]:
    return lambda method: TelegramRetryAfter(method, "Too Many Requests", seconds)


def blocked(method: TelegramMethod[Any]) -> Exception:
    return TelegramForbiddenError(method, "Forbidden: bot was blocked by the user")


def network(method: TelegramMethod[Any]) -> Exception:
    return TelegramNetworkError(method, "connection reset")


@dataclass
class Rig:
    time: FakeTime
    bot: FakeBot
    sender: Sender
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)


def rig(**limits: Any) -> Rig:
    time = FakeTime()
    bot = FakeBot(time)
    sent: list[int] = []
    failed: list[int] = []
    gone: list[int] = []
    sender = Sender(
        bot,
        on_sent=sent.extend,
        on_failed=failed.extend,
        on_blocked=gone.append,
        clock=time.clock,
        sleep=time.sleep,
        jitter=lambda: 0.5,
        **limits,
    )
    return Rig(time, bot, sender, sent, failed, gone)


async def test_one_chat_keeps_its_order_and_its_pace() -> None:
    r = rig(chat_rate=1.0, chat_burst=3)
    for n in range(5):
        r.sender.submit(7, message(7, f"m{n}"), outbox_ids=[n])
    await r.sender.idle()
    assert [text for _, _, text in r.bot.delivered] == ["m0", "m1", "m2", "m3", "m4"]
    times = [when for when, _, _ in r.bot.delivered]
    assert times[:3] == [0.0, 0.0, 0.0]  # a short burst is fine
    assert times[3] == pytest.approx(1.0)
    assert times[4] == pytest.approx(2.0)  # then one a second
    assert r.sent == [0, 1, 2, 3, 4]


async def test_the_overall_limit_holds_across_chats() -> None:
    r = rig(global_rate=30.0, chat_rate=0)
    for chat in range(31):
        r.sender.submit(chat, message(chat))
    await r.sender.idle()
    times = sorted(when for when, _, _ in r.bot.delivered)
    assert len(times) == 31
    assert times[29] == 0.0
    assert times[30] == pytest.approx(1 / 30)


async def test_a_429_delays_only_its_own_chat_and_the_message_goes_out_once() -> None:
    r = rig(chat_rate=0, global_rate=0)
    r.bot.script[1] = [retry_after(3)]
    slow = r.sender.submit(1, message(1, "after the wait"), outbox_ids=[11])
    fast = r.sender.submit(2, message(2, "right away"), outbox_ids=[22])
    assert await fast == "right away"
    assert await slow == "after the wait"
    assert [chat for _, chat, _ in r.bot.delivered] == [2, 1]  # chat 2 did not wait for chat 1
    assert r.bot.delivered[1][0] == pytest.approx(3.0)
    assert r.sent == [22, 11]
    assert r.sender.stats.rate_limited == 1


async def test_a_rep_who_blocked_the_bot_is_reported_and_their_queue_dropped() -> None:
    r = rig(chat_rate=0)
    r.bot.script[5] = [blocked]
    first = r.sender.submit(5, message(5), outbox_ids=[1])
    second = r.sender.submit(5, message(5), outbox_ids=[2])
    other = r.sender.submit(6, message(6), outbox_ids=[3])
    assert await first is None
    assert await second is None
    assert await other == "hi"
    assert r.blocked == [5]
    assert r.failed == [1, 2]
    assert r.sent == [3]


async def test_network_trouble_is_retried_with_growing_pauses() -> None:
    r = rig(chat_rate=0)
    r.bot.script[3] = [network, network]
    assert await r.sender.call(3, message(3), outbox_ids=[9]) == "hi"
    assert r.time.now == pytest.approx(0.5 + 1.0)  # 0.5 s, then 1 s (jitter fixed at the middle)
    assert r.sent == [9]
    assert r.sender.stats.retries == 2


async def test_endless_network_trouble_is_given_up_loudly(caplog: pytest.LogCaptureFixture) -> None:
    r = rig(chat_rate=0, max_attempts=4)
    r.bot.script[3] = [network] * 10
    with caplog.at_level(logging.ERROR):
        assert await r.sender.call(3, message(3), outbox_ids=[9]) is None
    assert r.failed == [9]
    assert r.sent == []
    assert "gave up sending SendMessage" in caplog.text


async def test_an_unmodified_edit_counts_as_done() -> None:
    r = rig(chat_rate=0)
    r.bot.script[4] = [lambda m: TelegramBadRequest(m, "Bad Request: message is not modified")]
    await r.sender.call(4, message(4), outbox_ids=[1])
    assert r.sent == [1]
    assert r.failed == []


async def test_close_sends_what_it_can_and_reports_the_rest() -> None:
    r = rig(chat_rate=0)
    r.bot.script[8] = [retry_after(3600)]
    stuck = r.sender.submit(8, message(8), outbox_ids=[80])
    queued = r.sender.submit(8, message(8), outbox_ids=[81])
    fine = r.sender.submit(9, message(9), outbox_ids=[90])
    await asyncio.sleep(0)
    await r.sender.close(grace=0.01)
    assert await fine == "hi"
    assert await stuck is None
    assert await queued is None
    assert sorted(r.failed) == [80, 81]
    late = r.sender.submit(9, message(9), outbox_ids=[91])
    assert await late is None  # after close: refused, and reported for the next start
    assert 91 in r.failed


async def test_a_failing_callback_does_not_stop_the_sender() -> None:
    time = FakeTime()
    bot = FakeBot(time)

    def broken(ids: Any) -> None:
        raise RuntimeError("database is locked")

    sender = Sender(bot, on_sent=broken, chat_rate=0, clock=time.clock, sleep=time.sleep)
    assert await sender.call(1, message(1), outbox_ids=[1]) == "hi"
    assert await sender.call(1, message(1, "again"), outbox_ids=[2]) == "again"

"""Bulk calls (a scheduler's nudges) take only the overall slots interactive calls leave —
on the same fake time as test_sender: no real waiting, however many virtual minutes pass."""

from __future__ import annotations

import asyncio
import logging
import math

import pytest
from aiogram.methods import SetMyCommands

from bot.telegram.sender import GlobalGate, TokenBucket
from tests.telegram_sender.test_sender import (
    FakeClock,
    bad_request,
    blocked,
    message,
    now,
    retry_after,
    rig,
    virtual_time,
)

RATE = 30
SLOT = 1 / RATE
EPSILON = 1e-9


def most_in_any_second(times: list[float]) -> int:
    """The most calls made in any window [t, t + 1) starting at a call."""
    times = sorted(times)
    most, first = 0, 0
    for last, when in enumerate(times):
        while times[first] <= when - 1 + EPSILON:
            first += 1
        most = max(most, last - first + 1)
    return most


def sender_tasks() -> list[asyncio.Task[object]]:
    return [
        task for task in asyncio.all_tasks() if task.get_name().startswith(("send:", "sender-gate"))
    ]


@virtual_time
async def test_a_reply_overtakes_thousands_of_queued_nudges_within_one_slot() -> None:
    r = rig(global_rate=RATE, chat_rate=1.0, chat_burst=3)
    chats = range(1, 3001)
    for chat in chats:
        r.sender.submit(chat, message(chat, "nudge"), outbox_ids=[chat], bulk=True)
    assert r.sender.bulk_backlog == 3000
    asked: list[float] = []
    for n, at in enumerate([10.0, 10.05, 33.3333, 50.0, 77.777, 77.9]):  # on and off slots
        await asyncio.sleep(at - now())
        assert r.sender.bulk_backlog == 3000 - r.sender.stats.bulk_sent > 0
        asked.append(now())
        r.sender.submit(-n, message(-n, "reply"), outbox_ids=[-n])
    await r.sender.idle()

    replies = [when for when, chat, _ in r.bot.delivered if chat is not None and chat <= 0]
    assert len(replies) == len(asked)
    for sent_at, asked_at in zip(replies, asked, strict=True):
        assert asked_at <= sent_at <= asked_at + SLOT + EPSILON
    nudges = [when for when, chat, _ in r.bot.delivered if chat is not None and chat > 0]
    assert len(nudges) == 3000
    assert sorted(r.sent) == sorted([*chats, *(-n for n in range(len(asked)))])
    assert r.failed == []
    assert r.sender.stats.sent == 3006
    assert r.sender.stats.bulk_sent == 3000
    assert r.sender.bulk_backlog == 0

    # Together never more than the overall rate in any second...
    assert most_in_any_second(r.bot.times()) <= RATE

    # ...and the nudges use every slot the replies leave: each whole second of the run is
    # full, and over the run the nudges alone keep at least 95 % of the rate.
    def second(when: float) -> int:
        return math.floor(when + 1e-6)  # a slot at 0.99999999 (float sums) is the one at 1

    end = second(max(nudges))
    for s in range(end):
        in_second = [t for t in r.bot.times() if second(t) == s]
        assert len(in_second) == RATE
        assert sum(second(t) == s for t in nudges) == RATE - sum(second(t) == s for t in replies)
    assert len(nudges) / max(nudges) >= 0.95 * RATE


@virtual_time
async def test_interactive_calls_go_before_every_waiting_bulk_call() -> None:
    r = rig(global_rate=RATE)
    for chat in range(100, 110):
        r.sender.submit(chat, message(chat, "bulk"), bulk=True)
    for chat in range(60):
        r.sender.submit(chat, message(chat, "interactive"))
    await r.sender.idle()
    # The first bulk call found the gate free at 0; from then on the interactive calls
    # take every slot while they wait (bulk starves), and the bulk calls come after.
    assert r.bot.texts() == ["bulk"] + ["interactive"] * 60 + ["bulk"] * 9
    assert r.bot.times() == pytest.approx([n * SLOT for n in range(70)])


@virtual_time
async def test_a_chat_keeps_its_order_and_its_nudge_ahead_of_a_reply_hurries() -> None:
    r = rig(global_rate=RATE)
    for chat in range(1, 301):  # ten seconds of other chats' nudges
        r.sender.submit(chat, message(chat, "other nudge"), bulk=True)
    r.sender.submit(0, message(0, "nudge"), bulk=True)
    await asyncio.sleep(0.5)
    reply = r.sender.submit(0, message(0, "reply"))
    r.sender.submit(0, message(0, "next nudge"), bulk=True)
    assert await reply == "reply"
    await r.sender.idle()
    assert r.bot.texts(0) == ["nudge", "reply", "next nudge"]
    nudge, answer, later = r.bot.times(0)
    # The nudge ahead of the reply went as an interactive call, the reply right after it;
    # the nudge behind the reply is bulk again, behind the other chats' nudges.
    assert 0.5 <= nudge <= 0.5 + SLOT + EPSILON
    assert nudge < answer <= 0.5 + 2 * SLOT + EPSILON
    assert later > 9
    assert r.sender.stats.bulk_sent == 302


@virtual_time
async def test_a_nudge_waiting_on_its_chat_limit_hurries_for_a_reply_behind_it() -> None:
    r = rig(global_rate=RATE, chat_rate=1.0, chat_burst=1)
    r.sender.submit(0, message(0, "first nudge"), bulk=True)  # goes at 0
    r.sender.submit(0, message(0, "second nudge"), bulk=True)  # the chat's next slot: 1
    for chat in range(1, 301):
        r.sender.submit(chat, message(chat, "other nudge"), bulk=True)
    await asyncio.sleep(0.5)
    r.sender.submit(0, message(0, "reply"))
    await r.sender.idle()
    assert r.bot.texts(0) == ["first nudge", "second nudge", "reply"]
    first, second, reply = r.bot.times(0)
    assert first == 0
    assert 1 <= second <= 1 + SLOT + EPSILON  # not after the 300 other nudges
    assert 2 <= reply <= 2 + SLOT + EPSILON  # the chat's own limit: one a second


@virtual_time
async def test_the_gate_serves_interactive_waiters_first_and_skips_cancelled_ones() -> None:
    clock = FakeClock()
    gate = GlobalGate(TokenBucket(RATE), clock, clock.sleep)
    served: list[tuple[float, str]] = []

    async def wait(name: str, bulk: bool) -> None:
        await gate.acquire(bulk=bulk)
        served.append((now(), name))

    tasks = [asyncio.create_task(wait(f"b{n}", True)) for n in range(4)]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(wait(f"i{n}", False)) for n in range(3)]
    await asyncio.sleep(0)
    tasks[1].cancel()  # b1 leaves the line
    tasks[5].cancel()  # i1 too
    await asyncio.gather(*tasks, return_exceptions=True)
    assert [name for _, name in served] == ["b0", "i0", "i2", "b2", "b3"]
    assert [when for when, _ in served] == pytest.approx([n * SLOT for n in range(5)])
    assert gate.waiting == 0
    await asyncio.sleep(1)
    await gate.acquire(bulk=True)  # a quiet gate with a free slot: at once
    assert served[-1][0] + 1 == pytest.approx(now())


@virtual_time
async def test_bulk_backlog_counts_bulk_calls_queued_or_in_flight() -> None:
    r = rig(global_rate=RATE)
    r.bot.script[2] = [blocked]
    r.bot.script[3] = [bad_request("chat not found")]
    for chat in (1, 1, 2, 2, 3):
        r.sender.submit(chat, message(chat), bulk=True)
    r.sender.submit(1, message(1, "reply"))
    r.sender.submit(4, message(4, "reply"))
    assert r.sender.bulk_backlog == 5
    assert r.sender.backlog == 7
    await r.sender.idle()
    assert r.sender.bulk_backlog == 0
    assert r.sender.backlog == 0
    assert r.sender.stats.bulk_sent == 2  # chat 1's; chat 2 blocked the bot, 3 is refused
    assert r.sender.stats.sent == 4
    await r.sender.close(0)
    r.sender.submit(1, message(1), bulk=True)  # refused after close: never queued
    assert r.sender.bulk_backlog == 0


@virtual_time
async def test_close_reports_every_waiting_bulk_call_and_does_not_hang() -> None:
    r = rig(global_rate=RATE, chat_rate=1.0, chat_burst=3)
    futures = [
        r.sender.submit(chat, message(chat), outbox_ids=[chat], bulk=True) for chat in range(300)
    ]
    reply = r.sender.submit(1000, message(1000, "reply"), outbox_ids=[1000])
    await asyncio.sleep(1.5)
    await r.sender.close(2)
    assert now() == pytest.approx(3.5)
    assert all(future.done() for future in futures)
    assert await reply == "reply"
    assert sorted(r.sent + r.failed) == [*range(300), 1000]  # each reported exactly once
    assert len(r.sent) == pytest.approx(3.5 * RATE, abs=2)
    assert len(r.failed) == 301 - len(r.sent)
    assert r.sender.stats.failed == len(r.failed)
    assert r.sender.bulk_backlog == 0
    assert r.sender.backlog == 0
    assert sender_tasks() == []
    await r.sender.start()  # and it works again, the gate included
    for chat in range(3):
        r.sender.submit(chat, message(chat, "again"), bulk=True)
    assert await r.sender.call(7, message(7, "reply again")) == "reply again"
    await r.sender.idle()
    assert r.bot.texts().count("again") == 3


@virtual_time
async def test_close_at_once_with_bulk_waiting() -> None:
    r = rig(global_rate=RATE)
    for chat in range(100):
        r.sender.submit(chat, message(chat), outbox_ids=[chat], bulk=True)
    await asyncio.sleep(0)  # the workers are at the gate
    await r.sender.close(0)
    assert now() == 0
    assert sorted(r.sent + r.failed) == list(range(100))
    assert len(r.failed) >= 98
    assert r.sender.bulk_backlog == 0
    assert sender_tasks() == []


@virtual_time
async def test_a_429_on_a_reply_holds_that_chat_only_while_bulk_goes_on() -> None:
    r = rig(global_rate=RATE, chat_rate=1.0)
    r.bot.script[0] = [retry_after(3)]
    for chat in range(1, 301):
        r.sender.submit(chat, message(chat, "nudge"), bulk=True)
    reply = r.sender.submit(0, message(0, "reply"))
    assert await reply == "reply"
    [(first, _, _), (second, _, _)] = [attempt for attempt in r.bot.attempts if attempt[1] == 0]
    assert first <= SLOT + EPSILON  # ahead of the 299 nudges still waiting
    assert first + 3 <= second <= first + 3 + SLOT + EPSILON
    nudges = [when for when, chat, _ in r.bot.delivered if chat != 0]
    assert sum(t < 3 for t in nudges) >= 3 * RATE - 2  # the wait cost the nudges nothing
    await r.sender.idle()
    assert most_in_any_second(r.bot.times()) <= RATE


@virtual_time
async def test_a_429_without_a_chat_holds_bulk_too() -> None:
    r = rig(global_rate=RATE)
    r.bot.script[None] = [retry_after(5)]
    for chat in range(1, 31):
        r.sender.submit(chat, message(chat, "nudge"), bulk=True)
    commands = r.sender.submit(None, SetMyCommands(commands=[]))
    await r.sender.idle()
    assert await commands == "setMyCommands"
    # Whatever had its slot before the 429 went; after it, nothing until 5 s.
    first_429 = r.bot.attempts[[c for _, c, _ in r.bot.attempts].index(None)][0]
    late = [t for t in r.bot.times() if t > first_429]
    assert late
    assert min(late) >= 5 - EPSILON
    assert most_in_any_second(r.bot.times()) <= RATE


@virtual_time
async def test_a_crashing_gate_fails_its_waiters_loudly_and_the_sender_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken_sleep(seconds: float) -> None:
        raise OSError("no clock")

    r = rig(global_rate=RATE, sleep=broken_sleep)
    futures = [
        r.sender.submit(chat, message(chat), outbox_ids=[chat], bulk=chat % 2 == 0)
        for chat in range(4)
    ]
    with caplog.at_level(logging.ERROR, logger="bot.telegram.sender"):
        await r.sender.idle()
    assert [f.result() for f in futures] == ["hi", None, None, None]
    assert r.sent == [0]
    assert sorted(r.failed) == [1, 2, 3]
    assert r.sender.bulk_backlog == 0
    assert "sender gate crashed" in caplog.text
    await asyncio.sleep(1)
    assert await r.sender.call(5, message(5, "later")) == "later"

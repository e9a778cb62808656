"""No second ever holds more than the overall limit, even when the sender's own timers fire
late — and a margin keeps it so at Telegram's end, at little cost to the rate. On the same
fake time as test_sender: a "late" timer is a sleep that oversleeps on purpose."""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from aiogram.methods import TelegramMethod

from bot.telegram.sender import Sender, SendWindow, Sleep
from tests.telegram_sender.test_bulk import most_in_any_second
from tests.telegram_sender.test_sender import message, now, rig, virtual_time

T = TypeVar("T")
RATE = 30
SLOT = 1 / RATE
EPSILON = 1e-9


def late_sleep(seed: int, *, share: float = 0.3, most: float = 0.03) -> Sleep:
    """A sleep whose timer fires up to ``most`` seconds late, ``share`` of the time: what a
    busy event loop (a tick holding the GIL, a garbage collection) does to ``asyncio.sleep``."""
    rng = random.Random(seed)

    async def sleep(seconds: float) -> None:
        late = rng.uniform(0, most) if rng.random() < share else 0.0
        await asyncio.sleep(seconds + late)

    return sleep


def test_a_window_counts_the_moments_calls_went() -> None:
    window = SendWindow(3, span=1.0)
    passages = []
    for moment in (0.0, 0.1, 0.5):
        assert window.delay(moment) == 0
        passages.append(window.record(moment))
    assert window.delay(0.6) == pytest.approx(0.4)  # the call at 0 leaves the window at 1.0
    assert window.delay(1.0) == pytest.approx(SendWindow.POLL)  # ...once it is answered
    window.answer(passages[0], 0.01)
    assert window.delay(1.0) == 0
    passages.append(window.record(1.0))
    window.answer(passages[1], 0.11)  # the quickest round trip: 10 ms
    assert window.delay(1.0) == pytest.approx(0.1)
    assert window.delay(1.0999999) == 0  # a float hair is not worth a wait


def test_a_late_answer_keeps_its_call_in_the_window_longer() -> None:
    window = SendWindow(2, span=1.0, margin=0.02, answer_wait=0.5)
    first, second = window.record(0.0), window.record(0.1)
    window.answer(first, 0.01)
    window.answer(second, 0.01 + 0.1)  # trips of 10 ms
    third = window.record(1.02)  # the first call's second plus the margin
    assert window.delay(1.02) == pytest.approx(0.1)  # the second call's
    window.answer(third, 1.02 + 0.31)  # 300 ms later than the quickest trip: late on the way
    fourth = window.record(1.12)
    window.answer(fourth, 1.13)
    assert window.delay(1.2) == pytest.approx(1.02 + 0.3 + 1 - 1.2)  # counts from 1.32
    lost = SendWindow(1, span=1.0, answer_wait=0.5)
    lost.record(0.0)
    assert lost.delay(1.0) == pytest.approx(SendWindow.POLL)  # waiting for its answer...
    assert lost.delay(1.498) == pytest.approx(0.002)
    assert lost.delay(1.5) == 0  # ...at most answer_wait past its second


@virtual_time
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_late_timers_never_let_a_31st_call_into_a_second(seed: int) -> None:
    r = rig(global_rate=RATE, chat_rate=1.0, sleep=late_sleep(seed))
    for chat in range(1, 901):
        r.sender.submit(chat, message(chat, "nudge"), bulk=True)
    await asyncio.sleep(7.3)
    r.sender.submit(0, message(0, "reply"))
    await r.sender.idle()
    times = r.bot.times()
    assert len(times) == 901
    assert most_in_any_second(times) <= RATE
    # The late timers cost some slots, not many: still over 95 % of the rate.
    assert len(times) / max(times) >= 0.95 * RATE


@virtual_time
async def test_a_margin_spaces_every_31st_call_and_keeps_the_rate() -> None:
    margin = 0.03
    r = rig(global_rate=RATE, chat_rate=1.0, window_margin=margin)
    for chat in range(1, 901):
        r.sender.submit(chat, message(chat, "nudge"), bulk=True)
    await asyncio.sleep(10.01)
    asked = now()
    r.sender.submit(0, message(0, "reply"))
    await r.sender.idle()
    times = sorted(r.bot.times())
    assert len(times) == 901
    gaps = [later - earlier for earlier, later in zip(times, times[RATE:], strict=False)]
    assert min(gaps) >= 1 + margin - EPSILON  # so jitter under 30 ms cannot make 31 a second
    assert min(b - a for a, b in itertools.pairwise(times)) >= SLOT - EPSILON
    assert len(times) / max(times) >= RATE / (1 + margin) * 0.99
    (replied,) = [when for when, chat, _ in r.bot.delivered if chat == 0]
    assert asked <= replied <= asked + SLOT + margin + EPSILON  # still one slot, at most


@dataclass
class Telegram:
    """A stand-in for aiogram.Bot with a way there and back: most calls take 5 ms each way,
    one in twenty lingers up to 100 ms more on the way there. Records when
    each call arrived, which is what Telegram's limit counts."""

    rng: random.Random
    share: float = 0.05
    most: float = 0.1
    arrivals: list[float] = field(default_factory=list)

    async def __call__(self, method: TelegramMethod[T]) -> T:
        way = 0.005 + (self.rng.uniform(0, self.most) if self.rng.random() < self.share else 0)
        await asyncio.sleep(way)
        self.arrivals.append(now())
        await asyncio.sleep(0.005)
        result: Any = "ok"
        return result  # type: ignore[no-any-return]


@virtual_time
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_calls_lingering_on_the_way_never_make_31_arrivals_in_a_second(seed: int) -> None:
    telegram = Telegram(random.Random(seed))
    sender = Sender(
        telegram,
        global_rate=RATE,
        chat_rate=1.0,
        window_margin=0.02,
        clock=now,
        sleep=late_sleep(seed, most=0.02),
    )
    futures = [sender.submit(chat, message(chat), bulk=True) for chat in range(1, 901)]
    await sender.idle()
    assert all(future.done() and future.result() is not None for future in futures)
    assert len(telegram.arrivals) == 900
    assert most_in_any_second(telegram.arrivals) <= RATE
    # The lingering calls cost time only where they linger: still over 95 % of the rate.
    assert len(telegram.arrivals) / max(telegram.arrivals) >= 0.95 * RATE


@virtual_time
async def test_the_margin_comes_on_top_of_late_timers() -> None:
    margin = 0.02
    r = rig(global_rate=RATE, chat_rate=1.0, window_margin=margin, sleep=late_sleep(5))
    for chat in range(1, 601):
        r.sender.submit(chat, message(chat, "nudge"), bulk=True)
    await r.sender.idle()
    times = sorted(r.bot.times())
    gaps = [later - earlier for earlier, later in zip(times, times[RATE:], strict=False)]
    assert min(gaps) >= 1 + margin - EPSILON

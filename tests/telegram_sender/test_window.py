"""No second ever holds more than the overall limit, even when the sender's own timers fire
late — and a margin keeps it so at Telegram's end, at little cost to the rate. On the same
fake time as test_sender: a "late" timer is a sleep that oversleeps on purpose."""

from __future__ import annotations

import asyncio
import itertools
import random

import pytest

from bot.telegram.sender import SendWindow
from tests.telegram_sender.test_bulk import most_in_any_second
from tests.telegram_sender.test_sender import message, now, rig, virtual_time

RATE = 30
SLOT = 1 / RATE
EPSILON = 1e-9


def late_sleep(seed: int, *, share: float = 0.3, most: float = 0.03) -> object:
    """A sleep whose timer fires up to ``most`` seconds late, ``share`` of the time: what a
    busy event loop (a tick holding the GIL, a garbage collection) does to ``asyncio.sleep``."""
    rng = random.Random(seed)

    async def sleep(seconds: float) -> None:
        late = rng.uniform(0, most) if rng.random() < share else 0.0
        await asyncio.sleep(seconds + late)

    return sleep


def test_a_window_counts_the_moments_calls_went() -> None:
    window = SendWindow(3, span=1.0)
    for moment in (0.0, 0.1, 0.5):
        assert window.delay(moment) == 0
        window.record(moment)
    assert window.delay(0.6) == pytest.approx(0.4)  # the call at 0 leaves the window at 1.0
    assert window.delay(1.0) == 0
    window.record(1.0)
    assert window.delay(1.0) == pytest.approx(0.1)
    assert window.delay(1.0999999) == 0  # a float hair is not worth a wait


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

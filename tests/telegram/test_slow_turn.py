""" "typing…" once a turn has run a while; nothing for a turn waiting in line behind others."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.telegram.slow_turn import SlowTurn

AFTER = 0.01
"""Seconds before "typing…" in these tests (the bot's is 0.4)."""
PATIENCE = 5.0
"""Seconds a test waits for what it expects before it fails."""


async def until(done: asyncio.Event) -> None:
    await asyncio.wait_for(done.wait(), PATIENCE)


async def test_a_turn_that_runs_long_shows_typing_once() -> None:
    shown = asyncio.Event()
    calls: list[str] = []
    release = threading.Event()

    def show() -> None:
        calls.append("typing")
        shown.set()

    def turn() -> str:
        assert release.wait(PATIENCE)
        return "answered"

    with SlowTurn(AFTER, show) as slow:
        running = asyncio.ensure_future(asyncio.to_thread(slow.run, turn))
        await until(shown)
        release.set()
        assert await running == "answered"
    assert calls == ["typing"]


async def test_a_quick_turn_shows_nothing() -> None:
    calls: list[str] = []
    with SlowTurn(PATIENCE, lambda: calls.append("typing")) as slow:
        assert await asyncio.to_thread(slow.run, lambda: "answered") == "answered"
    assert calls == []


async def test_a_turn_waiting_in_line_shows_nothing_until_it_runs() -> None:
    """The worker's only thread is busy with another rep's turn: this one waits in line, and
    its rep sees no "typing…" however often the timer looks, even with no delay at all."""
    loop = asyncio.get_running_loop()
    one_thread = ThreadPoolExecutor(max_workers=1)
    loop.set_default_executor(one_thread)
    busy, release = asyncio.Event(), threading.Event()
    calls: list[str] = []

    def other_reps_turn() -> None:
        loop.call_soon_threadsafe(busy.set)
        assert release.wait(PATIENCE)

    other = asyncio.ensure_future(asyncio.to_thread(other_reps_turn))
    await until(busy)
    with SlowTurn(0, lambda: calls.append("typing")) as slow:
        mine = asyncio.ensure_future(asyncio.to_thread(slow.run, lambda: "answered"))
        for _ in range(3):
            await asyncio.sleep(0)  # the timer looks (every pass of the loop: no delay)
            slow.look()
        assert calls == []
        release.set()
        await other
        assert await mine == "answered"
    one_thread.shutdown()

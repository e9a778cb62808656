"""The no-team gate is one middleware in front of every router: it reads a user's standing once
per update and the coach takes what it needs (the team's choice of probes) from there."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from testkit.fake_telegram import FakeTelegram
from tests.telegram.test_bot_polling import WAIT, running, say, settings_for, text_of


def counting(calls: Counter[str], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return method(*args, **kwargs)

    return counted


async def test_a_reps_answers_and_taps_read_the_standing_once_each(
    fake_api: FakeTelegram, tmp_path: Path
) -> None:
    fake = fake_api
    anna = fake.user(42)
    async with running(settings_for(fake, tmp_path), reps=[anna]) as app:
        calls: Counter[str] = Counter()
        for name, counted in (
            ("standing", "standing"),
            ("standing_in_place", "standing"),  # the same read, on the event loop (SQLite)
            ("settings_of", "settings_of"),
        ):
            setattr(app.teams, name, counting(calls, counted, getattr(app.teams, name)))
        question = await say(fake, anna, "/debrief")
        before = len(fake.messages_to(42))
        fake.tap(anna, question, label="4")
        await fake.wait_for_messages(42, before + 1, timeout=WAIT)
        assert "In a few words" in text_of(await say(fake, anna, "/resume"))
    assert calls == Counter(standing=3)  # three updates; no second look for the probes


async def test_no_filter_costs_a_thread_hop(fake_api: FakeTelegram, tmp_path: Path) -> None:
    """aiogram runs a plain-function or magic filter in a worker thread, once per update that
    reaches it; every filter and handler of ours runs on the loop."""
    async with running(settings_for(fake_api, tmp_path)) as app:
        threaded = [
            f"{router.name}.{name}: {filter_.callback!r}"
            for router in app.dispatcher.chain_tail
            for name, observer in router.observers.items()
            for handler in [*observer.handlers]
            for filter_ in [*(handler.filters or ()), *(observer._handler.filters or ())]
            if not filter_.awaitable
        ]
        handlers = [
            f"{router.name}.{name}: {handler.callback!r}"
            for router in app.dispatcher.chain_tail
            for name, observer in router.observers.items()
            for handler in observer.handlers
            if not handler.awaitable
        ]
    assert threaded == []
    assert handlers == []

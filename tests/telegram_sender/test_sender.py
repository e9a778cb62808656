"""The sender keeps Telegram's limits and never loses a call quietly — on fake time.

Each test runs on an event loop whose clock jumps to the next timer as soon as nothing is
ready to run, so every wait (the sender's and the tests' own) ends at once, in the right
order, however many tasks wait together; and a wait that nothing ends is a failure, not a
hang. The sender gets that loop's clock and a sleep that records what it was asked for.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import selectors
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import aiohttp
import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import (
    EditMessageText,
    SendChatAction,
    SendMessage,
    SetMyCommands,
    TelegramMethod,
)

from bot.telegram.sender import Sender, TokenBucket

P = ParamSpec("P")
T = TypeVar("T")

# --- fake time ------------------------------------------------------------------------------


class _JumpingSelector:
    """Wraps the loop's selector: where the loop would block until its next timer, time
    jumps there instead."""

    def __init__(self, real: selectors.BaseSelector, loop: VirtualTimeLoop) -> None:
        self._real = real
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = self._real.select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None:  # no timer at all: only another thread could wake us
            ready = self._real.select(5.0)
            if not ready:
                raise RuntimeError("deadlock: every task waits and no timer is set")
            return ready
        self._loop.now += timeout
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on fake time: ``asyncio.sleep(3600)`` returns at once, an hour later."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self._selector: Any = _JumpingSelector(self._selector, self)

    def time(self) -> float:
        return self.now


def virtual_time(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
    """Run an async test on a fresh ``VirtualTimeLoop``."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            runner.run(test(*args, **kwargs))

    return run


def now() -> float:
    return asyncio.get_running_loop().time()


@dataclass
class FakeClock:
    """The clock and sleep handed to the sender: fake time, and a record of its waits."""

    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return now()

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(seconds)


# --- a stand-in for aiogram.Bot -------------------------------------------------------------

Failure = Callable[[TelegramMethod[Any]], Exception]


@dataclass
class FakeBot:
    """Records every call with the fake time it was made; raises scripted failures first."""

    script: dict[int | None, list[Failure]] = field(default_factory=dict)
    attempts: list[tuple[float, int | None, str]] = field(default_factory=list)
    delivered: list[tuple[float, int | None, str]] = field(default_factory=list)

    async def __call__(self, method: TelegramMethod[T]) -> T:
        chat = getattr(method, "chat_id", None)
        chat = None if chat is None else int(chat)
        what = str(getattr(method, "text", method.__api_method__))
        self.attempts.append((now(), chat, what))
        failures = self.script.get(chat, [])
        if failures:
            raise failures.pop(0)(method)
        self.delivered.append((now(), chat, what))
        result: Any = what
        return result  # type: ignore[no-any-return]

    def texts(self, chat: int | None = None) -> list[str]:
        return [text for _, c, text in self.delivered if chat is None or c == chat]

    def times(self, chat: int | None = None) -> list[float]:
        return [when for when, c, _ in self.delivered if chat is None or c == chat]


def retry_after(seconds: int) -> Failure:
    return lambda method: TelegramRetryAfter(method, "Too Many Requests: retry later", seconds)


def blocked(method: TelegramMethod[Any]) -> Exception:
    return TelegramForbiddenError(method, "Forbidden: bot was blocked by the user")


def network(method: TelegramMethod[Any]) -> Exception:
    return TelegramNetworkError(method, "connection reset")


def bad_request(description: str) -> Failure:
    return lambda method: TelegramBadRequest(method, f"Bad Request: {description}")


def message(chat: int, text: str = "hi") -> SendMessage:
    return SendMessage(chat_id=chat, text=text)


@dataclass
class Rig:
    bot: FakeBot
    clock: FakeClock
    sender: Sender
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    blocked: list[int] = field(default_factory=list)


def rig(**options: Any) -> Rig:
    """A sender on fake time; unlimited unless the test names a limit."""
    bot, clock = FakeBot(), FakeClock()
    r = Rig(bot, clock, Sender(bot, clock=clock, sleep=clock.sleep))
    settings: dict[str, Any] = {
        "global_rate": 0,
        "chat_rate": 0,
        "on_sent": r.sent.extend,
        "on_failed": r.failed.extend,
        "on_blocked": r.blocked.append,
        "clock": clock,
        "sleep": clock.sleep,
        "jitter": lambda: 0.5,  # the middle: no jitter
    }
    r.sender = Sender(bot, **(settings | options))
    return r


# --- the fake time itself ---------------------------------------------------------------------


@virtual_time
async def test_fake_time_runs_concurrent_sleeps_in_order_without_waiting() -> None:
    woke: list[tuple[float, str]] = []

    async def nap(seconds: float, name: str) -> None:
        await asyncio.sleep(seconds)
        woke.append((now(), name))

    await asyncio.gather(nap(3, "c"), nap(1, "a"), nap(2, "b"), nap(1, "a2"))
    assert woke == [(1, "a"), (1, "a2"), (2, "b"), (3, "c")]


def test_a_token_bucket_gives_each_caller_its_own_slot() -> None:
    bucket = TokenBucket(rate=1.0, burst=3)
    assert [bucket.reserve(0.0) for _ in range(5)] == [0, 0, 0, 1, 2]
    assert not bucket.idle(4.9)
    assert bucket.idle(5.0)
    unlimited = TokenBucket(rate=0)
    assert unlimited.reserve(0.0) == 0
    unlimited.hold(until=2.5)
    assert unlimited.reserve(1.0) == 1.5


# --- limits -----------------------------------------------------------------------------------


@virtual_time
async def test_one_chat_keeps_its_order() -> None:
    r = rig()
    for n in range(20):
        r.sender.submit(7, message(7, f"a{n}"))
        r.sender.submit(8, message(8, f"b{n}"))
    await r.sender.idle()
    assert r.bot.texts(7) == [f"a{n}" for n in range(20)]
    assert r.bot.texts(8) == [f"b{n}" for n in range(20)]


@virtual_time
async def test_the_overall_limit_holds_across_chats() -> None:
    r = rig(global_rate=30)
    for chat in range(31):
        r.sender.submit(chat, message(chat))
    await r.sender.idle()
    times = r.bot.times()
    assert len(times) == 31
    assert times[30] == pytest.approx(1.0)  # the 31st waits for the next second
    for start in times:  # never more than 30 in any second
        assert sum(start <= t < start + 1 - 1e-9 for t in times) <= 30


@virtual_time
async def test_a_chat_gets_a_short_burst_then_one_a_second() -> None:
    r = rig(chat_rate=1.0, chat_burst=3)
    for n in range(5):
        r.sender.submit(7, message(7, f"m{n}"), outbox_ids=[n])
    other = r.sender.submit(9, message(9))
    assert await other == "hi"
    assert now() == 0  # another chat does not queue behind chat 7's pace
    await r.sender.idle()
    assert r.bot.texts(7) == ["m0", "m1", "m2", "m3", "m4"]
    assert r.bot.times(7) == pytest.approx([0, 0, 0, 1, 2])
    assert r.sent == [0, 1, 2, 3, 4]


@virtual_time
async def test_defaults_are_telegrams_limits() -> None:
    bot, clock = FakeBot(), FakeClock()
    sender = Sender(bot, clock=clock, sleep=clock.sleep)
    for n in range(4):
        sender.submit(1, message(1, f"{n}"))
    await sender.idle()
    assert bot.times() == pytest.approx([0, 1 / 30, 2 / 30, 1])


# --- 429 --------------------------------------------------------------------------------------


@virtual_time
async def test_a_429_is_waited_out_exactly_and_reported_sent_once() -> None:
    r = rig(chat_rate=1.0)
    r.bot.script[1] = [retry_after(3)]
    assert await r.sender.call(1, message(1, "late"), outbox_ids=[11, 12]) == "late"
    assert [when for when, _, _ in r.bot.attempts] == [0, 3]
    assert r.sent == [11, 12]
    assert r.failed == []
    assert r.sender.stats.rate_limited == 1
    assert r.sender.stats.sent == 1


@virtual_time
async def test_a_429_delays_only_its_own_chat() -> None:
    r = rig(chat_rate=1.0, global_rate=30)
    r.bot.script[1] = [retry_after(3)]
    slow = r.sender.submit(1, message(1, "after the wait"))
    queued = r.sender.submit(1, message(1, "behind it"))
    await asyncio.sleep(1)  # chat 1 is now waiting out its 429
    assert await r.sender.call(2, message(2, "right away")) == "right away"
    assert now() == 1
    assert await slow == "after the wait"
    assert await queued == "behind it"
    assert r.bot.delivered[0] == (1, 2, "right away")
    assert r.bot.times(1) == pytest.approx([3, 3 + 1 / 30])
    assert r.bot.texts(1) == ["after the wait", "behind it"]


@virtual_time
async def test_a_429_without_a_chat_holds_everything() -> None:
    r = rig()
    r.bot.script[None] = [retry_after(5)]
    commands = r.sender.submit(None, SetMyCommands(commands=[]))
    await asyncio.sleep(0.5)
    assert await r.sender.call(3, message(3)) == "hi"
    assert now() == 5  # the whole bot was told to wait
    assert await commands == "setMyCommands"


# --- 403 --------------------------------------------------------------------------------------


@virtual_time
async def test_a_rep_who_blocked_the_bot_is_reported_and_their_queue_dropped() -> None:
    r = rig()
    r.bot.script[5] = [blocked]
    first = r.sender.submit(5, message(5), outbox_ids=[1])
    second = r.sender.submit(5, message(5), outbox_ids=[2])
    typing = r.sender.submit(5, SendChatAction(chat_id=5, action="typing"))
    other = r.sender.submit(6, message(6), outbox_ids=[3])
    assert await first is None
    assert await second is None
    assert await typing is None
    assert await other == "hi"
    assert r.blocked == [5]
    assert r.failed == [1, 2]
    assert r.sent == [3]
    assert len(r.bot.attempts) == 2  # one try for chat 5, none for what was queued behind it
    assert r.sender.stats.blocked == 1
    # The rep may unblock the bot: later calls are tried again.
    assert await r.sender.call(5, message(5, "back"), outbox_ids=[4]) == "back"
    assert r.sent == [3, 4]


# --- network trouble --------------------------------------------------------------------------


@virtual_time
async def test_network_trouble_is_retried_with_growing_pauses() -> None:
    r = rig()
    r.bot.script[3] = [network, network]
    assert await r.sender.call(3, message(3), outbox_ids=[9]) == "hi"
    assert r.clock.sleeps == [0.5, 1.0]  # two backoff waits (jitter fixed at the middle)
    assert now() == 1.5
    assert r.sent == [9]
    assert r.sender.stats.retries == 2


@pytest.mark.parametrize(
    "trouble",
    [
        lambda m: TelegramServerError(m, "Bad Gateway"),
        lambda m: aiohttp.ClientConnectionError("reset"),
        lambda m: TimeoutError(),
    ],
    ids=["5xx", "aiohttp", "timeout"],
)
@virtual_time
async def test_every_kind_of_transient_trouble_is_retried(trouble: Failure) -> None:
    r = rig()
    r.bot.script[3] = [trouble]
    assert await r.sender.call(3, message(3)) == "hi"
    assert r.clock.sleeps == [0.5]


@virtual_time
async def test_backoff_doubles_up_to_30_seconds_with_jitter() -> None:
    r = rig(max_attempts=10)
    r.bot.script[3] = [network] * 9
    await r.sender.call(3, message(3))
    assert r.clock.sleeps == [0.5, 1, 2, 4, 8, 16, 30, 30, 30]
    low, high = rig(jitter=lambda: 0.0), rig(jitter=lambda: 0.999)
    low.bot.script[3] = [network]
    high.bot.script[3] = [network]
    await low.sender.call(3, message(3))
    await high.sender.call(3, message(3))
    assert low.clock.sleeps == [0.375]
    assert high.clock.sleeps == pytest.approx([0.62475])


@virtual_time
async def test_endless_network_trouble_is_given_up_loudly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = rig(max_attempts=4)
    r.bot.script[3] = [network] * 10
    with caplog.at_level(logging.ERROR, logger="bot.telegram.sender"):
        assert await r.sender.call(3, message(3), outbox_ids=[9]) is None
    assert len(r.bot.attempts) == 4
    assert len(r.clock.sleeps) == 3
    assert r.failed == [9]
    assert r.sent == []
    errors = [rec for rec in caplog.records if rec.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "sendMessage" in errors[0].getMessage()
    assert "chat 3" in errors[0].getMessage()
    assert r.sender.stats.failed == 1


# --- 400 --------------------------------------------------------------------------------------


@virtual_time
async def test_an_unmodified_edit_counts_as_done() -> None:
    r = rig()
    r.bot.script[4] = [bad_request("message is not modified: specified new message content")]
    edit = EditMessageText(chat_id=4, message_id=1, text="same")
    assert await r.sender.call(4, edit, outbox_ids=[1]) is True
    assert r.sent == [1]
    assert r.failed == []
    assert len(r.bot.attempts) == 1


@virtual_time
async def test_a_bad_request_is_not_retried_and_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = rig()
    r.bot.script[4] = [bad_request("can't parse entities")]
    with caplog.at_level(logging.WARNING, logger="bot.telegram.sender"):
        assert await r.sender.call(4, message(4), outbox_ids=[1]) is None
    assert len(r.bot.attempts) == 1
    assert r.failed == [1]
    assert "can't parse entities" in caplog.text
    assert await r.sender.call(4, message(4, "next")) == "next"  # the chat goes on


@virtual_time
async def test_an_unexpected_error_is_reported_and_the_chat_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    r = rig()
    r.bot.script[4] = [lambda m: ValueError("a bug")]
    with caplog.at_level(logging.ERROR, logger="bot.telegram.sender"):
        assert await r.sender.call(4, message(4), outbox_ids=[1]) is None
    assert r.failed == [1]
    assert "a bug" in caplog.text
    assert await r.sender.call(4, message(4, "next")) == "next"


# --- close ------------------------------------------------------------------------------------


@virtual_time
async def test_close_drains_what_is_queued() -> None:
    r = rig(chat_rate=1.0, chat_burst=1)
    futures = [r.sender.submit(1, message(1, f"{n}"), outbox_ids=[n]) for n in range(4)]
    futures.append(r.sender.submit(2, message(2, "x"), outbox_ids=[10]))
    await r.sender.close(10)
    assert now() == 3  # as soon as the last one went out
    assert r.bot.texts(1) == ["0", "1", "2", "3"]
    assert [f.result() for f in futures] == ["0", "1", "2", "3", "x"]
    assert sorted(r.sent) == [0, 1, 2, 3, 10]
    assert r.failed == []


@virtual_time
async def test_close_gives_up_a_chat_stuck_in_a_long_429_within_its_timeout() -> None:
    r = rig()
    r.bot.script[8] = [retry_after(3600)]
    stuck = r.sender.submit(8, message(8), outbox_ids=[80])
    queued = r.sender.submit(8, message(8), outbox_ids=[81])
    fine = r.sender.submit(9, message(9), outbox_ids=[90])
    await r.sender.close(5)
    assert now() == 5
    assert await fine == "hi"
    assert await stuck is None
    assert await queued is None
    assert sorted(r.failed) == [80, 81]
    assert r.sent == [90]
    late = r.sender.submit(9, message(9), outbox_ids=[91])
    assert await late is None  # refused after close, and reported for the next start
    assert r.failed[-1] == 91
    await r.sender.start()
    assert await r.sender.call(9, message(9, "again")) == "again"


@virtual_time
async def test_close_cuts_off_a_call_in_flight_and_reports_it() -> None:
    class HangingBot(FakeBot):
        async def __call__(self, method: TelegramMethod[T]) -> T:
            await asyncio.sleep(3600)
            raise AssertionError("never answered")

    failed: list[int] = []
    clock = FakeClock()
    sender = Sender(HangingBot(), on_failed=failed.extend, clock=clock, sleep=clock.sleep)
    hanging = sender.submit(1, message(1), outbox_ids=[1])
    await sender.close(2)
    assert now() == 2
    assert await hanging is None
    assert failed == [1]


# --- robustness -------------------------------------------------------------------------------


@virtual_time
async def test_a_failing_callback_does_not_stop_the_sender(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(ids: Any) -> None:
        raise RuntimeError("database is locked")

    r = rig(on_sent=broken, on_failed=broken, on_blocked=broken)
    r.bot.script[2] = [blocked]
    assert await r.sender.call(1, message(1), outbox_ids=[1]) == "hi"
    assert await r.sender.call(1, message(1, "again"), outbox_ids=[2]) == "again"
    assert await r.sender.call(2, message(2), outbox_ids=[3]) is None
    assert await r.sender.call(2, message(2, "later"), outbox_ids=[4]) == "later"
    assert "database is locked" in caplog.text


@virtual_time
async def test_a_caller_that_stops_waiting_does_not_stop_the_call() -> None:
    r = rig()
    r.bot.script[1] = [retry_after(3)]
    future = r.sender.submit(1, message(1), outbox_ids=[1])
    future.cancel()
    await r.sender.idle()
    assert r.bot.texts(1) == ["hi"]
    assert r.sent == [1]


@virtual_time
async def test_idle_chats_leave_no_workers_behind() -> None:
    r = rig(chat_rate=1.0)
    for chat in range(100):
        r.sender.submit(chat, message(chat))
    await r.sender.idle()
    assert r.sender.backlog == 0
    assert [t for t in asyncio.all_tasks() if t.get_name().startswith("send:")] == []


@virtual_time
async def test_chats_that_went_quiet_are_forgotten() -> None:
    r = rig(chat_rate=1.0)
    largest = 0
    for chat in range(5000):  # a new chat every 10 ms: about 100 remembered at any time
        r.sender.submit(chat, message(chat))
        await asyncio.sleep(0.01)
        largest = max(largest, len(r.sender._buckets))
    assert len(r.bot.delivered) == 5000
    assert largest <= 1025

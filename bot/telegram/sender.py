"""The one way out to Telegram: every Bot API call the bot makes goes through ``Sender``.

It keeps Telegram's limits (about 30 messages a second overall, about one a second per chat
after a short burst), keeps each chat's messages in order, waits out a 429's ``retry_after``
for that chat only, stops writing to a rep who blocked the bot (403), retries network trouble
with backoff, and never drops a message silently: whatever is given up on is logged and
reported, so the durable outbox keeps it for the next start.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod

log = logging.getLogger(__name__)

Ids = Sequence[int]
Chat = int | None
"""A chat id, or None for calls that belong to no chat (setMyCommands, answerCallbackQuery)."""
TRANSIENT = (
    TelegramNetworkError,
    TelegramServerError,
    aiohttp.ClientError,
    asyncio.TimeoutError,
    ConnectionError,
)


class BotLike(Protocol):
    async def __call__(self, method: TelegramMethod[Any]) -> Any: ...


class TokenBucket:
    """``rate`` per second with bursts of ``burst``; rate 0 means no limit."""

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.rate = rate
        self.capacity = max(burst, 1.0)
        self.tokens = self.capacity
        self.stamp = clock()
        self._clock = clock
        self._sleep = sleep

    async def take(self) -> None:
        if self.rate <= 0:
            return
        while True:
            now = self._clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await self._sleep((1 - self.tokens) / self.rate)

    @property
    def full(self) -> bool:
        elapsed = self._clock() - self.stamp
        return self.rate <= 0 or self.tokens + elapsed * self.rate >= self.capacity


@dataclass
class _Job:
    method: TelegramMethod[Any]
    outbox_ids: tuple[int, ...]
    future: asyncio.Future[Any]


@dataclass
class SenderStats:
    sent: int = 0
    retries: int = 0
    rate_limited: int = 0
    failed: int = 0


@dataclass
class _Lane:
    jobs: deque[_Job] = field(default_factory=deque)
    worker: asyncio.Task[None] | None = None


class Sender:
    def __init__(
        self,
        bot: BotLike,
        *,
        global_rate: float = 30.0,
        chat_rate: float = 1.0,
        chat_burst: float = 3.0,
        max_attempts: int = 8,
        on_sent: Callable[[Ids], None] | None = None,
        on_failed: Callable[[Ids], None] | None = None,
        on_blocked: Callable[[int], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._bot = bot
        self._chat_rate = chat_rate
        self._chat_burst = chat_burst
        self._max_attempts = max_attempts
        self._on_sent = on_sent
        self._on_failed = on_failed
        self._on_blocked = on_blocked
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self._global = TokenBucket(global_rate, global_rate, clock, sleep)
        self._buckets: dict[Chat, TokenBucket] = {}
        self._lanes: dict[Chat, _Lane] = {}
        self._closing = False
        self.stats = SenderStats()

    async def start(self) -> None:
        self._closing = False

    def submit(
        self, chat_id: Chat, method: TelegramMethod[Any], *, outbox_ids: Ids = ()
    ) -> asyncio.Future[Any]:
        """Queue a call; the future gives the API's result, or None when it was given up."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        job = _Job(method, tuple(outbox_ids), future)
        if self._closing:
            self._give_up(job, "the bot is stopping")
            return future
        lane = self._lanes.setdefault(chat_id, _Lane())
        lane.jobs.append(job)
        if lane.worker is None:
            lane.worker = asyncio.create_task(self._drain(chat_id, lane))
        return future

    async def call(
        self, chat_id: Chat, method: TelegramMethod[Any], *, outbox_ids: Ids = ()
    ) -> Any:
        return await self.submit(chat_id, method, outbox_ids=outbox_ids)

    async def close(self, grace: float) -> None:
        """Stop taking calls, let the queued ones go out within ``grace`` seconds, give up the
        rest (the durable outbox keeps them for the next start)."""
        self._closing = True
        workers = [lane.worker for lane in self._lanes.values() if lane.worker is not None]
        if workers:
            _, pending = await asyncio.wait(workers, timeout=grace)
            for worker in pending:
                worker.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for lane in self._lanes.values():
            while lane.jobs:
                self._give_up(lane.jobs.popleft(), "the bot stopped before it went out")
        self._lanes.clear()

    async def idle(self) -> None:
        """Wait until everything queued so far went out (for tests and benchmarks)."""
        while workers := [lane.worker for lane in self._lanes.values() if lane.worker]:
            await asyncio.gather(*workers, return_exceptions=True)

    # --- one chat's lane --------------------------------------------------------------------------

    async def _drain(self, chat: Chat, lane: _Lane) -> None:
        try:
            while lane.jobs:
                job = lane.jobs[0]
                delivered = await self._deliver(chat, job)
                lane.jobs.popleft()
                if delivered == "blocked":
                    while lane.jobs:
                        self._give_up(lane.jobs.popleft(), "the rep blocked the bot")
        finally:
            lane.worker = None
            if not lane.jobs and self._lanes.get(chat) is lane:
                del self._lanes[chat]
            bucket = self._buckets.get(chat)
            if bucket is not None and bucket.full:
                del self._buckets[chat]  # nothing to remember about this chat's pace

    async def _deliver(self, chat: Chat, job: _Job) -> str:
        failures = 0
        while True:
            await self._pace(chat)
            try:
                result = await self._bot(job.method)
            except TelegramRetryAfter as error:
                self.stats.rate_limited += 1
                log.info("429 for chat %s: waiting %s s", chat, error.retry_after)
                await self._sleep(float(error.retry_after))
                continue
            except TelegramForbiddenError as error:
                log.info("chat %s is closed to the bot: %s", chat, error.message)
                if chat is not None and self._on_blocked is not None:
                    self._notify(self._on_blocked, chat)
                self._give_up(job, error.message, quiet=True)
                return "blocked"
            except TelegramBadRequest as error:
                if "message is not modified" in error.message:
                    self._done(job, None)
                    return "sent"
                log.warning("Telegram refused %s for chat %s: %s", _name(job), chat, error.message)
                self._give_up(job, error.message, quiet=True)
                return "failed"
            except TRANSIENT as error:
                failures += 1
                if failures >= self._max_attempts:
                    self._give_up(job, f"{failures} attempts failed, the last with {error!r}")
                    return "failed"
                self.stats.retries += 1
                await self._sleep(self._backoff(failures))
                continue
            except TelegramAPIError as error:
                log.warning("Telegram refused %s for chat %s: %s", _name(job), chat, error.message)
                self._give_up(job, error.message, quiet=True)
                return "failed"
            self._done(job, result)
            return "sent"

    async def _pace(self, chat: Chat) -> None:
        if chat is not None:
            bucket = self._buckets.get(chat)
            if bucket is None:
                bucket = TokenBucket(self._chat_rate, self._chat_burst, self._clock, self._sleep)
                self._buckets[chat] = bucket
            await bucket.take()
        await self._global.take()

    def _backoff(self, failures: int) -> float:
        return float(min(30.0, 0.5 * 2 ** (failures - 1)) * (0.75 + 0.5 * self._jitter()))

    # --- outcomes ---------------------------------------------------------------------------------

    def _done(self, job: _Job, result: Any) -> None:
        self.stats.sent += 1
        if job.outbox_ids and self._on_sent is not None:
            self._notify(self._on_sent, job.outbox_ids)
        if not job.future.done():
            job.future.set_result(result)

    def _give_up(self, job: _Job, why: str, *, quiet: bool = False) -> None:
        self.stats.failed += 1
        if not quiet:
            log.error("gave up sending %s: %s", _name(job), why)
        if job.outbox_ids and self._on_failed is not None:
            self._notify(self._on_failed, job.outbox_ids)
        if not job.future.done():
            job.future.set_result(None)

    @staticmethod
    def _notify(callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception:  # a storage hiccup must not stop the sender
            log.exception("sender callback %r failed", callback)


def _name(job: _Job) -> str:
    return type(job.method).__name__

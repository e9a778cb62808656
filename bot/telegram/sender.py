"""The one way out to Telegram: every Bot API call the bot makes goes through ``Sender``.

Why one: Telegram's limits (about 30 calls a second per bot, about one a second per chat
after a short burst) hold for the whole bot, so only a single gate can keep them; and a rep
must read the coach's messages in the order they were written. ``Sender`` keeps each chat's
calls in order (one worker per chat with something queued, none for idle chats), waits out a
429 for that chat only, stops writing to a rep who blocked the bot (403), retries network
trouble with backoff, and never drops a call silently: whatever it gives up on is logged and
reported through ``on_failed``, so the durable outbox keeps it for the next start.

Two kinds of traffic share the overall limit: interactive calls (a rep waiting for the coach's
reply, the default) and bulk ones (``bulk=True``: a scheduler's nudges to thousands of reps).
A ``GlobalGate`` hands out the overall slots, interactive callers first, so a reply never
queues behind a Monday morning's nudges; see ``Sender``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import aiohttp
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod

log = logging.getLogger(__name__)

T = TypeVar("T")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
OutboxCallback = Callable[[Sequence[int]], None]

TRANSIENT: tuple[type[BaseException], ...] = (
    TelegramNetworkError,
    TelegramServerError,
    ClientDecodeError,  # a proxy's HTML error page instead of Telegram's JSON
    aiohttp.ClientError,
    TimeoutError,  # asyncio.TimeoutError too
    ConnectionError,
)
"""Trouble on the way, not a verdict on the call: worth another attempt."""
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
NOT_MODIFIED = "message is not modified"
SEND_WINDOW_MARGIN = 0.02
"""Seconds the bot adds to Telegram's 1-s window: calls leave here at most ``global_rate`` in
any 1.02 s, so one delayed 20 ms on the way more than another still finds room (costs 2 %);
a longer delay shows in its answer's lateness, which ``SendWindow`` counts too."""


SHARED_MARGIN = 0.1
"""The overall rate several processes share is this much below ``global_rate``: each one's
window counts only its own calls, so a slot taken late in one process and an on-time one in
another could otherwise land closer than 1/rate apart at Telegram."""
LATE_SLOTS = 3
"""Shared slots in a row a busy process may let pass (it woke more than one interval after
its slot) and take a new one instead, so a late call does not bunch with the others'."""
WHOLE_BOT = 0
"""The shared bucket of the whole bot (no chat has id 0)."""


class SharedSlots(Protocol):
    """Token buckets shared with the bot's other processes (``storage.send_slots.SendSlots``,
    behind a thread): ``key`` 0 is the whole bot, any other a chat."""

    async def reserve(self, key: int, rate: float, burst: float) -> float:
        """Take the key's next slot; the seconds to wait for it."""
        ...

    async def hold(self, key: int, seconds: float, rate: float, burst: float) -> None:
        """No slot of the key for anyone in the next ``seconds`` (a 429)."""
        ...


class BotLike(Protocol):
    """What the sender needs of ``aiogram.Bot``: calling it with a method makes the request."""

    async def __call__(self, method: TelegramMethod[T]) -> T: ...


class TokenBucket:
    """``rate`` calls a second with bursts of up to ``burst``, kept as a schedule of slots
    (GCRA): ``reserve`` gives each caller its own slot, so callers in many tasks need no lock
    and no polling, one sleep each. ``rate <= 0`` means no limit (a hold still applies)."""

    def __init__(self, rate: float, burst: float = 1.0) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._tolerance = (max(burst, 1.0) - 1.0) * self._interval
        self._full_at = -math.inf  # when the bucket is full again
        self._held_until = -math.inf

    def reserve(self, now: float) -> float:
        """Take the next free slot; returns the seconds to wait for it (0: go now)."""
        slot = max(now, self._full_at - self._tolerance, self._held_until)
        if self._interval:
            self._full_at = max(self._full_at, slot) + self._interval
        return slot - now

    def hold(self, until: float) -> None:
        """No slot before ``until``: Telegram asked us to wait (429)."""
        self._held_until = max(self._held_until, until)

    def delay(self, now: float) -> float:
        """The seconds until the next free slot, without taking it (0: free now)."""
        return max(now, self._full_at - self._tolerance, self._held_until) - now

    @property
    def held_until(self) -> float:
        return self._held_until

    @property
    def interval(self) -> float:
        """Seconds between two slots (0: no limit)."""
        return self._interval

    def idle(self, now: float) -> bool:
        """Full and not held: forgetting this bucket changes nothing."""
        return self._full_at <= now and self._held_until <= now


@dataclass(eq=False)
class Passage:
    """One call let through the window: when, and when its answer (any) came back."""

    at: float
    answered: float | None = None


class SendWindow:
    """At most ``limit`` calls in any ``span`` seconds, counted on the moments the calls
    really went — not on a schedule — and pushed later by what their answers tell.

    Why besides the ``TokenBucket``: the bucket spaces slots on an ideal timeline, so a slot
    handed out late (the event loop or the GIL was busy) is followed by the next one on time,
    closer than 1/rate, and over a second such gaps let a 31st call in. And Telegram counts
    arrivals, not departures: a call that lingered on the way (a busy network, a stalled
    server) arrives closer to the calls after it. So a call counts from the later of

    - when it went, plus ``margin`` (ordinary jitter on the way), and
    - when its answer came back, less the quickest round trip seen lately: the call arrived
      before its answer, and a later call cannot arrive sooner than that quickest trip allows
      (a call whose answer is late was late on the way too, as far as we can know).

    While the call that leaves the window next is still unanswered, the window waits for the
    answer (polling every ``POLL``), at most ``answer_wait`` seconds past its second."""

    EPSILON = 1e-6
    """Float sums of 1/rate land a hair before the second: not worth a wait."""
    POLL = 0.005

    def __init__(
        self, limit: int, span: float = 1.0, *, margin: float = 0.0, answer_wait: float = 0.5
    ) -> None:
        self.limit = max(1, limit)
        self.span = span
        self.margin = max(0.0, margin)
        self.answer_wait = answer_wait
        self._passages: deque[Passage] = deque(maxlen=self.limit)
        self._trips: deque[float] = deque(maxlen=64)
        self._quickest = 0.0

    def delay(self, now: float) -> float:
        """The seconds until one more call fits, or until it is worth asking again (0: now)."""
        if len(self._passages) < self.limit:
            return 0.0
        oldest = self._passages[0]
        free_at = oldest.at + self.span + self.margin
        if oldest.answered is not None:
            free_at = max(free_at, oldest.answered - self._quickest + self.span)
        wait = free_at - now
        if wait > self.EPSILON:
            return wait
        give_up = oldest.at + self.span + self.answer_wait
        if oldest.answered is None and now < give_up:
            return min(self.POLL, give_up - now)
        return 0.0

    def record(self, now: float) -> Passage:
        """A call was let through at ``now``; tell ``answer`` when its answer comes."""
        passage = Passage(now)
        self._passages.append(passage)
        return passage

    def answer(self, passage: Passage, now: float) -> None:
        """The call's answer (a result, an error, nothing: cut off) came back at ``now``."""
        if passage.answered is not None:
            return
        passage.answered = now
        self._trips.append(max(0.0, now - passage.at))
        self._quickest = min(self._trips)


@dataclass(eq=False)
class _Ticket:
    """A caller waiting at the gate; ``future`` is set when its slot has come."""

    future: asyncio.Future[None]
    bulk: bool
    passage: Passage | None = None
    """Its place in the window once let through (None: no window)."""


class GlobalGate:
    """The overall slots of a ``TokenBucket``, handed out by priority: a caller that finds
    the gate quiet and a slot free goes at once; otherwise it waits in line, and one
    dispatcher task takes the bucket's slots one at a time, waits for each, and gives it to
    the first waiting interactive caller, or, only if there is none, to the first waiting
    bulk caller. So the bucket's rate holds for both together, an interactive caller waits
    at most one slot (plus the interactive callers ahead of it), and bulk callers wait as
    long as interactive ones keep coming (they starve under sustained interactive load).

    A waiter cancelled in line (``Sender.close``) is skipped; the slot taken for it, if any,
    goes unused, which costs time but never exceeds the rate. The dispatcher ends when the
    line is empty and starts again with the next waiter."""

    def __init__(
        self,
        bucket: TokenBucket,
        clock: Clock,
        sleep: Sleep,
        window: SendWindow | None = None,
        shared: Callable[[], Awaitable[float]] | None = None,
    ) -> None:
        """``shared``: takes the next slot of the bucket shared with other processes and
        says how long to wait for it (each slot here waits for both)."""
        self.bucket = bucket
        self.window = window
        self._shared = shared
        self._clock = clock
        self._sleep = sleep
        self._interactive: deque[_Ticket] = deque()
        self._bulk: deque[_Ticket] = deque()
        self._dispatcher: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Callers in line (cancelled ones included until the dispatcher skips them)."""
        return len(self._interactive) + len(self._bulk)

    async def acquire(self, *, bulk: bool = False) -> Passage | None:
        """Wait for an overall slot; returns when it has come (with the call's place in the
        window, for ``answered``)."""
        ticket = self.enter(bulk=bulk)
        await ticket.future
        return ticket.passage

    def enter(self, *, bulk: bool = False) -> _Ticket:
        """Take a slot free now (the ticket's future is done already), or a place in line:
        the slot has come when the ticket's future is done (cancel it to leave the line)."""
        now = self._clock()
        ticket = _Ticket(asyncio.get_running_loop().create_future(), bulk)
        quiet = self._dispatcher is None and self._shared is None
        if quiet and self.bucket.delay(now) <= 0 and not self._full(now):
            self.bucket.reserve(now)  # nobody in line and a slot free: take it
            ticket.passage = self._let_through(now)
            ticket.future.set_result(None)
            return ticket
        (self._bulk if bulk else self._interactive).append(ticket)
        if self._dispatcher is None:
            self._dispatcher = asyncio.create_task(self._dispatch(), name="sender-gate")
        return ticket

    def promote(self, ticket: _Ticket) -> None:
        """Move a bulk waiter to the end of the interactive line (it keeps no place in the
        bulk line: whichever line reaches it first serves it, the other skips it)."""
        if ticket.bulk and not ticket.future.done():
            ticket.bulk = False
            self._interactive.append(ticket)

    async def close(self) -> None:
        """Stop the dispatcher and cancel whoever still waits (their callers are being
        cancelled anyway: ``Sender.close`` cancels the workers first)."""
        dispatcher, self._dispatcher = self._dispatcher, None
        if dispatcher is not None:
            dispatcher.cancel()
            await asyncio.gather(dispatcher, return_exceptions=True)
        for line in (self._interactive, self._bulk):
            while line:
                line.popleft().future.cancel()

    async def _dispatch(self) -> None:
        try:
            while self._someone_waits():
                held = self.bucket.held_until
                asked = self._clock()
                delay = self.bucket.reserve(asked)
                if self._shared is not None:
                    delay = max(delay, await self._shared()) - (self._clock() - asked)
                    late = 0
                    while late < LATE_SLOTS:
                        slot = self._clock() + max(delay, 0.0)
                        if delay > 0:
                            await self._sleep(delay)
                        if self._clock() - slot <= self._interval():
                            break
                        late += 1  # this process was busy: the slot passed, take a new one
                        asked = self._clock()
                        delay = await self._shared() - (self._clock() - asked)
                    delay = 0.0
                if delay > 0:
                    await self._sleep(delay)
                while self._full(self._clock()):  # the slot came late: keep the window
                    await self._sleep(self._window_delay())
                if self.bucket.held_until > held and self.bucket.held_until > self._clock():
                    continue  # a 429 for the whole bot came meanwhile: this slot is void
                ticket = self._next()
                if ticket is not None:
                    ticket.passage = self._let_through(self._clock())
                    ticket.future.set_result(None)
        except Exception:  # a bug (or a broken sleep) must not leave the line waiting forever
            log.exception("sender gate crashed; failing the calls waiting at it")
            for line in (self._interactive, self._bulk):
                while line:
                    ticket = line.popleft()
                    if not ticket.future.done():  # the caller's worker reports its chat's calls
                        ticket.future.set_exception(RuntimeError("sender gate crashed"))
        finally:
            if self._dispatcher is asyncio.current_task():
                self._dispatcher = None

    def _interval(self) -> float:
        return self.bucket.interval

    def _full(self, now: float) -> bool:
        return self.window is not None and self.window.delay(now) > 0

    def _window_delay(self) -> float:
        return 0.0 if self.window is None else self.window.delay(self._clock())

    def _let_through(self, now: float) -> Passage | None:
        return None if self.window is None else self.window.record(now)

    def answered(self, passage: Passage | None) -> None:
        """The call let through as ``passage`` has its answer (or was cut off)."""
        if self.window is not None and passage is not None:
            self.window.answer(passage, self._clock())

    def _someone_waits(self) -> bool:
        for line in (self._interactive, self._bulk):
            while line and line[0].future.done():
                line.popleft()
        return bool(self._interactive or self._bulk)

    def _next(self) -> _Ticket | None:
        """The first live waiter, interactive first."""
        for line in (self._interactive, self._bulk):
            while line:
                ticket = line.popleft()
                if not ticket.future.done():
                    return ticket
        return None


@dataclass
class SenderStats:
    """Counters for logs and benchmarks."""

    sent: int = 0
    """Calls made, bulk ones included."""
    bulk_sent: int = 0
    """Of ``sent``, the bulk calls."""
    retries: int = 0
    """Attempts repeated after network trouble or a 5xx."""
    rate_limited: int = 0
    """429s received (each is waited out and the call made again)."""
    failed: int = 0
    """Calls given up (reported through on_failed)."""
    blocked: int = 0
    """403s: a rep blocked the bot or is gone."""


@dataclass(eq=False)
class _Call:
    chat_id: int | None
    method: TelegramMethod[Any]
    outbox_ids: tuple[int, ...]
    future: asyncio.Future[Any]
    bulk: bool = False

    @property
    def name(self) -> str:
        return self.method.__api_method__


@dataclass(eq=False)
class _Lane:
    """One chat's queue and the worker draining it (the worker ends when the queue does)."""

    calls: deque[_Call] = field(default_factory=deque)
    worker: asyncio.Task[None] | None = None
    interactive: int = 0
    """Interactive calls in ``calls``: while there are any, the chat's bulk calls ahead of
    them wait for overall slots as interactive ones (they hold them up)."""
    ticket: _Ticket | None = None
    """The head call's place in the gate's line while it waits there."""


class Sender:
    """Makes Bot API calls in order per chat, within Telegram's limits, retrying what is
    worth retrying and reporting every outcome (``on_sent`` / ``on_failed`` get the calls'
    outbox ids; callbacks are plain functions, so the sender knows nothing of storage).

    Interactive and bulk calls (``submit(..., bulk=True)``):

    - Overall slots go to interactive calls first: whenever an interactive call waits for
      one, no bulk call gets it, so an interactive call waits at most one slot (1/30 s at
      the default rate, plus ``window_margin`` when the window is full) behind any number
      of queued bulk calls (plus the interactive calls ahead of it, its own chat's earlier
      calls, its chat's limit and any 429 wait).
    - Together they never exceed ``global_rate`` in any second (``1 + window_margin``
      seconds, counted on the moments the calls went and on their answers; see
      ``SendWindow``): both draw on one bucket and one window.
    - Bulk calls take only the slots interactive ones leave: under sustained interactive
      load at the full rate they wait (starve) until it eases. Nothing is lost meanwhile.
    - Each chat stays FIFO whatever the kind: an interactive call queued after the same
      chat's bulk calls goes out after them (a rep reads the messages in the order they were
      written). So that it does not wait for other chats' nudges too, those bulk calls ahead
      of it then wait for overall slots as interactive ones (they still count as bulk in
      ``bulk_backlog`` and ``stats.bulk_sent``): the reply waits for its own chat's nudges,
      one overall slot each, and its chat's limit, not for the bulk backlog.
    - ``bulk_backlog`` says how many bulk calls are queued or in flight, for the scheduler's
      flow control: hand over about as many as go out in the next few seconds, no more.
    """

    def __init__(
        self,
        bot: BotLike,
        *,
        global_rate: float = 30.0,
        chat_rate: float = 1.0,
        chat_burst: float = 3.0,
        window_margin: float = 0.0,
        max_attempts: int = 8,
        on_sent: OutboxCallback | None = None,
        on_failed: OutboxCallback | None = None,
        on_blocked: Callable[[int], None] | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        shared: SharedSlots | None = None,
    ) -> None:
        """``shared``: the buckets of the whole bot and of each chat are shared with the bot's
        other processes (several workers on one database); this process's own bucket and
        window still hold for its own calls."""
        self._bot = bot
        self._shared = shared
        self._global_rate = global_rate
        self._chat_rate = chat_rate
        self._chat_burst = chat_burst
        self._max_attempts = max(1, max_attempts)
        self._on_sent = on_sent
        self._on_failed = on_failed
        self._on_blocked = on_blocked
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        # No burst overall: at most ``global_rate`` calls in any second, as Telegram asks —
        # paced by the bucket, and counted on the moments the calls really went (plus
        # ``window_margin`` seconds for the jitter between here and Telegram) by the window.
        self._global = TokenBucket(global_rate)
        window = None
        if global_rate > 0:
            window = SendWindow(math.floor(global_rate + 1e-9), margin=window_margin)
        shared_slot = None
        if shared is not None and global_rate > 0:
            shared_rate = global_rate / (1.0 + SHARED_MARGIN)

            async def shared_slot() -> float:
                return await self._shared_wait(WHOLE_BOT, shared_rate, 1.0)

        self._gate = GlobalGate(self._global, clock, sleep, window, shared_slot)
        self._bulk_backlog = 0
        self._buckets: dict[int, TokenBucket] = {}
        self._prune_at = 1024
        self._lanes: dict[int | None, _Lane] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self.stats = SenderStats()

    # --- the public side --------------------------------------------------------------------

    async def start(self) -> None:
        """Take calls (again, after ``close``)."""
        self._closed = False

    def submit(
        self,
        chat_id: int | None,
        method: TelegramMethod[T],
        *,
        outbox_ids: Sequence[int] = (),
        bulk: bool = False,
    ) -> asyncio.Future[T | None]:
        """Queue a call and return at once. ``chat_id`` None is for calls that belong to no
        chat (setMyCommands). The future gives the API's result, or None once the call was
        given up (already logged, and reported through ``on_failed``). ``bulk`` marks a
        call nobody is waiting for (a scheduled nudge): it takes only the overall slots no
        interactive call wants (see the class docstring)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        call = _Call(chat_id, method, tuple(outbox_ids), future, bulk)
        if self._closed:
            log.warning("sender closed: %s for chat %s not sent", call.name, chat_id)
            self._fail(call)
            return future
        lane = self._lanes.get(chat_id)
        if lane is None:
            lane = self._lanes[chat_id] = _Lane()
            self._idle.clear()
        lane.calls.append(call)
        if bulk:
            self._bulk_backlog += 1
        else:
            lane.interactive += 1
            if lane.ticket is not None:  # the chat's bulk head waits at the gate: hurry it
                self._gate.promote(lane.ticket)
        if lane.worker is None:
            lane.worker = asyncio.create_task(self._work(chat_id, lane), name=f"send:{chat_id}")
        return future

    async def call(
        self,
        chat_id: int | None,
        method: TelegramMethod[T],
        *,
        outbox_ids: Sequence[int] = (),
        bulk: bool = False,
    ) -> T | None:
        """``submit`` and wait for the outcome."""
        return await self.submit(chat_id, method, outbox_ids=outbox_ids, bulk=bulk)

    async def idle(self) -> None:
        """Wait until nothing is queued (everything went out or was given up)."""
        await self._idle.wait()

    @property
    def backlog(self) -> int:
        """Calls queued or in flight."""
        return sum(len(lane.calls) for lane in self._lanes.values())

    @property
    def bulk_backlog(self) -> int:
        """Bulk calls queued or in flight (included in ``backlog``); O(1)."""
        return self._bulk_backlog

    async def close(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 - on the injected clock
        """Stop taking calls, give the queued ones ``timeout`` seconds (on the injected clock)
        to go out, then cancel the rest and report them through ``on_failed``: the outbox
        keeps them and the bot resends them at the next start. A call cut off in the middle
        of its request may have reached Telegram: at least once, never lost."""
        self._closed = True
        if self._lanes:
            drained = asyncio.ensure_future(self._idle.wait())
            timer = asyncio.ensure_future(self._sleep(timeout))
            try:
                await asyncio.wait((drained, timer), return_when=asyncio.FIRST_COMPLETED)
            finally:
                drained.cancel()
                timer.cancel()
                await asyncio.gather(drained, timer, return_exceptions=True)
        lanes = list(self._lanes.values())
        workers = [lane.worker for lane in lanes if lane.worker is not None]
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        await self._gate.close()
        left = [self._pop(lane) for lane in lanes for _ in range(len(lane.calls))]
        if left:
            log.warning("sender closed with %d calls unsent; the outbox keeps them", len(left))
        for call in left:
            self._fail(call)
        self._lanes.clear()
        self._idle.set()

    # --- one chat's worker ------------------------------------------------------------------

    async def _work(self, chat_id: int | None, lane: _Lane) -> None:
        """Send one chat's calls in order; ends when its queue is empty."""
        try:
            while lane.calls:
                blocked = await self._deliver(lane.calls[0], lane)
                # Its outcome is reported; popped with no await in between, so that close
                # never reports it a second time.
                self._pop(lane)
                if blocked and lane.calls:
                    log.info("dropping %d calls queued for chat %s", len(lane.calls), chat_id)
                    while lane.calls:
                        self._fail(self._pop(lane))
        except Exception:  # a bug here must not strand the chat's calls unreported
            log.exception("sender worker for chat %s crashed", chat_id)
            while lane.calls:
                self._fail(self._pop(lane))
        finally:
            lane.worker = None
            if not lane.calls:  # else cancelled by close, which reports what is left
                self._retire(chat_id, lane)

    def _pop(self, lane: _Lane) -> _Call:
        """Take the lane's first call off its queue (its outcome is or is about to be
        reported), keeping the counts."""
        call = lane.calls.popleft()
        if call.bulk:
            self._bulk_backlog -= 1
        else:
            lane.interactive -= 1
        return call

    def _retire(self, chat_id: int | None, lane: _Lane) -> None:
        """Forget an empty lane, and the chat's bucket once it has nothing to remember."""
        if self._lanes.get(chat_id) is lane:
            del self._lanes[chat_id]
        if not self._lanes:
            self._idle.set()
        now = self._clock()
        if chat_id is not None and (bucket := self._buckets.get(chat_id)) and bucket.idle(now):
            del self._buckets[chat_id]
        if len(self._buckets) > self._prune_at:  # chats that went quiet mid-burst
            self._buckets = {
                chat: bucket
                for chat, bucket in self._buckets.items()
                if chat in self._lanes or not bucket.idle(now)
            }
            self._prune_at = max(1024, 2 * len(self._buckets))

    async def _deliver(self, call: _Call, lane: _Lane) -> bool:
        """Make the call until it succeeds or is given up; True if the chat is closed to the
        bot (403), so the rest of its queue is dropped too."""
        failures = 0
        while True:
            passage = await self._pace(call, lane)
            try:
                result = await self._request(call, passage)
            except TelegramRetryAfter as error:
                self.stats.rate_limited += 1
                log.info(
                    "429 on %s for chat %s: waiting %s s",
                    call.name,
                    call.chat_id,
                    error.retry_after,
                )
                self._bucket(call.chat_id).hold(self._clock() + error.retry_after)
                self._share_hold(call.chat_id, error.retry_after)
                continue
            except TelegramForbiddenError as error:
                self.stats.blocked += 1
                log.info("chat %s is closed to the bot: %s", call.chat_id, error.message)
                if call.chat_id is not None and self._on_blocked is not None:
                    self._notify(self._on_blocked, call.chat_id)
                self._fail(call)
                return True
            except TelegramBadRequest as error:
                if NOT_MODIFIED in error.message:  # the edit is already there: done
                    log.debug("%s for chat %s: %s", call.name, call.chat_id, error.message)
                    self._succeed(call, True)
                else:
                    self._refused(call, error)
                return False
            except TelegramEntityTooLarge as error:  # a network error only by class
                self._refused(call, error)
                return False
            except TRANSIENT as error:
                failures += 1
                if failures >= self._max_attempts:
                    log.error(
                        "gave up %s for chat %s after %d attempts: %r",
                        call.name,
                        call.chat_id,
                        failures,
                        error,
                    )
                    self._fail(call)
                    return False
                self.stats.retries += 1
                delay = self._backoff(failures)
                log.info(
                    "%s for chat %s failed (%r); retrying in %.1f s",
                    call.name,
                    call.chat_id,
                    error,
                    delay,
                )
                await self._sleep(delay)
            except TelegramAPIError as error:  # 401, 404, a migrated group...: retrying won't help
                self._refused(call, error)
                return False
            except Exception:
                log.exception("%s for chat %s failed unexpectedly", call.name, call.chat_id)
                self._fail(call)
                return False
            else:
                self._succeed(call, result)
                return False

    async def _pace(self, call: _Call, lane: _Lane) -> Passage | None:
        """Wait for the chat's next slot, then for the next slot overall (in that order, so a
        chat waiting on its own limit holds no overall slot); a bulk call with an
        interactive one behind it waits as an interactive one. Returns the call's place in
        the overall window."""
        if call.chat_id is not None and self._shared is not None and self._chat_rate > 0:
            bucket = self._bucket(call.chat_id)  # here only for a 429's hold
            asked = self._clock()
            shared = await self._shared_wait(call.chat_id, self._chat_rate, self._chat_burst)
            delay = max(bucket.held_until - asked, shared) - (self._clock() - asked)
            if delay > 0:
                await self._sleep(delay)
        elif call.chat_id is not None:
            await self._wait(self._bucket(call.chat_id))
        ticket = self._gate.enter(bulk=call.bulk and not lane.interactive)
        if not ticket.future.done():
            lane.ticket = ticket
            try:
                await ticket.future
            finally:
                lane.ticket = None
        return ticket.passage

    async def _request(self, call: _Call, passage: Passage | None) -> Any:
        """Make the call; whatever comes back (or nothing: cut off), the window learns when."""
        try:
            return await self._bot(call.method)
        finally:
            self._gate.answered(passage)

    async def _shared_wait(self, key: int, rate: float, burst: float) -> float:
        """The wait for the shared bucket's next slot; none if the database cannot say (this
        process's own pacing still holds)."""
        assert self._shared is not None
        try:
            return await self._shared.reserve(key, rate, burst)
        except Exception as error:
            log.warning("shared send pacing unavailable (%r); pacing this process alone", error)
            return 0.0

    def _share_hold(self, chat_id: int | None, seconds: float) -> None:
        """Tell the other processes about a 429 (in the background: this call waits anyway)."""
        if self._shared is None:
            return
        key, rate = (
            (WHOLE_BOT, self._global_rate / (1.0 + SHARED_MARGIN))
            if chat_id is None
            else (chat_id, self._chat_rate)
        )
        burst = 1.0 if chat_id is None else self._chat_burst
        task = asyncio.ensure_future(self._shared.hold(key, seconds, rate, burst))
        task.add_done_callback(_quiet)

    async def _wait(self, bucket: TokenBucket) -> None:
        delay = bucket.reserve(self._clock())
        if delay > 0:
            await self._sleep(delay)

    def _bucket(self, chat_id: int | None) -> TokenBucket:
        """The chat's bucket; a call without a chat answers to the overall one."""
        if chat_id is None:
            return self._global
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = TokenBucket(self._chat_rate, self._chat_burst)
        return bucket

    def _backoff(self, failures: int) -> float:
        """0.5 s, 1 s, 2 s, ... up to 30 s, each ±25 %, so chats retrying after an outage do
        not all come back in the same instant."""
        base = min(BACKOFF_MAX, BACKOFF_FIRST * 2.0 ** min(failures - 1, 16))
        return min(BACKOFF_MAX, base * (0.75 + 0.5 * self._jitter()))

    # --- outcomes ---------------------------------------------------------------------------

    def _refused(self, call: _Call, error: TelegramAPIError) -> None:
        log.warning("Telegram refused %s for chat %s: %s", call.name, call.chat_id, error.message)
        self._fail(call)

    def _succeed(self, call: _Call, result: Any) -> None:
        self.stats.sent += 1
        if call.bulk:
            self.stats.bulk_sent += 1
        if call.outbox_ids and self._on_sent is not None:
            self._notify(self._on_sent, call.outbox_ids)
        if not call.future.done():  # the caller may have stopped waiting
            call.future.set_result(result)

    def _fail(self, call: _Call) -> None:
        """Report a call given up (the caller logged why, at the level it deserves)."""
        self.stats.failed += 1
        if call.outbox_ids and self._on_failed is not None:
            self._notify(self._on_failed, call.outbox_ids)
        if not call.future.done():
            call.future.set_result(None)

    @staticmethod
    def _notify(callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception:  # a storage hiccup must not stop the sender
            log.exception("sender callback %r failed", callback)


def _quiet(task: asyncio.Future[None]) -> None:
    """A background hold that failed: logged, nothing else (the 429 is waited out here)."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not share a 429 with the other processes: %r", task.exception())

"""This process's part of the shared outbox: what it sends, in which order, and what it tells
the database afterwards (the rules are in ``storage.outbox``).

Everything that sends outbox rows goes through one queue, worked off by one task, so a chat's
rows reach the sender in the order the database gave them, whichever path found them first: a
turn's own claim (``Store(claim_as=...)``), rows committed elsewhere and claimed here (a reminder,
a summary), the hand-over after a delivery (``Outbox.mark_sent``) or the sweep for rows nobody
holds (a dead process's, after its lease). A row is handed to the sender once per process: each
claim returns every unsent row of its user, and those this process has taken already are
skipped. Deliveries are written in batches (``MARK_EVERY``), failures give the rows up at once,
and the leases of rows still on their way are renewed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from bot.telegram.render import Outgoing
from coaching.ports import OutboxItem
from storage.outbox import Outbox
from storage.send_slots import SendSlots

log = logging.getLogger(__name__)

T = TypeVar("T")

MARK_EVERY = 0.05
"""Seconds between writes that mark delivered rows sent (and hand over what waits behind)."""
SWEEP_EVERY = 1.0
"""Seconds between looks for rows nobody holds."""
REMEMBER_FOR = 300.0
"""Seconds a row handed to the sender is remembered, so that a claim read before its delivery
was written cannot hand it over a second time."""

SendRows = Callable[[list[OutboxItem], bool], Awaitable[None]]
"""Render rows read from the database and send them (``bulk``), in order."""
SendReady = Callable[[int, Sequence[Outgoing], Sequence[int], bool], None]
"""Send a turn's or a tick's messages as rendered (chat, messages, their rows, ``bulk``)."""


@dataclass(frozen=True)
class _Ready:
    """Messages rendered by their maker for rows it committed: sent as they are if this process
    holds the rows. ``claimed`` None: not claimed yet (claim first)."""

    chat_id: int
    outgoing: tuple[Outgoing, ...]
    outbox_ids: tuple[int, ...]
    bulk: bool
    claimed: tuple[OutboxItem, ...] | None


@dataclass(frozen=True)
class _Rows:
    """Rows claimed from the database, to be rendered from their payloads."""

    items: tuple[OutboxItem, ...]
    bulk: bool


class Delivery:
    """See the module docstring. ``start`` after ``attach``; ``close`` after the sender's."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        alone: bool = False,
    ) -> None:
        """``alone``: no other process can be sending (SQLite): at start-up this one takes
        over every unsent row, its predecessor's live leases included."""
        self.outbox = outbox
        self._clock = clock
        self._monotonic = monotonic
        self._alone = alone
        self._queue: asyncio.Queue[_Ready | _Rows] = asyncio.Queue()
        self._taken: dict[int, float] = {}  # row id → when it went to the sender
        self._on_way: set[int] = set()
        self._delivered: list[int] = []
        self._failed: list[int] = []
        self._writing: set[int] = set()  # delivered or failed, being written down now
        self._send_rows: SendRows | None = None
        self._send_ready: SendReady | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()
        # threads of its own: the bookkeeping (leases above all) must not queue behind turns
        self._threads = ThreadPoolExecutor(max_workers=3, thread_name_prefix="outbox")

    def attach(self, send_rows: SendRows, send_ready: SendReady) -> None:
        self._send_rows = send_rows
        self._send_ready = send_ready

    # --- what the sender reports (plain callbacks, on the event loop) -----------------------

    def sent(self, outbox_ids: Sequence[int]) -> None:
        self._delivered.extend(outbox_ids)

    def failed(self, outbox_ids: Sequence[int]) -> None:
        self._failed.extend(outbox_ids)

    # --- what the bot hands over ------------------------------------------------------------

    def deliver(
        self,
        chat_id: int,
        outgoing: Sequence[Outgoing],
        outbox_ids: Sequence[int],
        *,
        bulk: bool = False,
        claimed: Sequence[OutboxItem] | None = None,
    ) -> None:
        """Send these rendered messages of rows just committed, once this process holds the
        rows (``claimed``: what the committing turn claimed; None: claim them first)."""
        claimed_items = None if claimed is None else tuple(claimed)
        entry = _Ready(chat_id, tuple(outgoing), tuple(outbox_ids), bulk, claimed_items)
        self._queue.put_nowait(entry)

    def holds(self, outbox_ids: Sequence[int], claimed: Sequence[OutboxItem] | None) -> bool:
        """Take these rows now if the turn claimed them for this process and nobody took them
        yet (for a reply sent as an edit, where order does not matter)."""
        if claimed is None:
            return True
        ours = {item.id for item in claimed}
        if not outbox_ids or not set(outbox_ids) <= ours or self._taken.keys() & set(outbox_ids):
            return False
        self._take([item for item in claimed if item.id in set(outbox_ids)])
        return True

    def rows(self, items: Sequence[OutboxItem], *, bulk: bool = False) -> None:
        """Send rows claimed from the database (a hand-over, a sweep)."""
        if items:
            self._queue.put_nowait(_Rows(tuple(items), bulk))

    # --- the tasks --------------------------------------------------------------------------

    async def start(self) -> None:
        """Take over what is left to take (at start-up), then work off the queue, record
        deliveries and sweep, each in a task of its own."""
        left = await self._call(
            self.outbox.sweep, self._clock(), limit=10_000, everything=self._alone
        )
        self.rows(left)
        self._tasks = [
            asyncio.create_task(self._work(), name="outbox-queue"),
            asyncio.create_task(self._record(), name="outbox-record"),
            asyncio.create_task(self._sweep(), name="outbox-sweep"),
            asyncio.create_task(self._renewing(), name="outbox-leases"),
        ]

    async def close(self) -> None:
        """Stop, after writing down what the (closed) sender reported. A write under way is
        waited for, not cut off: the next process must find it done."""
        self._stop.set()
        for task in self._tasks[:1]:  # the queue's worker; the loops end by themselves
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self.flush(hand_over=False)
        self._threads.shutdown(wait=False)

    async def flush(self, *, hand_over: bool = True) -> None:
        """Write what was delivered and what failed; queue what the deliveries handed over."""
        now = self._clock()
        if self._delivered:
            batch, self._delivered = self._delivered, []
            self._writing.update(batch)
            try:
                handed = await self._call(self.outbox.mark_sent, batch, now)
            except Exception:
                log.exception("could not mark %d rows sent; they may go out again", len(batch))
                handed = []
            self._on_way.difference_update(batch)
            self._writing.difference_update(batch)
            if hand_over:
                self.rows(handed)
        if self._failed:
            batch, self._failed = self._failed, []
            self._writing.update(batch)
            try:
                await self._call(self.outbox.release, batch, now)
            except Exception:
                log.exception("could not give up %d failed rows", len(batch))
            self._on_way.difference_update(batch)
            self._writing.difference_update(batch)
            for outbox_id in batch:  # free again: this process may take them again too
                self._taken.pop(outbox_id, None)

    async def _record(self) -> None:
        while not await self._stopped(MARK_EVERY):
            await self.flush()

    async def _renewing(self) -> None:
        """Leases are renewed in a loop of their own: a slow write of deliveries must not let
        them run out (another process would send the rows again)."""
        while not await self._stopped(max(MARK_EVERY, self.outbox.lease.total_seconds() / 4)):
            await self._renew()
            self._forget()

    async def _renew(self) -> None:
        on_way = sorted(self._on_way)
        try:
            kept = await self._call(self.outbox.renew, on_way, self._clock())
        except Exception:
            log.exception("could not renew the leases of %d rows", len(on_way))
            return
        lost = set(on_way) - kept - set(self._delivered) - set(self._failed) - self._writing
        lost &= self._on_way  # delivered or failed meanwhile: not lost
        if lost:
            log.warning("%d rows were taken over by another process while still queued", len(lost))

    def _forget(self) -> None:
        horizon = self._monotonic() - REMEMBER_FOR
        self._taken = {i: at for i, at in self._taken.items() if at > horizon or i in self._on_way}

    async def _stopped(self, seconds: float) -> bool:
        """Wait ``seconds``; True when ``close`` was called meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
        return self._stop.is_set()

    async def _sweep(self) -> None:
        while not await self._stopped(SWEEP_EVERY):
            try:
                self.rows(await self._call(self.outbox.sweep, self._clock()))
            except Exception:
                log.exception("outbox sweep failed; the next one tries again")

    async def _work(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._send_batch(batch)
            except Exception:  # a bug must not stop the deliveries; the sweep finds the rows
                log.exception("outbox delivery failed")

    async def _send_batch(self, batch: list[_Ready | _Rows]) -> None:
        unclaimed = [e for e in batch if isinstance(e, _Ready) and e.claimed is None]
        claimed: dict[int, tuple[OutboxItem, ...]] = {}
        if unclaimed:
            ids = [i for ready in unclaimed for i in ready.outbox_ids]
            taken = tuple(await self._call(self.outbox.claim_rows, ids, self._clock()))
            for ready in unclaimed:
                claimed[id(ready)] = taken
        for entry in batch:
            if isinstance(entry, _Rows):
                await self._send_items(self._take(entry.items), entry.bulk)
                continue
            items = entry.claimed if entry.claimed is not None else claimed[id(entry)]
            users = {item.user_key for item in items if item.id in entry.outbox_ids}
            fresh = self._take([item for item in items if item.user_key in users])
            own = set(entry.outbox_ids)
            if not own or not own <= {item.id for item in fresh}:  # not ours, or sent already
                await self._send_items(fresh, entry.bulk)
                continue
            first, last = min(own), max(own)
            await self._send_items([item for item in fresh if item.id < first], entry.bulk)
            assert self._send_ready is not None
            self._send_ready(entry.chat_id, entry.outgoing, entry.outbox_ids, entry.bulk)
            await self._send_items([item for item in fresh if item.id > last], entry.bulk)

    async def _call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, partial(function, *args, **kwargs))

    def _take(self, items: Sequence[OutboxItem]) -> list[OutboxItem]:
        """The rows not taken yet, now taken (in id order)."""
        now = self._monotonic()
        fresh = []
        for item in sorted(items, key=lambda item: item.id):
            if item.id not in self._taken:
                self._taken[item.id] = now
                self._on_way.add(item.id)
                fresh.append(item)
        return fresh

    async def _send_items(self, items: list[OutboxItem], bulk: bool) -> None:
        if items:
            assert self._send_rows is not None
            await self._send_rows(items, bulk)


class SharedPacing:
    """``storage.send_slots.SendSlots`` for the sender: each database call in a thread of its
    own pool (a slot must not wait behind turns for a thread)."""

    def __init__(self, slots: SendSlots, threads: int = 4) -> None:
        self._slots = slots
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="pacing")

    async def reserve(self, key: int, rate: float, burst: float) -> float:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._slots.reserve, key, rate, burst)

    async def hold(self, key: int, seconds: float, rate: float, burst: float) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._threads, self._slots.hold, key, seconds, rate, burst)


__all__ = ["Delivery", "SharedPacing"]

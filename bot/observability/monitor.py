"""One worker as the operator sees it: its metrics, its readiness, a log line per update."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import datetime

import sqlalchemy as sa
from aiogram.types import Update

from bot.observability.health import Phase, Readiness, Verdict
from bot.observability.metrics import Metrics, SenderTallies
from bot.observability.updates import observing


class Monitor:
    def __init__(
        self,
        *,
        engine: sa.Engine,
        database_url: str,
        sender: SenderTallies,
        clock: Callable[[], datetime],
        stopping: asyncio.Event | None = None,
    ) -> None:
        self.metrics = Metrics()
        self.metrics.watch_sender(sender)
        self.metrics.watch_database(engine, clock)
        self.readiness = Readiness(engine, database_url, sender, stopping=stopping)
        self._scrape: asyncio.Future[bytes] | None = None

    def update(self, update: Update) -> AbstractContextManager[None]:
        """Wrap the handling of ``update`` (see ``bot.observability.updates``)."""
        return observing(self.metrics, update)

    def reminders_claimed(self, due_times: Iterable[datetime | None], now: datetime) -> None:
        self.metrics.reminders_claimed(list(due_times), now)

    def serving(self) -> None:
        self.readiness.phase = Phase.SERVING

    async def verdict(self) -> Verdict:
        return await self.readiness.verdict()

    async def exposition(self) -> bytes:
        """The metrics page, read off the event loop; scrapes that overlap share one read."""
        if self._scrape is None or self._scrape.done():
            self._scrape = asyncio.ensure_future(asyncio.to_thread(self.metrics.exposition))
        return await asyncio.shield(self._scrape)

"""The outbox's bookkeeping in one process: what it reports to the operator is true."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from bot.telegram.delivery import Delivery
from coaching.ports import OutboxItem
from dialogs.types import Say

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


class SlowMarks:
    """An outbox whose "mark sent" write is slow: it finishes only after a lease renewal ran
    while it was under way (the race a busy database makes likely)."""

    lease = timedelta(seconds=0.2)  # the bookkeeping renews every 0.05 s

    def __init__(self) -> None:
        self.sent: set[int] = set()
        self.marking = threading.Event()
        self.renewed_while_marking = threading.Event()

    def sweep(self, now: datetime, *, limit: int = 100, everything: bool = False) -> list[Any]:
        return []

    def mark_sent(self, outbox_ids: Sequence[int], now: datetime) -> list[Any]:
        self.sent.update(outbox_ids)  # committed: from here on the row is no longer leased
        self.marking.set()
        assert self.renewed_while_marking.wait(10)
        return []

    def renew(self, outbox_ids: Sequence[int], now: datetime) -> set[int]:
        if self.marking.is_set():
            self.renewed_while_marking.set()
        return {i for i in outbox_ids if i not in self.sent}

    def release(self, outbox_ids: Sequence[int], now: datetime) -> None:
        raise AssertionError("nothing failed")

    def claim_rows(self, outbox_ids: Sequence[int], now: datetime) -> list[Any]:
        return []


async def test_a_row_being_marked_sent_is_not_reported_as_taken_over(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A delivered row whose "sent" was being written when its lease came up for renewal was
    logged as "taken over by another process" — with one process running."""
    outbox = SlowMarks()
    delivery = Delivery(cast(Any, outbox), clock=lambda: NOW, alone=True)
    item = OutboxItem(7, "tg:1", Say("Noted."), 0, NOW)
    assert delivery.holds([7], [item])  # taken for sending
    with caplog.at_level(logging.WARNING, logger="bot.telegram.delivery"):
        await delivery.start()
        try:
            delivery.sent([7])
            await asyncio.to_thread(outbox.renewed_while_marking.wait, 10)
        finally:
            await delivery.close()  # waits for the renewal under way and its report
    assert outbox.renewed_while_marking.is_set()  # the race under test happened
    assert outbox.sent == {7}
    assert not [r for r in caplog.records if "taken over" in r.getMessage()]

"""One log line and one histogram observation per Telegram update, and the turns inside it.

``observing(metrics, update)`` wraps the handling of an update; the coach reports each turn it
commits with ``turn_committed`` (a no-op outside an observed update, such as in the console).
The line names the update, its kind, the chat (a Telegram id), what came of it and how long it
took — never the text, a name or a phone number: what a rep typed stays in the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from aiogram.types import Update

from bot.observability.metrics import Metrics

log = logging.getLogger("coachbot.updates")

KINDS = ("message", "edited_message", "callback_query", "my_chat_member")


@dataclass
class _Handling:
    """The update being handled in this task."""

    metrics: Metrics
    turns: int = 0
    duplicate: bool = False


_current: ContextVar[_Handling | None] = ContextVar("coachbot_update", default=None)


def kind_of(update: Update) -> str:
    return next((kind for kind in KINDS if getattr(update, kind) is not None), "other")


def chat_of(update: Update) -> int | None:
    for kind in KINDS:
        event = getattr(update, kind)
        user = getattr(event, "from_user", None)
        if user is not None:
            return int(user.id)
    return None


@contextmanager
def observing(metrics: Metrics, update: Update) -> Iterator[None]:
    """Time the update's handling; count it by outcome (ok, duplicate: a redelivery answered
    before, error: Telegram will deliver it again); log one line."""
    kind = kind_of(update)
    handling = _Handling(metrics)
    token = _current.set(handling)
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "duplicate" if handling.duplicate else "ok"
    finally:
        _current.reset(token)
        seconds = time.perf_counter() - started
        metrics.updates.labels(kind, outcome).inc()
        metrics.update_seconds.labels(kind).observe(seconds)
        log.info(
            "update %s",
            outcome,
            extra={
                "update_id": update.update_id,
                "kind": kind,
                "chat": chat_of(update),
                "outcome": outcome,
                "turns": handling.turns,
                "latency_ms": round(seconds * 1000, 1),
            },
        )


def turn_committed(duplicate: bool, seconds: float) -> None:
    """A turn of the update being handled was committed (``duplicate``: the inbox knew the
    update already, and nothing was done)."""
    handling = _current.get()
    if handling is None:
        return
    if duplicate:
        handling.duplicate = True
        handling.metrics.deduplicated.inc()
        return
    handling.turns += 1
    handling.metrics.turns.inc()
    handling.metrics.turn_seconds.observe(seconds)

"""Telegram's sending limits shared by every bot process on one PostgreSQL database.

Telegram counts what the whole bot sends (about 30 messages a second) and what it sends to one
chat (about one a second after a short burst), whichever process sends it. So the processes
keep their token buckets in one table, ``send_slot``: per key (0: the whole bot, else a chat id)
the moment the bucket is full again (GCRA, as ``bot.telegram.sender.TokenBucket``), in Unix
seconds. Taking a slot is one upsert: it moves that moment on by one interval and says how long
to wait for the slot, so concurrent takers queue up in the database's order, none polls, and
no process is special. Time is the callers' wall clock (``wall``), which must agree across hosts
to well under one interval (NTP does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from storage.schema import send_slot_table

WHOLE_BOT = 0
"""The key of the bot's overall bucket (no chat has id 0)."""
PRUNE_EVERY = 2000
"""Slots taken between two clean-ups of the buckets of chats gone quiet."""
QUIET_FOR = 60.0
"""Seconds after which a full bucket's row is deleted (it is the same as no row)."""


class SendSlots:
    """Shared token buckets (see the module). Thread-safe; PostgreSQL only."""

    def __init__(self, engine: sa.Engine, *, wall: Callable[[], float] = time.time) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("shared send slots need PostgreSQL (SQLite is one process)")
        self._engine = engine
        self._wall = wall
        self._taken = 0
        self._lock = threading.Lock()
        s = send_slot_table
        insert = postgresql.insert(s).values(
            key=sa.bindparam("key"), full_at=sa.bindparam("now") + sa.bindparam("interval")
        )
        now = insert.excluded.full_at - sa.bindparam("interval")
        self._take = insert.on_conflict_do_update(
            index_elements=[s.c.key],
            set_={"full_at": sa.func.greatest(s.c.full_at, now) + sa.bindparam("interval")},
        ).returning(s.c.full_at)
        hold = postgresql.insert(s).values(key=sa.bindparam("key"), full_at=sa.bindparam("at"))
        self._hold = hold.on_conflict_do_update(
            index_elements=[s.c.key],
            set_={"full_at": sa.func.greatest(s.c.full_at, hold.excluded.full_at)},
        )

    def reserve(self, key: int, rate: float, burst: float = 1.0) -> float:
        """Take ``key``'s next slot (``rate`` a second, bursts of ``burst``); returns the seconds
        to wait for it (0: go now)."""
        if rate <= 0:
            return 0.0
        interval = 1.0 / rate
        tolerance = (max(burst, 1.0) - 1.0) * interval
        now = self._wall()
        with self._engine.begin() as conn:
            full_at = float(
                conn.execute(
                    self._take, {"key": key, "now": now, "interval": interval}
                ).scalar_one()
            )
        self._count(now)
        # full_at moved on by one interval from max(old full_at, now): the slot is where it was
        slot = max(now, full_at - interval - tolerance)
        return max(0.0, slot - now)

    def hold(self, key: int, seconds: float, rate: float, burst: float = 1.0) -> None:
        """No slot of ``key`` in the next ``seconds`` for anyone (Telegram answered 429)."""
        if rate <= 0:
            return
        tolerance = (max(burst, 1.0) - 1.0) / rate
        with self._engine.begin() as conn:
            conn.execute(self._hold, {"key": key, "at": self._wall() + seconds + tolerance})

    def _count(self, now: float) -> None:
        with self._lock:
            self._taken += 1
            due = self._taken % PRUNE_EVERY == 0
        if due:
            s = send_slot_table
            with self._engine.begin() as conn:
                conn.execute(
                    sa.delete(s).where(s.c.key != WHOLE_BOT, s.c.full_at < now - QUIET_FOR)
                )


__all__ = ["WHOLE_BOT", "SendSlots"]

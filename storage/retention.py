"""How long delivered messages are kept: the outbox is a delivery queue, not an archive.

A reply is an outbox row until it is delivered, and the row is what a restarted sender resends.
Once sent it serves nothing but a look back, while it repeats what a rep typed and was told, so
``purge_sent_outbox`` deletes sent rows older than the retention period (the bot runs it every
hour, ``COACHBOT_OUTBOX_RETENTION_DAYS``). Unsent rows are never purged: they still have to go.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from storage.schema import outbox_table

DEFAULT_OUTBOX_RETENTION_DAYS = 3.0
PURGE_BATCH = 5_000
"""Rows deleted per transaction: a big first purge does not hold the write lock for long."""


def purge_sent_outbox(
    engine: sa.Engine, *, now: datetime, keep: timedelta, batch: int = PURGE_BATCH
) -> int:
    """Delete the outbox rows sent before ``now - keep``, ``batch`` rows per transaction;
    returns how many went."""
    o = outbox_table
    before = now - keep
    purged = 0
    while True:
        oldest = (
            sa.select(o.c.id)
            .where(o.c.sent_at.is_not(None), o.c.sent_at < before)
            .order_by(o.c.id)
            .limit(batch)
        )
        with engine.begin() as conn:
            ids = list(conn.execute(oldest).scalars())
            if ids:
                conn.execute(sa.delete(o).where(o.c.id.in_(ids), o.c.sent_at < before))
        purged += len(ids)
        if len(ids) < batch:
            return purged


__all__ = ["DEFAULT_OUTBOX_RETENTION_DAYS", "PURGE_BATCH", "purge_sent_outbox"]

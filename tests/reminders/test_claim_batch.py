"""A tick's claim writes its batch with a fixed number of statements, whatever its size — on
SQLite and PostgreSQL — and every claimed reminder still ends exactly as decided, each sent
one tied to its own outbox row (the ids come back in the order the rows went in)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from storage.reminders import Reminders
from storage.schema import outbox_table, reminder_table
from storage.store import Store
from tests.reminders.conftest import make_rep
from tests.reminders.test_rows import T0, by_about, follow_up


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements run on ``engine`` meanwhile (an executemany counts once)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        seen.append(sql)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def claim_batch(
    store: Store, reminders: Reminders, engine: sa.Engine, size: int, first: int
) -> tuple[int, list[Any]]:
    """``size`` due reminders over three reps (every third postponed, every fifth skipped),
    claimed at once: the statements it took, and the deliveries."""
    reps = [make_rep(store, f"tg:{first + n}") for n in range(3)]
    new = []
    for n in range(size):
        about = "postpone" if n % 3 == 1 else "skip" if n % 5 == 4 else f"call {first + n}"
        new.append(follow_up(reps[n % 3], f"batch:{first}:{n}", T0, about))
    reminders.add(new, now=T0 - timedelta(days=1))
    with statements(engine) as seen:
        report = reminders.claim_due(by_about, now=T0, limit=size)
    expected_sent = sum(1 for r in new if r.about.startswith("call"))
    assert len(report.deliveries) == expected_sent
    assert report.postponed == sum(1 for r in new if r.about == "postpone")
    assert report.skipped == sum(1 for r in new if r.about == "skip")
    return len(seen), report.deliveries


def test_a_big_claim_takes_no_more_statements_than_a_small_one(
    store: Store, reminders: Reminders, engine: sa.Engine
) -> None:
    small, _ = claim_batch(store, reminders, engine, 15, first=100)
    big, deliveries = claim_batch(store, reminders, engine, 90, first=200)
    assert big == small

    r, o = reminder_table, outbox_table
    with engine.connect() as conn:
        for delivery in deliveries:
            row = conn.execute(
                sa.select(r.c.status, r.c.outbox_id, r.c.user_id, r.c.about).where(
                    r.c.id == delivery.reminder_id
                )
            ).one()
            assert (row.status, row.outbox_id) == ("sent", delivery.outbox_id)
            outbox = conn.execute(
                sa.select(o.c.user_id, o.c.payload).where(o.c.id == delivery.outbox_id)
            ).one()
            assert outbox.user_id == row.user_id
            assert row.about in str(outbox.payload)  # this reminder's nudge, not a neighbour's
        statuses = dict(
            conn.execute(
                sa.select(r.c.about, r.c.status).where(r.c.key.startswith("batch:200:"))
            ).all()
        )
    assert statuses["postpone"] == "pending"
    assert statuses["skip"] == "skipped"

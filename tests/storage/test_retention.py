"""Delivered messages leave the outbox after the retention period; undelivered ones never do
(they still have to go), on SQLite and PostgreSQL, also when there are more than one batch."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from storage.retention import purge_sent_outbox
from storage.schema import outbox_table, user_table
from tests.conftest import START

KEEP = timedelta(days=3)


def test_sent_rows_older_than_the_retention_period_are_purged(engine: sa.Engine) -> None:
    o = outbox_table
    with engine.begin() as conn:
        uid = conn.execute(
            sa.insert(user_table)
            .values(key="tg:42", display_name="Anna", created_at=START)
            .returning(user_table.c.id)
        ).scalar_one()
        rows = [
            # (text, sent how long before now; None: not sent yet)
            ("old, sent", timedelta(days=5)),
            ("old, sent too", timedelta(days=3, seconds=1)),
            ("just within", timedelta(days=2, hours=23)),
            ("fresh", timedelta(minutes=1)),
            ("old, never delivered", None),
        ]
        for number in range(7):  # more than one batch
            rows.append((f"older {number}", timedelta(days=10)))
        conn.execute(
            sa.insert(o),
            [
                {
                    "user_id": uid,
                    "payload": {"type": "say", "text": text},
                    "created_at": START - timedelta(days=11),
                    "sent_at": None if age is None else START - age,
                    "attempts": 1,
                }
                for text, age in rows
            ],
        )

    assert purge_sent_outbox(engine, now=START, keep=KEEP, batch=3) == 9
    with engine.connect() as conn:
        left = [
            row.payload["text"] for row in conn.execute(sa.select(o.c.payload).order_by(o.c.id))
        ]
    assert left == ["just within", "fresh", "old, never delivered"]
    assert purge_sent_outbox(engine, now=START, keep=KEEP) == 0  # nothing more to do
    assert purge_sent_outbox(engine, now=START + timedelta(days=3), keep=KEEP) == 2

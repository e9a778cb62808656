"""Two bot processes claiming the same reminders: every reminder goes out exactly once in total.

PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets the second claimer take other rows instead of waiting
(checked: both claimers hold their batch at the same moment). SQLite: two engines on one file,
``BEGIN IMMEDIATE`` serialises the claims.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from dialogs.types import Nudge
from storage.db import make_engine
from storage.reminders import Decision, Delivery, Due, NewReminder, Reminders, Send
from storage.schema import outbox_table, reminder_table
from storage.store import Store
from tests.reminders.conftest import make_rep

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REPS = 10
PER_REP = 100
TOTAL = REPS * PER_REP
BATCH = 50


def send(due: Due) -> Decision:
    return Send(Nudge(due.reminder.id, f"reminder {due.reminder.key}"))


def test_two_claimers_send_every_reminder_exactly_once(
    backend: str, db_url: str, store: Store, reminders: Reminders
) -> None:
    ids = [make_rep(store, f"tg:{n}") for n in range(REPS)]
    reminders.add(
        (
            NewReminder(uid, "follow_up", f"r:{uid}:{n}", NOW - timedelta(seconds=n % 7))
            for uid in ids
            for n in range(PER_REP)
        ),
        now=NOW - timedelta(days=1),
    )
    wanted = {r.id for r in reminders.listing(limit=TOTAL + 1)}
    assert len(wanted) == TOTAL

    engines = [make_engine(db_url), make_engine(db_url)]
    start = threading.Barrier(2, timeout=30)
    # PostgreSQL: the first batch of each claimer waits for the other's, so both hold row locks
    # at once; were the locked rows not skipped, the second would wait for the first: timeout.
    overlap = threading.Barrier(2, timeout=30) if backend == "postgres" else None
    claimed: list[list[Delivery]] = [[], []]
    batches = [0, 0]
    errors: list[BaseException] = []

    def claimer(n: int) -> None:
        mine = Reminders(engines[n])
        first = True

        def decide(due: Due) -> Decision:
            nonlocal first
            if first and overlap is not None:
                first = False
                overlap.wait()
            return send(due)

        try:
            start.wait()
            while True:
                report = mine.claim_due(decide, now=NOW, limit=BATCH)
                if not report.deliveries:
                    break
                assert len(report.deliveries) <= BATCH
                claimed[n].extend(report.deliveries)
                batches[n] += 1
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
            if overlap is not None:
                overlap.abort()

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        for engine in engines:
            engine.dispose()
    assert errors == []

    delivered = Counter(d.reminder_id for n in range(2) for d in claimed[n])
    assert [rid for rid, count in delivered.items() if count > 1] == []
    assert set(delivered) == wanted
    assert sum(delivered.values()) == TOTAL
    if overlap is not None:
        assert all(batches), batches  # both claimed at the same time, neither waited

    outbox_ids = [d.outbox_id for n in range(2) for d in claimed[n]]
    assert len(set(outbox_ids)) == TOTAL
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(outbox_table)).scalar() == TOTAL
        statuses: dict[str, int] = dict(
            conn.execute(
                sa.select(reminder_table.c.status, sa.func.count()).group_by(
                    reminder_table.c.status
                )
            ).all()
        )
        linked = conn.execute(
            sa.select(sa.func.count(sa.distinct(reminder_table.c.outbox_id)))
        ).scalar()
    assert statuses == {"sent": TOTAL}
    assert linked == TOTAL

    # the outbox holds one nudge per reminder, each for its own rep
    pending = store.pending_outbox(limit=TOTAL + 10)
    refs = Counter(item.reply.ref for item in pending if isinstance(item.reply, Nudge))
    assert set(refs) == wanted
    assert max(refs.values()) == 1
    owner = {r.id: r.user_key for r in reminders.listing(statuses=("sent",), limit=TOTAL + 1)}
    assert all(owner[item.reply.ref] == item.user_key for item in pending)  # type: ignore[union-attr]

    assert reminders.claim_due(send, now=NOW + timedelta(days=1)).deliveries == []

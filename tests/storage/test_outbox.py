"""Two bot processes on one database: who sends a rep's replies, in which order, and what a
restarted process takes over (``storage.outbox``; the claim inside a turn in ``storage.store``)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from dialogs.types import TextIn
from storage.outbox import Outbox
from storage.schema import outbox_table
from storage.store import Profile, Store
from testkit.fake_turn import fake_turn

ANNA = Profile("tg:1", "Anna")
BORIS = Profile("tg:2", "Boris")
LEASE = 30.0


def stores(engine: sa.Engine, *owners: str) -> list[tuple[Store, Outbox]]:
    return [
        (Store(engine, fake_turn, claim_as=owner, lease=LEASE), Outbox(engine, owner, lease=LEASE))
        for owner in owners
    ]


def texts(items: object) -> list[str]:
    return [item.reply.text for item in items]  # type: ignore[attr-defined]


def test_a_turn_claims_its_own_replies(engine: sa.Engine, now: datetime) -> None:
    [(store, _)] = stores(engine, "a")
    result = store.handle(ANNA, TextIn("Acme"), now=now, source="telegram", external_id="1")
    assert result.claimed is not None
    assert [item.id for item in result.claimed] == list(result.outbox_ids)
    assert all(item.user_key == "tg:1" for item in result.claimed)


def test_without_a_name_a_store_claims_nothing(store: Store, now: datetime) -> None:
    assert store.handle(ANNA, TextIn("Acme"), now=now).claimed is None


def test_the_next_turn_on_another_process_waits_for_the_holder(
    engine: sa.Engine, now: datetime
) -> None:
    (store_a, outbox_a), (store_b, outbox_b) = stores(engine, "a", "b")
    first = store_a.handle(ANNA, TextIn("q1"), now=now, source="telegram", external_id="1")
    second = store_b.handle(ANNA, TextIn("q2"), now=now, source="telegram", external_id="2")
    assert second.claimed == ()  # a still sends the first reply: b must not overtake it
    assert outbox_b.sweep(now) == []  # nor may b's sweep take anything while a's lease lasts
    # a delivers its reply and, in the same step, takes over b's: order kept, b sends nothing
    handed = outbox_a.mark_sent(first.outbox_ids, now)
    assert [item.id for item in handed] == list(second.outbox_ids)
    # other reps are not held up
    boris = store_b.handle(BORIS, TextIn("q1"), now=now, source="telegram", external_id="3")
    assert [item.id for item in boris.claimed or ()] == list(boris.outbox_ids)


def test_a_turn_takes_over_earlier_replies_nobody_holds(engine: sa.Engine, now: datetime) -> None:
    (store_a, outbox_a), (store_b, _) = stores(engine, "a", "b")
    first = store_a.handle(ANNA, TextIn("q1"), now=now, source="telegram", external_id="1")
    outbox_a.release(first.outbox_ids, now)  # a could not deliver it
    second = store_b.handle(ANNA, TextIn("q2"), now=now, source="telegram", external_id="2")
    # b sends both, the earlier one first
    assert [item.id for item in second.claimed or ()] == [*first.outbox_ids, *second.outbox_ids]


def test_a_restarted_process_takes_over_only_expired_leases(
    engine: sa.Engine, now: datetime
) -> None:
    (store_a, _), (_, outbox_b) = stores(engine, "a", "b")
    held = store_a.handle(ANNA, TextIn("q1"), now=now, source="telegram", external_id="1")
    [(_, restarted)] = stores(engine, "a-after-restart")
    assert restarted.sweep(now + timedelta(seconds=LEASE - 1)) == []  # a may be sending it
    later = now + timedelta(seconds=LEASE + 1)  # a died: its lease ran out
    taken = restarted.sweep(later)
    assert [item.id for item in taken] == list(held.outbox_ids)
    assert outbox_b.sweep(later) == []  # once
    with engine.connect() as conn:
        owners = conn.execute(sa.select(outbox_table.c.claimed_by)).scalars().all()
    assert set(owners) == {"a-after-restart"}


def test_a_sent_row_is_never_claimed_again(engine: sa.Engine, now: datetime) -> None:
    [(store, outbox)] = stores(engine, "a")
    result = store.handle(ANNA, TextIn("q1"), now=now, source="telegram", external_id="1")
    outbox.mark_sent(result.outbox_ids, now)
    [(_, other)] = stores(engine, "b")
    assert other.sweep(now + timedelta(days=1)) == []
    assert other.claim([result.user_id], now + timedelta(days=1)) == []


def test_released_rows_are_tried_again_a_bounded_number_of_times(
    engine: sa.Engine, now: datetime
) -> None:
    [(store, _)] = stores(engine, "a")
    outbox = Outbox(engine, "a", lease=LEASE, max_attempts=3)
    result = store.handle(ANNA, TextIn("q1"), now=now, source="telegram", external_id="1")
    ids = list(result.outbox_ids)
    for _ in range(2):
        outbox.release(ids, now)
        assert [item.id for item in outbox.sweep(now)] == ids  # free again at once
    outbox.release(ids, now)
    assert outbox.sweep(now) == []  # refused three times: given up


def test_renew_keeps_rows_and_reports_those_taken_over(engine: sa.Engine, now: datetime) -> None:
    (store_a, outbox_a), (_, outbox_b) = stores(engine, "a", "b")
    result = store_a.handle(ANNA, TextIn("q1"), now=now, source="telegram", external_id="1")
    ids = list(result.outbox_ids)
    soon = now + timedelta(seconds=LEASE - 1)
    assert outbox_a.renew(ids, soon) == set(ids)
    assert outbox_b.sweep(now + timedelta(seconds=LEASE + 1)) == []  # renewed: still a's
    late = soon + timedelta(seconds=LEASE + 1)
    assert [item.id for item in outbox_b.sweep(late)] == ids  # a stalled too long
    assert outbox_a.renew(ids, late) == set()


def test_sweep_skips_reps_who_blocked_the_bot(engine: sa.Engine, now: datetime) -> None:
    [(store, outbox)] = stores(engine, "a")
    result = store.handle(ANNA, TextIn("q1"), now=now, source="telegram", external_id="1")
    outbox.release(result.outbox_ids, now)
    store.set_active("tg:1", False)
    assert outbox.sweep(now) == []

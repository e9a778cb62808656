"""The in-memory store keeps the same contract as the durable one, within one process."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from dialogs.types import Ask, TextIn
from storage.memory import MemoryStore
from storage.store import Profile, Store, TurnStore
from testkit.fake_turn import fake_turn

ANNA = Profile("console:anna", lang="zh", tz="Asia/Shanghai")


def test_both_stores_are_turn_stores(engine: sa.Engine) -> None:
    stores: list[TurnStore] = [MemoryStore(fake_turn), Store(engine, fake_turn)]
    assert len(stores) == 2


def test_memory_store_contract(now: datetime) -> None:
    store = MemoryStore(fake_turn)
    first = store.handle(ANNA, TextIn("a1"), now=now, source="telegram", external_id="1")
    again = store.handle(ANNA, TextIn("a1"), now=now, source="telegram", external_id="1")
    second = store.handle(ANNA, TextIn("a2"), now=now, source="telegram", external_id="2")
    assert (first.duplicate, again.duplicate, again.replies) == (False, True, ())
    assert store.answers(ANNA.key) == {"q1": "a1", "q2": "a2"}
    assert store.answers(ANNA.key, run_no=1) == {"q1": "a1", "q2": "a2"}
    assert isinstance(first.replies[0], Ask)
    assert first.replies[0].text == "Question 2 (zh, Asia/Shanghai)"
    state = store.conversation(ANNA.key)
    assert state.active is not None
    assert state.active.step == "q3"
    assert [oid for oid, _ in store.unsent(ANNA.key)] == [*first.outbox_ids, *second.outbox_ids]
    store.mark_sent(first.outbox_ids, now=now)
    assert store.unsent(ANNA.key) == list(zip(second.outbox_ids, second.replies, strict=True))
    assert store.answers("nobody") == {}

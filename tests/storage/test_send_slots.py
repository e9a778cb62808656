"""Telegram's limits shared by several bot processes: the token buckets in PostgreSQL
(``storage.send_slots``), on an injected wall clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from storage.send_slots import WHOLE_BOT, SendSlots

pytestmark = pytest.mark.postgres


@pytest.fixture
def wall() -> list[float]:
    return [1_800_000_000.0]


@pytest.fixture
def processes(postgres_migrated: str, wall: list[float]) -> Iterator[list[SendSlots]]:
    """Two processes' views of one database, each with its own engine."""
    engines = [sa.create_engine(postgres_migrated) for _ in range(2)]
    with engines[0].begin() as conn:
        conn.exec_driver_sql("DELETE FROM send_slot")
    yield [SendSlots(engine, wall=lambda: wall[0]) for engine in engines]
    for engine in engines:
        engine.dispose()


def test_two_processes_share_the_whole_bots_rate(processes: list[SendSlots]) -> None:
    a, b = processes
    waits = [(a if n % 2 else b).reserve(WHOLE_BOT, rate=30) for n in range(60)]
    # one schedule for both: the n-th slot is n/30 s away, whoever took it
    assert waits == pytest.approx([n / 30 for n in range(60)])


def test_a_chat_gets_its_burst_at_once_then_one_a_second(
    processes: list[SendSlots], wall: list[float]
) -> None:
    a, b = processes
    chat = 4242
    assert [a.reserve(chat, rate=1, burst=3), b.reserve(chat, rate=1, burst=3)] == [0, 0]
    assert a.reserve(chat, rate=1, burst=3) == 0  # a turn's three messages go at once
    assert b.reserve(chat, rate=1, burst=3) == pytest.approx(1.0)  # the fourth waits
    wall[0] += 10  # the rep thought it over: the burst is back
    assert [a.reserve(chat, rate=1, burst=3) for _ in range(3)] == [0, 0, 0]
    assert b.reserve(7, rate=1, burst=3) == 0  # other chats are not held up


def test_a_429_holds_everyone(processes: list[SendSlots]) -> None:
    a, b = processes
    a.hold(WHOLE_BOT, 5.0, rate=30)
    assert b.reserve(WHOLE_BOT, rate=30) == pytest.approx(5.0)


def test_no_limit_takes_no_slot(processes: list[SendSlots]) -> None:
    a, _ = processes
    assert a.reserve(WHOLE_BOT, rate=0) == 0

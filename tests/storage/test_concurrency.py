"""One rep's rapid messages, handled at once by threads, stores and processes: serialised per user.

Every answer must land on a distinct, consecutive question, none lost, none duplicated, in the
order of the inbox (the order in which the turns were applied).
"""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from dialogs.types import Ask, TextIn
from storage.db import make_engine
from storage.store import Profile, Store, TurnResult
from storage.teams import Teams
from testkit.fake_turn import fake_turn

REP = Profile("tg:1001", display_name="Rep", tz="Asia/Shanghai")
N = 20


def run_together(calls: list[Callable[[], TurnResult]]) -> list[TurnResult]:
    """Start every call in its own thread at the same moment; re-raise the first failure."""
    barrier = threading.Barrier(len(calls))
    results: list[TurnResult | None] = [None] * len(calls)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except BaseException as error:  # re-raised in the test thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


def assert_serialised(store: Store, n: int = N) -> None:
    """The k-th event in the inbox answered question k; nothing lost, nothing twice."""
    inbox = store.inbox(REP.key)
    texts = [row[3]["text"] for row in inbox]
    assert sorted(texts) == sorted(f"m{i}" for i in range(n))
    answers = store.answers(REP.key)
    assert answers == {f"q{k}": texts[k - 1] for k in range(1, n + 1)}
    assert store.version(REP.key) == n
    assert [run.no for run in store.runs(REP.key)] == [1]
    state = store.conversation(REP.key)
    assert state.active is not None
    assert state.active.step == f"q{n + 1}"
    assert state.token == n
    unsent = store.unsent(REP.key)
    assert len(unsent) == n
    asked = [reply.step for _, reply in unsent if isinstance(reply, Ask)]
    assert asked == [f"q{k}" for k in range(2, n + 2)]


def handle_call(store: Store, i: int, now: datetime) -> Callable[[], TurnResult]:
    return lambda: store.handle(
        REP, TextIn(f"m{i}"), now=now, source="telegram", external_id=str(i)
    )


def test_twenty_answers_at_once_one_store(store: Store, now: datetime) -> None:
    results = run_together([handle_call(store, i, now) for i in range(N)])
    assert not any(result.duplicate for result in results)
    assert len({result.user_id for result in results}) == 1  # the user was created once
    assert_serialised(store)


def test_twenty_answers_at_once_two_stores(db_url: str, now: datetime) -> None:
    stores = [Store(make_engine(db_url), fake_turn) for _ in range(2)]
    try:
        run_together([handle_call(stores[i % 2], i, now) for i in range(N)])
        assert_serialised(stores[0])
    finally:
        for store in stores:
            store.engine.dispose()


def test_the_same_update_delivered_to_many_threads_is_handled_once(
    store: Store, now: datetime
) -> None:
    results = run_together(
        [
            lambda: store.handle(REP, TextIn("m0"), now=now, source="telegram", external_id="1")
            for _ in range(10)
        ]
    )
    assert sorted(result.duplicate for result in results) == [False] + [True] * 9
    assert store.version(REP.key) == 1
    assert len(store.unsent(REP.key)) == 1


def _process(url: str, indexes: list[int], barrier: threading.Barrier, now: datetime) -> None:
    store = Store(make_engine(url), fake_turn)
    barrier.wait(timeout=60)
    for i in indexes:
        store.handle(REP, TextIn(f"m{i}"), now=now, source="telegram", external_id=str(i))
    store.engine.dispose()


@pytest.mark.slow
def test_twenty_answers_from_four_processes(db_url: str, now: datetime) -> None:
    processes = 4
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    workers = [
        context.Process(target=_process, args=(db_url, list(range(p, N, processes)), barrier, now))
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0] * processes
    store = Store(make_engine(db_url), fake_turn)
    try:
        assert_serialised(store)
    finally:
        store.engine.dispose()


def test_a_first_message_survives_another_writer_committing_as_its_user_is_created(
    sqlite_template: Path, tmp_path: Path, now: datetime
) -> None:
    """SQLite: the first turn of a rep who joined a team (a user row, no conversation yet)
    starts its transaction over to create the conversation. A commit by another writer in that
    moment (the sender marking replies sent, say) used to make the turn fail at once with
    "database is locked": the rep's first message went unanswered until Telegram sent it
    again."""
    path = tmp_path / "coachbot.db"
    shutil.copyfile(sqlite_template, path)
    store = Store(make_engine(f"sqlite:///{path}"), fake_turn)
    teams = Teams(store.engine)
    team = teams.create_team("tg:1", "North", now=now, check=False)
    teams.add_member(team.id, REP.key, "rep", now=now)
    other = Profile("tg:2002", display_name="Other")
    store.handle(other, TextIn("hello"), now=now)
    outside = sqlite3.connect(path, isolation_level=None, timeout=10)
    starts: list[str] = []

    def commit_outside_at_the_second_start(statement: str) -> None:
        if statement == "BEGIN IMMEDIATE":
            starts.append(statement)
            if len(starts) == 2:  # the first contact's start over, after its rollback
                outside.execute(
                    "UPDATE user SET display_name = 'Renamed' WHERE key = ?", (other.key,)
                )

    with store.engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        dbapi.set_trace_callback(commit_outside_at_the_second_start)
    try:
        result = store.handle(REP, TextIn("m0"), now=now, source="telegram", external_id="1")
    finally:
        store.engine.dispose()
        outside.close()
    assert len(starts) == 2  # the path under test ran
    assert not result.duplicate
    assert len(result.replies) == 1
    reopened = Store(make_engine(f"sqlite:///{path}"), fake_turn)
    try:
        assert reopened.answers(REP.key) == {"q1": "m0"}
        assert reopened.user(other.key) is not None
    finally:
        reopened.engine.dispose()

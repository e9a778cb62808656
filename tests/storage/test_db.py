"""Engines: SQLite settings and locking, PostgreSQL isolation, background checkpoints."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from dialogs.types import TextIn
from storage.db import DEFAULT_DATABASE_URL, READ_ONLY, WriteQueue, make_engine, write_queue
from storage.schema import metadata
from storage.store import Profile, Store
from testkit.fake_turn import fake_turn


def pragma(engine: sa.Engine, name: str) -> object:
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sqlite-checkpoint"]


def test_default_url_creates_the_var_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = make_engine(DEFAULT_DATABASE_URL)
    try:
        with engine.connect():
            pass
        assert (tmp_path / "var" / "coachbot.db").exists()
    finally:
        engine.dispose()


@pytest.mark.parametrize(("synchronous", "level"), [("NORMAL", 1), ("full", 2)])
def test_sqlite_settings(tmp_path: Path, synchronous: str, level: int) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}", sqlite_synchronous=synchronous)
    try:
        assert pragma(engine, "journal_mode") == "wal"
        assert pragma(engine, "synchronous") == level
        assert pragma(engine, "busy_timeout") == 10_000
        assert pragma(engine, "foreign_keys") == 1
        assert pragma(engine, "wal_autocheckpoint") == 10_000  # the background thread checkpoints
    finally:
        engine.dispose()


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        make_engine(f"sqlite:///{tmp_path / 'a.db'}", sqlite_synchronous="SOMETIMES")
    with pytest.raises(ValueError, match="unsupported database"):
        make_engine("mysql://localhost/x")


def test_a_write_transaction_takes_the_write_lock_at_begin(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    engine = make_engine(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        # BEGIN IMMEDIATE: the lock is taken before any statement
        with engine.begin(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        with engine.execution_options(**READ_ONLY).begin() as conn:  # deferred: no lock
            conn.exec_driver_sql("SELECT 1")
            other.execute("BEGIN IMMEDIATE")
            other.execute("COMMIT")
    finally:
        other.close()
        engine.dispose()


def test_the_checkpoint_thread_stops_with_the_engine(tmp_path: Path) -> None:
    before = len(checkpoint_threads())
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with engine.connect():
        pass
    assert len(checkpoint_threads()) == before + 1
    engine.dispose()
    assert len(checkpoint_threads()) == before
    with engine.connect():  # a disposed engine may be used again: so is its checkpointer
        pass
    assert len(checkpoint_threads()) == before + 1
    engine.dispose()
    off = make_engine(f"sqlite:///{tmp_path / 'b.db'}", sqlite_checkpoint_interval=None)
    with off.connect():
        pass
    assert len(checkpoint_threads()) == before
    assert pragma(off, "wal_autocheckpoint") == 1000
    off.dispose()


def test_in_memory_sqlite_for_single_threaded_use(now: datetime) -> None:
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    store = Store(engine, fake_turn)
    store.handle(Profile("console:x"), TextIn("a1"), now=now)
    assert store.answers("console:x") == {"q1": "a1"}
    engine.dispose()


@pytest.mark.postgres
def test_postgres_engine_reads_committed() -> None:
    from tests.storage.conftest import postgres_url

    url = sa.make_url(postgres_url()).set(drivername="postgresql")
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as conn:
            assert conn.get_isolation_level() == "READ COMMITTED"
    finally:
        engine.dispose()


def test_write_queue_hands_over_in_arrival_order() -> None:
    queue = WriteQueue()
    queue.acquire()
    order: list[int] = []

    def writer(i: int) -> None:
        queue.acquire()
        order.append(i)
        queue.release()

    threads = []
    for i in range(5):
        thread = threading.Thread(target=writer, args=(i,))
        thread.start()
        threads.append(thread)
        while queue.waiting < i + 1:  # thread i is queued before thread i + 1 starts
            time.sleep(0.001)
    queue.release()
    for thread in threads:
        thread.join(timeout=10)
    assert order == [0, 1, 2, 3, 4]
    queue.acquire()  # free again
    queue.release()


def test_write_queue_times_out() -> None:
    queue = WriteQueue()
    queue.acquire()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        queue.acquire(timeout=0.01)
    assert queue.waiting == 0
    queue.release()


def test_one_queue_per_sqlite_file(tmp_path: Path) -> None:
    first = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    same = make_engine(f"sqlite:///{tmp_path / 'x' / '..' / 'a.db'}")
    other = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    try:
        assert write_queue(first) is write_queue(same)
        assert write_queue(first) is not write_queue(other)
        assert write_queue(make_engine("sqlite://")) is None
    finally:
        for engine in (first, same, other):
            engine.dispose()


WRITTEN = sa.Table("written", sa.MetaData(), sa.Column("who", sa.String))


@pytest.fixture
def queued(tmp_path: Path) -> Iterator[tuple[sa.Engine, WriteQueue]]:
    """A SQLite file with a ``written`` table, and the process's write queue for it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    try:
        WRITTEN.create(engine)
        queue = write_queue(engine)
        assert queue is not None
        yield engine, queue
    finally:
        engine.dispose()


def test_core_writers_queue_with_the_turns_in_arrival_order(
    queued: tuple[sa.Engine, WriteQueue],
) -> None:
    """A Core write (marking replies sent, the summary tick) waits in the process's queue, not
    in SQLite's sleeping busy handler where queued turns overtook it for seconds."""
    engine, queue = queued
    queue.acquire()  # a turn is writing

    def core_writer() -> None:
        with engine.begin() as conn:
            conn.execute(WRITTEN.insert().values(who="core"))

    def next_turn() -> None:
        queue.acquire()
        raw = engine.raw_connection()  # as the turn store writes: its own BEGIN, raw SQL
        try:
            raw.cursor().execute("BEGIN IMMEDIATE")
            raw.cursor().execute("INSERT INTO written (who) VALUES ('turn')")
            raw.commit()
        finally:
            raw.close()
            queue.release()

    core = threading.Thread(target=core_writer)
    core.start()
    wait_until(lambda: queue.waiting == 1)
    turn = threading.Thread(target=next_turn)
    turn.start()
    wait_until(lambda: queue.waiting == 2)
    queue.release()
    core.join(timeout=10)
    turn.join(timeout=10)
    with engine.connect() as conn:
        written = conn.execute(sa.select(WRITTEN.c.who).order_by(sa.text("rowid"))).scalars()
        assert list(written) == ["core", "turn"]


def test_a_core_transaction_gives_its_turn_back_however_it_ends(
    queued: tuple[sa.Engine, WriteQueue],
) -> None:
    engine, queue = queued
    with engine.begin() as conn:
        conn.execute(WRITTEN.insert().values(who="committed"))
    with pytest.raises(sa.exc.OperationalError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO missing_table VALUES (1)"))
    with engine.connect() as conn:  # autobegun, closed without commit
        conn.execute(WRITTEN.insert().values(who="left open"))
    with engine.execution_options(**READ_ONLY).connect() as conn:
        assert list(conn.execute(sa.select(WRITTEN.c.who)).scalars()) == ["committed"]
    queue.acquire(timeout=0.5)  # free: every transaction above gave it back
    queue.release()


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)

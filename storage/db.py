"""Engines for the two supported databases: SQLite (default, one file) and PostgreSQL.

SQLite: WAL journal, ``synchronous`` NORMAL (a commit survives a process crash; FULL also survives a
power cut), a 10 s busy timeout, foreign keys on. pysqlite's own transaction handling is switched
off (``isolation_level = None``) and SQLAlchemy's "begin" event emits ``BEGIN IMMEDIATE`` instead,
so a write transaction takes SQLite's write lock at its start: two threads or processes handling
one user queue up on the lock instead of failing with "database is locked" when a reader tries to
upgrade. Read-only work may ask for a deferred ``BEGIN`` with ``execution_options(sqlite_begin=
"DEFERRED")`` (see :data:`READ_ONLY`).

PostgreSQL (``postgresql+psycopg://``): READ COMMITTED; the store serialises one user's turns with
``SELECT ... FOR UPDATE`` on the user's conversation row.
"""

from __future__ import annotations

import collections
import contextlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

DEFAULT_DATABASE_URL = "sqlite:///./var/coachbot.db"
SQLITE_SYNCHRONOUS = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})
BUSY_TIMEOUT_MS = 10_000
BACKSTOP_CHECKPOINT_PAGES = 10_000

READ_ONLY: dict[str, Any] = {"sqlite_begin": "DEFERRED"}
"""Execution options for a read-only unit of work: on SQLite it does not take the write lock."""

try:  # orjson (a dependency) is several times faster than json for the hot path's JSON columns
    import orjson

    def json_dumps(value: Any) -> str:
        return orjson.dumps(value).decode()

    def json_loads(text: str | bytes) -> Any:
        if not isinstance(text, str | bytes):
            # SQLite's JSON column has numeric affinity: a stored 4 comes back as the int 4
            # (SQLAlchemy expects a TypeError there; orjson raises a ValueError).
            return text
        return orjson.loads(text)

except ImportError:  # pragma: no cover - only where orjson could not be installed
    _encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def json_dumps(value: Any) -> str:
        return _encoder.encode(value)

    def json_loads(text: str | bytes) -> Any:
        return json.loads(text)


def make_engine(
    database_url: str,
    *,
    sqlite_synchronous: str = "NORMAL",
    sqlite_checkpoint_interval: float | None = 0.05,
) -> sa.Engine:
    """An engine for ``database_url`` (SQLite or PostgreSQL via psycopg 3), ready for threads.

    ``sqlite_checkpoint_interval``: seconds between WAL checkpoints run by a background thread
    (the engine's own, started on first connect, stopped by ``engine.dispose()``), so that the
    checkpoint's fsyncs stay off the commit path; ``None`` leaves checkpoints to SQLite's automatic
    ones after a commit.
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, sqlite_synchronous.upper(), sqlite_checkpoint_interval)
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return sa.create_engine(
            url,
            isolation_level="READ COMMITTED",
            pool_size=10,
            max_overflow=20,
            pool_recycle=1800,
            json_serializer=json_dumps,
            json_deserializer=json_loads,
        )
    raise ValueError(
        f"unsupported database {backend!r} in {database_url!r}: use sqlite or postgresql"
    )


def _sqlite_engine(url: sa.URL, synchronous: str, checkpoint_interval: float | None) -> sa.Engine:
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"sqlite_synchronous must be one of {sorted(SQLITE_SYNCHRONOUS)}")
    database = url.database or ""
    memory = _in_memory(database)
    kwargs: dict[str, Any] = {}
    if memory:
        # One shared connection: a private in-memory database, for single-threaded tests only.
        kwargs["poolclass"] = StaticPool
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.update(pool_size=8, max_overflow=24, pool_timeout=60)
    writers = None if memory else write_queue_of(database)
    engine = sa.create_engine(
        url,
        connect_args={
            "check_same_thread": False,
            "timeout": BUSY_TIMEOUT_MS / 1000,
            "factory": _QueuedConnection,
        },
        json_serializer=json_dumps,
        json_deserializer=json_loads,
        **kwargs,
    )

    checkpointer = None
    if checkpoint_interval is not None and not memory:
        checkpointer = Checkpointer(database, synchronous, checkpoint_interval)
        event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite; "begin" below emits our own BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            # deleted rows are overwritten with zeros, not just unlinked: a rep's deleted words
            # cannot be read back from the file's free space (see flush_deleted for the WAL)
            cursor.execute("PRAGMA secure_delete=ON")
            if checkpointer is not None:
                # Commits no longer checkpoint (and fsync) unless the WAL grows past ~40 MB,
                # a safety net should the background thread fall behind.
                cursor.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_CHECKPOINT_PAGES}")
                checkpointer.start()
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode != "IMMEDIATE":
            conn.exec_driver_sql("BEGIN DEFERRED")
            return
        dbapi_connection = conn.connection.dbapi_connection
        queued = dbapi_connection if isinstance(dbapi_connection, _QueuedConnection) else None
        if queued is not None and writers is not None:
            try:
                queued.take_turn(writers)
            except sqlite3.OperationalError as error:
                raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, error) from error
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if queued is not None:
                queued.give_back_turn()
            raise

    return engine


class _QueuedConnection(sqlite3.Connection):
    """A pysqlite connection whose write transactions wait in this process's ``WriteQueue``.

    Core writers (marking replies sent, the summary tick, reminders) used to meet the turns in
    SQLite's busy handler: it sleeps 1, 2, 5 … 100 ms and is overtaken by the queued turns, so
    the summary tick waited seconds, and once it held the lock every queued turn slept behind it
    (the webhook's p99 spikes of 200–400 ms). Taken at the "begin" event, the turn is given
    back once the transaction has really ended (after COMMIT or ROLLBACK, not before, so the
    next writer's ``BEGIN IMMEDIATE`` never finds the lock still taken). The turn store queues
    its own raw connections itself and never takes a turn here.
    """

    _queue: WriteQueue | None = None

    def take_turn(self, queue: WriteQueue) -> None:
        if self._queue is None:
            queue.acquire()
            self._queue = queue

    def give_back_turn(self) -> None:
        queue, self._queue = self._queue, None
        if queue is not None:
            queue.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_back_turn()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_back_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_back_turn()


class WriteQueue:
    """First come, first served: the threads of one process waiting to write one SQLite file.

    SQLite has one writer at a time. Left alone, threads that find the write lock taken sleep in
    SQLite's busy handler (1, 2, 5 ... 100 ms) and are overtaken by newcomers, so under load one
    turn can wait seconds. Queued here they are handed the lock in arrival order, at once. Other
    processes on the same file still meet in SQLite's busy handler.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: collections.deque[threading.Lock] = collections.deque()
        self._held = False

    def acquire(self, timeout: float = BUSY_TIMEOUT_MS / 1000) -> None:
        with self._mutex:
            if not self._held:
                self._held = True
                return
            ticket = threading.Lock()
            ticket.acquire()
            self._waiting.append(ticket)
        if ticket.acquire(timeout=timeout):
            return  # handed over by release(): we hold the queue
        with self._mutex:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                raise sqlite3.OperationalError("database is locked (waited for other threads)")
        # released to us between the timeout and the mutex: we hold it after all

    @property
    def waiting(self) -> int:
        """How many threads wait for the queue."""
        return len(self._waiting)

    def release(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().release()  # hand over: stays held
            else:
                self._held = False


_write_queues: dict[str, WriteQueue] = {}
_write_queues_lock = threading.Lock()


def _in_memory(database: str) -> bool:
    """A SQLite database held in memory (one shared connection, no file, no WAL)."""
    return database in ("", ":memory:") or "mode=memory" in database


def write_queue(engine: sa.Engine) -> WriteQueue | None:
    """The process's queue of writers to ``engine``'s SQLite file; None for other databases."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or _in_memory(database):
        return None
    return write_queue_of(database)


def write_queue_of(database: str) -> WriteQueue:
    """The process's queue of writers to the SQLite file at ``database``."""
    key = str(Path(database).expanduser().resolve())
    with _write_queues_lock:
        return _write_queues.setdefault(key, WriteQueue())


class Checkpointer:
    """A daemon thread that checkpoints one SQLite database's WAL every ``interval`` seconds.

    A checkpoint copies committed pages from the WAL into the database file and fsyncs both; left
    to SQLite it runs inside whichever commit crosses 1,000 WAL pages, which then takes several
    milliseconds instead of tens of microseconds. PASSIVE checkpoints never block writers or
    readers; with several processes on one file each may run one, and SQLite serialises them.
    """

    def __init__(self, path: str, synchronous: str, interval: float) -> None:
        self.path = path
        self.synchronous = synchronous
        self.interval = interval
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stopping,), name="sqlite-checkpoint", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopping.set()
        if thread is not None:
            thread.join()

    def _run(self, stopping: threading.Event) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            connection.execute(f"PRAGMA synchronous={self.synchronous}")
            while not stopping.wait(self.interval):
                with contextlib.suppress(sqlite3.Error):  # busy: another process checkpoints
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            connection.close()


def flush_deleted(engine: sa.Engine) -> bool:
    """After deleting a rep's data: on SQLite, copy the WAL into the database file and truncate
    it to nothing (``wal_checkpoint(TRUNCATE)``), so that no earlier version of a deleted row
    stays readable in the ``-wal`` file; with ``secure_delete`` the file's free space is zeros.
    False when a long reader kept the WAL in use past the busy timeout (the periodic
    checkpoints then overwrite it as the WAL is reused). PostgreSQL: nothing to do here (its
    dead rows are reclaimed by autovacuum, and are unreadable to any query meanwhile)."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or _in_memory(database):
        return True
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.close()
    finally:
        raw.close()
    return not busy


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"


__all__ = [
    "DEFAULT_DATABASE_URL",
    "READ_ONLY",
    "flush_deleted",
    "is_sqlite",
    "json_dumps",
    "json_loads",
    "make_engine",
]

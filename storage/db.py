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

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

DEFAULT_DATABASE_URL = "sqlite:///./var/coachbot.db"
SQLITE_SYNCHRONOUS = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})
BUSY_TIMEOUT_MS = 10_000

READ_ONLY: dict[str, Any] = {"sqlite_begin": "DEFERRED"}
"""Execution options for a read-only unit of work: on SQLite it does not take the write lock."""

try:  # orjson is optional: about twice as fast for the JSON columns on the hot path
    import orjson

    def json_dumps(value: Any) -> str:
        return orjson.dumps(value).decode()

    json_loads = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    _encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))

    def json_dumps(value: Any) -> str:
        return _encoder.encode(value)

    json_loads = json.loads


def make_engine(database_url: str, *, sqlite_synchronous: str = "NORMAL") -> sa.Engine:
    """An engine for ``database_url`` (SQLite or PostgreSQL via psycopg 3), ready for threads."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, sqlite_synchronous.upper())
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


def _sqlite_engine(url: sa.URL, synchronous: str) -> sa.Engine:
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"sqlite_synchronous must be one of {sorted(SQLITE_SYNCHRONOUS)}")
    database = url.database or ""
    memory = database in ("", ":memory:") or "mode=memory" in database
    kwargs: dict[str, Any] = {}
    if memory:
        # One shared connection: a private in-memory database, for single-threaded tests only.
        kwargs["poolclass"] = StaticPool
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.update(pool_size=8, max_overflow=24, pool_timeout=60)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        json_serializer=json_dumps,
        json_deserializer=json_loads,
        **kwargs,
    )

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
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN DEFERRED")

    return engine


def is_sqlite(engine: sa.Engine) -> bool:
    return engine.dialect.name == "sqlite"


__all__ = [
    "DEFAULT_DATABASE_URL",
    "READ_ONLY",
    "is_sqlite",
    "json_dumps",
    "json_loads",
    "make_engine",
]

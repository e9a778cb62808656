"""Alembic environment: the target is the SQLModel metadata of ``storage.schema``.

The database URL comes from ``config.attributes["database_url"]`` (``storage.migrate.upgrade``),
else ``sqlalchemy.url`` of an ini file, else ``COACHBOT_DATABASE_URL``, else the default file.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from storage.db import DEFAULT_DATABASE_URL, make_engine
from storage.schema import metadata

config = context.config
MIGRATION_LOCK = 0x636F6163  # "coac": PostgreSQL advisory lock key of the migrations


def database_url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return str(url or os.environ.get("COACHBOT_DATABASE_URL") or DEFAULT_DATABASE_URL)


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Workers starting together migrate one at a time: the next one waits here, then
            # reads the version the first one committed and finds nothing left to do. (SQLite's
            # BEGIN IMMEDIATE already serialises them.)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            configure(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

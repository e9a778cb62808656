"""Backends for the storage contract suite: SQLite always, PostgreSQL when
``COACHBOT_TEST_POSTGRES_URL`` is set (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).

Fast isolation: the schema is migrated once per session; each SQLite test copies the migrated file,
each PostgreSQL test truncates the tables of a session-private schema (``search_path`` in the URL).
Tests that need an empty database use ``empty_db_url``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage.db import make_engine
from storage.migrate import upgrade
from storage.schema import metadata
from storage.store import Store
from testkit.fake_turn import fake_turn
from testkit.postgres import PostgresSchemas

__all__ = ["PostgresSchemas", "postgres_url"]

POSTGRES_ENV = "COACHBOT_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: PostgreSQL tests skipped")
    return url


@pytest.fixture(scope="session")
def postgres_schemas() -> Iterator[PostgresSchemas]:
    schemas = PostgresSchemas(postgres_url())
    yield schemas
    schemas.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "coachbot.db"
    upgrade(f"sqlite:///{path}")  # the engine is disposed: the WAL is checkpointed into the file
    return path


@pytest.fixture(scope="session")
def postgres_migrated(postgres_schemas: PostgresSchemas) -> str:
    url = postgres_schemas.create()
    upgrade(url)
    return url


TRUNCATE = "TRUNCATE {} RESTART IDENTITY CASCADE".format(
    ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of ``backend``, private to the test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "coachbot.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_migrated")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(TRUNCATE)
    engine.dispose()
    return url


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables at all) of ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    schemas: PostgresSchemas = request.getfixturevalue("postgres_schemas")
    url = schemas.create()
    yield url
    schemas.drop(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: sa.Engine) -> Store:
    return Store(engine, fake_turn)

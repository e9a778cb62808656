"""Throw-away PostgreSQL schemas: the storage tests and the benchmarks each get a private schema
(``search_path`` in the URL) of one test database, dropped at the end."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose connections use ``schema`` (created by the caller) for everything."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


class PostgresSchemas:
    """Creates throw-away schemas in the test database and drops them at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = sa.create_engine(make_url(url).set(drivername="postgresql+psycopg"))
        self.names: list[str] = []

    def create(self) -> str:
        name = f"coachbot_test_{uuid.uuid4().hex[:12]}"
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        self.names.append(name)
        return with_search_path(self.url, name)

    def drop(self, url: str) -> None:
        name = make_url(url).query["options"]
        name = str(name).removeprefix("-csearch_path=")
        with self.engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        self.names.remove(name)

    def close(self) -> None:
        with self.engine.begin() as conn:
            for name in self.names:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        self.engine.dispose()

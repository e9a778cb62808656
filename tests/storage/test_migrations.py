"""Alembic builds exactly the schema of the SQLModel metadata, from empty, idempotently."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import make_engine
from storage.migrate import alembic_config, current, downgrade, upgrade
from storage.schema import metadata


def differences(url: str) -> list[Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def head(url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None
    return head


def test_upgrade_from_empty_builds_the_metadata(empty_db_url: str) -> None:
    assert current(empty_db_url) is None
    upgrade(empty_db_url)
    assert current(empty_db_url) == head(empty_db_url)
    assert tables(empty_db_url) == {*metadata.tables, "alembic_version"}
    assert differences(empty_db_url) == []


def test_upgrade_twice_is_a_no_op(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    before = tables(empty_db_url)
    upgrade(empty_db_url)
    assert tables(empty_db_url) == before
    assert current(empty_db_url) == head(empty_db_url)
    assert differences(empty_db_url) == []


def test_downgrade_to_base_and_back(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    downgrade(empty_db_url, "base")
    assert tables(empty_db_url) == {"alembic_version"}
    upgrade(empty_db_url)
    assert differences(empty_db_url) == []


def test_the_metadata_differs_from_an_empty_database(empty_db_url: str) -> None:
    """The comparison is not vacuous: an unmigrated database shows every table missing."""
    assert len(differences(empty_db_url)) >= len(metadata.tables)

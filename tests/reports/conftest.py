"""Fixtures for the reports: the storage suite's migrated databases (SQLite always, PostgreSQL
when ``COACHBOT_TEST_POSTGRES_URL`` is set) and the seeded team of ``seed.py``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.reports.seed import seed_team
from tests.storage import conftest as storage_fixtures

backend = storage_fixtures.backend
db_url = storage_fixtures.db_url
engine = storage_fixtures.engine
postgres_migrated = storage_fixtures.postgres_migrated
postgres_schemas = storage_fixtures.postgres_schemas
sqlite_template = storage_fixtures.sqlite_template


@pytest.fixture
def team_id(engine: sa.Engine) -> int:
    return seed_team(engine)

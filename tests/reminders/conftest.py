"""Fixtures for the reminder rows, the desk and the claim race: the storage suite's migrated
databases (SQLite always, PostgreSQL when ``COACHBOT_TEST_POSTGRES_URL`` is set), a ``Store`` with
the real dialog engine, and helpers to make reps and replay golden sessions."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from coaching_scripts import load_catalog
from dialogs.catalog import Catalog
from dialogs.engine import step
from dialogs.types import CommandIn, TextIn
from storage.reminders import Reminders
from storage.store import Profile, Store
from tests.storage import conftest as storage_fixtures

# the storage suite's databases, migrated once per session (parametrised: sqlite, postgres)
backend = storage_fixtures.backend
db_url = storage_fixtures.db_url
engine = storage_fixtures.engine
postgres_migrated = storage_fixtures.postgres_migrated
postgres_schemas = storage_fixtures.postgres_schemas
sqlite_template = storage_fixtures.sqlite_template

INPUTS = Path(__file__).parents[1] / "golden" / "inputs"
BERLIN = "Europe/Berlin"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def store(engine: sa.Engine, catalog: Catalog) -> Store:
    return Store(engine, functools.partial(step, catalog))


@pytest.fixture
def reminders(engine: sa.Engine) -> Reminders:
    return Reminders(engine)


def make_rep(store: Store, key: str, *, tz: str = BERLIN, lang: str = "en") -> int:
    """A rep known to the bot (no conversation yet): their user id."""
    store.set_timezone(key, tz)
    store.set_language(key, lang)
    user = store.user(key)
    assert user is not None
    return user.id


def replay(store: Store, profile: Profile, name: str, *, now: datetime) -> None:
    """A whole golden session (``tests/golden/inputs/<name>.txt``), every answer at ``now``."""
    script = name.split(".")[0]
    result = store.handle(profile, CommandIn("start", script), now=now)
    assert not result.duplicate
    for line in (INPUTS / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        if not line.startswith("# after:"):  # the session it follows is the caller's to replay
            store.handle(profile, TextIn(line), now=now)
    runs = store.runs(profile.key)
    assert (runs[-1].script, runs[-1].status) == (script, "finished")

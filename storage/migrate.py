"""Run the Alembic migrations programmatically: ``coachbot db upgrade`` and the tests use this.

The migration scripts live inside the package (``storage/migrations``), so an installed coachbot
needs no ``alembic.ini``; ``storage/alembic.ini`` is there for developers who want the alembic CLI
(``alembic -c storage/alembic.ini revision --autogenerate -m "..."``).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic config for ``database_url`` built in code (no ini file)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Not through set_main_option: configparser would choke on '%' in URLs (e.g. options=-c...%3D).
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str | None:
    """The database's revision, or None for an empty (unmigrated) database."""
    from alembic.runtime.migration import MigrationContext

    from storage.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


__all__ = ["MIGRATIONS_DIR", "alembic_config", "current", "downgrade", "upgrade"]

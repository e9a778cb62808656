"""Backups and restores, on SQLite and PostgreSQL: a backup taken while the bot writes holds every
committed turn; restoring it into an empty database brings everything back (an older backup is
migrated); a restore refuses a backup of a newer schema, a file that is no backup, and a database
that already holds data unless told to replace it."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dialogs.types import TextIn
from storage.backup import BackupError, backup, backup_revision, restore
from storage.db import make_engine
from storage.migrate import upgrade
from storage.schema import answer_table, user_table
from storage.store import Profile, Store
from testkit.fake_turn import fake_turn
from tests.conftest import START
from tests.storage.conftest import postgres_url

ANNA = Profile("tg:42", display_name="Anna")


@pytest.fixture
def target_url(backend: str, db_url: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database to restore into: a file, or a whole PostgreSQL database whose
    search_path names the source's schema (as an operator would restore on a new server)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'coachbot.db'}"
        return
    name = f"coachbot_restore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(
        make_url(postgres_url()).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(db_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def talk(engine: sa.Engine, *texts: str) -> None:
    store = Store(engine, fake_turn)
    for text in texts:
        store.handle(ANNA, TextIn(text), now=START)


def said(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [str(v) for v in conn.execute(sa.select(answer_table.c.value)).scalars()]
    finally:
        engine.dispose()


def test_a_backup_taken_while_the_bot_writes_restores_into_an_empty_database(
    db_url: str, target_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url, sqlite_checkpoint_interval=None)  # turns stay in the WAL
    try:
        talk(engine, "first", "second")
        before = said(db_url)
        assert len(before) == 2
        path = tmp_path / "coachbot.backup"
        done = backup(db_url, path)  # the engine is open, as the bot's would be
        talk(engine, "after the backup")
    finally:
        engine.dispose()
    assert done.revision == backup_revision(path)
    assert restore(target_url, path).revision == done.revision
    assert said(target_url) == before
    target = make_engine(target_url)
    try:
        talk(target, "the restored bot goes on")  # a working database, not just rows
    finally:
        target.dispose()
    assert len(said(target_url)) == 3


def test_restore_refuses_a_database_with_data_unless_forced(
    db_url: str, target_url: str, backend: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    try:
        talk(engine, "kept in the backup")
    finally:
        engine.dispose()
    path = tmp_path / "coachbot.backup"
    backup(db_url, path)
    with pytest.raises(BackupError, match="exists"):
        backup(db_url, path)  # never overwritten by accident
    target = make_engine(target_url)
    if backend == "postgres":  # a database where someone ran the bot already
        schema = str(make_url(target_url).query["options"]).removeprefix("-csearch_path=")
        with target.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    upgrade(target_url)
    try:
        talk(target, "already here")
    finally:
        target.dispose()
    with pytest.raises(BackupError, match=r"already has .* tables"):
        restore(target_url, path)
    assert len(said(target_url)) == 1  # untouched
    restore(target_url, path, replace=True)
    assert len(said(target_url)) == 1
    target = make_engine(target_url)
    try:
        with target.connect() as conn:
            assert conn.execute(sa.select(user_table.c.key)).scalars().all() == ["tg:42"]
    finally:
        target.dispose()


def test_restore_refuses_a_newer_schema_and_what_is_no_backup(
    db_url: str, target_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    finally:
        engine.dispose()
    path = tmp_path / "newer.backup"
    backup(db_url, path)
    assert backup_revision(path) == "9999_from_the_future"
    with pytest.raises(BackupError, match="newer version"):
        restore(target_url, path)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database", encoding="utf-8")
    with pytest.raises(BackupError, match="not a coachbot backup"):
        restore(target_url, junk)
    with pytest.raises(BackupError, match="no backup file"):
        restore(target_url, tmp_path / "missing.backup")


def test_an_older_backup_is_migrated_after_the_restore(
    empty_db_url: str, backend: str, tmp_path: Path
) -> None:
    upgrade(empty_db_url, "0005")
    path = tmp_path / "old.backup"
    assert backup(empty_db_url, path).revision == "0005"
    if backend == "sqlite":
        target = f"sqlite:///{tmp_path / 'new.db'}"
    else:
        pytest.skip("PostgreSQL restores into the same schema name: covered above")
    done = restore(target, path)
    assert done.revision == "0005"
    assert done.upgraded_to is not None
    assert done.upgraded_to != "0005"
    engine = make_engine(target)
    try:
        with engine.connect() as conn:
            assert "step_note" in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_a_whole_postgres_database_restores_into_a_new_one(backend: str, tmp_path: Path) -> None:
    """The usual set-up: coachbot's tables in ``public`` of its own database."""
    if backend != "postgres":
        pytest.skip("PostgreSQL's public schema")
    server = make_url(postgres_url()).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    names = [f"coachbot_{role}_{uuid.uuid4().hex[:8]}" for role in ("live", "new")]
    live, new = (server.set(database=n).render_as_string(hide_password=False) for n in names)
    try:
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        upgrade(live)
        engine = make_engine(live)
        try:
            talk(engine, "in public")
        finally:
            engine.dispose()
        path = tmp_path / "coach.dump"
        backup(live, path)
        restore(new, path)
        assert said(new) == said(live)
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_sqlite_backups_while_turns_are_committed_hold_whole_turns(
    db_url: str, backend: str, tmp_path: Path
) -> None:
    """The bot keeps writing during a backup: nobody waits for long, each backup is one
    moment's database (every turn in it whole: its answer and its inbox row)."""
    if backend != "sqlite":
        pytest.skip("SQLite's online backup")
    engine = make_engine(db_url)
    stop = threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        store = Store(engine, fake_turn)
        number = 0
        try:
            while not stop.is_set():
                number += 1
                store.handle(ANNA, TextIn(f"turn {number}"), now=START)
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        counts = []
        for n in range(3):
            path = tmp_path / f"b{n}.db"
            backup(db_url, path)
            copy = make_engine(f"sqlite:///{path}", sqlite_checkpoint_interval=None)
            try:
                with copy.connect() as conn:
                    answers = conn.execute(sa.select(sa.func.count(answer_table.c.id))).scalar()
                    inbox = conn.exec_driver_sql("SELECT count(*) FROM inbox").scalar()
            finally:
                copy.dispose()
            assert answers == inbox
            counts.append(answers)
    finally:
        stop.set()
        thread.join()
        engine.dispose()
    assert failures == []
    assert counts == sorted(counts)
    assert counts[-1] > 0

"""Backups of the database, and restoring one: ``coachbot db backup PATH`` / ``db restore PATH``.

SQLite: SQLite's online backup API copies a consistent snapshot page by page while the bot keeps
running (in WAL mode writers do not wait for it); the copy is one self-contained file (rollback
journal, no ``-wal``). Restoring copies it back the same way.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, the server's own tools (they must be
installed where the command runs, of the server's major version or newer); the password, if the
URL has one, goes to them in ``PGPASSWORD``, never on a command line. When the URL sets a
``search_path`` (``?options=-csearch_path=coach``) only that schema is dumped.

A restore refuses, before it changes anything: a file that is no coachbot backup; a backup whose
schema revision this coachbot does not know (made by a newer version: upgrade coachbot first);
and a database that already holds tables, unless ``replace`` is given. After restoring, the
migrations bring an older backup up to date.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url

from storage.db import BUSY_TIMEOUT_MS, make_engine
from storage.migrate import alembic_config, upgrade


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message is for the operator."""


@dataclass(frozen=True)
class Done:
    path: Path
    revision: str
    """The schema revision the backup holds (``alembic_version``)."""
    upgraded_to: str | None = None
    """After a restore: the revision the migrations brought the database to."""


# --- backup -----------------------------------------------------------------------------------


def backup(database_url: str, path: Path, *, overwrite: bool = False) -> Done:
    """Write a backup of the database at ``database_url`` to ``path`` (refused when ``path``
    exists, unless ``overwrite``)."""
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists: choose another file, or pass --force to replace it")
    if not path.parent.is_dir():
        raise BackupError(f"no folder {path.parent}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_file(url), path)
    elif url.get_backend_name() == "postgresql":
        _pg_dump(url, path)
    else:  # pragma: no cover - make_engine refuses other databases first
        raise BackupError(f"cannot back up {url.get_backend_name()} databases")
    revision = backup_revision(path)
    if revision is None:
        path.unlink()
        raise BackupError("the database has no coachbot schema yet: nothing to back up")
    return Done(path, revision)


def _sqlite_file(url: sa.URL) -> Path:
    database = url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        raise BackupError("an in-memory database cannot be backed up")
    return Path(database).expanduser()


def _sqlite_backup(source: Path, path: Path) -> None:
    if not source.exists():
        raise BackupError(f"no database file {source}")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # one step: one consistent snapshot, writers carry on (WAL)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
        partial.replace(path)
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {source}: {error}") from error
    finally:
        src.close()
        partial.unlink(missing_ok=True)


# --- restore ----------------------------------------------------------------------------------


def restore(database_url: str, path: Path, *, replace: bool = False) -> Done:
    """Restore the backup at ``path`` into the database at ``database_url``, then migrate it
    to this coachbot's schema. Refuses an unknown file, a newer schema, and a database that
    has tables unless ``replace``."""
    if not path.is_file():
        raise BackupError(f"no backup file {path}")
    revision = backup_revision(path)
    if revision is None:
        raise BackupError(f"{path} is not a coachbot backup (no schema revision in it)")
    if not known_revision(database_url, revision):
        raise BackupError(
            f"{path} holds schema revision {revision}, which this coachbot does not know: "
            "it was made by a newer version. Install that version (or newer) to restore it."
        )
    tables = existing_tables(database_url)
    if tables and not replace:
        raise BackupError(
            f"the database already has {len(tables)} tables ({', '.join(sorted(tables)[:4])}"
            f"{', ...' if len(tables) > 4 else ''}): restoring would replace everything in it. "
            "Stop the bot and pass --force to do that, or restore into an empty database."
        )
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(path, _sqlite_file(url))
    else:
        _pg_restore(database_url, path, tables)
    upgrade(database_url)
    return Done(path, revision, upgraded_to=_head(database_url))


def _sqlite_restore(path: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            src.backup(dst)  # replaces every page of the target, under its write lock
        finally:
            dst.close()
    finally:
        src.close()


def backup_revision(path: Path) -> str | None:
    """The schema revision in a backup file (SQLite file or ``pg_dump`` custom archive);
    None when it holds none."""
    with path.open("rb") as file:
        magic = file.read(16)
    if magic.startswith(b"SQLite format 3"):
        return _sqlite_revision(path)
    if magic.startswith(b"PGDMP"):
        archived = _pg_archive(path)
        return archived[1] if archived is not None else None
    return None


def _sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()
    return str(row[0]) if row else None


def known_revision(database_url: str, revision: str) -> bool:
    """Whether this coachbot's migrations know ``revision``."""
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def _head(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def existing_tables(database_url: str) -> list[str]:
    """The tables of the database (on PostgreSQL: in its ``search_path``'s first schema)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and not _sqlite_file(url).exists():
        return []
    engine = make_engine(database_url, sqlite_checkpoint_interval=None)
    try:
        with engine.connect() as conn:
            return list(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


# --- PostgreSQL: pg_dump and pg_restore ---------------------------------------------------------


def pg_commands(database_url: str, path: Path) -> tuple[list[str], list[str]]:
    """The ``pg_dump`` and ``pg_restore`` command lines for ``database_url`` (the password
    left out: give it in ``PGPASSWORD``): what ``coachbot db backup`` runs, and the restore
    of its archive into an empty database."""
    url = make_url(database_url)
    return _dump_args(url, path), [*_restore_args(url), str(path)]


def _dump_args(url: sa.URL, path: Path) -> list[str]:
    """The whole database, or only the schema the URL's ``search_path`` names."""
    args = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"]
    schema = _schema(url)
    if schema != "public":
        args.append(f"--schema={schema}")
    return [*args, f"--dbname={_conninfo(url)}"]


def _restore_args(url: sa.URL) -> list[str]:
    return [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={_conninfo(url)}",
    ]


def _pg_dump(url: sa.URL, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _run(_dump_args(url, partial), url)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _pg_restore(database_url: str, path: Path, tables: list[str]) -> None:
    """Into the URL's schema, which must be the one the archive was made of; its tables (with
    ``replace``) are dropped first. The archive's own CREATE SCHEMA is left out, so the schema
    may exist (``public`` always does) or not."""
    url = make_url(database_url)
    schema = _schema(url)
    archived = _pg_archive(path)
    if archived is not None and archived[0] != schema:
        raise BackupError(
            f"{path} holds the schema {archived[0]!r}, the database URL uses {schema!r}: "
            f"restore it with options=-csearch_path={archived[0]} in COACHBOT_DATABASE_URL"
        )
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            for table in tables:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{schema}"."{table}" CASCADE')
    finally:
        engine.dispose()
    listing = _run(["pg_restore", "--list", str(path)])
    wanted = [line for line in listing.splitlines() if not _SCHEMA_ENTRY.search(line)]
    with tempfile.NamedTemporaryFile("w", suffix=".list", delete=False) as file:
        file.write("\n".join(wanted) + "\n")
    try:
        _run([*_restore_args(url), f"--use-list={file.name}", str(path)], url)
    finally:
        Path(file.name).unlink(missing_ok=True)


_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ SCHEMA ")
_COPY = re.compile(r'^COPY "?([^".\s]+)"?\."?alembic_version"? ')


def _pg_archive(path: Path) -> tuple[str, str] | None:
    """(schema, revision) of ``alembic_version`` in a ``pg_dump`` archive, read from its data
    (``pg_restore --data-only``, nothing is restored); None when it has none."""
    out = _run(["pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path)])
    lines = iter(out.splitlines())
    for line in lines:
        copy = _COPY.match(line)
        if copy:
            value = next(lines, "\\.").strip()
            return None if value == "\\." else (copy[1], value)
    return None


def _schema(url: sa.URL) -> str:
    """The schema named by ``options=-csearch_path=NAME`` in the URL, else ``public``."""
    options = url.query.get("options")
    text = options if isinstance(options, str) else " ".join(options or ())
    for part in text.split():
        if part.startswith("-csearch_path="):
            return part.removeprefix("-csearch_path=").split(",")[0].strip('"') or "public"
    return "public"


def _conninfo(url: sa.URL) -> str:
    """A libpq URI for the tools: no driver name, no password."""
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


def _run(args: list[str], url: sa.URL | None = None) -> str:
    tool = args[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not installed here: install the PostgreSQL client tools (Debian: "
            f"apt install postgresql-client), or run it yourself: {' '.join(args)}"
        )
    env = dict(os.environ)
    if url is not None and url.password:
        env["PGPASSWORD"] = str(url.password)
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except OSError as error:  # pragma: no cover - found by which() but not runnable
        raise BackupError(f"{tool}: {error}") from error
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        raise BackupError(f"{tool} failed: {message[-1] if message else done.returncode}")
    return done.stdout


__all__ = [
    "BackupError",
    "Done",
    "backup",
    "backup_revision",
    "existing_tables",
    "known_revision",
    "pg_commands",
    "restore",
]

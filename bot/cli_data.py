"""The operator's data commands: ``coachbot db backup|restore`` and ``coachbot user
export|delete``.

A backup is taken while the bot runs (SQLite's online backup API, or ``pg_dump``); a restore is
for a stopped bot, and refuses a newer schema or a database that holds data unless ``--force``.
``user delete`` is the operator's ``/deleteme`` (e.g. for a console user, or on a rep's written
request): the same deletion, with the same anonymous team totals left.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from config import Settings

FAILED = 1


def add_db_data_commands(db_commands: argparse._SubParsersAction[Any]) -> None:
    """``coachbot db backup`` and ``coachbot db restore``."""
    backup = db_commands.add_parser(
        "backup",
        help="back up the database to a file (safe while the bot runs)",
        description="Write a backup of the database at COACHBOT_DATABASE_URL to PATH: a "
        "SQLite file (online backup API, safe while the bot runs) or, for PostgreSQL, a "
        "pg_dump archive (custom format; pg_dump must be installed).",
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="the backup file to write")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    backup.set_defaults(command=cmd_db_backup)
    restore = db_commands.add_parser(
        "restore",
        help="restore the database from a backup (stop the bot first)",
        description="Restore the backup at PATH into the database at COACHBOT_DATABASE_URL, "
        "then apply the migrations. Refuses a backup of a newer coachbot, and a database "
        "that already holds tables unless --force. Stop the bot first.",
    )
    restore.add_argument("path", type=Path, metavar="PATH", help="the backup file")
    restore.add_argument(
        "--force", action="store_true", help="replace everything in a database that has data"
    )
    restore.set_defaults(command=cmd_db_restore)


def add_user_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """``coachbot user export`` and ``coachbot user delete``."""
    user = commands.add_parser(
        "user",
        help="a rep's own data: export or delete it",
        description="Export or delete everything kept about one user (what /export and "
        "/deleteme do in Telegram).",
    )
    user_commands = user.add_subparsers(title="commands", metavar="COMMAND", required=True)
    export = user_commands.add_parser(
        "export",
        help="everything kept about a user, as JSON",
        description="Write everything kept about the user as JSON (the /export file).",
    )
    export.add_argument("key", metavar="KEY", help="the user, e.g. tg:123456789 or console:anna")
    export.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(command=cmd_user_export)
    delete = user_commands.add_parser(
        "delete",
        help="delete everything kept about a user",
        description="Delete everything kept about the user, as /deleteme does: their words "
        "everywhere they were copied; a team rep's visits stay in the team's totals, "
        "anonymous. Cannot be undone.",
    )
    delete.add_argument("key", metavar="KEY", help="the user, e.g. tg:123456789 or console:anna")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(command=cmd_user_delete)


def cmd_db_backup(settings: Settings, args: argparse.Namespace) -> int:
    from storage.backup import BackupError, backup

    try:
        done = backup(settings.database_url, args.path, overwrite=args.force)
    except BackupError as error:
        print(f"coachbot: {error}", file=sys.stderr)
        return FAILED
    size = done.path.stat().st_size
    print(f"{done.path}: backup written ({size:,} bytes, schema revision {done.revision})")
    return 0


def cmd_db_restore(settings: Settings, args: argparse.Namespace) -> int:
    from storage.backup import BackupError, restore

    try:
        done = restore(settings.database_url, args.path, replace=args.force)
    except BackupError as error:
        print(f"coachbot: {error}", file=sys.stderr)
        return FAILED
    upgraded = f", migrated to {done.upgraded_to}" if done.upgraded_to != done.revision else ""
    print(f"{done.path}: restored (schema revision {done.revision}{upgraded})")
    return 0


def cmd_user_export(settings: Settings, args: argparse.Namespace) -> int:
    from storage.privacy import export_user

    store = _store(settings)
    try:
        data = export_user(store, args.key)
    finally:
        store.engine.dispose()
    if data is None:
        print(f"coachbot: nothing is kept about {args.key}", file=sys.stderr)
        return FAILED
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"{args.out}: everything kept about {args.key}")
    return 0


def cmd_user_delete(settings: Settings, args: argparse.Namespace) -> int:
    from storage.privacy import delete_user

    if not args.yes:
        if not sys.stdin.isatty():
            print("coachbot: pass --yes to delete without being asked", file=sys.stderr)
            return FAILED
        answer = input(f"Delete everything kept about {args.key}? This cannot be undone [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing was deleted")
            return FAILED
    store = _store(settings)
    try:
        deleted = delete_user(store, args.key)
    finally:
        store.engine.dispose()
    if not deleted:
        print(f"coachbot: nothing is kept about {args.key}", file=sys.stderr)
        return FAILED
    print(f"{args.key}: everything kept about them is deleted")
    return 0


def _store(settings: Settings) -> Any:
    """The store on the migrated database (no turns are run here)."""
    from storage.db import make_engine
    from storage.migrate import upgrade
    from storage.store import Store

    upgrade(settings.database_url)
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    return Store(engine, _no_turns)


def _no_turns(*_: object) -> Any:  # pragma: no cover - these commands run no turns
    raise RuntimeError("the data commands run no turns")


__all__ = ["add_db_data_commands", "add_user_commands"]

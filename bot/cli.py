"""The ``coachbot`` command: ``run``, ``chat``, ``scripts check``, ``db upgrade``.

Settings are loaded once here; a malformed setting prints one line naming it and exits with 2.
Each command imports what it needs only when it runs, so one broken module does not take the
other commands down with it.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsError

from config import Settings, describe_settings_error, load_settings

EXIT_USAGE = 2
"""Exit status for a usage or settings error (as argparse uses)."""

Command = Callable[[Settings, argparse.Namespace], int]


# -- commands --


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if settings.telegram_token is None:
        print(
            "coachbot: no Telegram token: set COACHBOT_TELEGRAM_TOKEN (from @BotFather), "
            "or try the coach in the terminal with `coachbot chat`",
            file=sys.stderr,
        )
        return EXIT_USAGE
    import asyncio
    import logging

    from bot.telegram.runner import run

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)  # one line per update is noise
    return asyncio.run(run(settings))


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import run_console

    return run_console(settings, user=args.user, lang=args.lang, script=args.script)


def cmd_scripts_check(settings: Settings, args: argparse.Namespace) -> int:
    from dialogs.check import check_path

    path = Path(args.path or settings.scripts_dir or _builtin_scripts_dir())
    problems = check_path(path)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    count = 1 if path.is_file() else len(_script_files(path))
    print(f"ok: {count} script{'' if count == 1 else 's'}")
    return 0


def cmd_scripts_graph(settings: Settings, args: argparse.Namespace) -> int:
    from coaching_scripts import load_catalog
    from dialogs.diagram import mermaid

    catalog = load_catalog(settings.scripts_dir)
    script = catalog.scripts.get(args.name)
    if script is None:
        print(f"coachbot: no script {args.name!r}; available: {', '.join(catalog.scripts)}")
        return 2
    print(mermaid(script, args.lang or settings.language), end="")
    return 0


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    print("database is up to date")
    return 0


# -- parsing --


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachbot",
        description="A self-hosted sales coach: post-visit debriefs in Telegram or the terminal.",
        epilog="Settings come from COACHBOT_* environment variables and a .env file "
        "(see .env.example).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="run the Telegram bot",
        description="Run the Telegram bot: long polling, or a webhook when "
        "COACHBOT_WEBHOOK_URL is set.",
    )
    run.set_defaults(command=cmd_run)

    chat = commands.add_parser(
        "chat",
        help="chat with the coach in this terminal",
        description="Chat with the coach in the terminal: the same engine and database as the "
        "bot, no token needed. Standard input may be piped.",
    )
    chat.add_argument("--user", metavar="NAME", help="whose conversation (default: your login)")
    chat.add_argument("--lang", choices=("zh", "en"), help="language (default: COACHBOT_LANGUAGE)")
    chat.add_argument("--script", metavar="NAME", help="start this script (e.g. debrief)")
    chat.set_defaults(command=cmd_chat)

    scripts = commands.add_parser(
        "scripts", help="work with coaching scripts", description="Work with coaching scripts."
    )
    scripts_commands = scripts.add_subparsers(title="commands", metavar="COMMAND", required=True)
    check = scripts_commands.add_parser(
        "check",
        help="validate coaching scripts",
        description="Validate coaching scripts; print one line per problem, exit 1 if any.",
    )
    check.add_argument(
        "path",
        nargs="?",
        metavar="PATH",
        help="a folder of scripts or one script file "
        "(default: COACHBOT_SCRIPTS_DIR, else the built-in scripts)",
    )
    check.set_defaults(command=cmd_scripts_check)
    diagram = scripts_commands.add_parser(
        "graph",
        help="print a script's flowchart (Mermaid)",
        description="Print a Mermaid flowchart of one script's steps and routes.",
    )
    diagram.add_argument("name", metavar="NAME", help="the script, e.g. debrief")
    diagram.add_argument("--lang", choices=("zh", "en"), help="language of the step texts")
    diagram.set_defaults(command=cmd_scripts_graph)

    db = commands.add_parser("db", help="manage the database", description="Manage the database.")
    db_commands = db.add_subparsers(title="commands", metavar="COMMAND", required=True)
    upgrade = db_commands.add_parser(
        "upgrade",
        help="apply database migrations",
        description="Bring the database at COACHBOT_DATABASE_URL up to date.",
    )
    upgrade.set_defaults(command=cmd_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``coachbot`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as exc:
        print(describe_settings_error(exc), file=sys.stderr)
        return EXIT_USAGE
    except SettingsError as exc:  # e.g. an unreadable .env file
        print(f"coachbot: cannot read the settings: {exc}", file=sys.stderr)
        return EXIT_USAGE
    command: Command = args.command
    return command(settings, args)


# -- helpers --


def _builtin_scripts_dir() -> Path:
    """The folder of the ``coaching_scripts`` package, found without importing (running) it."""
    spec = importlib.util.find_spec("coaching_scripts")
    if spec is None or spec.origin is None:  # pragma: no cover - a broken installation
        raise RuntimeError("the built-in coaching_scripts package is missing")
    return Path(spec.origin).resolve().parent


def _script_files(folder: Path) -> list[Path]:
    # "messages.yaml" holds the coach's own texts, not a script (coaching_scripts.MESSAGES_FILE).
    return [path for path in folder.glob("*.yaml") if path.name != "messages.yaml"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("coachbot")
    except PackageNotFoundError:
        return "(not installed)"


if __name__ == "__main__":
    raise SystemExit(main())

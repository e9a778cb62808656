"""The ``coachbot`` command: ``run``, ``chat``, ``scripts check``, ``db upgrade``,
``reminders list|due``.

Settings are loaded once here; a malformed setting prints one line naming it and exits with 2.
Each command imports what it needs only when it runs, so one broken module does not take the
other commands down with it.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pydantic import ValidationError
from pydantic_settings import SettingsError

from config import Settings, describe_settings_error, load_settings

if TYPE_CHECKING:
    import sqlalchemy as sa

    from storage.reminders import ReminderInfo

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

    from bot.observability.logs import configure_logging
    from bot.telegram.runner import run

    configure_logging(settings.log_format, settings.log_level)
    return asyncio.run(run(settings))


def cmd_health(settings: Settings, args: argparse.Namespace) -> int:
    from bot.observability.probe import ask, readyz_url

    url = args.url or readyz_url(settings)
    if url is None:
        print(
            "coachbot: no address to ask: set COACHBOT_HEALTH_LISTEN (or run in webhook mode), "
            "or pass --url",
            file=sys.stderr,
        )
        return EXIT_USAGE
    status, body = ask(url, timeout=args.timeout)
    print(body if status else f"coachbot: {body}", file=sys.stdout if status == 200 else sys.stderr)
    return 0 if status == 200 else 1


def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console import run_console

    return run_console(settings, user=args.user, lang=args.lang, script=args.script)


def cmd_scripts_check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.contracts import CONTRACTS
    from coaching_scripts import check_path

    path = Path(args.path or settings.scripts_dir or _builtin_scripts_dir())
    problems = check_path(path, CONTRACTS)
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


REMINDER_STATUSES = ("pending", "sent", "done", "cancelled", "skipped")
ABOUT_WIDTH = 60


def cmd_reminders_list(settings: Settings, args: argparse.Namespace) -> int:
    from storage.reminders import Reminders

    statuses = REMINDER_STATUSES if args.all else ("pending",)
    engine = _reminder_engine(settings)
    try:
        rows = Reminders(engine).listing(user_key=args.user, statuses=statuses, limit=args.limit)
        _print_reminders(engine, rows, empty="no reminders")
    finally:
        engine.dispose()
    return 0


def cmd_reminders_due(settings: Settings, args: argparse.Namespace) -> int:
    from storage.reminders import Reminders

    at: datetime = args.at or datetime.now(UTC)
    engine = _reminder_engine(settings)
    try:
        rows = Reminders(engine).listing(statuses=("pending",), due_before=at, limit=args.limit)
        decisions = _decisions(settings, engine, rows, at)
        _print_reminders(
            engine, rows, empty=f"nothing due at {_utc_text(at)}", extra=("NEXT TICK", decisions)
        )
    finally:
        engine.dispose()
    return 0


def _decisions(
    settings: Settings, engine: sa.Engine, rows: Sequence[ReminderInfo], at: datetime
) -> list[str]:
    """What the next tick at ``at`` would do with each due reminder, as the desk decides it
    (the operator's policy, as each rep's team changed it): send, postpone (quiet hours, a
    pause) or skip (switched off, paused, done this week, already debriefed)."""
    from types import SimpleNamespace

    import sqlalchemy as sa

    from bot.policy import policy_from
    from coaching.reminders import ReminderDesk
    from coaching_scripts import load_catalog
    from storage.reminders import Due, Postpone, Reminders, Send, _last_done, team_of
    from storage.store import Store
    from storage.teams import Teams

    if not rows:
        return []
    reminders = Reminders(engine)
    messages = load_catalog(settings.scripts_dir).messages
    desk = ReminderDesk(reminders, messages, policy_from(settings), teams=Teams(engine))
    desk.refresh_teams()
    console_desk = ReminderDesk(reminders, messages, policy_from(settings))  # no teams there
    store = Store(engine, _no_turns)
    users = {key: store.user(key) for key in {row.user_key for row in rows}}
    claimed = [
        SimpleNamespace(user_id=user.id, kind=row.kind, customer=row.customer)
        for row in rows
        if (user := users[row.user_key]) is not None
    ]
    with engine.connect() as conn:
        done = _last_done(conn, claimed)
        team = {
            user.id: conn.execute(sa.select(team_of(sa.literal(user.id)))).scalar()
            for user in users.values()
            if user is not None
        }
    decided: list[str] = []
    for row in rows:
        user = users[row.user_key]
        if user is None:  # pragma: no cover - a reminder always belongs to a user
            decided.append("?")
            continue
        prefs, paused = reminders.prefs(row.user_key)
        last = done.get((user.id, row.kind, row.customer))
        active = bool(user.active)
        due = Due(
            row, user.id, user.lang, user.tz, active, paused, prefs, last, user.key, team[user.id]
        )
        decider = desk if user.key.startswith(desk.key_prefix) else console_desk
        decision = decider.decide(due, at)
        if isinstance(decision, Send):
            decided.append("send")
        elif isinstance(decision, Postpone):
            decided.append(f"postpone to {_utc_text(decision.until)}")
        else:
            decided.append(f"skip: {decision.reason}")
    return decided


def _reminder_engine(settings: Settings) -> sa.Engine:
    """The database as ``chat`` opens it: migrated first, so a new file works too."""
    from storage.db import make_engine
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    return make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)


def _print_reminders(
    engine: sa.Engine,
    rows: Sequence[ReminderInfo],
    *,
    empty: str,
    extra: tuple[str, Sequence[str]] | None = None,
) -> None:
    """One line per reminder, in aligned columns: id, rep, kind, status, due (UTC and the rep's
    own time), ``extra`` (a heading and a cell per row), what it is about."""
    from bot.console import to_plain
    from reminders.policy import to_local
    from storage.store import Store

    if not rows:
        print(empty)
        return
    store = Store(engine, _no_turns)
    zones: dict[str, str] = {}
    heading = ("ID", "USER", "KIND", "STATUS", "DUE (UTC)", "DUE (LOCAL)")
    table: list[tuple[str, ...]] = [(*heading, *(extra[0:1] if extra else ()), "ABOUT")]
    for number, row in enumerate(rows):
        if row.user_key not in zones:
            known = store.user(row.user_key)
            zones[row.user_key] = known.tz if known is not None else "UTC"
        tz = zones[row.user_key]
        local = f"{to_local(row.due_at, tz):%Y-%m-%d %H:%M} {tz}"
        about = " ".join(to_plain(row.about or row.customer).split()) or "-"
        if len(about) > ABOUT_WIDTH:
            about = about[: ABOUT_WIDTH - 1] + "…"
        more = (extra[1][number],) if extra else ()
        due = _utc_text(row.due_at)
        table.append((str(row.id), row.user_key, row.kind, row.status, due, local, *more, about))
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]) - 1)]
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        print("  ".join([*cells, line[-1]]).rstrip())


def _utc_text(moment: datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return f"{aware.astimezone(UTC):%Y-%m-%dT%H:%M}Z"


def _no_turns(*_: object) -> NoReturn:  # pragma: no cover - the reminder commands run no turns
    raise RuntimeError("the reminder commands only read")


def _moment(text: str) -> datetime:
    """``--at``: an ISO 8601 moment; without an offset it is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 moment: {text!r} (e.g. 2026-11-26T09:00 or 2026-11-26T10:00+08:00)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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

    health = commands.add_parser(
        "health",
        help="ask the running bot whether it is ready (exit 0) or not (exit 1)",
        description="GET /readyz of the bot running on this machine (COACHBOT_HEALTH_LISTEN, "
        "else the webhook's port) and print its answer; exit 0 when ready, 1 when not.",
    )
    health.add_argument("--url", help="ask this URL instead (e.g. http://10.0.0.5:9090/readyz)")
    health.add_argument("--timeout", type=float, default=5.0, help="seconds to wait (default 5)")
    health.set_defaults(command=cmd_health)

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
    from bot.cli_data import add_db_data_commands, add_user_commands

    add_db_data_commands(db_commands)  # db backup, db restore

    reminders = commands.add_parser(
        "reminders",
        help="look at reminders and nudges",
        description="Look at the reminders and nudges in the database (read only).",
    )
    reminder_commands = reminders.add_subparsers(title="commands", metavar="COMMAND", required=True)
    listing = reminder_commands.add_parser(
        "list",
        help="list reminders, soonest first",
        description="List reminders, soonest first: pending ones, or with --all also those "
        "sent, done, cancelled and skipped.",
    )
    listing.add_argument("--user", metavar="KEY", help="one rep's, e.g. tg:12345 or console:anna")
    listing.add_argument("--all", action="store_true", help="every status, not only pending")
    listing.add_argument("--limit", type=int, default=200, help="at most this many (200)")
    listing.set_defaults(command=cmd_reminders_list)
    due = reminder_commands.add_parser(
        "due",
        help="what the next tick would claim",
        description="List the pending reminders due now (or at --at): what the next tick "
        "would claim and send, postpone or skip.",
    )
    due.add_argument(
        "--at",
        type=_moment,
        metavar="ISO",
        help="this moment instead of now (ISO 8601; UTC without an offset)",
    )
    due.add_argument("--limit", type=int, default=200, help="at most this many (200)")
    due.set_defaults(command=cmd_reminders_due)

    from bot.cli_reports import add_report_commands
    from bot.cli_teams import add_team_commands

    add_team_commands(commands)
    add_report_commands(commands)
    add_user_commands(commands)  # user export, user delete
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

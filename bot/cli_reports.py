"""``coachbot report weekly`` and ``coachbot export``: the team's reports outside Telegram.

``report weekly --team T [--week 2026-W47] [--lang en|zh] --out FILE.html|FILE.png`` writes the
weekly digest as a self-contained HTML page (chart inline) or as the chart alone.
``export --team T --out FILE.xlsx|FILE.csv [--table visits|answers|notes] [--since D]
[--until D]``
writes the team's visits and answers. The operator's commands: any team, by id or exact name.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dialogs.zones import zone_of

if TYPE_CHECKING:
    import sqlalchemy as sa

    from coaching.teams import Team
    from config import Settings

EXIT_USAGE = 2
REPORT_SUFFIXES = (".html", ".htm", ".png")
EXPORT_SUFFIXES = (".xlsx", ".csv")


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def _fail(text: str) -> int:
    sys.stderr.write(f"coachbot: {text}\n")
    return EXIT_USAGE


def _engine(settings: Settings) -> sa.Engine:
    """The database, migrated first (as the other commands open it)."""
    from storage.db import make_engine
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    return make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)


def _team(engine: sa.Engine, name_or_id: str) -> Team | None:
    from storage.teams import Teams

    return Teams(engine).find(name_or_id)


def _unknown_team(name: str) -> int:
    return _fail(f"no team {name!r} (give the team's id or its exact name)")


def cmd_report_weekly(settings: Settings, args: argparse.Namespace) -> int:
    from coaching_scripts import load_catalog
    from reports.digest import BadWeek
    from reports.weekly import build_weekly

    out = Path(args.out)
    if out.suffix.lower() not in REPORT_SUFFIXES:
        return _fail(f"--out {args.out}: write a .html page or a .png chart")
    engine = _engine(settings)
    try:
        team = _team(engine, args.team)
        if team is None:
            return _unknown_team(args.team)
        now: datetime = args.now or datetime.now(UTC)
        try:
            report = build_weekly(
                engine,
                team.id,
                messages=load_catalog(settings.scripts_dir).messages,
                now=now,
                week=args.week,
                lang=args.lang,
                page=out.suffix.lower() != ".png",
            )
        except BadWeek as exc:
            return _fail(f"--week: {exc}")
    finally:
        engine.dispose()
    if out.suffix.lower() == ".png":
        if report.png is None:
            return _fail(f"the team {team.name!r} has no reps: no chart to draw")
        out.write_bytes(report.png)
    else:
        assert report.html is not None
        out.write_text(report.html, encoding="utf-8")
    figures = report.digest.team
    _say(
        f"{out}: team {team.name!r}, week {report.week}: {figures.reps} reps, "
        f"{figures.visits} visits, goal reached in {figures.goals}"
    )
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from reports.export import write_csv, write_xlsx
    from storage.activity import export_notes, export_rows

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        return _fail(f"--out {args.out}: write an .xlsx workbook or a .csv file")
    engine = _engine(settings)
    try:
        team = _team(engine, args.team)
        if team is None:
            return _unknown_team(args.team)
        tz = team.settings.tz or "UTC"
        since = _start_of(args.since, tz)
        until = _start_of(args.until, tz)
        team, rows = export_rows(engine, team.id, since=since, until=until)
        notes = export_notes(engine, team.id, since=since, until=until)
    finally:
        engine.dispose()
    if suffix == ".xlsx":
        counts = write_xlsx(out, rows, tz, notes)
        _say(
            f"{out}: team {team.name!r}: {counts['visits']} visits, {counts['answers']} answers, "
            f"{counts['notes']} notes"
        )
    else:
        count = write_csv(out, rows, tz, args.table, notes)
        _say(f"{out}: team {team.name!r}: {count} {args.table}")
    return 0


def _start_of(day: date | None, tz: str) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(0), zone_of(tz)).astimezone(UTC)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (e.g. 2026-11-01)") from None


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 moment: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def add_report_commands(commands: argparse._SubParsersAction[Any]) -> None:
    """Register the report and export commands on the ``coachbot`` parser."""
    report = commands.add_parser(
        "report",
        help="write a team report (HTML page or PNG chart)",
        description="Write a team report.",
    )
    report_commands = report.add_subparsers(title="commands", metavar="COMMAND", required=True)
    weekly = report_commands.add_parser(
        "weekly",
        help="the weekly team digest",
        description="The weekly team digest: effort, process and results per rep and for the "
        "team, who is behind, objections, customers due for a revisit. .html: a "
        "self-contained page with the chart; .png: the chart alone.",
    )
    weekly.add_argument("--team", required=True, help="the team's id or exact name")
    weekly.add_argument(
        "--week",
        help="ISO week, e.g. 2026-W47 (default: the last whole week in the team's time zone)",
    )
    weekly.add_argument("--lang", choices=("en", "zh"), default="en", help="language (en)")
    weekly.add_argument("--out", required=True, help="FILE.html or FILE.png")
    weekly.add_argument("--now", type=_moment, help=argparse.SUPPRESS)  # tests: a fixed clock
    weekly.set_defaults(command=cmd_report_weekly)

    export = commands.add_parser(
        "export",
        help="export a team's visits and answers (.xlsx or .csv)",
        description="Export the finished runs of a team's reps: an .xlsx workbook with the "
        "sheets 'visits' (one row per debrief), 'answers' (one row per answer) and 'notes' "
        "(what the reps typed that answered no question), or one of them as .csv (UTF-8 with "
        "BOM, for Excel).",
    )
    export.add_argument("--team", required=True, help="the team's id or exact name")
    export.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")
    export.add_argument(
        "--table",
        choices=("visits", "answers", "notes"),
        default="visits",
        help="for .csv (visits); notes: what reps typed that answered no question",
    )
    export.add_argument("--since", type=_day, help="runs finished on or after this day")
    export.add_argument("--until", type=_day, help="runs finished before this day")
    export.set_defaults(command=cmd_export)
